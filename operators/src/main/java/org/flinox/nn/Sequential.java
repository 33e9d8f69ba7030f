package org.flinox.nn;

import java.util.List;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Layers applied in order, threading the state through each of them:
 *
 * <pre>(x, s) → layers[0] → (h₁, s₁) → layers[1] → … → (y, sₙ)</pre>
 *
 * (equinox's {@code Sequential} threads state the same way; inox's does not take state).
 * State keys of the layers are {@code .layers[i]...}.
 *
 * @param layers the modules, applied first to last
 */
public record Sequential(List<Module> layers) implements Module {

    public Sequential {
        layers = List.copyOf(layers);
    }

    public static Sequential of(Module... layers) {
        return new Sequential(List.of(layers));
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        double[] h = x;
        State s = state;
        for (Module layer : layers) {
            Result<double[]> r = layer.forward(h, s);
            h = r.output();
            s = r.state();
        }
        return new Result<>(h == x ? x.clone() : h, s);
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        INDArray h = x;
        State s = state;
        for (Module layer : layers) {
            Result<INDArray> r = layer.forward(h, s);
            h = r.output();
            s = r.state();
        }
        return new Result<>(h == x ? x.dup() : h, s);
    }
}
