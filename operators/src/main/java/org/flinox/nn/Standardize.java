package org.flinox.nn;

import java.util.Locale;

/**
 * Per-key z-scores of each feature, with statistics that include the current record
 * (update, then normalize). All arithmetic is float64. The batched path is the default one,
 * the per-record forward row by row (BENCHMARKS.md, B4: ND4J ops cost more than the loops).
 *
 * <ul>
 *   <li>{@link Cumulative} (default): the exact running mean and population variance
 *       (ddof 0) by Welford's method, so {@code z} equals scikit-learn's
 *       {@code StandardScaler} fitted on every record of that key so far.
 *   <li>{@link Ema}: exponential moving moments as {@link Moments}, then a z-score with
 *       {@code eps} inside the square root.
 * </ul>
 */
public sealed interface Standardize extends Module permits Standardize.Cumulative, Standardize.Ema {

    /** How the statistics are kept. */
    enum Mode {
        CUMULATIVE,
        EMA;

        /**
         * The mode a model spec names, as it is written there (every spec name is lower case):
         * {@code cumulative} or {@code ema}.
         *
         * @throws IllegalArgumentException naming the value and the modes there are
         */
        public static Mode parse(String name) {
            for (Mode mode : values()) {
                if (mode.name().toLowerCase(Locale.ROOT).equals(name)) {
                    return mode;
                }
            }
            throw new IllegalArgumentException("unknown standardize mode '" + name + "': expected cumulative or ema");
        }
    }

    double DEFAULT_MOMENTUM = 0.9;
    double DEFAULT_EPS = 1e-5;

    /** Cumulative standardization of {@code features} features. */
    static Standardize create(int features) {
        return create(features, Mode.CUMULATIVE, DEFAULT_MOMENTUM, DEFAULT_EPS);
    }

    /** {@code momentum} and {@code eps} apply to {@link Mode#EMA} only. */
    static Standardize create(int features, Mode mode, double momentum, double eps) {
        return switch (mode) {
            case CUMULATIVE -> new Cumulative(new StateEntry(Tensor.zeros(DType.FLOAT64, 1)),
                    new StateEntry(Tensor.zeros(DType.FLOAT64, features)),
                    new StateEntry(Tensor.zeros(DType.FLOAT64, features)));
            case EMA -> {
                if (!(momentum >= 0 && momentum <= 1) || !(eps >= 0)) {
                    throw new IllegalArgumentException("ema needs momentum in [0, 1] and eps >= 0, got "
                            + momentum + " and " + eps);
                }
                yield new Ema(new StateEntry(Tensor.zeros(DType.FLOAT64, features)),
                        new StateEntry(Tensor.ones(DType.FLOAT64, features)), momentum, eps);
            }
        };
    }

    /**
     * Welford's running mean and population variance (Welford 1962; Knuth, TAOCP vol. 2,
     * 4.2.2):
     *
     * <pre>n ← n + 1;  δ = x − mean;  mean ← mean + δ/n;  m2 ← m2 + δ·(x − mean)
     * z = (x − mean) / sqrt(m2/n),  and 0 where m2 = 0</pre>
     *
     * so a key's first record, and any constant feature, map to 0.
     *
     * @param count n, records seen for this key, {@code [1]}
     * @param mean the running mean, {@code [features]}
     * @param m2 the running sum of squared deviations, {@code [features]}
     */
    record Cumulative(StateRef count, StateRef mean, StateRef m2) implements Standardize, StateInvariants {

        /** The largest count a float64 holds exactly. */
        private static final double MAX_COUNT = 0x1p53;

        /** {@code count} is a whole number in [0, 2^53]; {@code m2 >= 0}. */
        @Override
        public String violation(StateKey key, Tensor value) {
            if (key.equals(count.key())) {
                double n = value.get(0);
                return n >= 0 && n <= MAX_COUNT && n == Math.rint(n) ? null
                        : "a count of records must be a whole number >= 0, got " + n;
            }
            return key.equals(m2.key()) ? StateInvariants.nonNegative("a sum of squared deviations", value) : null;
        }

        @Override
        public Result<double[]> forward(double[] x, State state) {
            Tensor n0 = state.get(count);
            Tensor mu = state.get(mean);
            Tensor ss = state.get(m2);
            if (x.length != mu.size()) {
                throw new IllegalArgumentException("Standardize expects " + mu.size() + " features, got " + x.length);
            }
            double n = n0.get(0) + 1;
            double[] newMean = new double[x.length];
            double[] newM2 = new double[x.length];
            double[] z = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                double delta = x[i] - mu.get(i);
                double m = mu.get(i) + delta / n;
                double s = ss.get(i) + delta * (x[i] - m);
                newMean[i] = m;
                newM2[i] = s;
                z[i] = s > 0 ? (x[i] - m) / Math.sqrt(s / n) : 0.0;
            }
            // three with calls, not with(Map.of(...)): no map per record in a forward of ~150 ns (B4)
            State next = state.with(count, n0.like(new double[] {n})).with(mean, mu.like(newMean)).with(m2, ss.like(newM2));
            return new Result<>(z, next);
        }
    }

    /**
     * Exponential moving moments, kept and updated exactly as {@link Moments} does, then a
     * z-score:
     *
     * <pre>first  ← m·first  + (1 − m)·x
     * second ← m·second + (1 − m)·x²
     * z = (x − first) / sqrt(max(second − first², 0) + eps)</pre>
     *
     * @param first the running first moment, {@code [features]}, starting at 0
     * @param second the running second moment, {@code [features]}, starting at 1
     * @param momentum m, the weight on the old value
     * @param eps added to the variance inside the square root
     */
    record Ema(StateRef first, StateRef second, double momentum, double eps) implements Standardize, StateInvariants {

        /** {@code second}, a moving mean of squares, is never negative. */
        @Override
        public String violation(StateKey key, Tensor value) {
            return key.equals(second.key()) ? StateInvariants.nonNegative("a moving mean of squares", value) : null;
        }

        @Override
        public Result<double[]> forward(double[] x, State state) {
            int features = state.get(first).size();
            if (x.length != features) {
                throw new IllegalArgumentException("Standardize expects " + features + " features, got " + x.length);
            }
            State next = moments().update(x, state);
            Tensor f = next.get(first);
            Tensor s = next.get(second);
            double[] z = new double[x.length];
            for (int i = 0; i < x.length; i++) {
                z[i] = (x[i] - f.get(i)) / Math.sqrt(Math.max(s.get(i) - f.get(i) * f.get(i), 0.0) + eps);
            }
            return new Result<>(z, next);
        }

        /** The moments this mode keeps: the same entries, updated by the same formula. */
        private Moments moments() {
            return new Moments(first, second, momentum);
        }
    }
}
