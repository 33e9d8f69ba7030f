package org.flinox.usermodule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.example.modules.Smooth;
import org.flinox.nn.Module;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelOperator;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelSettings;
import org.flinox.operators.Rejected;
import org.junit.jupiter.api.Test;

/**
 * The user-written {@link Smooth} runs in Flinox's keyed operator as a built-in module does:
 * one level per stream key, kept across a snapshot and a restore.
 */
class SmoothInTheKeyedOperatorTest {

    private static final double ALPHA = 0.5;

    record SmoothFactory() implements ModelFactory {
        @Override
        public String name() {
            return "smooth";
        }

        @Override
        public int inputWidth() {
            return 1;
        }

        @Override
        public Module create() {
            return Smooth.create(1, ALPHA);
        }
    }

    private static final TypeInformation<FeatureRecord> RECORD = TypeInformation.of(FeatureRecord.class);

    /** Flinox's keyed operator as the public API builds it, with the job's defaults (the state cache on). */
    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> harness()
            throws Exception {
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new ModelOperator<String, FeatureRecord>(new SmoothFactory(),
                FeatureRecord::features, Rejected.tag(RECORD), ModelSettings.defaults()), FeatureRecord::key, Types.STRING);
        h.setup(ModelOutput.typeInfo(RECORD).createSerializer(new ExecutionConfig().getSerializerConfig()));
        return h;
    }

    private static FeatureRecord record(String key, long seq, double x) {
        return new FeatureRecord(key, "in.csv", seq, Double.toString(x), new double[] {x});
    }

    private static List<ModelOutput<FeatureRecord>> outputs(
            KeyedOneInputStreamOperatorTestHarness<?, ?, ModelOutput<FeatureRecord>> h) {
        List<ModelOutput<FeatureRecord>> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof ModelOutput<?> m) {
                @SuppressWarnings("unchecked")
                ModelOutput<FeatureRecord> typed = (ModelOutput<FeatureRecord>) m;
                out.add(typed);
            }
        }
        return out;
    }

    @Test
    void eachKeySmoothsItsOwnRecordsAcrossASnapshotAndRestore() throws Exception {
        List<FeatureRecord> input = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            input.add(record(i % 3 == 0 ? "b" : "a", i, i * i - 4.0 * i));
        }

        var first = harness();
        first.open();
        for (FeatureRecord r : input.subList(0, 5)) {
            first.processElement(r, 0);
        }
        first.prepareSnapshotPreBarrier(1); // as Flink calls it: the state cache is written back
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        List<ModelOutput<FeatureRecord>> got = new ArrayList<>(outputs(first));
        first.close();

        var restored = harness();
        restored.initializeState(snapshot);
        restored.open();
        for (FeatureRecord r : input.subList(5, input.size())) {
            restored.processElement(r, 0);
        }
        got.addAll(outputs(restored));
        restored.close();

        // level ← a·x + (1 − a)·level per key, from 0
        Map<String, Double> level = new HashMap<>();
        assertThat(got).hasSameSizeAs(input);
        for (int i = 0; i < input.size(); i++) {
            FeatureRecord r = input.get(i);
            double next = ALPHA * r.features()[0] + (1 - ALPHA) * level.getOrDefault(r.key(), 0.0);
            level.put(r.key(), next);
            assertThat(got.get(i).input().key()).isEqualTo(r.key());
            assertThat(got.get(i).input().seq()).isEqualTo(r.seq());
            assertThat(got.get(i).output()).as("record %d of key %s", i, r.key()).containsExactly(new double[] {next}, within(1e-12));
        }
    }
}
