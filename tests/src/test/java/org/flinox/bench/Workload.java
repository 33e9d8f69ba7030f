package org.flinox.bench;

import org.apache.flink.api.common.functions.MapFunction;
import org.flinox.operators.FeatureRecord;

/**
 * Deterministic records: record {@code i} belongs to key {@code i mod keys} and carries 16
 * features from a hash of {@code (i, j)}, so every run and every job sees the same stream.
 */
record Workload(int keys) implements MapFunction<Long, FeatureRecord> {

    @Override
    public FeatureRecord map(Long i) {
        return new FeatureRecord("k" + (i % keys), "bench", i, null, features(i));
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
}
