package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.nd4j.linalg.api.ndarray.INDArray;

/** Element-wise comparisons with a tolerance relative to max(1, |expected|). */
final class Approx {
    /** float32 paths: a few float ulps. */
    static final double F32 = 1e-6;
    /** float64 paths. */
    static final double F64 = 1e-12;

    private Approx() {}

    static double tolerance(DType dtype) {
        return dtype == DType.FLOAT32 ? F32 : F64;
    }

    static void assertClose(double[] actual, double[] expected, double tol) {
        assertThat(actual).hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(actual[i]).as("element %d", i)
                    .isCloseTo(expected[i], within(tol * Math.max(1, Math.abs(expected[i]))));
        }
    }

    static void assertClose(double actual, double expected, double tol) {
        assertThat(actual).isCloseTo(expected, within(tol * Math.max(1, Math.abs(expected))));
    }

    /** Row {@code i} of a {@code [B, F]} array. */
    static double[] row(INDArray m, int i) {
        return m.getRow(i).dup().toDoubleVector();
    }

    /** The values of a rank-1 array. */
    static double[] values(INDArray v) {
        return v.dup().toDoubleVector();
    }
}
