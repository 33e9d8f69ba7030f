package org.flinox.tests;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The pinned normalization math, written independently of the code under test: two passes
 * over each key's records so far for cumulative, the plain recurrence for ema.
 */
final class Reference {

    private Reference() {}

    /** One input record: key, its position, its features. */
    record Row(String key, String source, long seq, double[] x) {}

    /** Cumulative z-scores: per key, two-pass population mean/variance over every prefix. */
    static Map<String, double[]> cumulative(List<Row> rows) {
        Map<String, List<double[]>> seen = new HashMap<>();
        Map<String, double[]> out = new HashMap<>();
        for (Row r : rows) {
            List<double[]> prefix = seen.computeIfAbsent(r.key(), k -> new ArrayList<>());
            prefix.add(r.x());
            double[] z = new double[r.x().length];
            for (int j = 0; j < z.length; j++) {
                double mean = 0;
                for (double[] p : prefix) {
                    mean += p[j];
                }
                mean /= prefix.size();
                double var = 0;
                for (double[] p : prefix) {
                    var += (p[j] - mean) * (p[j] - mean);
                }
                var /= prefix.size();
                z[j] = var == 0 ? 0 : (r.x()[j] - mean) / Math.sqrt(var);
            }
            out.put(id(r.source(), r.seq()), z);
        }
        return out;
    }

    /** Ema z-scores: first ← m·first + (1−m)·x, second likewise with x², from 0 and 1. */
    static Map<String, double[]> ema(List<Row> rows, double m, double eps) {
        Map<String, double[][]> moments = new HashMap<>();
        Map<String, double[]> out = new HashMap<>();
        for (Row r : rows) {
            int f = r.x().length;
            double[][] s = moments.computeIfAbsent(r.key(), k -> new double[][] {new double[f], ones(f)});
            double[] z = new double[f];
            for (int j = 0; j < f; j++) {
                double x = r.x()[j];
                s[0][j] = m * s[0][j] + (1 - m) * x;
                s[1][j] = m * s[1][j] + (1 - m) * x * x;
                z[j] = (x - s[0][j]) / Math.sqrt(Math.max(s[1][j] - s[0][j] * s[0][j], 0) + eps);
            }
            out.put(id(r.source(), r.seq()), z);
        }
        return out;
    }

    /**
     * The cumulative state each key ends with: {@code .count}, {@code .mean} and {@code .m2}
     * (the sum of squared deviations), by two passes over the key's records.
     */
    static Map<String, Map<String, double[]>> cumulativeState(List<Row> rows) {
        Map<String, List<double[]>> byKey = new java.util.TreeMap<>();
        rows.forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.x()));
        Map<String, Map<String, double[]>> out = new java.util.TreeMap<>();
        byKey.forEach((key, xs) -> {
            int f = xs.get(0).length;
            double[] mean = new double[f];
            double[] m2 = new double[f];
            for (int j = 0; j < f; j++) {
                for (double[] x : xs) {
                    mean[j] += x[j];
                }
                mean[j] /= xs.size();
                for (double[] x : xs) {
                    m2[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
                }
            }
            out.put(key, Map.of(".count", new double[] {xs.size()}, ".mean", mean, ".m2", m2));
        });
        return out;
    }

    static String id(String source, long seq) {
        return source + "#" + seq;
    }

    private static double[] ones(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}
