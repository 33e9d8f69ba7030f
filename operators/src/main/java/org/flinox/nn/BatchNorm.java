package org.flinox.nn;

import java.util.Map;

/**
 * Batch normalization with running statistics (Ioffe and Szegedy 2015, arXiv:1502.03167),
 * as inox's {@code BatchNorm}, applied to one record at a time.
 *
 * <p>In evaluation, the running statistics normalize and the state is returned unchanged
 * (the very same {@code State}):
 *
 * <pre>y = (x − mean) / √(var + ε)</pre>
 *
 * <p>In training, inox normalizes a batch {@code x [B, C]} by its own statistics over the
 * batch axis and moves the running statistics towards them. Here a record is a batch of
 * one, so μ = x and σ² = 0:
 *
 * <pre>y = (x − μ) / √(σ² + ε) = 0
 * mean ← m·mean + (1 − m)·x
 * var  ← m·var</pre>
 *
 * and the running variance decays towards 0; use evaluation where the output matters. The
 * batched path ({@code [B, C]}) is the default one, row by row: each row is a record of its
 * own stream key, with its own running statistics stacked in the state (statistics over the
 * rows would mix stream keys).
 *
 * <p>The running statistics are one state entry in inox ({@code self.stats =
 * StateEntry(Statistics(mean, var))}); here they are the two entries {@code .stats.mean}
 * and {@code .stats.var}, the paths inox's state flattens to.
 *
 * @param stats the running mean, {@code [C]}, initially zeros, and the running variance,
 *     {@code [C]}, initially ones
 * @param momentum m, the weight on the old value (0.9 by default)
 * @param eps ε, added to the variance (1e-5 by default)
 * @param training whether to update the running statistics (a batch of one record)
 */
public record BatchNorm(Statistics stats, double momentum, double eps, boolean training) implements Module {

    /**
     * inox's {@code Statistics(mean, var)}.
     *
     * @param mean the running mean
     * @param var the running variance
     */
    public record Statistics(StateRef mean, StateRef var) {}

    /** The default momentum. */
    public static final double MOMENTUM = 0.9;
    /** The default ε. */
    public static final double EPS = 1e-5;

    public BatchNorm {
        if (!(momentum >= 0 && momentum <= 1)) {
            throw new IllegalArgumentException("BatchNorm's momentum must be in [0, 1], got " + momentum);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("BatchNorm's eps must be >= 0, got " + eps);
        }
    }

    /** A float32 layer in training mode with momentum 0.9 and ε = 1e-5. */
    public static BatchNorm create(int channels) {
        return create(channels, MOMENTUM, EPS, DType.FLOAT32);
    }

    /** A layer in training mode with state of the given dtype. */
    public static BatchNorm create(int channels, double momentum, double eps, DType dtype) {
        return new BatchNorm(new Statistics(new StateEntry(Tensor.zeros(dtype, channels)),
                new StateEntry(Tensor.ones(dtype, channels))), momentum, eps, true);
    }

    /** This layer in training ({@code true}) or evaluation ({@code false}) mode. */
    public BatchNorm withTraining(boolean training) {
        return new BatchNorm(stats, momentum, eps, training);
    }

    @Override
    public Result<double[]> forward(double[] x, State state) {
        Tensor mean = stats(state, stats.mean());
        Tensor var = stats(state, stats.var());
        int c = mean.size();
        if (x.length != c) {
            throw new IllegalArgumentException("BatchNorm expects " + c + " channels, got " + x.length);
        }
        DType dtype = mean.dtype();
        double[] y = new double[c];
        if (!training) {
            for (int i = 0; i < c; i++) {
                y[i] = dtype.round((x[i] - mean.get(i)) / Math.sqrt(var.get(i) + eps));
            }
            return new Result<>(y, state);
        }
        // a batch of one: μ = x, σ² = 0, y = 0
        double[] nextMean = new double[c];
        double[] nextVar = new double[c];
        for (int i = 0; i < c; i++) {
            nextMean[i] = momentum * mean.get(i) + (1 - momentum) * x[i];
            nextVar[i] = momentum * var.get(i);
        }
        return new Result<>(y, state.with(Map.of(stats.mean(), mean.like(nextMean), stats.var(), var.like(nextVar))));
    }

    private static Tensor stats(State state, StateRef ref) {
        Tensor t = state.get(ref);
        if (t.rank() != 1) {
            throw new IllegalArgumentException("BatchNorm's state " + ref.key().name() + " is " + t.layout()
                    + ", expected [channels] for one record");
        }
        return t;
    }
}
