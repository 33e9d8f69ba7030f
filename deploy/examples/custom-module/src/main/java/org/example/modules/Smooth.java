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
 * Exponential smoothing of each feature, float64; the output is the new level.
 *
 * <pre>level ← alpha·x + (1 − alpha)·level      (starts at 0)</pre>
 */
public record Smooth(StateRef level, double alpha) implements Module {

    public static Smooth create(int features, double alpha) {
        return new Smooth(new StateEntry(Tensor.zeros(DType.FLOAT64, features)), alpha);
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        Tensor old = state.get(level.key());
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = alpha * x[i] + (1 - alpha) * old.get(i);
        }
        return new Result<>(y, state.with(level.key(), old.like(y.clone())));
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        Batched b = Batched.of(x, state.get(level.key()), "Smooth");
        INDArray y = b.matrix().mul(alpha).add(b.stateRows(state, level.key()).mul(1 - alpha));
        return new Result<>(b.restore(y), b.update(state, Map.of(level.key(), y)));
    }
}
