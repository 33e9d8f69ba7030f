package org.flinox.nn;

/**
 * Layer normalization over the last axis (Ba et al. 2016, arXiv:1607.06450), as inox's
 * {@code LayerNorm}.
 *
 * <pre>y = (x − mean(x)) / √(var(x) + ε) · weight + bias</pre>
 *
 * with the mean and the biased variance (divided by the feature count) taken over the
 * features of each record. Stateless: every record is normalized by its own statistics. The
 * batched path is the default one, row by row (BENCHMARKS.md, B4: ND4J ops cost more than
 * the loops).
 *
 * @param features the input width
 * @param weight the per-feature scale, {@code [features]}, initially ones; {@code null}
 *     when the layer is not affine
 * @param bias the per-feature shift, {@code [features]}, initially zeros; {@code null}
 *     when the layer is not affine
 * @param eps ε, added to the variance (1e-5 by default)
 * @param dtype the type the layer computes and returns in
 */
public record LayerNorm(int features, Tensor weight, Tensor bias, double eps, DType dtype) implements Layer {

    /** The default ε. */
    public static final double EPS = 1e-5;

    public LayerNorm {
        if (features < 1) {
            throw new IllegalArgumentException("LayerNorm needs at least one feature, got " + features);
        }
        if (!(eps >= 0)) {
            throw new IllegalArgumentException("LayerNorm's eps must be >= 0, got " + eps);
        }
        if ((weight == null) != (bias == null)) {
            throw new IllegalArgumentException("LayerNorm needs both weight and bias, or neither");
        }
        if (weight != null) {
            for (Tensor t : new Tensor[] {weight, bias}) {
                if (t.rank() != 1 || t.dim(0) != features || t.dtype() != dtype) {
                    throw new IllegalArgumentException("LayerNorm(" + features + ") needs weight and bias "
                            + dtype.numpyName() + "[" + features + "], got " + weight.layout() + " and "
                            + bias.layout());
                }
            }
        }
    }

    /** A float32 layer with ε = 1e-5; affine with weight ones and bias zeros if asked. */
    public static LayerNorm create(int features, boolean affine) {
        return create(features, affine, EPS, DType.FLOAT32);
    }

    /** A float32 layer with the given ε. */
    public static LayerNorm create(int features, boolean affine, double eps) {
        return create(features, affine, eps, DType.FLOAT32);
    }

    /** A layer of the given dtype and ε. */
    public static LayerNorm create(int features, boolean affine, double eps, DType dtype) {
        return affine
                ? new LayerNorm(features, Tensor.ones(dtype, features), Tensor.zeros(dtype, features), eps, dtype)
                : new LayerNorm(features, null, null, eps, dtype);
    }

    public boolean affine() {
        return weight != null;
    }

    @Override
    public double[] apply(double[] x) {
        if (x.length != features) {
            throw new IllegalArgumentException("LayerNorm expects " + features + " features, got " + x.length);
        }
        double mean = 0;
        for (double v : x) {
            mean += v;
        }
        mean /= features;
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean);
        }
        var /= features;
        double scale = 1 / Math.sqrt(var + eps);
        double[] y = new double[features];
        for (int i = 0; i < features; i++) {
            double z = (x[i] - mean) * scale;
            y[i] = dtype.round(weight == null ? z : z * weight.get(i) + bias.get(i));
        }
        return y;
    }
}
