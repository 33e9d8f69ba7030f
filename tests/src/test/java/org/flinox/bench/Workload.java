package org.flinox.bench;

import org.apache.flink.api.common.functions.MapFunction;
import org.flinox.operators.FeatureRecord;

/**
 * Deterministic records: record {@code i} carries 16 features from a hash of {@code (i, j)}
 * and belongs to key {@code i mod keys} (uniform) or, with a Zipf exponent s, to a key drawn
 * from a hash of {@code i} with probability ∝ 1/rank^s; every run and every job sees the same
 * stream.
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
        long key = zipf == 0 ? i % keys : zipfRank(keys, zipf, (unit(~i) + 1) / 2);
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

    /**
     * The rank (from 0) of a continuous power law with exponent s over [1, n + 1) at quantile
     * {@code u}, by its inverse CDF: the Zipf(s) distribution up to the discreteness of the
     * head (one {@code pow}, no table, so the generator stays far faster than the operators).
     */
    static long zipfRank(int n, double s, double u) {
        double top = Math.pow(n + 1.0, 1 - s) - 1;
        double x = Math.pow(1 + u * top, 1 / (1 - s));
        return Math.min(n - 1, (long) x - 1);
    }
}
