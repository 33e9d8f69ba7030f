package org.example.modules;

import org.flinox.nn.Activation;
import org.flinox.nn.Linear;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.Rng;
import org.flinox.nn.State;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * inox's example {@code MLP}: three linear layers between running moments of the input and
 * of the output.
 *
 * <pre>y = l3(relu(l2(relu(l1(x)))))      inStats observes x, outStats observes y</pre>
 */
public record MLP(Moments inStats, Moments outStats, Linear l1, Linear l2, Linear l3, Activation.ReLU relu)
        implements Module {

    public static MLP create(int in, int out, int hidden, Rng rng) {
        return new MLP(Moments.create(in, 0.9), Moments.create(out, 0.9),
                Linear.create(in, hidden, rng.child("l1")), Linear.create(hidden, hidden, rng.child("l2")),
                Linear.create(hidden, out, rng.child("l3")), new Activation.ReLU());
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        state = inStats.forward(x, state).state();
        double[] y = l3.apply(relu.apply(l2.apply(relu.apply(l1.apply(x)))));
        return new Result<>(y, outStats.forward(y, state).state());
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        state = inStats.forward(x, state).state();
        INDArray y = l3.apply(relu.apply(l2.apply(relu.apply(l1.apply(x)))));
        return new Result<>(y, outStats.forward(y, state).state());
    }
}
