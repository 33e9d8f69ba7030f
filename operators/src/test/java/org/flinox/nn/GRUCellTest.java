package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.flinox.nn.Approx.assertClose;

import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class GRUCellTest {

    private static final StateKey HIDDEN = new StateKey(".hidden");

    /** A cell with the given parameters, exported. */
    private static StateExport.Exported<GRUCell> cell(DType dtype, int in, int hs, double[] wi, double[] wh,
            double[] bi, double[] bh) {
        return StateExport.exportState(new GRUCell(
                new Linear(Tensor.of(dtype, new int[] {hs, 3 * hs}, wh), Tensor.vector(dtype, bh)),
                new Linear(Tensor.of(dtype, new int[] {in, 3 * hs}, wi), Tensor.vector(dtype, bi)),
                new StateEntry(Tensor.zeros(dtype, hs))));
    }

    private static double[] gaussian(Random random, int n) {
        double[] d = new double[n];
        for (int i = 0; i < n; i++) {
            d[i] = random.nextGaussian() * 0.7;
        }
        return d;
    }

    /**
     * One GRU step written gate by gate, independently of GRUCell: W_ir is column block 0 of
     * W_i (inox's lin_x.weight), W_iz block 1, W_in block 2, and the same for W_h (lin_h.weight),
     * b_i and b_h.
     */
    private static double[] referenceStep(double[] x, double[] h, Tensor wi, Tensor wh, Tensor bi, Tensor bh) {
        int hs = h.length;
        int cols = 3 * hs;
        double[] out = new double[hs];
        for (int j = 0; j < hs; j++) {
            double[] xi = new double[3]; // x·W_i + b_i for gates r, z, n at unit j
            double[] hh = new double[3]; // h·W_h + b_h for gates r, z, n at unit j
            for (int g = 0; g < 3; g++) {
                int col = g * hs + j;
                xi[g] = bi.get(col);
                for (int k = 0; k < x.length; k++) {
                    xi[g] += x[k] * wi.get(k * cols + col);
                }
                hh[g] = bh.get(col);
                for (int k = 0; k < hs; k++) {
                    hh[g] += h[k] * wh.get(k * cols + col);
                }
            }
            double r = 1 / (1 + Math.exp(-(xi[0] + hh[0])));
            double z = 1 / (1 + Math.exp(-(xi[1] + hh[1])));
            double n = Math.tanh(xi[2] + r * hh[2]);
            out[j] = (1 - z) * n + z * h[j];
        }
        return out;
    }

    private static double[] referenceStep(GRUCell c, double[] x, double[] h) {
        return referenceStep(x, h, c.linX().weight(), c.linH().weight(), c.linX().bias(), c.linH().bias());
    }

    @Test
    void gruMatchesHandComputedStep() {
        // in = 1, H = 1; W_i = [0.5 | −0.5 | 1], W_h = [0.25 | 0.5 | −1], b_i = [0.1 | 0.2 | 0.3],
        // b_h = [0 | 0.1 | −0.2]; h = 0.5, x = 2:
        //   r  = σ(2·0.5 + 0.1 + 0.5·0.25 + 0)     = σ(1.225)  = 0.7729422593967386
        //   z  = σ(2·(−0.5) + 0.2 + 0.5·0.5 + 0.1) = σ(−0.45)  = 0.389360766050778
        //   n  = tanh(2·1 + 0.3 + r·(0.5·(−1) − 0.2)) = tanh(2.3 − 0.7·r) = 0.9423845472576093
        //   h' = (1 − z)·n + z·0.5                  = 0.77013736104836   (Python's math module)
        var e = cell(DType.FLOAT64, 1, 1, new double[] {0.5, -0.5, 1}, new double[] {0.25, 0.5, -1},
                new double[] {0.1, 0.2, 0.3}, new double[] {0, 0.1, -0.2});
        State state = e.state().with(HIDDEN, Tensor.vector(DType.FLOAT64, 0.5));
        Result<double[]> r = e.module().forward(new double[] {2}, state);
        assertClose(r.output(), new double[] {0.77013736104836}, 1e-14);
        assertClose(r.state().get(HIDDEN).toArray(), new double[] {0.77013736104836}, 1e-14);
        Result<INDArray> b = e.module().forward(Nd4j.createFromArray(2.0), state);
        assertClose(Approx.values(b.output()), new double[] {0.77013736104836}, 1e-14);
        assertClose(b.state().get(HIDDEN).toArray(), new double[] {0.77013736104836}, 1e-14);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void gruMatchesLoopReferenceOverASequence(DType dtype) {
        Random random = new Random(3);
        int in = 3;
        int hs = 4;
        var e = cell(dtype, in, hs, gaussian(random, in * 3 * hs), gaussian(random, hs * 3 * hs),
                gaussian(random, 3 * hs), gaussian(random, 3 * hs));
        GRUCell c = e.module();
        State state = e.state();
        double[] h = new double[hs];
        for (int t = 0; t < 5; t++) {
            double[] x = gaussian(random, in);
            Result<double[]> r = c.forward(x, state);
            h = referenceStep(c, x, h);
            assertClose(r.output(), h, Approx.tolerance(dtype));
            assertClose(r.state().get(HIDDEN).toArray(), h, Approx.tolerance(dtype));
            state = r.state();
            h = state.get(HIDDEN).toArray(); // continue from the cell's own (rounded) state
        }
    }

    @Test
    void gruHiddenStateIsPerStreamKey() {
        GRUCell c = StateExport.exportState(GRUCell.create(2, 3, DType.FLOAT64, new Rng(1))).module();
        State initial = StateExport.exportState(GRUCell.create(2, 3, DType.FLOAT64, new Rng(1))).state();
        double[] xa = {1, -1};
        double[] xb = {0.5, 2};
        // key a sees two records, key b one; b's result does not depend on what a saw
        State a = c.forward(xa, initial).state();
        a = c.forward(xa, a).state();
        Result<double[]> b = c.forward(xb, initial);
        assertClose(b.output(), referenceStep(c, xb, new double[3]), 1e-12);
        double[] a1 = referenceStep(c, xa, new double[3]);
        assertClose(a.get(HIDDEN).toArray(), referenceStep(c, xa, a1), 1e-12);
        assertThat(initial.get(HIDDEN)).isEqualTo(Tensor.zeros(DType.FLOAT64, 3));
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void gruBatchedWithStackedStateEqualsPerRecordCalls(DType dtype) {
        var e = StateExport.exportState(GRUCell.create(3, 4, dtype, new Rng(9)));
        GRUCell c = e.module();
        // two stream keys with different hidden states
        State s1 = c.forward(new double[] {1, 0, -1}, e.state()).state();
        State s2 = c.forward(new double[] {-2, 0.5, 0.25}, c.forward(new double[] {0, 1, 0}, e.state()).state()).state();
        double[] x1 = {0.25, -0.5, 2};
        double[] x2 = {-1, 1.5, 0.75};
        Result<double[]> r1 = c.forward(x1, s1);
        Result<double[]> r2 = c.forward(x2, s2);

        Result<INDArray> batched = c.forward(
                Nd4j.createFromArray(new double[][] {x1, x2}).castTo(dtype.nd4j()), State.stack(List.of(s1, s2)));
        assertThat(batched.output().shape()).containsExactly(2, 4);
        assertThat(batched.output().dataType()).isEqualTo(dtype.nd4j());
        double tol = Approx.tolerance(dtype);
        assertClose(Approx.row(batched.output(), 0), r1.output(), tol);
        assertClose(Approx.row(batched.output(), 1), r2.output(), tol);
        List<State> rows = batched.state().unstack();
        assertThat(rows.get(0).get(HIDDEN).shape()).containsExactly(4);
        assertClose(rows.get(0).get(HIDDEN).toArray(), r1.state().get(HIDDEN).toArray(), tol);
        assertClose(rows.get(1).get(HIDDEN).toArray(), r2.state().get(HIDDEN).toArray(), tol);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void perRecordAndBatchedPathsAgreeForOneRecord(DType dtype) {
        var e = StateExport.exportState(GRUCell.create(3, 2, dtype, new Rng(5)));
        GRUCell c = e.module();
        State s = c.forward(new double[] {1, 2, 3}, e.state()).state();
        double[] x = {-0.5, 0.25, 1};
        Result<double[]> one = c.forward(x, s);
        Result<INDArray> vec = c.forward(Nd4j.createFromArray(x).castTo(dtype.nd4j()), s);
        assertThat(vec.output().shape()).containsExactly(2);
        assertClose(Approx.values(vec.output()), one.output(), Approx.tolerance(dtype));
        assertClose(vec.state().get(HIDDEN).toArray(), one.state().get(HIDDEN).toArray(),
                Approx.tolerance(dtype));
    }

    @Test
    void gruLeavesInputsParametersAndOldStateAlone() {
        var e = StateExport.exportState(GRUCell.create(2, 2, new Rng(0)));
        GRUCell c = e.module();
        Tensor wi = c.linX().weight();
        double[] wiBefore = wi.toArray();
        double[] x = {1, -1};
        Result<double[]> r = c.forward(x, e.state());
        assertThat(x).containsExactly(1, -1);
        r.output()[0] = 99; // the caller owns the output; the new state must not see this
        assertThat(r.state().get(HIDDEN).get(0)).isNotEqualTo(99);
        INDArray batch = Nd4j.createFromArray(new float[][] {{1, -1}, {2, 3}});
        INDArray batchBefore = batch.dup();
        State stacked = State.stack(List.of(e.state(), r.state()));
        State stackedBefore = State.stack(List.of(e.state(), r.state()));
        c.forward(batch, stacked);
        assertThat(batch).isEqualTo(batchBefore);
        assertThat(stacked).isEqualTo(stackedBefore);
        assertThat(e.state().get(HIDDEN)).isEqualTo(Tensor.zeros(DType.FLOAT32, 2));
        assertThat(c.linX().weight().toArray()).containsExactly(wiBefore);
    }

    @Test
    void gruParametersAreInoxsPathsLayoutAndInitialisation() {
        GRUCell c = GRUCell.create(3, 4, new Rng(11));
        // inox: lin_h = Linear(H, 3H), lin_x = Linear(C, 3H), each U(±1/√in) and a zero bias
        assertThat(Parameters.of(c).keySet()).containsExactly(".linH.bias", ".linH.weight", ".linX.bias", ".linX.weight");
        assertThat(c.linH().weight().shape()).containsExactly(4, 12);
        assertThat(c.linX().weight().shape()).containsExactly(3, 12);
        assertThat(c.linX().weight().dtype()).isEqualTo(DType.FLOAT32);
        assertThat(c.linH().bias().toArray()).containsOnly(0.0);
        assertThat(c.linX().bias().toArray()).containsOnly(0.0);
        double maxH = 0;
        for (double v : c.linH().weight().toArray()) {
            maxH = Math.max(maxH, Math.abs(v));
        }
        double maxX = 0;
        for (double v : c.linX().weight().toArray()) {
            maxX = Math.max(maxX, Math.abs(v));
        }
        assertThat(maxH).isLessThanOrEqualTo(0.5).isGreaterThan(0.25);           // 1/√4
        assertThat(maxX).isLessThanOrEqualTo(1 / Math.sqrt(3)).isGreaterThan(0.5); // 1/√3, wider than 1/√4
        assertThat(GRUCell.create(3, 4, new Rng(11))).isEqualTo(c);
        assertThat(GRUCell.create(3, 4, new Rng(12)).linX().weight()).isNotEqualTo(c.linX().weight());
        var e = StateExport.exportState(c);
        assertThat(e.state().keys()).containsExactly(HIDDEN);
        assertThat(e.state().get(HIDDEN)).isEqualTo(Tensor.zeros(DType.FLOAT32, 4));
    }

    @Test
    void usingANonExportedGruThrows() {
        GRUCell raw = GRUCell.create(2, 2, new Rng(0));
        State state = StateExport.exportState(raw).state();
        assertThatThrownBy(() -> raw.forward(new double[] {1, 2}, state))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never exported");
        assertThatThrownBy(() -> raw.forward(Nd4j.createFromArray(1f, 2f), state))
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("never exported");
    }

    @Test
    void gruBatchNeedsOneStateRowPerRecord() {
        var e = StateExport.exportState(GRUCell.create(2, 2, new Rng(0)));
        assertThatThrownBy(() -> e.module().forward(Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}}), e.state()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("State.stack");
    }
}
