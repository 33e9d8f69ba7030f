package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.flinox.nn.Approx.assertClose;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class BatchNormTest {

    private static final double EPS = 1e-5;
    /** Channel 0: 1, 3, 5 (mean 3, biased variance 8/3); channel 1: 10, 20, 60 (mean 30, variance 1400/3). */
    private static final double[][] X = {{1, 10}, {3, 20}, {5, 60}};

    private static StateExport.Exported<BatchNorm> exported(DType dtype) {
        return StateExport.exportState(BatchNorm.create(2, 0.9, EPS, dtype));
    }

    @Test
    void batchNormExportsMeanZerosAndVarOnes() {
        var e = StateExport.exportState(BatchNorm.create(3));
        assertThat(e.state().keys()).extracting(StateKey::name).containsExactly(".stats.mean", ".stats.var");
        assertThat(e.state().get(new StateKey(".stats.mean"))).isEqualTo(Tensor.zeros(DType.FLOAT32, 3));
        assertThat(e.state().get(new StateKey(".stats.var"))).isEqualTo(Tensor.ones(DType.FLOAT32, 3));
        BatchNorm m = e.module();
        assertThat(m.momentum()).isEqualTo(0.9);
        assertThat(m.eps()).isEqualTo(1e-5);
        assertThat(m.training()).isTrue();
    }

    /** The exported state stacked for {@code rows} stream keys, one row each. */
    private static State stacked(State state, int rows) {
        return State.stack(java.util.Collections.nCopies(rows, state));
    }

    @Test
    void batchedTrainingIsEachRowABatchOfOneWithItsOwnRunningStatistics() {
        var e = exported(DType.FLOAT64);
        Result<INDArray> r = e.module().forward(Nd4j.createFromArray(X), stacked(e.state(), 3));
        // each row is its own key's batch of one: y = 0; mean ← 0.9·0 + 0.1·x; var ← 0.9·1 + 0.1·0
        assertThat(r.output().shape()).containsExactly(3, 2);
        assertThat(r.output().toDoubleMatrix()).isEqualTo(new double[3][2]);
        List<State> perKey = r.state().unstack();
        for (int k = 0; k < 3; k++) {
            assertClose(perKey.get(k).get(e.module().stats().mean()).toArray(),
                    new double[] {0.1 * X[k][0], 0.1 * X[k][1]}, 1e-15);
            assertClose(perKey.get(k).get(e.module().stats().var()).toArray(), new double[] {0.9, 0.9}, 1e-15);
        }
    }

    @Test
    void batchNormTrainingUpdatesRunningStatsWithMomentum() {
        var e = exported(DType.FLOAT64);
        State state = e.state();
        for (double[] x : X) {
            state = e.module().forward(x, state).state();
        }
        // mean ← 0.9·mean + 0.1·x over (1, 10), (3, 20), (5, 60): 0.1·(0.81·1 + 0.9·3 + 5), 0.1·(0.81·10 + 0.9·20 + 60)
        // var ← 0.9·var three times: 0.729
        assertClose(state.get(e.module().stats().mean()).toArray(), new double[] {0.851, 8.61}, 1e-15);
        assertClose(state.get(e.module().stats().var()).toArray(), new double[] {0.729, 0.729}, 1e-15);
    }

    @Test
    void batchNormMomentumIsTheWeightOnTheOldValue() {
        var e = StateExport.exportState(BatchNorm.create(2, 0.25, EPS, DType.FLOAT64));
        State next = e.module().forward(new double[] {3, 30}, e.state()).state();
        // mean ← 0.25·0 + 0.75·(3, 30); var ← 0.25·1
        assertClose(next.get(e.module().stats().mean()).toArray(), new double[] {2.25, 22.5}, 1e-15);
        assertClose(next.get(e.module().stats().var()).toArray(), new double[] {0.25, 0.25}, 1e-15);
    }

    @Test
    void batchNormTrainingLeavesTheOldStateAsItWas() {
        var e = exported(DType.FLOAT32);
        State before = e.state();
        State stackedBefore = stacked(before, 3);
        e.module().forward(X[0], before);
        e.module().forward(Nd4j.createFromArray(X), stackedBefore);
        assertThat(before.get(new StateKey(".stats.mean"))).isEqualTo(Tensor.zeros(DType.FLOAT32, 2));
        assertThat(before.get(new StateKey(".stats.var"))).isEqualTo(Tensor.ones(DType.FLOAT32, 2));
        assertThat(stackedBefore).isEqualTo(stacked(e.state(), 3));
    }

    @Test
    void batchNormEvaluationUsesRunningStatsAndLeavesStateUnchanged() {
        var e = exported(DType.FLOAT64);
        BatchNorm eval = e.module().withTraining(false);
        State state = e.state().with(Map.of(
                eval.stats().mean(), Tensor.vector(DType.FLOAT64, 1, 2),
                eval.stats().var(), Tensor.vector(DType.FLOAT64, 4, 9)));
        // y = (x − (1, 2)) / √((4, 9) + ε)
        double s0 = Math.sqrt(4 + EPS);
        double s1 = Math.sqrt(9 + EPS);
        Result<INDArray> batched = eval.forward(Nd4j.createFromArray(X), stacked(state, 3));
        assertThat(batched.state()).isEqualTo(stacked(state, 3));
        assertClose(Approx.row(batched.output(), 0), new double[] {0 / s0, 8 / s1}, 1e-15);
        assertClose(Approx.row(batched.output(), 2), new double[] {4 / s0, 58 / s1}, 1e-15);
        Result<double[]> one = eval.forward(new double[] {3, 20}, state);
        assertThat(one.state()).isSameAs(state);
        assertClose(one.output(), new double[] {2 / s0, 18 / s1}, 1e-15);
    }

    @Test
    void batchNormPerRecordTrainingIsABatchOfOne() {
        var e = exported(DType.FLOAT64);
        Result<double[]> r = e.module().forward(new double[] {4, -2}, e.state());
        // batch mean = x, batch variance = 0 → y = 0; mean ← 0.1·x; var ← 0.9·1 + 0.1·0
        assertThat(r.output()).containsExactly(0, 0);
        assertClose(r.state().get(new StateKey(".stats.mean")).toArray(), new double[] {0.4, -0.2}, 1e-15);
        assertClose(r.state().get(new StateKey(".stats.var")).toArray(), new double[] {0.9, 0.9}, 1e-15);
        Result<INDArray> v = e.module().forward(Nd4j.createFromArray(4.0, -2.0), e.state());
        assertThat(v.output().shape()).containsExactly(2);
        assertThat(v.state()).isEqualTo(r.state());
    }

    @Test
    void perRecordAndBatchedPathsAgree() {
        for (DType dtype : DType.values()) {
            var e = exported(dtype);
            // move the running statistics away from their initial values first
            State trained = e.state();
            for (double[] x : X) {
                trained = e.module().forward(x, trained).state();
            }
            BatchNorm eval = e.module().withTraining(false);
            double[][] x = {{0.5, -7}, {2.25, 31}};
            INDArray y = eval.forward(Nd4j.createFromArray(x).castTo(dtype.nd4j()), stacked(trained, 2)).output();
            assertThat(y.dataType()).isEqualTo(dtype.nd4j());
            for (int i = 0; i < x.length; i++) {
                assertClose(Approx.row(y, i), eval.forward(x[i], trained).output(), Approx.tolerance(dtype));
            }
        }
    }

    @Test
    void batchNormComputesInItsStateDtype() {
        var e = exported(DType.FLOAT32);
        BatchNorm eval = e.module().withTraining(false);
        State state = e.state().with(eval.stats().var(), Tensor.vector(DType.FLOAT32, 3, 3));
        Result<double[]> r = eval.forward(new double[] {1, 2}, state);
        // y = x / √(3 + ε), rounded to float32
        assertThat(r.output()).containsExactly((float) (1 / Math.sqrt(3 + EPS)), (float) (2 / Math.sqrt(3 + EPS)));
        State trained = e.module().forward(new double[] {1, 2}, e.state()).state();
        assertThat(trained.get(new StateKey(".stats.mean")).dtype()).isEqualTo(DType.FLOAT32);
        // 0.1·1 and 0.1·2 held as float32, not as the doubles they were computed in
        assertThat(trained.get(new StateKey(".stats.mean")).toArray()).containsExactly((float) (0.1 * 1), (float) (0.1 * 2));
    }

    @Test
    void inputsAreNotMutated() {
        var e = exported(DType.FLOAT64);
        INDArray x = Nd4j.createFromArray(X);
        INDArray before = x.dup();
        e.module().forward(x, stacked(e.state(), 3));
        assertThat(x).isEqualTo(before);
        double[] record = {4, -2};
        e.module().forward(record, e.state());
        assertThat(record).containsExactly(4, -2);
    }

    @Test
    void withTrainingReturnsACopy() {
        BatchNorm train = exported(DType.FLOAT32).module();
        BatchNorm eval = train.withTraining(false);
        assertThat(train.training()).isTrue();
        assertThat(eval.training()).isFalse();
        assertThat(eval.stats()).isSameAs(train.stats());
        assertThat(eval.withTraining(true)).isEqualTo(train);
    }

    @Test
    void usingANonExportedBatchNormThrows() {
        BatchNorm raw = BatchNorm.create(2);
        State state = exported(DType.FLOAT32).state();
        assertThatThrownBy(() -> raw.forward(new double[] {1, 2}, state))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never exported");
        assertThatThrownBy(() -> raw.forward(Nd4j.createFromArray(1f, 2f), state))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never exported");
    }

    @Test
    void aBatchTakesItsStateStackedOneRowPerRecord() {
        var e = exported(DType.FLOAT32);
        assertThatThrownBy(() -> e.module().forward(Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}}), e.state()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("State.stack");
    }
}
