package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class LinearTest {

    @Test
    void computesXTimesWPlusBByHand() {
        // W = [[1, 2, 3], [4, 5, 6]] (in 2, out 3), b = [0.5, 0, -1], x = [1, -1]
        Linear l = new Linear(Tensor.of(DType.FLOAT64, new int[] {2, 3}, 1, 2, 3, 4, 5, 6),
                Tensor.vector(DType.FLOAT64, 0.5, 0, -1));
        assertThat(l.apply(new double[] {1, -1})).containsExactly(-2.5, -3, -4);
    }

    @Test
    void initialisesInoxStyle() {
        Linear l = Linear.create(16, 64, new Rng(0));
        double bound = 1 / Math.sqrt(16);
        assertThat(l.weight().shape()).containsExactly(16, 64);
        assertThat(l.weight().dtype()).isEqualTo(DType.FLOAT32);
        for (double w : l.weight().toArray()) {
            assertThat(Math.abs(w)).isLessThanOrEqualTo(bound);
        }
        assertThat(l.bias().toArray()).containsOnly(0.0);
    }

    @Test
    void sameSeedGivesSameWeightsAndOtherSeedsDiffer() {
        assertThat(Linear.create(4, 5, new Rng(42))).isEqualTo(Linear.create(4, 5, new Rng(42)));
        assertThat(Linear.create(4, 5, new Rng(42))).isNotEqualTo(Linear.create(4, 5, new Rng(43)));
    }

    @Test
    void perRecordAndBatchedPathsAgreeWithTheReferenceIncludingTheBias() {
        Linear seeded = Linear.create(5, 7, DType.FLOAT64, new Rng(3));
        double[] b = {0.5, -1.25, 2, 0.125, -3, 7.5, -0.75};
        Linear l = new Linear(seeded.weight(), Tensor.vector(DType.FLOAT64, b));
        double[][] x = {{1, 2, 3, 4, 5}, {-1, 0.5, 0, 2, -3}};
        INDArray batched = l.apply(Nd4j.create(x).castTo(DataType.DOUBLE));
        for (int r = 0; r < 2; r++) {
            double[] expected = new double[7];
            for (int j = 0; j < 7; j++) {
                expected[j] = b[j];
                for (int i = 0; i < 5; i++) {
                    expected[j] += x[r][i] * l.weight().get(i * 7 + j);
                }
            }
            assertThat(l.apply(x[r])).containsExactly(expected, within(1e-12));
            assertThat(batched.getRow(r).toDoubleVector()).containsExactly(expected, within(1e-12));
        }
        INDArray one = l.apply(Nd4j.createFromArray(x[0]));
        assertThat(one.shape()).containsExactly(7L);
        assertThat(one.toDoubleVector()).containsExactly(l.apply(x[0]), within(1e-12));
    }

    @Test
    void float32BatchedPathAddsTheBias() {
        Linear l = new Linear(Tensor.of(DType.FLOAT32, new int[] {2, 2}, 1, 0, 0, 1), Tensor.vector(DType.FLOAT32, 10, -20));
        INDArray y = l.apply(Nd4j.createFromArray(new float[][] {{1, 2}, {3, 4}}));
        assertThat(y.getRow(0).toDoubleVector()).containsExactly(11, -18);
        assertThat(y.getRow(1).toDoubleVector()).containsExactly(13, -16);
    }

    @Test
    void applyDoesNotMutateItsInput() {
        Linear l = Linear.create(3, 2, new Rng(1));
        double[] x = {1, 2, 3};
        l.apply(x);
        assertThat(x).containsExactly(1, 2, 3);
    }

    @Test
    void withoutBiasComputesXTimesWOnBothPathsAndHasNoBiasParameter() {
        // inox's bias=False. W = [[1, 2, 3], [4, 5, 6]], x = [1, -1]: x·W = [−3, −3, −3]
        Linear l = new Linear(Tensor.of(DType.FLOAT64, new int[] {2, 3}, 1, 2, 3, 4, 5, 6), null);
        assertThat(l.apply(new double[] {1, -1})).containsExactly(-3, -3, -3);
        assertThat(l.apply(Nd4j.createFromArray(new double[][] {{1, -1}, {0, 2}})).toDoubleMatrix())
                .isEqualTo(new double[][] {{-3, -3, -3}, {8, 10, 12}});
        assertThat(Parameters.of(Linear.create(2, 3, false, DType.FLOAT32, new Rng(0))).keySet())
                .containsExactly(".weight");
    }
}
