package org.flinox.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A fully connected layer, in inox's layout.
 *
 * <pre>y = x·W + b</pre>
 *
 * with {@code W} of shape {@code (in, out)} drawn from U(−1/√in, 1/√in) and {@code b = 0}
 * ({@code inox/nn/linear.py}, {@code Linear}). Its batched path is one ND4J matrix product,
 * for the {@link MLP}'s (BENCHMARKS.md, B4).
 *
 * @param weight W, {@code [in, out]}
 * @param bias b, {@code [out]}; {@code null} for a layer without bias (inox's {@code bias=False}),
 *     {@code y = x·W}
 */
public record Linear(Tensor weight, Tensor bias) implements Layer {

    public Linear {
        if (weight.rank() != 2 || bias != null && (bias.rank() != 1 || bias.dim(0) != weight.dim(1))) {
            throw new IllegalArgumentException("Linear needs weight [in, out] and bias [out], got "
                    + weight.layout() + " and " + (bias == null ? "no bias" : bias.layout()));
        }
        if (bias != null && weight.dtype() != bias.dtype()) {
            throw new IllegalArgumentException("Linear's weight and bias differ in dtype: "
                    + weight.layout() + " and " + bias.layout());
        }
    }

    /** A float32 layer with inox's initialisation. */
    public static Linear create(int in, int out, Rng rng) {
        return create(in, out, DType.FLOAT32, rng);
    }

    /** A layer of the given dtype with inox's initialisation. */
    public static Linear create(int in, int out, DType dtype, Rng rng) {
        return create(in, out, true, dtype, rng);
    }

    /** A layer with or without bias, with inox's initialisation. */
    public static Linear create(int in, int out, boolean bias, DType dtype, Rng rng) {
        return new Linear(rng.uniform(dtype, 1 / Math.sqrt(in), in, out), bias ? Tensor.zeros(dtype, out) : null);
    }

    public int in() {
        return weight.dim(0);
    }

    public int out() {
        return weight.dim(1);
    }

    @Override
    public double[] apply(double[] x) {
        int in = in();
        int out = out();
        if (x.length != in) {
            throw new IllegalArgumentException("Linear expects " + in + " features, got " + x.length);
        }
        double[] y = bias == null ? new double[out] : bias.toArray();
        multiplyAdd(x, weight, y, in, out);
        if (weight.dtype() == DType.FLOAT32) {
            for (int j = 0; j < out; j++) {
                y[j] = (float) y[j];
            }
        }
        return y;
    }

    /** {@code y += x·W} for a row-major {@code W [in, out]}; a small static loop the JIT vectorizes. */
    private static void multiplyAdd(double[] x, Tensor w, double[] y, int in, int out) {
        for (int i = 0; i < in; i++) {
            double xi = x[i];
            int row = i * out;
            for (int j = 0; j < out; j++) {
                y[j] += xi * w.get(row + j);
            }
        }
    }

    @Override
    public INDArray apply(INDArray x) {
        Batched b = Batched.of(x, weight.dtype(), in(), "Linear");
        INDArray y = b.matrix().mmul(weight.asINDArray());
        return b.restore(bias == null ? y : y.addRowVector(bias.asINDArray()));
    }
}
