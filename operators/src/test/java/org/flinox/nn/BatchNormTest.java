package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.flinox.nn.Approx.assertClose;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
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

    @Test
    void batchNormTrainingNormalizesByBatchStatistics() {
        var e = exported(DType.FLOAT64);
        INDArray y = e.module().forward(Nd4j.createFromArray(X), e.state()).output();
        double s0 = Math.sqrt(8.0 / 3 + EPS);
        double s1 = Math.sqrt(1400.0 / 3 + EPS);
        assertThat(y.shape()).containsExactly(3, 2);
        assertClose(Approx.row(y, 0), new double[] {-2 / s0, -20 / s1}, 1e-15);
        assertClose(Approx.row(y, 1), new double[] {0, -10 / s1}, 1e-15);
        assertClose(Approx.row(y, 2), new double[] {2 / s0, 30 / s1}, 1e-15);
    }

    @Test
    void batchNormTrainingUpdatesRunningStatsWithMomentum() {
        var e = exported(DType.FLOAT64);
        State next = e.module().forward(Nd4j.createFromArray(X), e.state()).state();
        // mean ← 0.9·0 + 0.1·(3, 30); var ← 0.9·1 + 0.1·(8/3, 1400/3)
        assertClose(next.get(e.module().stats().mean().key()).toArray(), new double[] {0.3, 3.0}, 1e-15);
        assertClose(next.get(e.module().stats().var().key()).toArray(),
                new double[] {0.9 + 0.8 / 3, 0.9 + 140.0 / 3}, 1e-15);
    }

    @Test
    void batchNormMomentumIsTheWeightOnTheOldValue() {
        var e = StateExport.exportState(BatchNorm.create(2, 0.25, EPS, DType.FLOAT64));
        State next = e.module().forward(Nd4j.createFromArray(X), e.state()).state();
        // mean ← 0.25·0 + 0.75·(3, 30); var ← 0.25·1 + 0.75·(8/3, 1400/3)
        assertClose(next.get(e.module().stats().mean().key()).toArray(), new double[] {2.25, 22.5}, 1e-15);
        assertClose(next.get(e.module().stats().var().key()).toArray(), new double[] {0.25 + 2, 0.25 + 350}, 1e-15);
    }

    @Test
    void batchNormTrainingLeavesTheOldStateAsItWas() {
        var e = exported(DType.FLOAT32);
        State before = e.state();
        e.module().forward(Nd4j.createFromArray(X), before);
        assertThat(before.get(new StateKey(".stats.mean"))).isEqualTo(Tensor.zeros(DType.FLOAT32, 2));
        assertThat(before.get(new StateKey(".stats.var"))).isEqualTo(Tensor.ones(DType.FLOAT32, 2));
    }

    @Test
    void batchNormEvaluationUsesRunningStatsAndLeavesStateUnchanged() {
        var e = exported(DType.FLOAT64);
        BatchNorm eval = e.module().withTraining(false);
        State state = e.state().updateTensors(Map.of(
                eval.stats().mean().key(), Tensor.vector(DType.FLOAT64, 1, 2),
                eval.stats().var().key(), Tensor.vector(DType.FLOAT64, 4, 9)));
        // y = (x − (1, 2)) / √((4, 9) + ε)
        double s0 = Math.sqrt(4 + EPS);
        double s1 = Math.sqrt(9 + EPS);
        Result<INDArray> batched = eval.forward(Nd4j.createFromArray(X), state);
        assertThat(batched.state()).isSameAs(state);
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
            State trained = e.module().forward(Nd4j.createFromArray(X), e.state()).state();
            BatchNorm eval = e.module().withTraining(false);
            double[][] x = {{0.5, -7}, {2.25, 31}};
            INDArray y = eval.forward(Nd4j.createFromArray(x).castTo(dtype.nd4j()), trained).output();
            assertThat(y.dataType()).isEqualTo(dtype.nd4j());
            for (int i = 0; i < x.length; i++) {
                assertClose(Approx.row(y, i), eval.forward(x[i], trained).output(), Approx.tolerance(dtype));
            }
        }
    }

    @Test
    void batchNormComputesInItsStateDtype() {
        var e = exported(DType.FLOAT32);
        Result<INDArray> r = e.module().forward(Nd4j.createFromArray(X), e.state());
        assertThat(r.output().dataType()).isEqualTo(DataType.FLOAT);
        assertThat(r.state().get(new StateKey(".stats.mean")).dtype()).isEqualTo(DType.FLOAT32);
        double s0 = Math.sqrt(8.0 / 3 + EPS);
        assertClose(Approx.row(r.output(), 0)[0], -2 / s0, 1e-6);
    }

    @Test
    void inputsAreNotMutated() {
        var e = exported(DType.FLOAT64);
        INDArray x = Nd4j.createFromArray(X);
        INDArray before = x.dup();
        e.module().forward(x, e.state());
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
    void batchNormRefusesStackedState() {
        var e = exported(DType.FLOAT32);
        State stacked = State.stack(java.util.List.of(e.state(), e.state()));
        assertThatThrownBy(() -> e.module().forward(Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}}), stacked))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("shared by the whole batch");
    }
}
