package org.flinox.nn;

import java.util.Map;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * Batch normalization with running statistics (Ioffe and Szegedy 2015, arXiv:1502.03167),
 * as inox's {@code BatchNorm}.
 *
 * <p>In training, a batch {@code x [B, C]} is normalized by its own statistics over the
 * batch axis, and the running statistics move towards them:
 *
 * <pre>μ = mean₀(x),  σ² = mean₀((x − μ)²)          (biased variance over the batch)
 * y = (x − μ) / √(σ² + ε)
 * mean ← m·mean + (1 − m)·μ
 * var  ← m·var  + (1 − m)·σ²</pre>
 *
 * <p>In evaluation, the running statistics normalize and the state is returned unchanged
 * (the very same {@code State}):
 *
 * <pre>y = (x − mean) / √(var + ε)</pre>
 *
 * <p>The state is one {@code mean} and one {@code var} for the whole batch: they describe
 * the data, not a stream key, so the batched path takes them unstacked ({@code [C]}). The
 * per-record path ({@link #forward(double[], State)}) treats a record as a batch of one: in
 * training its batch variance is 0, so its output is 0 and it pulls the running variance
 * towards 0; use batches, or evaluation, where the output of one record matters.
 *
 * <p>The running statistics are one state entry in inox ({@code self.stats =
 * StateEntry(Statistics(mean, var))}); here they are the two entries {@code .stats.mean}
 * and {@code .stats.var}, the paths inox's state flattens to.
 *
 * @param stats the running mean, {@code [C]}, initially zeros, and the running variance,
 *     {@code [C]}, initially ones
 * @param momentum m, the weight on the old value (0.9 by default)
 * @param eps ε, added to the variance (1e-5 by default)
 * @param training whether to normalize by the batch and update the running statistics
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
        StateKey meanKey = stats.mean().key();
        StateKey varKey = stats.var().key();
        Tensor runningMean = stats(state, meanKey);
        Tensor runningVar = stats(state, varKey);
        int c = runningMean.size();
        if (x.length != c) {
            throw new IllegalArgumentException("BatchNorm expects " + c + " channels, got " + x.length);
        }
        DType dtype = runningMean.dtype();
        double[] y = new double[c];
        if (!training) {
            double[] mu = runningMean.data();
            double[] v = runningVar.data();
            for (int i = 0; i < c; i++) {
                y[i] = dtype.round((x[i] - mu[i]) / Math.sqrt(v[i] + eps));
            }
            return new Result<>(y, state);
        }
        // a batch of one: μ = x, σ² = 0, y = 0
        double[] mu = runningMean.data();
        double[] v = runningVar.data();
        double[] nextMean = new double[c];
        double[] nextVar = new double[c];
        for (int i = 0; i < c; i++) {
            nextMean[i] = dtype.round(momentum * mu[i] + (1 - momentum) * x[i]);
            nextVar[i] = dtype.round(momentum * v[i]);
        }
        State next = state.updateTensors(Map.of(
                meanKey, Tensor.adopt(dtype, new int[] {c}, nextMean),
                varKey, Tensor.adopt(dtype, new int[] {c}, nextVar)));
        return new Result<>(y, next);
    }

    @Override
    public Result<INDArray> forward(INDArray x, State state) {
        StateKey meanKey = stats.mean().key();
        StateKey varKey = stats.var().key();
        Tensor runningMean = stats(state, meanKey);
        Tensor runningVar = stats(state, varKey);
        Batched b = Batched.of(x, runningMean.dtype(), runningMean.size(), "BatchNorm");
        INDArray m = b.matrix();
        if (!training) {
            INDArray std = Transforms.sqrt(runningVar.nd().add(eps), false);
            return new Result<>(b.restore(m.subRowVector(runningMean.nd()).divRowVector(std)), state);
        }
        INDArray mu = m.mean(true, 0);
        INDArray centered = m.subRowVector(mu);
        INDArray sigma2 = centered.mul(centered).mean(true, 0);
        INDArray y = centered.divRowVector(Transforms.sqrt(sigma2.add(eps), false));
        INDArray nextMean = runningMean.nd().mul(momentum).add(mu.reshape(mu.length()).mul(1 - momentum));
        INDArray nextVar = runningVar.nd().mul(momentum).add(sigma2.reshape(sigma2.length()).mul(1 - momentum));
        State next = state.updateTensors(Map.of(meanKey, Tensor.of(nextMean), varKey, Tensor.of(nextVar)));
        return new Result<>(b.restore(y), next);
    }

    private static Tensor stats(State state, StateKey key) {
        Tensor t = state.get(key);
        if (t.rank() != 1) {
            throw new IllegalArgumentException("BatchNorm's state " + key.name() + " is " + t.layout()
                    + ", expected [channels]: its statistics are shared by the whole batch, do not stack them");
        }
        return t;
    }
}
