package org.flinox.bench;

import java.util.SortedMap;
import org.flinox.nn.MLP;
import org.flinox.nn.Parameters;
import org.flinox.nn.Tensor;

/**
 * The seed MLP's math in plain loops over preallocated arrays: Moments of the input, three
 * float32 linear layers with ReLU, Moments of the output. State is one packed array
 * {@code [inFirst[in], inSecond[in], outFirst[out], outSecond[out]]} updated in place. The
 * reference the per-record path is held to, and the body of the hand-written job.
 */
final class PlainMlp implements java.io.Serializable {
    private static final long serialVersionUID = 1L;
    private static final double M = 0.9; // Moments' default momentum

    private final int in;
    private final int hidden;
    private final int out;
    private final double[] w1;
    private final double[] b1;
    private final double[] w2;
    private final double[] b2;
    private final double[] w3;
    private final double[] b3;
    private transient double[] h1;
    private transient double[] h2;

    PlainMlp(MLP mlp) {
        SortedMap<String, Tensor> p = Parameters.of(mlp);
        w1 = p.get(".l1.weight").toArray();
        b1 = p.get(".l1.bias").toArray();
        w2 = p.get(".l2.weight").toArray();
        b2 = p.get(".l2.bias").toArray();
        w3 = p.get(".l3.weight").toArray();
        b3 = p.get(".l3.bias").toArray();
        in = w1.length / b1.length;
        hidden = b1.length;
        out = b3.length;
    }

    /** A fresh packed state: first moments 0, second moments 1. */
    double[] init() {
        double[] s = new double[2 * in + 2 * out];
        java.util.Arrays.fill(s, in, 2 * in, 1.0);
        java.util.Arrays.fill(s, 2 * in + out, 2 * in + 2 * out, 1.0);
        return s;
    }

    int out() {
        return out;
    }

    /** Updates {@code s} and writes the output into {@code y}. */
    void forward(double[] s, double[] x, double[] y) {
        if (h1 == null) {
            h1 = new double[hidden];
            h2 = new double[hidden];
        }
        moments(s, 0, in, x);
        linear(x, in, w1, b1, h1, true);
        linear(h1, hidden, w2, b2, h2, true);
        linear(h2, hidden, w3, b3, y, false);
        moments(s, 2 * in, out, y);
    }

    private static void linear(double[] x, int n, double[] w, double[] b, double[] y, boolean relu) {
        int m = b.length;
        System.arraycopy(b, 0, y, 0, m);
        for (int i = 0; i < n; i++) {
            double xi = x[i];
            int row = i * m;
            for (int j = 0; j < m; j++) {
                y[j] += xi * w[row + j];
            }
        }
        for (int j = 0; j < m; j++) {
            double v = (float) y[j];
            y[j] = relu && v < 0 ? 0.0 : v;
        }
    }

    private static void moments(double[] s, int at, int n, double[] x) {
        for (int i = 0; i < n; i++) {
            s[at + i] = (float) (M * s[at + i] + (1 - M) * x[i]);
            s[at + n + i] = (float) (M * s[at + n + i] + (1 - M) * x[i] * x[i]);
        }
    }
}
