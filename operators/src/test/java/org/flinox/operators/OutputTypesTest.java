package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.junit.jupiter.api.Test;

/**
 * The output and dead-letter types built from the input's: written without Kryo, copied,
 * their serializer snapshots read back and compatible, and restored from a checkpoint.
 */
class OutputTypesTest {
    private static final TypeInformation<FeatureRecord> RECORD = TypeInformation.of(FeatureRecord.class);

    /** Flink's configuration as the job runs: {@code pipeline.generic-types: false}. */
    private static SerializerConfig noKryo() {
        SerializerConfigImpl c = new SerializerConfigImpl();
        c.setGenericTypes(false);
        return c;
    }

    private static <T> T roundTrip(TypeSerializer<T> s, T value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        T back = s.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        // copy(in, out) writes the same bytes
        DataOutputSerializer copied = new DataOutputSerializer(64);
        s.copy(new DataInputDeserializer(out.getCopyOfBuffer()), copied);
        assertThat(copied.getCopyOfBuffer()).isEqualTo(out.getCopyOfBuffer());
        return back;
    }

    /** The snapshot written and read back as a checkpoint stores it, then resolved against a fresh serializer. */
    private static <T> TypeSerializerSchemaCompatibility<T> restoredAgainst(TypeSerializer<T> written,
            TypeSerializer<T> now) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(256);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, written.snapshotConfiguration());
        TypeSerializerSnapshot<T> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), OutputTypesTest.class.getClassLoader());
        return now.snapshotConfiguration().resolveSchemaCompatibility(read);
    }

    private static FeatureRecord record() {
        return new FeatureRecord("sensor-1", "in.csv", 7, "sensor-1,1.5,-2", new double[] {1.5, -2});
    }

    @Test
    void anOutputIsWrittenWithItsInputsSerializerAndReadBackEqual() throws Exception {
        TypeSerializer<ModelOutput<FeatureRecord>> s = ModelOutput.typeInfo(RECORD).createSerializer(noKryo());
        assertThat(((ModelOutputSerializer<FeatureRecord>) s).inputSerializer()).isInstanceOf(PojoSerializer.class);
        ModelOutput<FeatureRecord> o = new ModelOutput<>(record(), new double[] {0.25, -1e-300});
        ModelOutput<FeatureRecord> back = roundTrip(s, o);
        assertThat(back.input().key()).isEqualTo("sensor-1");
        assertThat(back.input().seq()).isEqualTo(7);
        assertThat(back.input().raw()).isEqualTo("sensor-1,1.5,-2");
        assertThat(back.input().features()).containsExactly(1.5, -2);
        assertThat(back.output()).containsExactly(0.25, -1e-300);

        ModelOutput<FeatureRecord> copy = s.copy(o);
        assertThat(copy.output()).containsExactly(o.output()).isNotSameAs(o.output());
        assertThat(copy.input().features()).isNotSameAs(o.input().features());
    }

    @Test
    void anOutputsSnapshotRestoresAsIsAndRefusesAnotherInputType() throws Exception {
        TypeSerializer<ModelOutput<FeatureRecord>> s = ModelOutput.typeInfo(RECORD).createSerializer(noKryo());
        assertThat(restoredAgainst(s, ModelOutput.typeInfo(RECORD).createSerializer(noKryo())).isCompatibleAsIs())
                .isTrue();
        @SuppressWarnings({"unchecked", "rawtypes"})
        TypeSerializer<ModelOutput<FeatureRecord>> strings =
                (TypeSerializer) ModelOutput.typeInfo(Types.STRING).createSerializer(noKryo());
        assertThat(restoredAgainst(s, strings).isIncompatible()).isTrue();
    }

    @Test
    void aDeadLetterIsAPojoOfTheInputsTypeAndRestoresAsIs() throws Exception {
        TypeSerializer<Rejected<FeatureRecord>> s = Rejected.typeInfo(RECORD).createSerializer(noKryo());
        assertThat(s).isInstanceOf(PojoSerializer.class);
        Rejected<FeatureRecord> back = roundTrip(s, new Rejected<>(record(), DeadLetterReason.NOT_FINITE, "feature 1"));
        assertThat(back.input().key()).isEqualTo("sensor-1");
        assertThat(back.reason()).isEqualTo(DeadLetterReason.NOT_FINITE);
        assertThat(back.detail()).isEqualTo("feature 1");
        assertThat(restoredAgainst(s, Rejected.typeInfo(RECORD).createSerializer(noKryo())).isCompatibleAsIs()).isTrue();
    }

    @Test
    void aKeysOutputKeptInStateRestoresFromACheckpoint() throws Exception {
        OperatorSubtaskState snapshot;
        try (var first = harness()) {
            first.open();
            first.processElement(new ModelOutput<>(record(), new double[] {3, 4}), 0);
            snapshot = first.snapshot(1, 1);
        }
        try (var restored = harness()) {
            restored.initializeState(snapshot);
            restored.open();
            restored.processElement(new ModelOutput<>(record(), new double[] {5, 6}), 0);
            // the function emits the output the state held before this one: the restored one
            assertThat(restored.extractOutputValues()).containsExactly("sensor-1 7 [3.0, 4.0]");
        }
    }

    /** Keeps each key's last output in a {@code ValueState<ModelOutput<FeatureRecord>>}; emits the one before. */
    private static final class LastOutput
            extends KeyedProcessFunction<String, ModelOutput<FeatureRecord>, String> {
        private transient ValueState<ModelOutput<FeatureRecord>> last;

        @Override
        public void open(org.apache.flink.api.common.functions.OpenContext context) {
            last = getRuntimeContext().getState(new ValueStateDescriptor<>("last", ModelOutput.typeInfo(RECORD)));
        }

        @Override
        public void processElement(ModelOutput<FeatureRecord> o, Context ctx, Collector<String> out) throws Exception {
            ModelOutput<FeatureRecord> before = last.value();
            if (before != null) {
                out.collect(before.input().key() + " " + before.input().seq() + " "
                        + java.util.Arrays.toString(before.output()));
            }
            last.update(o);
        }
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, ModelOutput<FeatureRecord>, String> harness()
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new KeyedProcessOperator<>(new LastOutput()),
                (ModelOutput<FeatureRecord> o) -> o.input().key(), Types.STRING);
        ((SerializerConfigImpl) h.getExecutionConfig().getSerializerConfig()).setGenericTypes(false);
        h.setup(Types.STRING.createSerializer(noKryo()));
        return h;
    }
}
