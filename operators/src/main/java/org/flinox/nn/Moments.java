package org.flinox.nn;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Exponential moving moments of the input, one pair of rows per stream key (the example
 * module of inox's state documentation).
 *
 * <pre>first  ← m·first  + (1 − m)·x
 * second ← m·second + (1 − m)·x²</pre>
 *
 * with {@code first} starting at 0 and {@code second} at 1. The output is {@code x}
 * unchanged: like inox's, this module only observes.
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

    /** The per-record state update alone, for containers that do not need the output copy. */
    State update(double[] x, State state) {
        StateKey fk = first.key();
        StateKey sk = second.key();
        Tensor f = state.get(fk);
        Tensor s = state.get(sk);
        if (x.length != f.size()) {
            throw new IllegalArgumentException("Moments expects " + f.size() + " features, got " + x.length);
        }
        DType dtype = f.dtype();
        double m = momentum;
        double[] nf = new double[x.length];
        double[] ns = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            nf[i] = dtype.round(m * f.get(i) + (1 - m) * x[i]);
            ns[i] = dtype.round(m * s.get(i) + (1 - m) * x[i] * x[i]);
        }
        return state.with(fk, f.withData(nf), sk, s.withData(ns));
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        StateKey fk = first.key();
        StateKey sk = second.key();
        DType dtype = state.get(fk).dtype();
        Batched b = Batched.of(x, dtype, state.get(fk).dim(state.get(fk).rank() - 1), "Moments");
        INDArray xs = b.matrix();
        INDArray f = b.stateRows(state, fk).mul(momentum).add(xs.mul(1 - momentum));
        INDArray s = b.stateRows(state, sk).mul(momentum).add(xs.mul(xs).mul(1 - momentum));
        State next = state.updateTensors(Map.of(fk, b.stateValue(f, state, fk), sk, b.stateValue(s, state, sk)));
        return new Result<>(x.dup(), next);
    }
}
