package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.flinox.operators.ModelOperatorTest.outputs;
import static org.flinox.operators.ModelOperatorTest.records;
import static org.flinox.operators.ModelOperatorTest.referenceZ;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.Test;

/** Key bundles: one state read and write per key per bundle, the same outputs as per record. */
class KeyBundlesTest {
    private static final Duration HOUR = Duration.ofHours(1);

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> harness(
            KeyBundles b) throws Exception {
        return harness(new StandardizeFactory(2), b);
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> harness(
            ModelFactory factory, KeyBundles b) throws Exception {
        return Harness.of(factory, Harness.PLAIN.withBundles(b));
    }

    /** inox's example MLP over 2 features, hidden width {@code hidden}. */
    record MlpFactory(int hidden) implements ModelFactory {
        @Override
        public String name() {
            return "mlp";
        }

        @Override
        public int inputWidth() {
            return 2;
        }

        @Override
        public org.flinox.nn.Module create() {
            return org.flinox.nn.MLP.create(2, 3, hidden, new org.flinox.nn.Rng(5));
        }
    }

    private static Map<Long, double[]> run(ModelFactory factory, KeyBundles b, List<FeatureRecord> input)
            throws Exception {
        var h = harness(factory, b);
        h.open();
        for (FeatureRecord r : input) {
            h.processElement(r, 0);
        }
        h.endInput();
        Map<Long, double[]> out = new HashMap<>();
        outputs(h.getOutput()).forEach(o -> out.put(o.seq(), o.output()));
        h.close();
        return out;
    }

    @Test
    void aBatchedBundleGivesThePerKeyZScores() throws Exception {
        List<FeatureRecord> input = records(600, 40, 6);
        Map<Long, double[]> got = run(new StandardizeFactory(2), KeyBundles.of(200, HOUR, KeyBundles.Forward.BATCHED), input);
        Map<Long, double[]> expected = referenceZ(input);
        assertThat(got).hasSize(input.size());
        expected.forEach((seq, z) -> assertThat(got.get(seq)).as("seq %d", seq).containsExactly(z, within(1e-9)));
    }

    @Test
    void aBatchedBundleRunsTheMlpAsThePerRecordPathDoesUpToFloatRounding() throws Exception {
        List<FeatureRecord> input = records(500, 30, 7);
        Map<Long, double[]> perRecord = run(new MlpFactory(16), KeyBundles.OFF, input);
        Map<Long, double[]> batched = run(new MlpFactory(16), KeyBundles.of(250, HOUR, KeyBundles.Forward.BATCHED), input);
        assertThat(batched.keySet()).isEqualTo(perRecord.keySet());
        perRecord.forEach((seq, y) -> assertThat(batched.get(seq)).as("seq %d", seq).containsExactly(y, within(1e-4)));
    }

    @Test
    void aRecordOfTheWrongWidthInABatchedBundleIsADeadLetterAndTheOthersRun() throws Exception {
        var h = harness(KeyBundles.of(3, HOUR, KeyBundles.Forward.BATCHED));
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "1,2", new double[] {1, 2}), 0);
        h.processElement(new FeatureRecord("b", "f", 1, "1", new double[] {1}), 0);
        h.processElement(new FeatureRecord("a", "f", 2, "3,2", new double[] {3, 2}), 0);
        assertThat(Harness.deadLetters(h)).extracting(r -> r.input().seq()).containsExactly(1L);
        List<Harness.Out> out = outputs(h.getOutput());
        assertThat(out).extracting(Harness.Out::seq).containsExactly(0L, 2L);
        assertThat(out.get(1).output()).containsExactly(1.0, 0.0); // a's z after (1,2), (3,2)
        h.close();
    }

    @Test
    void autoBatchesOnlyModelsAndRoundsTheBenchmarkFoundWorthIt() {
        KeyedModel small = KeyedModel.build(new MlpFactory(64));
        KeyedModel wide = KeyedModel.build(new MlpFactory(256));
        // l1 (2×h + h), l2 (h×h + h), l3 (h×3 + 3): worked out by hand
        assertThat(small.parameterCount()).isEqualTo(2 * 64 + 64 + 64 * 64 + 64 + 64 * 3 + 3);
        assertThat(wide.parameterCount()).isEqualTo(2 * 256 + 256 + 256 * 256 + 256 + 256 * 3 + 3);
        assertThat(small.batchPays(1000)).isFalse();
        assertThat(wide.batchPays(255)).isFalse();
        assertThat(wide.batchPays(256)).isTrue();
    }

    @Test
    void bundledOutputsArePerKeyZScoresInEachKeysArrivalOrder() throws Exception {
        List<FeatureRecord> input = records(300, 7, 3);
        var h = harness(KeyBundles.of(50, HOUR));
        h.open();
        for (FeatureRecord r : input) {
            h.processElement(r, 0);
        }
        h.endInput();
        Map<Long, double[]> expected = referenceZ(input);
        List<Harness.Out> out = outputs(h.getOutput());
        assertThat(out).hasSize(input.size());
        Map<String, Long> lastSeq = new HashMap<>();
        for (Harness.Out o : out) {
            assertThat(o.output()).as("seq %d", o.seq()).containsExactly(expected.get(o.seq()), within(1e-9));
            Long before = lastSeq.put(o.key(), o.seq());
            assertThat(before == null || before < o.seq()).as("key %s in arrival order", o.key()).isTrue();
        }
        h.close();
    }

    @Test
    void nothingIsEmittedUntilTheBundleIsFull() throws Exception {
        var h = harness(KeyBundles.of(3, HOUR));
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {1, 2}), 0);
        h.processElement(new FeatureRecord("b", "f", 1, "", new double[] {1, 2}), 0);
        assertThat(outputs(h.getOutput())).isEmpty();
        h.processElement(new FeatureRecord("a", "f", 2, "", new double[] {3, 2}), 0);
        // a's records first (a arrived first), each key's in order; a's second z is exactly 1 and 0
        List<Harness.Out> out = outputs(h.getOutput());
        assertThat(out).extracting(Harness.Out::seq).containsExactly(0L, 2L, 1L);
        assertThat(out.get(1).output()).containsExactly(1.0, 0.0);
        h.close();
    }

    @Test
    void theLatencyTimerFlushesAPartialBundle() throws Exception {
        var h = harness(KeyBundles.of(1000, Duration.ofMillis(100)));
        h.open();
        h.setProcessingTime(0);
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {1, 2}), 0);
        h.setProcessingTime(99);
        assertThat(outputs(h.getOutput())).isEmpty();
        h.setProcessingTime(100);
        assertThat(outputs(h.getOutput())).extracting(Harness.Out::seq).containsExactly(0L);
        h.close();
    }

    @Test
    void theByteBoundFlushesBeforeTheCountDoes() throws Exception {
        var h = harness(new KeyBundles(1000, HOUR, 1, KeyBundles.Forward.AUTO)); // every record is over one byte
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {1, 2}), 0);
        assertThat(outputs(h.getOutput())).hasSize(1);
        h.close();
    }

    @Test
    void keysWithLargeStatesFlushTheBundleBeforeItHoldsTooMany() throws Exception {
        int features = 100_000; // a state of about 1.6 MB per key (.count[1], .mean and .m2 float64[100000])
        var h = harness(new StandardizeFactory(features), new KeyBundles(1000, HOUR, 10L << 20, KeyBundles.Forward.AUTO));
        h.open();
        double[] x = new double[features];
        for (int k = 0; k < 4; k++) { // 4 × (1.6 MB state + 0.8 MB record) < 10 MiB
            h.processElement(new FeatureRecord("k" + k, "f", k, "", x), 0);
        }
        assertThat(outputs(h.getOutput())).isEmpty();
        h.processElement(new FeatureRecord("k4", "f", 4, "", x), 0); // 5 × 2.4 MB > 10 MiB
        assertThat(outputs(h.getOutput())).hasSize(5);
        h.close();
    }

    @Test
    void aCheckpointFlushesTheBundleAndRestoreContinuesExactlyAsPerRecord() throws Exception {
        List<FeatureRecord> input = records(400, 5, 4);
        var perRecord = harness(KeyBundles.OFF);
        perRecord.open();
        for (FeatureRecord r : input) {
            perRecord.processElement(r, 0);
        }
        Map<Long, double[]> expected = new HashMap<>();
        outputs(perRecord.getOutput()).forEach(o -> expected.put(o.seq(), o.output()));
        perRecord.close();

        var first = harness(KeyBundles.of(1000, HOUR)); // never full: only the barrier flushes it
        first.open();
        for (FeatureRecord r : input.subList(0, 150)) {
            first.processElement(r, 0);
        }
        first.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        List<Harness.Out> got = new ArrayList<>(outputs(first.getOutput()));
        assertThat(got).as("everything before the barrier is out").hasSize(150);
        first.close();

        var restored = harness(KeyBundles.of(1000, HOUR));
        restored.initializeState(snapshot);
        restored.open();
        for (FeatureRecord r : input.subList(150, input.size())) {
            restored.processElement(r, 0);
        }
        restored.endInput();
        got.addAll(outputs(restored.getOutput()));
        restored.close();

        assertThat(got).hasSize(input.size());
        for (Harness.Out o : got) {
            assertThat(o.output()).as("seq %d", o.seq()).containsExactly(expected.get(o.seq())); // bit for bit
        }
    }
}
