package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinox.nn.DType;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateEntry;
import org.flinox.nn.StateKey;
import org.flinox.nn.StateRef;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;

/** The model operator per record: outputs, dead letters, the packed state, snapshot and restore, TTL. */
class ModelOperatorTest {

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> harness(
            ModelFactory factory) throws Exception {
        return Harness.of(factory, Harness.PLAIN);
    }

    static List<FeatureRecord> records(int n, int keys, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<FeatureRecord> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double[] x = {random.nextDouble() * 10, random.nextDouble() * 100 - 50};
            out.add(new FeatureRecord("k" + random.nextInt(keys), "in.csv", i, "raw" + i, x));
        }
        return out;
    }

    static List<Harness.Out> outputs(ConcurrentLinkedQueue<Object> queue) {
        return Harness.outputs(queue);
    }

    /** The pinned cumulative z-score, by two passes over the key's records so far. */
    static Map<Long, double[]> referenceZ(List<FeatureRecord> records) {
        Map<String, List<double[]>> seen = new HashMap<>();
        Map<Long, double[]> z = new HashMap<>();
        for (FeatureRecord r : records) {
            List<double[]> rows = seen.computeIfAbsent(r.key(), k -> new ArrayList<>());
            rows.add(r.features());
            double[] out = new double[r.features().length];
            for (int j = 0; j < out.length; j++) {
                double mean = 0;
                for (double[] row : rows) {
                    mean += row[j];
                }
                mean /= rows.size();
                double var = 0;
                for (double[] row : rows) {
                    var += (row[j] - mean) * (row[j] - mean);
                }
                var /= rows.size();
                out[j] = var == 0 ? 0 : (r.features()[j] - mean) / Math.sqrt(var);
            }
            z.put(r.seq(), out);
        }
        return z;
    }

    @Test
    void outputsArePerKeyZScores() throws Exception {
        List<FeatureRecord> input = records(300, 7, 1);
        var h = harness(new StandardizeFactory(2));
        h.open();
        for (FeatureRecord r : input) {
            h.processElement(r, 0);
        }
        Map<Long, double[]> expected = referenceZ(input);
        List<Harness.Out> out = outputs(h.getOutput());
        assertThat(out).hasSize(input.size());
        for (Harness.Out o : out) {
            assertThat(o.output()).as("seq %d", o.seq()).containsExactly(expected.get(o.seq()), within(1e-9));
        }
        h.close();
    }

    @Test
    void snapshotAndRestoreContinueExactlyAsAnUninterruptedRun() throws Exception {
        List<FeatureRecord> input = records(400, 5, 2);
        var uninterrupted = harness(new StandardizeFactory(2));
        uninterrupted.open();
        for (FeatureRecord r : input) {
            uninterrupted.processElement(r, 0);
        }
        List<Harness.Out> expected = outputs(uninterrupted.getOutput());
        uninterrupted.close();

        var first = harness(new StandardizeFactory(2));
        first.open();
        for (FeatureRecord r : input.subList(0, 150)) {
            first.processElement(r, 0);
        }
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        List<Harness.Out> got = new ArrayList<>(outputs(first.getOutput()));
        first.close();

        var restored = harness(new StandardizeFactory(2));
        restored.initializeState(snapshot);
        restored.open();
        for (FeatureRecord r : input.subList(150, input.size())) {
            restored.processElement(r, 0);
        }
        got.addAll(outputs(restored.getOutput()));
        restored.close();

        assertThat(got).hasSameSizeAs(expected);
        for (int i = 0; i < got.size(); i++) {
            assertThat(got.get(i).seq()).isEqualTo(expected.get(i).seq());
            assertThat(got.get(i).output()).containsExactly(expected.get(i).output()); // bit for bit
        }
    }

    @Test
    void wrongFeatureCountGoesToDeadLettersAndLeavesStateUntouched() throws Exception {
        var h = harness(new StandardizeFactory(2));
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "1,2", new double[] {1, 2}), 0);
        h.processElement(new FeatureRecord("a", "f", 1, "1,2,3", new double[] {1, 2, 3}), 0);
        h.processElement(new FeatureRecord("a", "f", 2, "3,2", new double[] {3, 2}), 0);
        var dead = Harness.deadLetters(h);
        assertThat(dead).hasSize(1);
        Rejected<FeatureRecord> d = dead.get(0);
        assertThat(d.input().seq()).isEqualTo(1);
        assertThat(d.reason()).isEqualTo(DeadLetterReason.WRONG_FEATURE_COUNT);
        assertThat(d.detail()).isEqualTo("model test-standardize takes 2 features, the record has 3");
        assertThat(d.input().raw()).isEqualTo("1,2,3");
        // the bad record did not count: after 1 and 3 the first feature's z is exactly 1
        List<Harness.Out> out = outputs(h.getOutput());
        assertThat(out).extracting(Harness.Out::seq).containsExactly(0L, 2L);
        assertThat(out.get(1).output()[0]).isEqualTo(1.0);
        h.close();
    }

    /** A module with two entries of which only {@code seen} ever changes. */
    record CountOnly(StateRef seen, StateRef constant) implements Module {
        static CountOnly create() {
            return new CountOnly(new StateEntry(Tensor.zeros(DType.FLOAT64, 1)),
                    new StateEntry(Tensor.ones(DType.FLOAT64, 1)));
        }

        @Override
        public Result<double[]> forward(double[] x, State state) {
            double n = state.get(seen.key()).get(0) + 1;
            return new Result<>(new double[] {n}, state.with(seen.key(), Tensor.vector(DType.FLOAT64, n)));
        }

        @Override
        public Result<org.nd4j.linalg.api.ndarray.INDArray> forward(
                org.nd4j.linalg.api.ndarray.INDArray x, State state) {
            throw new UnsupportedOperationException("not needed here");
        }
    }

    record CountOnlyFactory() implements ModelFactory {
        @Override
        public String name() {
            return "count-only";
        }

        @Override
        public int inputWidth() {
            return 1;
        }

        @Override
        public Module create() {
            return CountOnly.create();
        }
    }

    @Test
    void aKeysWholeStateIsOnePackedValue() throws Exception {
        var h = harness(new CountOnlyFactory());
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {5}), 0);
        h.processElement(new FeatureRecord("a", "f", 1, "", new double[] {5}), 0);
        var backend = h.getOperator().getKeyedStateBackend();
        State initial = State.of(Map.of(new StateKey(".seen"), Tensor.zeros(DType.FLOAT64, 1),
                new StateKey(".constant"), Tensor.ones(DType.FLOAT64, 1)));
        ValueState<State> packed = backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, ModelState.descriptor("count-only", initial, java.util.Set.of(), null));
        backend.setCurrentKey("a");
        State a = packed.value();
        assertThat(a.get(new StateKey(".seen"))).isEqualTo(Tensor.vector(DType.FLOAT64, 2));
        assertThat(a.get(new StateKey(".constant"))).isEqualTo(Tensor.vector(DType.FLOAT64, 1));
        backend.setCurrentKey("never-seen");
        assertThat(packed.value()).isNull();
        assertThat(outputs(h.getOutput())).extracting(o -> o.output()[0]).containsExactly(1.0, 2.0);
        h.close();
    }

    @Test
    void aRejectedRecordWritesNothing() throws Exception {
        var h = harness(new CountOnlyFactory());
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "1,2", new double[] {1, 2}), 0); // wrong feature count
        var backend = h.getOperator().getKeyedStateBackend();
        try (var keys = backend.getKeys(ModelState.NAME, VoidNamespace.INSTANCE)) {
            assertThat(keys).isEmpty();
        }
        h.close();
    }

    @Test
    void aNewKeyStartsFromTheInitialState() throws Exception {
        var h = harness(new CountOnlyFactory());
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {1}), 0);
        h.processElement(new FeatureRecord("a", "f", 1, "", new double[] {1}), 0);
        h.processElement(new FeatureRecord("b", "f", 2, "", new double[] {1}), 0);
        assertThat(outputs(h.getOutput())).extracting(o -> o.output()[0]).containsExactly(1.0, 2.0, 1.0);
        h.close();
    }

    @Test
    void idleStateExpiresAfterTheTtlAndTheKeyStartsOver() throws Exception {
        var h = Harness.of(new CountOnlyFactory(), ModelSettings.defaults().withStateTtl(java.time.Duration.ofMinutes(10)));
        h.open();
        h.setStateTtlProcessingTime(0);
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {1}), 0);
        h.setStateTtlProcessingTime(java.time.Duration.ofMinutes(9).toMillis());
        h.processElement(new FeatureRecord("a", "f", 1, "", new double[] {1}), 0); // still alive: 2
        h.setStateTtlProcessingTime(java.time.Duration.ofMinutes(20).toMillis());
        h.processElement(new FeatureRecord("a", "f", 2, "", new double[] {1}), 0); // 11 min idle: expired, 1
        assertThat(outputs(h.getOutput())).extracting(o -> o.output()[0]).containsExactly(1.0, 2.0, 1.0);
        h.close();
    }

    /** A model without state: one linear layer. */
    record LinearFactory() implements ModelFactory {
        @Override
        public String name() {
            return "linear";
        }

        @Override
        public int inputWidth() {
            return 2;
        }

        @Override
        public Module create() {
            return org.flinox.nn.Linear.create(2, 1, new org.flinox.nn.Rng(3));
        }
    }

    @Test
    void aStatelessModelRunsAndLeavesNoFinalState() throws Exception {
        var h = Harness.of(new LinearFactory(), Harness.PLAIN.withFinalState(true));
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {1, 2}), 0);
        h.processElement(new FeatureRecord("b", "f", 1, "", new double[] {3, 4}), 0);
        h.endInput();
        assertThat(outputs(h.getOutput())).hasSize(2);
        assertThat(h.getSideOutput(FinalState.TAG)).isNullOrEmpty();
        try (var keys = h.getOperator().getKeyedStateBackend().getKeys(ModelState.NAME, VoidNamespace.INSTANCE)) {
            assertThat(keys).as("nothing written for a model without state").isEmpty();
        }
        h.close();
    }
}
