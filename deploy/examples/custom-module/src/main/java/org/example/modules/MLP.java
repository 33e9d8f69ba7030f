package org.example.modules;

import org.flinox.nn.Activation.ReLU;
import org.flinox.nn.Linear;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.Rng;
import org.flinox.nn.State;

// inox's example MLP: three linear layers with ReLU between them, and the running moments
// of what goes in and of what comes out.
public record MLP(Moments inStats, Linear l1, Linear l2, Linear l3, Moments outStats, ReLU relu)
        implements Module {

    public static MLP create(int in, int out, int hidden, Rng rng) {
        return new MLP(Moments.create(in, 0.9),
                Linear.create(in, hidden, rng.child("l1")),
                Linear.create(hidden, hidden, rng.child("l2")),
                Linear.create(hidden, out, rng.child("l3")),
                Moments.create(out, 0.9), new ReLU());
    }

    public Result<double[]> forward(double[] x, State state) {
        state = inStats.forward(x, state).state();
        x = l1.apply(x);
        x = l2.apply(relu.apply(x));
        x = l3.apply(relu.apply(x));
        state = outStats.forward(x, state).state();
        return new Result<>(x, state);
    }
}
