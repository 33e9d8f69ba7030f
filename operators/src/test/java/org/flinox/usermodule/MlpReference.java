package org.flinox.usermodule;

import org.example.modules.MLP;
import org.example.modules.Moments;

/**
 * inox's example MLP in plain loops, from a built {@link MLP}'s weights: the reference its
 * tests hold it to. Each layer {@code f32(x·W + b)}, ReLU between them, and both
 * {@code Moments} as {@code f32(m·first + (1 − m)·x)}, {@code f32(m·second + (1 − m)·x²)}
 * with m = 0.9. One instance is one stream key's state.
 */
final class MlpReference {
    private static final double M = 0.9;

    private final double[][] weights;
    private final double[][] biases;
    private final int[] widths; // in, hidden, hidden, out
    final double[] inFirst;
    final double[] inSecond;
    final double[] outFirst;
    final double[] outSecond;

    MlpReference(MLP mlp) {
        weights = new double[][] {mlp.l1().weight().toArray(), mlp.l2().weight().toArray(), mlp.l3().weight().toArray()};
        biases = new double[][] {mlp.l1().bias().toArray(), mlp.l2().bias().toArray(), mlp.l3().bias().toArray()};
        widths = new int[] {mlp.l1().in(), mlp.l1().out(), mlp.l2().out(), mlp.l3().out()};
        inFirst = new double[widths[0]];
        inSecond = ones(widths[0]);
        outFirst = new double[widths[3]];
        outSecond = ones(widths[3]);
    }

    /** One record: the output, and this key's moments moved. */
    double[] forward(double[] x) {
        observe(inFirst, inSecond, x);
        double[] h = x;
        for (int layer = 0; layer < 3; layer++) {
            int in = widths[layer];
            int out = widths[layer + 1];
            double[] y = new double[out];
            for (int j = 0; j < out; j++) {
                double sum = biases[layer][j];
                for (int i = 0; i < in; i++) {
                    sum += h[i] * weights[layer][i * out + j];
                }
                y[j] = layer < 2 ? Math.max((float) sum, 0.0) : (float) sum;
            }
            h = y;
        }
        observe(outFirst, outSecond, h);
        return h;
    }

    private static void observe(double[] first, double[] second, double[] x) {
        for (int i = 0; i < x.length; i++) {
            first[i] = (float) (M * first[i] + (1 - M) * x[i]);
            second[i] = (float) (M * second[i] + (1 - M) * x[i] * x[i]);
        }
    }

    private static double[] ones(int n) {
        double[] a = new double[n];
        java.util.Arrays.fill(a, 1);
        return a;
    }
}
