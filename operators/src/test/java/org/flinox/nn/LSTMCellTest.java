package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flinox.nn.Approx.assertClose;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LSTMCellTest {

    private static final StateKey HIDDEN = new StateKey(".hidden");
    private static final StateKey CELL = new StateKey(".cell");

    private static StateExport.Exported<LSTMCell> cell(DType dtype, int in, int hs, double[] wh, double[] bh,
            double[] wx, double[] bx) {
        return StateExport.exportState(new LSTMCell(
                new Linear(Tensor.of(dtype, new int[] {hs, 4 * hs}, wh), Tensor.vector(dtype, bh)),
                new Linear(Tensor.of(dtype, new int[] {in, 4 * hs}, wx), Tensor.vector(dtype, bx)),
                new StateEntry(Tensor.zeros(dtype, hs)), new StateEntry(Tensor.zeros(dtype, hs))));
    }

    private static double[] gaussian(Random random, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = random.nextGaussian() * 0.7;
        }
        return d;
    }

    /**
     * One LSTM step unit by unit, independently of LSTMCell: column block k of W_h and W_x
     * is gate k in the order i, f, g, o (inox splits lin_h(h) + lin_x(x) in four).
     * Returns {h', c'}.
     */
    private static double[][] referenceStep(LSTMCell m, double[] x, double[] h, double[] c) {
        Tensor wh = m.linH().weight();
        Tensor bh = m.linH().bias();
        Tensor wx = m.linX().weight();
        Tensor bx = m.linX().bias();
        int hs = h.length;
        int cols = 4 * hs;
        double[] h2 = new double[hs];
        double[] c2 = new double[hs];
        for (int j = 0; j < hs; j++) {
            double[] pre = new double[4];
            for (int k = 0; k < 4; k++) {
                int col = k * hs + j;
                pre[k] = bh.get(col) + bx.get(col);
                for (int a = 0; a < hs; a++) {
                    pre[k] += h[a] * wh.get(a * cols + col);
                }
                for (int a = 0; a < x.length; a++) {
                    pre[k] += x[a] * wx.get(a * cols + col);
                }
            }
            double i = 1 / (1 + Math.exp(-pre[0]));
            double f = 1 / (1 + Math.exp(-pre[1]));
            double g = Math.tanh(pre[2]);
            double o = 1 / (1 + Math.exp(-pre[3]));
            c2[j] = f * c[j] + i * g;
            h2[j] = o * Math.tanh(c2[j]);
        }
        return new double[][] {h2, c2};
    }

    @Test
    void lstmMatchesHandComputedStep() {
        // in = 1, H = 1; W_h = [0.5 | −0.25 | 1 | 0.75], b_h = [0.1 | 0 | −0.1 | 0.2],
        // W_x = [1 | 0.5 | −0.5 | 0.25], b_x = [0 | 0.3 | 0.2 | −0.1]; h = 0.5, c = −0.2, x = 2:
        //   i = σ(0.25 + 0.1 + 2 + 0) = σ(2.35),  f = σ(−0.125 + 1 + 0.3) = σ(1.175)
        //   g = tanh(0.5 − 0.1 − 1 + 0.2) = tanh(−0.4),  o = σ(0.375 + 0.2 + 0.5 − 0.1) = σ(0.975)
        //   c' = f·(−0.2) + i·g = −0.49967793232808744,  h' = o·tanh(c') = −0.3353662463924808 (Python's math)
        var e = cell(DType.FLOAT64, 1, 1, new double[] {0.5, -0.25, 1, 0.75}, new double[] {0.1, 0, -0.1, 0.2},
                new double[] {1, 0.5, -0.5, 0.25}, new double[] {0, 0.3, 0.2, -0.1});
        State state = e.state().with(HIDDEN, Tensor.vector(DType.FLOAT64, 0.5))
                .with(CELL, Tensor.vector(DType.FLOAT64, -0.2));
        Result<double[]> r = e.module().forward(new double[] {2}, state);
        assertClose(r.output(), new double[] {-0.3353662463924808}, 1e-14);
        assertClose(r.state().get(HIDDEN).toArray(), new double[] {-0.3353662463924808}, 1e-14);
        assertClose(r.state().get(CELL).toArray(), new double[] {-0.49967793232808744}, 1e-14);
        Result<INDArray> b = e.module().forward(Nd4j.createFromArray(2.0), state);
        assertClose(Approx.values(b.output()), new double[] {-0.3353662463924808}, 1e-14);
        assertClose(b.state().get(CELL).toArray(), new double[] {-0.49967793232808744}, 1e-14);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void lstmMatchesLoopReferenceOverASequenceOnBothPaths(DType dtype) {
        Random random = new Random(4);
        int in = 3;
        int hs = 2;
        var e = cell(dtype, in, hs, gaussian(random, hs * 4 * hs), gaussian(random, 4 * hs),
                gaussian(random, in * 4 * hs), gaussian(random, 4 * hs));
        LSTMCell m = e.module();
        State one = e.state();
        State batched = e.state();
        double[] h = new double[hs];
        double[] c = new double[hs];
        double tol = dtype == DType.FLOAT32 ? 1e-5 : 1e-12;
        for (int t = 0; t < 6; t++) {
            double[] x = gaussian(random, in);
            double[][] expected = referenceStep(m, x, h, c);
            Result<double[]> r = m.forward(x, one);
            Result<INDArray> b = m.forward(Nd4j.createFromArray(x).castTo(dtype.nd4j()), batched);
            assertClose(r.output(), expected[0], tol);
            assertClose(r.state().get(CELL).toArray(), expected[1], tol);
            assertClose(Approx.values(b.output()), expected[0], tol);
            assertClose(b.state().get(CELL).toArray(), expected[1], tol);
            one = r.state();
            batched = b.state();
            h = one.get(HIDDEN).toArray();
            c = one.get(CELL).toArray();
        }
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void lstmBatchedWithStackedStateEqualsPerRecordCalls(DType dtype) {
        var e = StateExport.exportState(LSTMCell.create(3, 4, dtype, new Rng(9)));
        LSTMCell m = e.module();
        State s1 = m.forward(new double[] {1, 0, -1}, e.state()).state();
        State s2 = m.forward(new double[] {-2, 0.5, 0.25}, m.forward(new double[] {0, 1, 0}, e.state()).state()).state();
        double[] x1 = {0.25, -0.5, 2};
        double[] x2 = {-1, 1.5, 0.75};
        Result<double[]> r1 = m.forward(x1, s1);
        Result<double[]> r2 = m.forward(x2, s2);

        Result<INDArray> batched = m.forward(
                Nd4j.createFromArray(new double[][] {x1, x2}).castTo(dtype.nd4j()), State.stack(List.of(s1, s2)));
        assertThat(batched.output().shape()).containsExactly(2, 4);
        double tol = Approx.tolerance(dtype);
        assertClose(Approx.row(batched.output(), 0), r1.output(), tol);
        assertClose(Approx.row(batched.output(), 1), r2.output(), tol);
        List<State> rows = batched.state().unstack();
        assertClose(rows.get(0).get(CELL).toArray(), r1.state().get(CELL).toArray(), tol);
        assertClose(rows.get(1).get(CELL).toArray(), r2.state().get(CELL).toArray(), tol);
        assertClose(rows.get(1).get(HIDDEN).toArray(), r2.state().get(HIDDEN).toArray(), tol);
    }

    @Test
    void lstmHasInoxsPathsInitialisationAndStateKeys() {
        LSTMCell m = LSTMCell.create(3, 4, new Rng(2));
        assertThat(Parameters.of(m).keySet()).containsExactly(".linH.bias", ".linH.weight", ".linX.bias", ".linX.weight");
        assertThat(m.linH().weight().shape()).containsExactly(4, 16);
        assertThat(m.linX().weight().shape()).containsExactly(3, 16);
        assertThat(m.linH().bias().toArray()).containsOnly(0.0);
        for (double v : m.linX().weight().toArray()) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo(1 / Math.sqrt(3));
        }
        for (double v : m.linH().weight().toArray()) {
            assertThat(Math.abs(v)).isLessThanOrEqualTo(0.5);
        }
        var e = StateExport.exportState(m);
        assertThat(e.state().keys()).containsExactly(CELL, HIDDEN);
        assertThat(e.state().get(CELL)).isEqualTo(Tensor.zeros(DType.FLOAT32, 4));
    }

    @Test
    void lstmLeavesTheOldStateAlone() {
        var e = StateExport.exportState(LSTMCell.create(2, 2, new Rng(0)));
        Result<double[]> r = e.module().forward(new double[] {1, -1}, e.state());
        r.output()[0] = 99;
        assertThat(r.state().get(HIDDEN).get(0)).isNotEqualTo(99);
        assertThat(e.state().get(HIDDEN)).isEqualTo(Tensor.zeros(DType.FLOAT32, 2));
        assertThat(e.state().get(CELL)).isEqualTo(Tensor.zeros(DType.FLOAT32, 2));
    }
}
