package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.flinox.nn.Approx.assertClose;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LayerNormTest {

    /** (x − mean) / √(var + ε) · w + b with the biased variance, written out for the test. */
    private static double[] reference(double[] x, double[] w, double[] b, double eps) {
        int n = x.length;
        double mean = 0;
        for (double v : x) {
            mean += v / n;
        }
        double var = 0;
        for (double v : x) {
            var += (v - mean) * (v - mean) / n;
        }
        double[] y = new double[n];
        for (int i = 0; i < n; i++) {
            y[i] = (x[i] - mean) / Math.sqrt(var + eps) * (w == null ? 1 : w[i]) + (b == null ? 0 : b[i]);
        }
        return y;
    }

    @Test
    void layerNormMatchesHandComputedValues() {
        // x = 1, 2, 3, 4: mean 2.5, biased variance (2.25 + 0.25 + 0.25 + 2.25) / 4 = 1.25
        double s = Math.sqrt(1.25 + 1e-5);
        double[] expected = {-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s};
        LayerNorm norm = LayerNorm.create(4, false, 1e-5, DType.FLOAT64);
        assertClose(norm.apply(new double[] {1, 2, 3, 4}), expected, 1e-15);
        assertClose(Approx.values(norm.apply(Nd4j.createFromArray(1.0, 2.0, 3.0, 4.0))), expected, 1e-15);
    }

    @Test
    void layerNormUsesBiasedVarianceAndHonoursEps() {
        // x = 0, 2: mean 1, biased variance 1 (the unbiased one would be 2); ε = 3 → ±1/√4 = ±0.5
        LayerNorm norm = LayerNorm.create(2, false, 3.0, DType.FLOAT64);
        assertThat(norm.apply(new double[] {0, 2})).containsExactly(-0.5, 0.5);
        assertThat(Approx.values(norm.apply(Nd4j.createFromArray(0.0, 2.0)))).containsExactly(-0.5, 0.5);
    }

    @Test
    void layerNormAffineAppliesWeightAndBias() {
        // x = 1, 2, 3: mean 2, biased variance 2/3; z = (x − 2)/√(2/3 + ε); y = z·w + b
        double s = Math.sqrt(2.0 / 3 + 1e-5);
        double[] w = {2, 0.5, -1};
        double[] b = {1, 0, 3};
        double[] expected = {-1 / s * 2 + 1, 0 * 0.5 + 0, 1 / s * -1 + 3};
        LayerNorm norm = new LayerNorm(3, Tensor.vector(DType.FLOAT64, w), Tensor.vector(DType.FLOAT64, b),
                1e-5, DType.FLOAT64);
        assertClose(norm.apply(new double[] {1, 2, 3}), expected, 1e-15);
        assertClose(Approx.values(norm.apply(Nd4j.createFromArray(1.0, 2.0, 3.0))), expected, 1e-15);
    }

    @Test
    void layerNormDefaultsAreFloat32WithEpsOneE5AndOnesAndZeros() {
        LayerNorm affine = LayerNorm.create(3, true);
        assertThat(affine.eps()).isEqualTo(1e-5);
        assertThat(affine.dtype()).isEqualTo(DType.FLOAT32);
        assertThat(affine.weight()).isEqualTo(Tensor.ones(DType.FLOAT32, 3));
        assertThat(affine.bias()).isEqualTo(Tensor.zeros(DType.FLOAT32, 3));
        LayerNorm plain = LayerNorm.create(3, false);
        assertThat(plain.affine()).isFalse();
        assertThat(plain.weight()).isNull();
        assertThat(plain.bias()).isNull();
    }

    @Test
    void layerNormNormalizesEachRowOfABatchByItsOwnStatistics() {
        double[][] x = {{1, 2, 3}, {10, 20, 60}};
        INDArray y = LayerNorm.create(3, false, 1e-5, DType.FLOAT64).apply(Nd4j.createFromArray(x));
        assertThat(y.shape()).containsExactly(2, 3);
        assertClose(Approx.row(y, 0), reference(x[0], null, null, 1e-5), 1e-14);
        assertClose(Approx.row(y, 1), reference(x[1], null, null, 1e-5), 1e-14);
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void perRecordAndBatchedPathsAgree(DType dtype) {
        Random random = new Random(7);
        double[] w = new double[6];
        double[] b = new double[6];
        for (int j = 0; j < 6; j++) {
            w[j] = dtype.round(random.nextGaussian());
            b[j] = dtype.round(random.nextGaussian());
        }
        LayerNorm norm = new LayerNorm(6, Tensor.vector(dtype, w), Tensor.vector(dtype, b), 1e-5, dtype);
        double[][] x = new double[5][6];
        for (double[] r : x) {
            for (int j = 0; j < 6; j++) {
                r[j] = dtype.round(random.nextGaussian() * 10 + 3);
            }
        }
        INDArray batch = Nd4j.createFromArray(x).castTo(dtype.nd4j());
        INDArray y = norm.apply(batch);
        assertThat(y.dataType()).isEqualTo(dtype.nd4j());
        double tol = Approx.tolerance(dtype);
        for (int i = 0; i < x.length; i++) {
            double[] expected = reference(x[i], w, b, 1e-5);
            assertClose(norm.apply(x[i]), expected, tol);
            assertClose(Approx.row(y, i), expected, tol);
            INDArray v = norm.apply(Nd4j.createFromArray(x[i]).castTo(dtype.nd4j()));
            assertThat(v.shape()).containsExactly(6);
            assertClose(Approx.values(v), expected, tol);
        }
    }

    @Test
    void inputsAreNotMutated() {
        LayerNorm norm = LayerNorm.create(3, true);
        double[] x = {1, 5, -2};
        norm.apply(x);
        assertThat(x).containsExactly(1, 5, -2);
        INDArray batch = Nd4j.createFromArray(new float[][] {{1, 5, -2}, {0, 0, 1}});
        INDArray before = batch.dup();
        norm.apply(batch);
        assertThat(batch).isEqualTo(before);
        assertThat(norm.weight()).isEqualTo(Tensor.ones(DType.FLOAT32, 3));
    }

    @Test
    void layerNormRejectsTheWrongWidth() {
        LayerNorm norm = LayerNorm.create(3, false);
        assertThatThrownBy(() -> norm.apply(new double[] {1, 2}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 features, got 2");
        assertThatThrownBy(() -> norm.apply(Nd4j.createFromArray(new float[][] {{1, 2}})))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("3 features, got 2");
        assertThat(norm.apply(Nd4j.createFromArray(1f, 2f, 3f)).dataType()).isEqualTo(DataType.FLOAT);
    }
}
