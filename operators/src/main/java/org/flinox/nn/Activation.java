package org.flinox.nn;

import java.util.List;
import java.util.Locale;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.ops.transforms.Transforms;

/**
 * The element-wise activation functions (and {@link Softmax}, which acts on the last axis),
 * as inox's {@code inox.nn.activation}. They have no parameters and no state.
 *
 * <p>Both paths return new arrays and never touch their input. The per-record path computes
 * in double precision; the batched path is ND4J ops in the input's own dtype ({@code FLOAT}
 * or {@code DOUBLE}) and gives back the input's shape ({@code [F]} or {@code [B, F]}): inside
 * a batched network an ND4J op costs less than taking the rows out of ND4J and back in
 * (BENCHMARKS.md, B4: a 16→256→256→3 network over 256 keys at about half the cost with
 * them than without).
 */
public sealed interface Activation extends Layer
        permits Activation.Identity, Activation.ReLU, Activation.LeakyReLU, Activation.ELU, Activation.GELU,
                Activation.SiLU, Activation.Tanh, Activation.Sigmoid, Activation.Softplus, Activation.Softmax {

    /** The names {@link #byName} accepts, as the model spec spells them. */
    List<String> NAMES = List.of(
            "identity", "relu", "leakyrelu", "elu", "gelu", "silu", "tanh", "sigmoid", "softplus", "softmax");

    /**
     * The activation of this lower-case name with its default arguments.
     *
     * @throws IllegalArgumentException for a name not in {@link #NAMES}, listing them
     */
    static Activation byName(String name) {
        return switch (name) {
            case "identity" -> new Identity();
            case "relu" -> new ReLU();
            case "leakyrelu" -> new LeakyReLU();
            case "elu" -> new ELU();
            case "gelu" -> new GELU();
            case "silu" -> new SiLU();
            case "tanh" -> new Tanh();
            case "sigmoid" -> new Sigmoid();
            case "softplus" -> new Softplus();
            case "softmax" -> new Softmax();
            default -> {
                String hint = name != null && NAMES.contains(name.toLowerCase(Locale.ROOT))
                        ? " (names are lower case)" : "";
                throw new IllegalArgumentException(
                        "unknown activation '" + name + "'" + hint + "; valid names are " + NAMES);
            }
        };
    }

    /**
     * The spellings a model spec may give an activation's one parameter, inox's first:
     * {@code alpha} or {@code slope} for {@code leakyrelu}, {@code alpha} for {@code elu};
     * none for the others.
     */
    static List<String> parameterNames(String name) {
        return switch (name) {
            case "leakyrelu" -> List.of("alpha", "slope");
            case "elu" -> List.of("alpha");
            default -> List.of();
        };
    }

    /**
     * The activation of this name with its parameter ({@link LeakyReLU#slope}, {@link ELU#alpha}).
     *
     * @throws IllegalArgumentException for an activation without {@link #parameterNames}
     */
    static Activation byName(String name, double parameter) {
        return switch (name) {
            case "leakyrelu" -> new LeakyReLU(parameter);
            case "elu" -> new ELU(parameter);
            default -> throw new IllegalArgumentException("activation '" + name + "' takes no parameter");
        };
    }

    /** <pre>y = x</pre> The per-record path returns a copy. */
    record Identity() implements Activation {
        @Override
        public double[] apply(double[] x) {
            return x.clone();
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "Identity");
            return b.restore(b.matrix().dup());
        }
    }

    /** <pre>y = max(x, 0)</pre> */
    record ReLU() implements Activation {
        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] > 0 ? x[i] : 0.0;
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "ReLU");
            return b.restore(Transforms.max(b.matrix(), 0.0, true));
        }
    }

    /**
     * <pre>y = x if x > 0 else slope·x</pre>
     *
     * @param slope the slope for negative inputs (0.01 by default, as inox)
     */
    record LeakyReLU(double slope) implements Activation {
        /** The default slope, 0.01. */
        public LeakyReLU() {
            this(0.01);
        }

        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] > 0 ? x[i] : slope * x[i];
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "LeakyReLU");
            INDArray m = b.matrix();
            // max(x, 0) + slope·min(x, 0)
            return b.restore(Transforms.max(m, 0.0, true).add(Transforms.min(m, 0.0, true).mul(slope)));
        }
    }

    /**
     * Exponential linear unit (Clevert et al. 2015, arXiv:1511.07289).
     *
     * <pre>y = x if x > 0 else α·(eˣ − 1)</pre>
     *
     * @param alpha α, the value negative inputs saturate to in magnitude (1.0 by default)
     */
    record ELU(double alpha) implements Activation {
        /** The default α, 1.0. */
        public ELU() {
            this(1.0);
        }

        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] > 0 ? x[i] : alpha * Math.expm1(x[i]);
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "ELU");
            INDArray m = b.matrix();
            // max(x, 0) + α·(e^min(x, 0) − 1)
            INDArray negative = Transforms.expm1(Transforms.min(m, 0.0, true), false).mul(alpha);
            return b.restore(Transforms.max(m, 0.0, true).add(negative));
        }
    }

    /**
     * Gaussian error linear unit (Hendrycks and Gimpel 2016, arXiv:1606.08415) in its tanh
     * approximation, inox's (and JAX's) default.
     *
     * <pre>y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³)))</pre>
     */
    record GELU() implements Activation {
        private static final double C = Math.sqrt(2 / Math.PI);
        private static final double K = 0.044715;

        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double v = x[i];
                y[i] = 0.5 * v * (1 + Math.tanh(C * (v + K * v * v * v)));
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "GELU");
            INDArray m = b.matrix();
            INDArray inner = m.mul(m).mul(m).mul(K).add(m).mul(C);
            return b.restore(Transforms.tanh(inner, false).add(1.0).mul(m).mul(0.5));
        }
    }

    /**
     * Sigmoid linear unit, also called swish.
     *
     * <pre>y = x·σ(x),  σ(x) = 1 / (1 + e⁻ˣ)</pre>
     */
    record SiLU() implements Activation {
        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = x[i] * sigmoid(x[i]);
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "SiLU");
            INDArray m = b.matrix();
            return b.restore(m.mul(Transforms.sigmoid(m, true)));
        }
    }

    /** <pre>y = tanh(x)</pre> */
    record Tanh() implements Activation {
        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.tanh(x[i]);
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "Tanh");
            return b.restore(Transforms.tanh(b.matrix(), true));
        }
    }

    /** <pre>y = σ(x) = 1 / (1 + e⁻ˣ)</pre> */
    record Sigmoid() implements Activation {
        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = sigmoid(x[i]);
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "Sigmoid");
            return b.restore(Transforms.sigmoid(b.matrix(), true));
        }
    }

    /**
     * <pre>y = log(1 + eˣ)</pre>
     *
     * computed as {@code max(x, 0) + log(1 + e^−|x|)}, which neither overflows for large
     * positive x nor loses the value to rounding for large negative x.
     */
    record Softplus() implements Activation {
        @Override
        public double[] apply(double[] x) {
            double[] y = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.max(x[i], 0.0) + Math.log1p(Math.exp(-Math.abs(x[i])));
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "Softplus");
            INDArray m = b.matrix();
            INDArray tail = Transforms.log1p(Transforms.exp(Transforms.abs(m, true).neg(), false), false);
            return b.restore(Transforms.max(m, 0.0, true).add(tail));
        }
    }

    /**
     * Softmax over the last axis: each row of a {@code [B, F]} batch sums to one.
     *
     * <pre>yᵢ = e^(xᵢ − max x) / Σⱼ e^(xⱼ − max x)</pre>
     *
     * Subtracting the maximum leaves the value unchanged and keeps every exponent ≤ 0.
     */
    record Softmax() implements Activation {
        @Override
        public double[] apply(double[] x) {
            double max = Double.NEGATIVE_INFINITY;
            for (double v : x) {
                max = Math.max(max, v);
            }
            double[] y = new double[x.length];
            double sum = 0;
            for (int i = 0; i < x.length; i++) {
                y[i] = Math.exp(x[i] - max);
                sum += y[i];
            }
            for (int i = 0; i < y.length; i++) {
                y[i] /= sum;
            }
            return y;
        }

        @Override
        public INDArray apply(INDArray x) {
            Batched b = matrix(x, "Softmax");
            INDArray m = b.matrix();
            INDArray e = Transforms.exp(m.subColumnVector(m.max(true, 1)), false);
            return b.restore(e.divColumnVector(e.sum(true, 1)));
        }
    }

    /** σ(x) without overflow: e⁻ˣ is only taken for x ≥ 0, eˣ only for x < 0. */
    private static double sigmoid(double x) {
        if (x >= 0) {
            return 1 / (1 + Math.exp(-x));
        }
        double e = Math.exp(x);
        return e / (1 + e);
    }

    /** {@code x} as {@code [B, F]} in its own dtype (FLOAT or DOUBLE). */
    private static Batched matrix(INDArray x, String module) {
        return Batched.of(x, DType.of(x.dataType()), -1, module);
    }
}
