package org.example.modules;

import java.util.Map;
import org.flinox.nn.Batched;
import org.flinox.nn.DType;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateEntry;
import org.flinox.nn.StateRef;
import org.flinox.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * inox's {@code Moments}: running moments of the input, float32, the output is the input.
 *
 * <pre>first  ← m·first  + (1 − m)·x      (starts at 0)
 * second ← m·second + (1 − m)·x²     (starts at 1)</pre>
 */
public record Moments(StateRef first, StateRef second, double momentum) implements Module {

    public static Moments create(int features, double momentum) {
        return new Moments(new StateEntry(Tensor.zeros(DType.FLOAT32, features)),
                new StateEntry(Tensor.ones(DType.FLOAT32, features)), momentum);
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        Tensor f = state.get(first.key());
        Tensor s = state.get(second.key());
        double[] nf = new double[x.length];
        double[] ns = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            nf[i] = momentum * f.get(i) + (1 - momentum) * x[i];
            ns[i] = momentum * s.get(i) + (1 - momentum) * x[i] * x[i];
        }
        return new Result<>(x, state.with(first.key(), f.like(nf)).with(second.key(), s.like(ns)));
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        Batched b = Batched.of(x, state.get(first.key()), "Moments");
        INDArray m = b.matrix();
        INDArray f = b.stateRows(state, first.key()).mul(momentum).add(m.mul(1 - momentum));
        INDArray s = b.stateRows(state, second.key()).mul(momentum).add(m.mul(m).mul(1 - momentum));
        return new Result<>(x, b.update(state, Map.of(first.key(), f, second.key(), s)));
    }
}
