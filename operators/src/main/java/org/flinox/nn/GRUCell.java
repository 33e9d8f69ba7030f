package org.flinox.nn;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A gated recurrent unit cell (Cho et al. 2014, arXiv:1406.1078) whose hidden vector is a
 * state entry, so that every stream key carries its own hidden state. Gates in PyTorch's
 * order r, z, n:
 *
 * <pre>r  = σ(x·W_ir + b_ir + h·W_hr + b_hr)
 * z  = σ(x·W_iz + b_iz + h·W_hz + b_hz)
 * n  = tanh(x·W_in + b_in + r ⊙ (h·W_hn + b_hn))
 * h' = (1 − z) ⊙ n + z ⊙ h</pre>
 *
 * The output is {@code h'}, and the state's hidden vector becomes {@code h'}.
 *
 * <p>Parameters are in inox's layout, input dimension first, with the three gates'
 * columns side by side in the order r | z | n; all are drawn from U(−1/√H, 1/√H) as
 * PyTorch does.
 *
 * @param inputWeight W_i = [W_ir | W_iz | W_in], {@code [in, 3H]}
 * @param hiddenWeight W_h = [W_hr | W_hz | W_hn], {@code [H, 3H]}
 * @param inputBias b_i = [b_ir | b_iz | b_in], {@code [3H]}
 * @param hiddenBias b_h = [b_hr | b_hz | b_hn], {@code [3H]}
 * @param hidden the hidden vector h, {@code [H]}, initially zeros
 */
public record GRUCell(Tensor inputWeight, Tensor hiddenWeight, Tensor inputBias, Tensor hiddenBias, StateRef hidden)
        implements Module {

    public GRUCell {
        boolean ok = inputWeight.rank() == 2 && hiddenWeight.rank() == 2 && inputBias.rank() == 1
                && hiddenBias.rank() == 1 && hiddenWeight.dim(1) == 3 * hiddenWeight.dim(0)
                && inputWeight.dim(1) == hiddenWeight.dim(1) && inputBias.dim(0) == hiddenWeight.dim(1)
                && hiddenBias.dim(0) == hiddenWeight.dim(1);
        if (!ok) {
            throw new IllegalArgumentException("GRUCell needs inputWeight [in, 3H], hiddenWeight [H, 3H], "
                    + "inputBias [3H] and hiddenBias [3H], got " + inputWeight.layout() + ", "
                    + hiddenWeight.layout() + ", " + inputBias.layout() + " and " + hiddenBias.layout());
        }
        DType d = inputWeight.dtype();
        if (hiddenWeight.dtype() != d || inputBias.dtype() != d || hiddenBias.dtype() != d) {
            throw new IllegalArgumentException("GRUCell's parameters differ in dtype: " + inputWeight.layout()
                    + ", " + hiddenWeight.layout() + ", " + inputBias.layout() + ", " + hiddenBias.layout());
        }
        if (hidden instanceof StateEntry e && !(e.initial().rank() == 1
                && e.initial().dim(0) == hiddenWeight.dim(0) && e.initial().dtype() == d)) {
            throw new IllegalArgumentException("GRUCell's hidden state must start as " + d.numpyName() + "["
                    + hiddenWeight.dim(0) + "], got " + e.initial().layout());
        }
    }

    /** A float32 cell with PyTorch's initialisation. */
    public static GRUCell create(int in, int hidden, Rng rng) {
        return create(in, hidden, DType.FLOAT32, rng);
    }

    /** A cell of the given dtype, each parameter drawn from {@code rng.child(its name)}. */
    public static GRUCell create(int in, int hidden, DType dtype, Rng rng) {
        double bound = 1 / Math.sqrt(hidden);
        return new GRUCell(
                rng.child("inputWeight").uniform(dtype, bound, in, 3 * hidden),
                rng.child("hiddenWeight").uniform(dtype, bound, hidden, 3 * hidden),
                rng.child("inputBias").uniform(dtype, bound, 3 * hidden),
                rng.child("hiddenBias").uniform(dtype, bound, 3 * hidden),
                new StateEntry(Tensor.zeros(dtype, hidden)));
    }

    public int in() {
        return inputWeight.dim(0);
    }

    /** H, the width of the hidden vector and of the output. */
    public int hiddenSize() {
        return hiddenWeight.dim(0);
    }

    public DType dtype() {
        return inputWeight.dtype();
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        StateKey key = hidden.key();
        int in = in();
        int hs = hiddenSize();
        if (x.length != in) {
            throw new IllegalArgumentException("GRUCell expects " + in + " features, got " + x.length);
        }
        Tensor ht = state.tensor(key);
        if (ht.rank() != 1 || ht.dim(0) != hs) {
            throw new IllegalArgumentException("GRUCell's state " + key.name() + " is " + ht.layout()
                    + ", expected [" + hs + "] for one record");
        }
        double[] h = ht.data();
        double[] gi = affine(x, inputWeight.data(), inputBias.data());
        double[] gh = affine(h, hiddenWeight.data(), hiddenBias.data());
        DType dtype = dtype();
        double[] next = new double[hs];
        for (int j = 0; j < hs; j++) {
            double r = sigmoid(gi[j] + gh[j]);
            double z = sigmoid(gi[hs + j] + gh[hs + j]);
            double n = Math.tanh(gi[2 * hs + j] + r * gh[2 * hs + j]);
            next[j] = dtype.round((1 - z) * n + z * h[j]);
        }
        State updated = state.with(key, Tensor.adopt(dtype, new int[] {hs}, next.clone()));
        return new Result<>(next, updated);
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        StateKey key = hidden.key();
        int hs = hiddenSize();
        Batched b = Batched.of(x, dtype(), in(), "GRUCell");
        INDArray h = b.stateRows(state, key);
        if (h.size(1) != hs) {
            throw new IllegalArgumentException("GRUCell's state " + key.name() + " is "
                    + state.tensor(key).layout() + ", expected " + hs + " values per row");
        }
        INDArray gi = b.matrix().mmul(inputWeight.nd()).addRowVector(inputBias.nd());
        INDArray gh = h.mmul(hiddenWeight.nd()).addRowVector(hiddenBias.nd());
        INDArray r = Transforms.sigmoid(gate(gi, 0, hs).add(gate(gh, 0, hs)), false);
        INDArray z = Transforms.sigmoid(gate(gi, 1, hs).add(gate(gh, 1, hs)), false);
        INDArray n = Transforms.tanh(gate(gi, 2, hs).add(r.mul(gate(gh, 2, hs))), false);
        INDArray next = z.rsub(1.0).mul(n).add(z.mul(h));
        State updated = state.updateTensors(Map.of(key, b.stateValue(next, state, key)));
        return new Result<>(b.restore(next), updated);
    }

    /** Columns {@code [g·H, (g+1)·H)} of {@code [B, 3H]}: gate g's pre-activation. */
    private static INDArray gate(INDArray m, int g, int hs) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval(g * hs, (g + 1) * hs));
    }

    /** {@code v·W + b} for {@code W [len(v), cols]}. */
    private static double[] affine(double[] v, double[] w, double[] bias) {
        int cols = bias.length;
        double[] y = bias.clone();
        for (int i = 0; i < v.length; i++) {
            double vi = v[i];
            int row = i * cols;
            for (int j = 0; j < cols; j++) {
                y[j] += vi * w[row + j];
            }
        }
        return y;
    }

    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
