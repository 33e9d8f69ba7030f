package org.flinox.usermodule;

import java.util.Map;
import org.flinox.nn.DType;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateEntry;
import org.flinox.nn.StateRef;
import org.flinox.nn.Tensor;

// inox's Moments: running moments of the input, one pair per stream key. It only observes.
//
//     first ← m·first + (1 − m)·x,   second ← m·second + (1 − m)·x²,   y = x
public record Moments(StateRef first, StateRef second, double momentum) implements Module {

    public static Moments create(int features, double momentum) {
        return new Moments(new StateEntry(Tensor.zeros(DType.FLOAT32, features)),
                new StateEntry(Tensor.ones(DType.FLOAT32, features)), momentum);
    }

    public Result<double[]> forward(double[] x, State state) {
        Tensor f = state.get(first);
        Tensor s = state.get(second);
        double[] nf = new double[x.length];
        double[] ns = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            nf[i] = momentum * f.get(i) + (1 - momentum) * x[i];
            ns[i] = momentum * s.get(i) + (1 - momentum) * x[i] * x[i];
        }
        return new Result<>(x, state.with(Map.of(first, f.like(nf), second, s.like(ns))));
    }
}
