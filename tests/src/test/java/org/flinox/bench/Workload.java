package org.flinox.bench;

import org.apache.flink.api.common.functions.MapFunction;
import org.flinox.operators.FeatureRecord;

/**
 * Deterministic records: record {@code i} carries 16 features from a hash of {@code (i, j)}
 * and belongs to key {@code i mod keys} (uniform) or, with a Zipf exponent, to the key of rank
 * r with probability ∝ 1/r^s drawn from a hash of {@code i}; every run and every job sees the
 * same stream.
 *
 * @param keys the number of distinct keys
 * @param zipf the Zipf exponent s, or 0 for keys in turn
 */
record Workload(int keys, double zipf) implements MapFunction<Long, FeatureRecord> {

    /** Keys in turn: {@code i mod keys}. */
    Workload(int keys) {
        this(keys, 0);
    }

    @Override
    public FeatureRecord map(Long i) {
        long key = zipf == 0 ? i % keys : ZipfKeys.of(keys, zipf).rank((unit(~i) + 1) / 2);
        return new FeatureRecord("k" + key, "bench", i, null, features(i));
    }

    @Override
    public String toString() {
        return String.format("keys=%d%s", keys, zipf == 0 ? "" : " zipf=" + zipf);
    }

    static double[] features(long i) {
        double[] x = new double[BenchModels.FEATURES];
        for (int j = 0; j < x.length; j++) {
            x[j] = j + unit(i * 31 + j); // per-feature offset, values in [j - 1, j + 1)
        }
        return x;
    }

    /** splitmix64 mapped to [-1, 1). */
    static double unit(long seed) {
        long z = seed * 0x9E3779B97F4A7C15L;
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        z = z ^ (z >>> 31);
        return (z >>> 11) * 0x1.0p-52 - 1.0;
    }

    /** The cumulative distribution of Zipf(s) over n ranks, built once per (n, s) and JVM. */
    static final class ZipfKeys {
        private static ZipfKeys last;
        private final int n;
        private final double s;
        private final double[] cdf;

        private ZipfKeys(int n, double s) {
            this.n = n;
            this.s = s;
            cdf = new double[n];
            double sum = 0;
            for (int r = 1; r <= n; r++) {
                sum += 1 / Math.pow(r, s);
                cdf[r - 1] = sum;
            }
            for (int r = 0; r < n; r++) {
                cdf[r] /= sum;
            }
        }

        static synchronized ZipfKeys of(int n, double s) {
            if (last == null || last.n != n || last.s != s) {
                last = new ZipfKeys(n, s);
            }
            return last;
        }

        /** The rank (from 0) whose cumulative probability first reaches {@code u} in [0, 1). */
        int rank(double u) {
            int i = java.util.Arrays.binarySearch(cdf, u);
            return Math.min(n - 1, i >= 0 ? i : -i - 1);
        }
    }
}
