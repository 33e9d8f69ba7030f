package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.AbstractStreamOperatorTestHarness;
import org.apache.flink.streaming.util.KeyedTwoInputStreamOperatorTestHarness;
import org.flinox.nn.DType;
import org.flinox.nn.Linear;
import org.flinox.nn.Npz;
import org.flinox.nn.Sequential;
import org.flinox.nn.Standardize;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The model operator with an update side: the records of an open key bundle run under the
 * version they came under, later ones under the new one; a refused update is one dead letter and
 * changes nothing; the version in force comes back from a snapshot, also on a rescale.
 */
class ModelUpdatesOperatorTest {
    private static final double[] A_W = {1, 0, 0, 1};
    private static final double[] A_B = {0.5, -0.25};
    private static final double[] B_W = {-2, 0.75, 1.5, 3};
    private static final double[] B_B = {10, 20};
    private static final ModelFactory LINEAR = ModelFactory.of("lin", 2, () -> new Linear(
            Tensor.of(DType.FLOAT32, new int[] {2, 2}, A_W), Tensor.vector(DType.FLOAT32, A_B)));

    @TempDir
    Path dir;

    private ModelUpdate update(String version, double[] w, double[] b) throws Exception {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put(".weight", Tensor.of(DType.FLOAT32, new int[] {2, w.length / 2}, w));
        arrays.put(".bias", Tensor.vector(DType.FLOAT32, b));
        Path file = dir.resolve(version + ".npz");
        Npz.write(file, arrays);
        return ModelUpdate.of(version, version + ".npz", Files.readAllBytes(file));
    }

    private static KeyedTwoInputStreamOperatorTestHarness<String, FeatureRecord, ModelUpdate, ModelOutput<FeatureRecord>>
            harness(ModelSettings settings, int maxParallelism, int parallelism, int subtask) throws Exception {
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, FeatureRecord, ModelUpdate, ModelOutput<FeatureRecord>>(
                new ModelOperator<>(LINEAR, FeatureRecord::features, Harness.REJECTED, settings, "A"),
                FeatureRecord::key, u -> "updates", Types.STRING, maxParallelism, parallelism, subtask);
        h.setup(ModelOutput.typeInfo(Harness.RECORD).createSerializer(new ExecutionConfig().getSerializerConfig()));
        return h;
    }

    private static FeatureRecord record(String key, long seq, double a, double b) {
        return new FeatureRecord(key, "in.csv", seq, "raw", new double[] {a, b});
    }

    /** {@code (float) (x·W + b)}, W row-major [2, 2]. */
    private static double[] linear(double[] x, double[] w, double[] b) {
        double[] y = new double[2];
        for (int j = 0; j < 2; j++) {
            y[j] = (float) (b[j] + x[0] * w[j] + x[1] * w[2 + j]);
        }
        return y;
    }

    private record Seen(long seq, String version, double[] output) {}

