package org.flinox.nn;

import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A gated recurrent unit cell (Cho et al. 2014, arXiv:1406.1078) as inox's
 * {@code GRUCell} ({@code inox/nn/recurrent.py}), whose hidden vector is a state entry, so
 * that every stream key carries its own hidden state:
 *
 * <pre>r_h | z_h | g_h = lin_h(h) = h·W_h + b_h      (split in three, H columns each)
 * r_x | z_x | g_x = lin_x(x) = x·W_x + b_x
 * r  = σ(r_x + r_h)
 * z  = σ(z_x + z_h)
 * g  = tanh(g_x + r ⊙ g_h)
 * h' = (1 − z) ⊙ g + z ⊙ h</pre>
 *
 * The output is {@code h'}, and the state's hidden vector becomes {@code h'}. The batched
 * path is the same cell in ND4J ops, over one hidden row per stream key: B4 measured it
 * cheaper than the per-record loops for many keys (BENCHMARKS.md).
 *
 * <p>The structure is inox's: two {@link Linear} submodules, so the parameter paths are
 * {@code .linH.weight [H, 3H]}, {@code .linH.bias [3H]}, {@code .linX.weight [in, 3H]},
 * {@code .linX.bias [3H]} (inox's {@code .lin_h.weight} ... load as the same paths), each
 * weight's columns the gates r | z | g side by side, initialised as inox's {@code Linear}:
 * U(−1/√H, 1/√H) for {@code W_h}, U(−1/√in, 1/√in) for {@code W_x}, zero biases.
 *
 * @param linH the hidden-to-gates layer, {@code H → 3H}
 * @param linX the input-to-gates layer, {@code in → 3H}
 * @param hidden the hidden vector h, {@code [H]}, initially zeros (inox's {@code init()});
 *     the state key {@code .hidden} is Flinox's name, inox passes h explicitly
 */
public record GRUCell(Linear linH, Linear linX, StateRef hidden) implements Module {

    public GRUCell {
        int hs = linH.in();
        boolean ok = linH.out() == 3 * hs && linX.out() == 3 * hs;
        if (!ok) {
            throw new IllegalArgumentException("GRUCell needs linH [H, 3H] and linX [in, 3H], got "
                    + linH.weight().layout() + " and " + linX.weight().layout());
        }
        DType d = linH.weight().dtype();
        if (linX.weight().dtype() != d) {
            throw new IllegalArgumentException("GRUCell's parameters differ in dtype: " + linH.weight().layout()
                    + " and " + linX.weight().layout());
        }
        if (hidden instanceof StateEntry e && !(e.initial().rank() == 1
                && e.initial().dim(0) == hs && e.initial().dtype() == d)) {
            throw new IllegalArgumentException("GRUCell's hidden state must start as " + d.numpyName() + "["
                    + hs + "], got " + e.initial().layout());
        }
    }

    /** A float32 cell with inox's initialisation. */
    public static GRUCell create(int in, int hidden, Rng rng) {
        return create(in, hidden, DType.FLOAT32, rng);
    }

    /** A cell of the given dtype, each layer drawn from {@code rng.child(its name)}. */
    public static GRUCell create(int in, int hidden, DType dtype, Rng rng) {
        return create(in, hidden, true, dtype, rng);
    }

    /** A cell with or without biases (inox's {@code bias}), each layer from {@code rng.child(its name)}. */
    public static GRUCell create(int in, int hidden, boolean bias, DType dtype, Rng rng) {
        return new GRUCell(
                Linear.create(hidden, 3 * hidden, bias, dtype, rng.child("linH")),
                Linear.create(in, 3 * hidden, bias, dtype, rng.child("linX")),
                new StateEntry(Tensor.zeros(dtype, hidden)));
    }

    public int in() {
        return linX.in();
    }

    /** H, the width of the hidden vector and of the output. */
    public int hiddenSize() {
        return linH.in();
    }

    public DType dtype() {
        return linH.weight().dtype();
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        int in = in();
        int hs = hiddenSize();
        if (x.length != in) {
            throw new IllegalArgumentException("GRUCell expects " + in + " features, got " + x.length);
        }
        Tensor ht = state.get(hidden);
        if (ht.rank() != 1 || ht.dim(0) != hs) {
            throw new IllegalArgumentException("GRUCell's state " + hidden.key().name() + " is " + ht.layout()
                    + ", expected [" + hs + "] for one record");
        }
        double[] h = ht.toArray();
        double[] gi = linX.apply(x);
        double[] gh = linH.apply(h);
        double[] next = new double[hs];
        for (int j = 0; j < hs; j++) {
            double r = sigmoid(gi[j] + gh[j]);
            double z = sigmoid(gi[hs + j] + gh[hs + j]);
            double g = Math.tanh(gi[2 * hs + j] + r * gh[2 * hs + j]);
            next[j] = (1 - z) * g + z * h[j];
        }
        Tensor nextH = ht.like(next); // h' in the cell's dtype: the output and the new state
        return new Result<>(nextH.toArray(), state.with(hidden, nextH));
    }

    /** The same cell on a batch, one hidden row per stream key, in ND4J ops (cheaper batched: BENCHMARKS.md, B4). */
    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        int hs = hiddenSize();
        Batched b = Batched.of(x, dtype(), in(), "GRUCell");
        INDArray h = b.stateRows(state, hidden);
        if (h.size(1) != hs) {
            throw new IllegalArgumentException("GRUCell's state " + hidden.key().name() + " is "
                    + state.get(hidden).layout() + ", expected " + hs + " values per row");
        }
        INDArray gi = linX.apply(b.matrix());
        INDArray gh = linH.apply(h);
        INDArray r = Transforms.sigmoid(gate(gi, 0, hs).add(gate(gh, 0, hs)), false);
        INDArray z = Transforms.sigmoid(gate(gi, 1, hs).add(gate(gh, 1, hs)), false);
        INDArray g = Transforms.tanh(gate(gi, 2, hs).add(r.mul(gate(gh, 2, hs))), false);
        INDArray next = z.rsub(1.0).mul(g).add(z.mul(h));
        return new Result<>(b.restore(next), state.with(hidden, b.value(state, hidden, next)));
    }

    /** Columns {@code [g·H, (g+1)·H)} of {@code [B, 3H]}: gate g's pre-activation. */
    private static INDArray gate(INDArray m, int g, int hs) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval(g * hs, (g + 1) * hs));
    }

    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
