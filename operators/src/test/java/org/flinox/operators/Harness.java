package org.flinox.operators;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.OutputTag;

/** The model operator in Flink's keyed operator test harness, over the job's records. */
final class Harness {
    static final TypeInformation<FeatureRecord> RECORD = TypeInformation.of(FeatureRecord.class);
    static final OutputTag<Rejected<FeatureRecord>> REJECTED = Rejected.tag(RECORD);
    /** No state cache, no bundles: every record reads and writes the keyed state. */
    static final ModelSettings PLAIN = ModelSettings.defaults().withStateCache(0);

    /** An output as the tests compare it. */
    record Out(String key, String source, long seq, double[] output) {}

    private Harness() {}

    static ModelOperator<String, FeatureRecord> operator(ModelFactory factory, ModelSettings settings) {
        return new ModelOperator<>(factory, FeatureRecord::features, REJECTED, settings);
    }

    /** A harness, set up (not yet opened). */
    static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> of(
            ModelFactory factory, ModelSettings settings) throws Exception {
        return setUp(new KeyedOneInputStreamOperatorTestHarness<>(operator(factory, settings), FeatureRecord::key,
                Types.STRING));
    }

    /** A harness in {@code env} (for its metric group), set up. */
    static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> of(
            ModelFactory factory, ModelSettings settings, MockEnvironment env) throws Exception {
        return setUp(new KeyedOneInputStreamOperatorTestHarness<>(operator(factory, settings), FeatureRecord::key,
                Types.STRING, env));
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> setUp(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> h) {
        h.setup(ModelOutput.typeInfo(RECORD).createSerializer(new ExecutionConfig().getSerializerConfig()));
        return h;
    }

    static List<Out> outputs(ConcurrentLinkedQueue<Object> queue) {
        List<Out> out = new ArrayList<>();
        for (Object o : queue) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof ModelOutput<?> m
                    && m.input() instanceof FeatureRecord f) {
                out.add(new Out(f.key(), f.source(), f.seq(), m.output()));
            }
        }
        return out;
    }

    static List<Rejected<FeatureRecord>> deadLetters(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> h) {
        List<Rejected<FeatureRecord>> out = new ArrayList<>();
        var queue = h.getSideOutput(REJECTED);
        if (queue != null) {
            queue.forEach(r -> out.add(r.getValue()));
        }
        return out;
    }
}