    private static List<Seen> seen(AbstractStreamOperatorTestHarness<ModelOutput<FeatureRecord>> h) {
        List<Seen> out = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof ModelOutput<?> m) {
                out.add(new Seen(((FeatureRecord) m.input()).seq(), m.modelVersion(), m.output()));
            }
        }
        return out;
    }

    @Test
    void anOpenBundleRunsUnderItsVersionAndLaterRecordsUnderTheNewOne() throws Exception {
        var h = harness(Harness.PLAIN.withBundles(KeyBundles.of(1000, Duration.ofHours(1))), 128, 1, 0);
        h.open();
        List<FeatureRecord> before = List.of(record("x", 0, 1, 2), record("y", 1, 3, -1), record("x", 2, -4, 5));
        for (FeatureRecord r : before) {
            h.processElement1(r, 0);
        }
        assertThat(seen(h)).as("held in the bundle").isEmpty();
        h.processElement2(update("B", B_W, B_B), 0);
        FeatureRecord after = record("y", 3, 7, 8);
        h.processElement1(after, 0);
        h.prepareSnapshotPreBarrier(1); // a barrier finishes the bundle

        List<Seen> out = seen(h);
        assertThat(out).extracting(Seen::seq).containsExactlyInAnyOrder(0L, 1L, 2L, 3L);
        for (Seen s : out) {
            FeatureRecord r = s.seq() == 3 ? after : before.get((int) s.seq());
            boolean underB = s.seq() == 3;
            assertThat(s.version()).isEqualTo(underB ? "B" : "A");
            assertThat(s.output()).containsExactly(linear(r.features(), underB ? B_W : A_W, underB ? B_B : A_B),
                    within(1e-9));
        }
        assertThat(out.get(out.size() - 1).seq()).as("the bundle went out before the update").isEqualTo(3L);
        h.close();
    }

    @Test
    void aRefusedUpdateIsOneDeadLetterAndTheVersionInForceComesBackOnARescale() throws Exception {
        var h = harness(Harness.PLAIN, 128, 1, 0);
        h.open();
        h.processElement2(update("wide", new double[] {1, 2, 3, 4, 5, 6}, new double[] {1, 2, 3}), 0);
        h.processElement1(record("x", 0, 1, 2), 0);
        h.processElement2(update("B", B_W, B_B), 0);
        h.processElement2(update("B", A_W, A_B), 0); // B again: refused, B stays
        h.processElement1(record("x", 1, 1, 2), 0);
        var refused = h.getSideOutput(ModelVersions.REFUSED);
        assertThat(refused).hasSize(2);
        List<Rejected<ModelUpdate>> letters = new ArrayList<>();
        refused.forEach(r -> letters.add(r.getValue()));
        assertThat(letters.get(0).reason()).isEqualTo(DeadLetterReason.MODEL_UPDATE_REFUSED);
        assertThat(letters.get(0).detail()).contains("expected shape [2, 2], got [2, 3]").contains("version A keeps running");
        assertThat(letters.get(0).input().npz()).as("a dead letter does not carry the weights").isNull();
        assertThat(letters.get(1).detail()).contains("applied already").contains("version B keeps running");
        List<Seen> out = seen(h);
        assertThat(out).extracting(Seen::version).containsExactly("A", "B");
        assertThat(out.get(0).output()).containsExactly(linear(new double[] {1, 2}, A_W, A_B), within(1e-9));
        assertThat(out.get(1).output()).containsExactly(linear(new double[] {1, 2}, B_W, B_B), within(1e-9));
        OperatorSubtaskState snapshot = h.snapshot(1, 1);
        h.close();

        for (int subtask = 0; subtask < 2; subtask++) { // rescaled to 2: each instance runs B
            var restored = harness(Harness.PLAIN, 128, 2, subtask);
            restored.initializeState(AbstractStreamOperatorTestHarness.repartitionOperatorState(snapshot, 128, 1, 2,
                    subtask));
            restored.open();
            String key = subtask == 0 ? keyOf(0, 128, 2) : keyOf(1, 128, 2);
            restored.processElement1(record(key, 2, -1, 3), 0);
            List<Seen> again = seen(restored);
            assertThat(again).extracting(Seen::version).as("subtask " + subtask).containsExactly("B");
            assertThat(again.get(0).output()).containsExactly(linear(new double[] {-1, 3}, B_W, B_B), within(1e-9));
            restored.close();
        }
    }

    @Test
    void eachStateChangeNamesTheVersionInForceAtItsBarrier() throws Exception {
        // standardize, then the linear layer: state to change, weights to update (paths .layers[1].*)
        ModelFactory standardizeThenLinear = ModelFactory.of("std-lin", 2, () -> Sequential.of(Standardize.create(2),
                new Linear(Tensor.of(DType.FLOAT32, new int[] {2, 2}, A_W), Tensor.vector(DType.FLOAT32, A_B))));
        var h = new KeyedTwoInputStreamOperatorTestHarness<String, FeatureRecord, ModelUpdate, ModelOutput<FeatureRecord>>(
                new ModelOperator<>(standardizeThenLinear, FeatureRecord::features, Harness.REJECTED,
                        Harness.PLAIN.withStateChanges(true), "A"),
                FeatureRecord::key, u -> "updates", Types.STRING, 128, 1, 0);
        h.setup(ModelOutput.typeInfo(Harness.RECORD).createSerializer(new ExecutionConfig().getSerializerConfig()));
        h.open();
        h.processElement1(record("x", 0, 1, 2), 0);
        h.prepareSnapshotPreBarrier(1);
        Map<String, Tensor> b = new LinkedHashMap<>();
        b.put(".layers[1].weight", Tensor.of(DType.FLOAT32, new int[] {2, 2}, B_W));
        b.put(".layers[1].bias", Tensor.vector(DType.FLOAT32, B_B));
        Path file = dir.resolve("B.npz");
        Npz.write(file, b);
        h.processElement2(ModelUpdate.of("B", "B.npz", Files.readAllBytes(file)), 0);
        assertThat(h.getSideOutput(ModelVersions.REFUSED)).as("B is applied").isNullOrEmpty();
        h.processElement1(record("x", 1, 3, 4), 0);
        h.prepareSnapshotPreBarrier(2);

        List<StateChange> changes = new ArrayList<>();
        h.getSideOutput(StateChange.TAG).forEach(r -> changes.add(r.getValue()));
        assertThat(changes).extracting(StateChange::checkpointId, StateChange::key, StateChange::version)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(1L, "x", "A"),
                        org.assertj.core.groups.Tuple.tuple(2L, "x", "B"));
        h.close();
    }

    /** A key that goes to {@code subtask} of {@code parallelism}. */
    private static String keyOf(int subtask, int maxParallelism, int parallelism) {
        for (int i = 0; ; i++) {
            String key = "k" + i;
            if (org.apache.flink.runtime.state.KeyGroupRangeAssignment.assignKeyToParallelOperator(key, maxParallelism,
                    parallelism) == subtask) {
                return key;
            }
        }
    }
}
