package org.flinox.job.report;

import java.util.Arrays;

/**
 * Which points of a long series to draw: all of them up to {@code max}; beyond, the first and
 * last and, in each of {@code max / 2 - 1} equal runs of points between them, the lowest and the
 * highest (so a spike is never smoothed away). Only points of the series are drawn, never
 * averages, and the plot states how many of how many it shows.
 */
final class Downsample {
    private Downsample() {}

    /** Indices into {@code y}, ascending, at most {@code max} (at least 4) of them. */
    static int[] minMax(double[] y, int max) {
        int n = y.length;
        if (n <= max) {
            int[] all = new int[n];
            Arrays.setAll(all, i -> i);
            return all;
        }
        int buckets = Math.max(1, max / 2 - 1);
        int[] picked = new int[2 * buckets + 2];
        int count = 0;
        picked[count++] = 0;
        int inner = n - 2; // points 1 .. n-2
        for (int b = 0; b < buckets; b++) {
            int from = 1 + (int) ((long) inner * b / buckets);
            int to = 1 + (int) ((long) inner * (b + 1) / buckets); // exclusive
            if (from >= to) {
                continue;
            }
            int lo = from;
            int hi = from;
            for (int i = from + 1; i < to; i++) {
                if (y[i] < y[lo]) {
                    lo = i;
                }
                if (y[i] > y[hi]) {
                    hi = i;
                }
            }
            picked[count++] = Math.min(lo, hi);
            if (hi != lo) {
                picked[count++] = Math.max(lo, hi);
            }
        }
        picked[count++] = n - 1;
        return Arrays.copyOf(picked, count);
    }
}
