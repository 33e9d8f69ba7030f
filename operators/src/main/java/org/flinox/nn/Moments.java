package org.flinox.nn;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exponential moving moments of the input, one pair of rows per stream key (the example
 * module of inox's state documentation):
 *
 * <pre>first  ← m·first  + (1 − m)·x
 * second ← m·second + (1 − m)·x²</pre>
 *
 * with {@code first} starting at 0 and {@code second} at 1, held in their dtype (float32 by
 * default). The output is {@code x} unchanged: like inox's, this module only observes. Its
 * batched path is ND4J ops, for the {@link MLP}'s (BENCHMARKS.md, B4).
 *
 * @param first the running first moment, {@code [features]}
 * @param second the running second moment, {@code [features]}
 * @param momentum m, the weight on the old value (0.9 in inox's example)
 */
public record Moments(StateRef first, StateRef second, double momentum) implements Module {

    /** float32 moments with inox's momentum 0.9. */
    public static Moments create(int features) {
        return create(features, 0.9, DType.FLOAT32);
    }

    public static Moments create(int features, double momentum, DType dtype) {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1], got " + momentum);
        }
        return new Moments(new StateEntry(Tensor.zeros(dtype, features)),
                new StateEntry(Tensor.ones(dtype, features)), momentum);
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        return new Result<>(x.clone(), update(x, state));
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        return new Result<>(x.dup(), update(Batched.of(x, state.get(first), "Moments"), state));
    }

    /** The formula on one record: the state after it, without the output copy. */
    public State update(double[] x, State state) {
        Tensor f = state.get(first);
        Tensor s = state.get(second);
        if (x.length != f.size()) {
            throw new IllegalArgumentException("Moments expects " + f.size() + " features, got " + x.length);
        }
        double[] nf = new double[x.length];
        double[] ns = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            nf[i] = momentum * f.get(i) + (1 - momentum) * x[i];
            ns[i] = momentum * s.get(i) + (1 - momentum) * x[i] * x[i];
        }
        return state.with(first, f.like(nf)).with(second, s.like(ns)); // two with calls: no map per record
    }

    /** The formula on a batch, one row of state per row of {@code b}: the state after it. */
    public State update(Batched b, State state) {
        INDArray x = b.matrix();
        INDArray f = b.stateRows(state, first).mul(momentum).add(x.mul(1 - momentum));
        INDArray s = b.stateRows(state, second).mul(momentum).add(x.mul(x).mul(1 - momentum));
        return state.with(Map.of(first, b.value(state, first, f), second, b.value(state, second, s)));
    }
}
