package org.example.modules;

import org.flinox.nn.DType;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateEntry;
import org.flinox.nn.StateRef;
import org.flinox.nn.Tensor;

// Exponential smoothing of each feature, one row of state per stream key:
//
//     level ← a·x + (1 − a)·level,   y = level
//
// level: the smoothed input, [features], starting at 0; alpha: a, the weight on the record.
public record Smooth(StateRef level, double alpha) implements Module {

    // The state is declared as a StateEntry holding its initial value.
    public static Smooth create(int features, double alpha) {
        return new Smooth(new StateEntry(Tensor.zeros(DType.FLOAT64, features)), alpha);
    }

    // One record in plain Java; a batch [B, features] runs it row by row (Module's default).
    public Result<double[]> forward(double[] x, State state) {
        Tensor old = state.get(level);
        if (x.length != old.size()) {
            throw new IllegalArgumentException("Smooth expects " + old.size() + " features, got " + x.length);
        }
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = alpha * x[i] + (1 - alpha) * old.get(i);
        }
        // like(...) adopts the array: hand the state its own copy, the caller may change y
        return new Result<>(y, state.with(level, old.like(y.clone())));
    }
}
