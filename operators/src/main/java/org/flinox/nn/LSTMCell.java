package org.flinox.nn;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.indexing.NDArrayIndex;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * A long short-term memory cell (Hochreiter and Schmidhuber 1997) as inox's
 * {@code LSTMCell} ({@code inox/nn/recurrent.py}), whose hidden and cell vectors are state
 * entries, so that every stream key carries its own {@code (h, c)}:
 *
 * <pre>i | f | g | o = lin_h(h) + lin_x(x) = h·W_h + b_h + x·W_x + b_x   (split in four, H columns each)
 * i = σ(i),  f = σ(f),  g = tanh(g),  o = σ(o)
 * c' = f ⊙ c + i ⊙ g
 * h' = o ⊙ tanh(c')</pre>
 *
 * The output is {@code h'}; the state becomes {@code (h', c')}. The batched path is the
 * same cell in ND4J ops, over one {@code (h, c)} row per stream key: B4 measured it cheaper
 * than the per-record loops for many keys (BENCHMARKS.md).
 *
 * <p>Parameter paths as inox's: {@code .linH.weight [H, 4H]}, {@code .linH.bias [4H]},
 * {@code .linX.weight [in, 4H]}, {@code .linX.bias [4H]} (inox's {@code .lin_h.weight} ...
 * load as the same paths), each weight's columns the gates i | f | g | o side by side,
 * initialised as inox's {@code Linear}: U(±1/√H) for {@code W_h}, U(±1/√in) for
 * {@code W_x}, zero biases.
 *
 * @param linH the hidden-to-gates layer, {@code H → 4H}
 * @param linX the input-to-gates layer, {@code in → 4H}
 * @param hidden h, {@code [H]}, initially zeros
 * @param cell c, {@code [H]}, initially zeros
 */
public record LSTMCell(Linear linH, Linear linX, StateRef hidden, StateRef cell) implements Module {

    public LSTMCell {
        int hs = linH.in();
        if (linH.out() != 4 * hs || linX.out() != 4 * hs) {
            throw new IllegalArgumentException("LSTMCell needs linH [H, 4H] and linX [in, 4H], got "
                    + linH.weight().layout() + " and " + linX.weight().layout());
        }
        DType d = linH.weight().dtype();
        if (linX.weight().dtype() != d) {
            throw new IllegalArgumentException("LSTMCell's parameters differ in dtype: " + linH.weight().layout()
                    + " and " + linX.weight().layout());
        }
        for (StateRef ref : new StateRef[] {hidden, cell}) {
            if (ref instanceof StateEntry e && !(e.initial().rank() == 1
                    && e.initial().dim(0) == hs && e.initial().dtype() == d)) {
                throw new IllegalArgumentException("LSTMCell's hidden and cell states must start as "
                        + d.numpyName() + "[" + hs + "], got " + e.initial().layout());
            }
        }
    }

    /** A float32 cell with inox's initialisation. */
    public static LSTMCell create(int in, int hidden, Rng rng) {
        return create(in, hidden, DType.FLOAT32, rng);
    }

    /** A cell of the given dtype, each layer drawn from {@code rng.child(its name)}. */
    public static LSTMCell create(int in, int hidden, DType dtype, Rng rng) {
        return create(in, hidden, true, dtype, rng);
    }

    /** A cell with or without biases (inox's {@code bias}), each layer from {@code rng.child(its name)}. */
    public static LSTMCell create(int in, int hidden, boolean bias, DType dtype, Rng rng) {
        return new LSTMCell(
                Linear.create(hidden, 4 * hidden, bias, dtype, rng.child("linH")),
                Linear.create(in, 4 * hidden, bias, dtype, rng.child("linX")),
                new StateEntry(Tensor.zeros(dtype, hidden)),
                new StateEntry(Tensor.zeros(dtype, hidden)));
    }

    public int in() {
        return linX.in();
    }

    /** H, the width of h, c and the output. */
    public int hiddenSize() {
        return linH.in();
    }

    public DType dtype() {
        return linH.weight().dtype();
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        int hs = hiddenSize();
        if (x.length != in()) {
            throw new IllegalArgumentException("LSTMCell expects " + in() + " features, got " + x.length);
        }
        Tensor h = vector(state, hidden, hs);
        Tensor c = vector(state, cell, hs);
        double[] gh = linH.apply(h.toArray());
        double[] gx = linX.apply(x);
        double[] cNext = new double[hs];
        for (int j = 0; j < hs; j++) {
            double i = sigmoid(gh[j] + gx[j]);
            double f = sigmoid(gh[hs + j] + gx[hs + j]);
            double g = Math.tanh(gh[2 * hs + j] + gx[2 * hs + j]);
            cNext[j] = f * c.get(j) + i * g;
        }
        Tensor nextC = c.like(cNext); // c' in the cell's dtype, which h' is computed from
        double[] hNext = new double[hs];
        for (int j = 0; j < hs; j++) {
            double o = sigmoid(gh[3 * hs + j] + gx[3 * hs + j]);
            hNext[j] = o * Math.tanh(nextC.get(j));
        }
        Tensor nextH = h.like(hNext);
        return new Result<>(nextH.toArray(), state.with(Map.of(hidden, nextH, cell, nextC)));
    }

    /** The same cell on a batch, one {@code (h, c)} row per stream key, in ND4J ops (cheaper batched: BENCHMARKS.md, B4). */
    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        int hs = hiddenSize();
        Batched b = Batched.of(x, dtype(), in(), "LSTMCell");
        INDArray h = rows(b, state, hidden, hs);
        INDArray c = rows(b, state, cell, hs);
        INDArray gates = linH.apply(h).add(linX.apply(b.matrix()));
        INDArray i = Transforms.sigmoid(gate(gates, 0, hs), true);
        INDArray f = Transforms.sigmoid(gate(gates, 1, hs), true);
        INDArray g = Transforms.tanh(gate(gates, 2, hs), true);
        INDArray o = Transforms.sigmoid(gate(gates, 3, hs), true);
        INDArray nextC = f.mul(c).add(i.mul(g));
        INDArray nextH = o.mul(Transforms.tanh(nextC, true));
        State next = state.with(Map.of(hidden, b.value(state, hidden, nextH), cell, b.value(state, cell, nextC)));
        return new Result<>(b.restore(nextH), next);
    }

    private static INDArray rows(Batched b, State state, StateRef ref, int hs) {
        INDArray m = b.stateRows(state, ref);
        if (m.size(1) != hs) {
            throw new IllegalArgumentException("LSTMCell's state " + ref.key().name() + " is "
                    + state.get(ref).layout() + ", expected " + hs + " values per row");
        }
        return m;
    }

    /** Columns {@code [k·H, (k+1)·H)} of {@code [B, 4H]}: gate k's pre-activation. */
    private static INDArray gate(INDArray m, int k, int hs) {
        return m.get(NDArrayIndex.all(), NDArrayIndex.interval(k * hs, (k + 1) * hs));
    }

    private static Tensor vector(State state, StateRef ref, int hs) {
        Tensor t = state.get(ref);
        if (t.rank() != 1 || t.dim(0) != hs) {
            throw new IllegalArgumentException("LSTMCell's state " + ref.key().name() + " is " + t.layout()
                    + ", expected [" + hs + "] for one record");
        }
        return t;
    }

    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }
}
