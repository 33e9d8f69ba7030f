package org.flinox.bench;

/**
 * Cumulative standardization in plain loops over one packed array {@code [count, mean[n], m2[n]]}
 * updated in place: the reference for Standardize's math and the body of the hand-written job.
 */
final class PlainWelford {

    private PlainWelford() {}

    /** A fresh packed state for {@code n} features. */
    static double[] init(int n) {
        return new double[1 + 2 * n];
    }

    /** Updates {@code s} with {@code x} and writes the z-scores into {@code z}. */
    static void update(double[] s, double[] x, double[] z) {
        int n = x.length;
        double count = s[0] + 1;
        s[0] = count;
        for (int i = 0; i < n; i++) {
            double mean = s[1 + i];
            double delta = x[i] - mean;
            double m = mean + delta / count;
            double m2 = s[1 + n + i] + delta * (x[i] - m);
            s[1 + i] = m;
            s[1 + n + i] = m2;
            z[i] = m2 > 0 ? (x[i] - m) / Math.sqrt(m2 / count) : 0.0;
        }
    }
}
