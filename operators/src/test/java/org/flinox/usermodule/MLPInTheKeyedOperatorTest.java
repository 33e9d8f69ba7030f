package org.flinox.usermodule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.example.modules.MLP;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.Rng;
import org.flinox.nn.State;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.KeyBundles;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelOperator;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelSettings;
import org.flinox.operators.Rejected;
import org.junit.jupiter.api.Test;

/**
 * The user-written {@link MLP} runs in Flinox's keyed operator as a built-in module does: one
 * pair of moments per stream key going in and coming out, kept across a snapshot and a
 * restore, per record and in batched key bundles (the default batched path), each output
 * against {@link MlpReference}'s plain loops.
 */
class MLPInTheKeyedOperatorTest {

    private static final int IN = 3;
    private static final int OUT = 2;

    /** The MLP with its four moments after the record appended to its output, so that the operator's outputs show the state it keeps. */
    record Observed(MLP mlp) implements Module {
        public Result<double[]> forward(double[] x, State state) {
            Result<double[]> r = mlp.forward(x, state);
            State s = r.state();
            double[] out = concat(r.output(), s.get(mlp.inStats().first()).toArray(), s.get(mlp.inStats().second()).toArray(),
                    s.get(mlp.outStats().first()).toArray(), s.get(mlp.outStats().second()).toArray());
            return new Result<>(out, s);
        }
    }

    record ObservedFactory() implements ModelFactory {
        @Override
        public String name() {
            return "user-mlp";
        }

        @Override
        public int inputWidth() {
            return IN;
        }

        @Override
        public Module create() {
            return new Observed(MLP.create(IN, OUT, 5, new Rng(8)));
        }
    }

    private static double[] concat(double[]... parts) {
        int n = 0;
        for (double[] p : parts) {
            n += p.length;
        }
        double[] all = new double[n];
        int at = 0;
        for (double[] p : parts) {
            System.arraycopy(p, 0, all, at, p.length);
            at += p.length;
        }
        return all;
    }

    private static List<FeatureRecord> input() {
        Random random = new Random(13);
        List<FeatureRecord> input = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            double[] x = {random.nextGaussian(), 3 * random.nextGaussian(), random.nextDouble()};
            input.add(new FeatureRecord("k" + random.nextInt(4), "in.csv", i, "", x));
        }
        return input;
    }

    /** What each record's output must be: the MLP's, then the key's moments, by the plain loops. */
    private static List<double[]> expected(List<FeatureRecord> input) {
        MLP mlp = ((Observed) new ObservedFactory().create()).mlp(); // not exported: the weights are what matter
        Map<String, MlpReference> refs = new HashMap<>();
        List<double[]> out = new ArrayList<>();
        for (FeatureRecord r : input) {
            MlpReference ref = refs.computeIfAbsent(r.key(), k -> new MlpReference(mlp));
            double[] y = ref.forward(r.features());
            out.add(concat(y, ref.inFirst, ref.inSecond, ref.outFirst, ref.outSecond));
        }
        return out;
    }

    private static final TypeInformation<FeatureRecord> RECORD = TypeInformation.of(FeatureRecord.class);

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> harness(
            ModelSettings settings) throws Exception {
        var operator = new ModelOperator<String, FeatureRecord>(new ObservedFactory(), FeatureRecord::features,
                Rejected.tag(RECORD), settings);
        var h = new KeyedOneInputStreamOperatorTestHarness<>(operator, FeatureRecord::key, Types.STRING);
        h.setup(ModelOutput.typeInfo(RECORD).createSerializer(new ExecutionConfig().getSerializerConfig()));
        return h;
    }

    private static List<ModelOutput<FeatureRecord>> outputs(KeyedOneInputStreamOperatorTestHarness<?, ?, ?> h) {
        List<ModelOutput<FeatureRecord>> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof ModelOutput<?> m
                    && m.input() instanceof FeatureRecord f) {
                out.add(new ModelOutput<>(f, m.output()));
            }
        }
        return out;
    }

    /** The input through {@code operator}, snapshot after the first 17 records, the rest through a restored one. */
    private static List<ModelOutput<FeatureRecord>> runWithARestore(ModelSettings settings) throws Exception {
        List<FeatureRecord> input = input();
        var first = harness(settings);
        first.open();
        for (FeatureRecord r : input.subList(0, 17)) {
            first.processElement(r, 0);
        }
        first.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        List<ModelOutput<FeatureRecord>> got = new ArrayList<>(outputs(first));
        first.close();

        var restored = harness(settings);
        restored.initializeState(snapshot);
        restored.open();
        for (FeatureRecord r : input.subList(17, input.size())) {
            restored.processElement(r, 0);
        }
        restored.endInput();
        got.addAll(outputs(restored));
        restored.close();
        return got;
    }

    private static void assertMatchesTheReference(List<ModelOutput<FeatureRecord>> got) {
        List<FeatureRecord> input = input();
        List<double[]> expected = expected(input);
        assertThat(got).hasSameSizeAs(input);
        Map<Long, ModelOutput<FeatureRecord>> bySeq = new HashMap<>();
        got.forEach(o -> bySeq.put(o.input().seq(), o));
        for (int i = 0; i < input.size(); i++) {
            ModelOutput<FeatureRecord> o = bySeq.get((long) i);
            assertThat(o).as("an output for record %d", i).isNotNull();
            assertThat(o.input().key()).isEqualTo(input.get(i).key());
            assertThat(o.output()).as("record %d of key %s", i, o.input().key()).containsExactly(expected.get(i), within(1e-12));
        }
    }

    @Test
    void perRecordEachKeyKeepsItsOwnMomentsAcrossASnapshotAndRestore() throws Exception {
        assertMatchesTheReference(runWithARestore(ModelSettings.defaults().withStateCache(0)));
    }

    @Test
    void batchedKeyBundlesRunTheDefaultBatchedPathAcrossASnapshotAndRestore() throws Exception {
        KeyBundles bundles = KeyBundles.of(6, Duration.ofHours(1), KeyBundles.Forward.BATCHED);
        assertMatchesTheReference(runWithARestore(ModelSettings.defaults().withBundles(bundles)));
    }
}
