package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/** A tensor holds values of its dtype by construction, whichever way it is made. */
class TensorTest {

    /** 0.1 is no float32: the nearest one is 0.100000001490116..., a different double. */
    private static final double TENTH = 0.1;
    private static final double TENTH_F32 = (float) 0.1;

    @Test
    void theTestsValueIsNotAFloat32() {
        assertThat(TENTH_F32).isNotEqualTo(TENTH);
    }

    @Test
    void everyFactoryRoundsToFloat32() {
        Tensor template = Tensor.zeros(DType.FLOAT32, 2);
        assertThat(template.like(new double[] {TENTH, 1}).toArray()).containsExactly(TENTH_F32, 1);
        assertThat(Tensor.adopt(DType.FLOAT32, new int[] {2}, new double[] {TENTH, 1}).toArray())
                .containsExactly(TENTH_F32, 1);
        assertThat(Tensor.of(DType.FLOAT32, new int[] {2}, TENTH, 1).toArray()).containsExactly(TENTH_F32, 1);
        assertThat(Tensor.vector(DType.FLOAT32, TENTH).get(0)).isEqualTo(TENTH_F32);
        assertThat(Tensor.full(DType.FLOAT32, TENTH, 3).toArray()).containsOnly(TENTH_F32);
        assertThat(Tensor.vector(DType.FLOAT64, TENTH).cast(DType.FLOAT32).get(0)).isEqualTo(TENTH_F32);
        assertThat(Tensor.of(Nd4j.createFromArray((float) TENTH)).get(0)).isEqualTo(TENTH_F32);
    }

    @Test
    void float64KeepsEveryDouble() {
        Tensor template = Tensor.zeros(DType.FLOAT64, 1);
        assertThat(template.like(new double[] {TENTH}).get(0)).isEqualTo(TENTH);
        assertThat(Tensor.adopt(DType.FLOAT64, new int[] {1}, new double[] {TENTH}).get(0)).isEqualTo(TENTH);
    }

    @Test
    void aFloat32TensorBuiltFromUnroundedValuesEqualsOneBuiltFromTheirFloats() {
        Tensor fromDoubles = Tensor.zeros(DType.FLOAT32, 2).like(new double[] {TENTH, 1.0 / 3});
        Tensor fromFloats = Tensor.vector(DType.FLOAT32, (float) TENTH, (float) (1.0 / 3));
        assertThat(fromDoubles).isEqualTo(fromFloats);
    }

    @Test
    void likeRefusesAnotherSize() {
        assertThatThrownBy(() -> Tensor.zeros(DType.FLOAT32, 2).like(new double[3]))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("float32[2] holds 2 values, got 3");
    }

    @Test
    void likeKeepsTheShape() {
        Tensor t = Tensor.zeros(DType.FLOAT64, 2, 2).like(new double[] {1, 2, 3, 4});
        assertThat(t.shape()).containsExactly(2, 2);
        assertThat(t.layout()).isEqualTo("float64[2, 2]");
    }

    @Test
    void asINDArrayIsOneSharedArrayAndToINDArrayACopy() {
        Tensor t = Tensor.vector(DType.FLOAT32, 1, 2);
        INDArray view = t.asINDArray();
        assertThat(t.asINDArray()).isSameAs(view);
        assertThat(view.toDoubleVector()).containsExactly(1, 2);
        INDArray copy = t.toINDArray();
        copy.putScalar(0, 99);
        assertThat(t.get(0)).isEqualTo(1);
        assertThat(t.asINDArray().getDouble(0)).isEqualTo(1);
    }
}
