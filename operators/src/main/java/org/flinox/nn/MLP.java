package org.flinox.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The multi-layer perceptron of inox's state documentation: running moments of its input
 * and of its output around three linear layers.
 *
 * <pre>inStats(x)                       (observes x)
 * h₁ = relu(x·W₁ + b₁)             l1: in → hidden
 * h₂ = relu(h₁·W₂ + b₂)            l2: hidden → hidden
 * y  = h₂·W₃ + b₃                  l3: hidden → out
 * outStats(y)                      (observes y)</pre>
 *
 * State keys: {@code .inStats.first}, {@code .inStats.second}, {@code .outStats.first},
 * {@code .outStats.second}. (inox's example writes {@code x = self.relu()}; ReLU applies
 * to {@code x}.)
 *
 * @param inStats moments of the input
 * @param l1 first layer
 * @param l2 second layer
 * @param l3 output layer
 * @param outStats moments of the output
 * @param relu the activation between layers
 */
public record MLP(Moments inStats, Linear l1, Linear l2, Linear l3, Moments outStats, Activation.ReLU relu)
        implements Module {

    /** inox's example MLP: hidden width 64, float32, parameters from {@code rng}. */
    public static MLP create(int in, int out, Rng rng) {
        return create(in, out, 64, rng);
    }

    public static MLP create(int in, int out, int hidden, Rng rng) {
        return new MLP(Moments.create(in), Linear.create(in, hidden, rng.child("l1")),
                Linear.create(hidden, hidden, rng.child("l2")), Linear.create(hidden, out, rng.child("l3")),
                Moments.create(out), new Activation.ReLU());
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        State s = inStats.update(x, state);
        double[] h = reluInPlace(l1.apply(x)); // Linear returns a fresh array: no copy needed
        h = reluInPlace(l2.apply(h));
        double[] y = l3.apply(h);
        s = outStats.update(y, s);
        return new Result<>(y, s);
    }

    private static double[] reluInPlace(double[] h) {
        for (int i = 0; i < h.length; i++) {
            h[i] = h[i] > 0 ? h[i] : 0.0; // the same expression as Activation.ReLU
        }
        return h;
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        State s = inStats.forward(x, state).state();
        INDArray h = relu.apply(l1.apply(x));
        h = relu.apply(l2.apply(h));
        INDArray y = l3.apply(h);
        s = outStats.forward(y, s).state();
        return new Result<>(y, s);
    }
}
