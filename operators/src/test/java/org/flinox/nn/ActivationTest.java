package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.flinox.nn.Approx.assertClose;

import java.util.List;
import java.util.Random;
import java.util.function.DoubleUnaryOperator;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class ActivationTest {

    /** Moderate inputs, exact in float32, where the naive textbook formulas below are accurate. */
    private static final double[] POINTS = {-6, -2.5, -1, -0.125, 0, 0.375, 1, 3, 6};

    /** Each element-wise activation with its textbook formula, written here with Math.*. */
    static Stream<Arguments> elementwise() {
        double c = Math.sqrt(2 / Math.PI);
        return Stream.of(
                Arguments.of(new Activation.Identity(), (DoubleUnaryOperator) x -> x),
                Arguments.of(new Activation.ReLU(), (DoubleUnaryOperator) x -> x > 0 ? x : 0),
                Arguments.of(new Activation.LeakyReLU(), (DoubleUnaryOperator) x -> x > 0 ? x : 0.01 * x),
                Arguments.of(new Activation.LeakyReLU(0.3), (DoubleUnaryOperator) x -> x > 0 ? x : 0.3 * x),
                Arguments.of(new Activation.ELU(), (DoubleUnaryOperator) x -> x > 0 ? x : Math.exp(x) - 1),
                Arguments.of(new Activation.ELU(2.5), (DoubleUnaryOperator) x -> x > 0 ? x : 2.5 * (Math.exp(x) - 1)),
                Arguments.of(new Activation.GELU(),
                        (DoubleUnaryOperator) x -> 0.5 * x * (1 + Math.tanh(c * (x + 0.044715 * Math.pow(x, 3))))),
                Arguments.of(new Activation.SiLU(), (DoubleUnaryOperator) x -> x / (1 + Math.exp(-x))),
                Arguments.of(new Activation.Tanh(),
                        (DoubleUnaryOperator) x -> (Math.exp(x) - Math.exp(-x)) / (Math.exp(x) + Math.exp(-x))),
                Arguments.of(new Activation.Sigmoid(), (DoubleUnaryOperator) x -> 1 / (1 + Math.exp(-x))),
                Arguments.of(new Activation.Softplus(), (DoubleUnaryOperator) x -> Math.log(1 + Math.exp(x))));
    }

    static Stream<Activation> all() {
        return Stream.concat(elementwise().map(a -> (Activation) a.get()[0]), Stream.of(new Activation.Softmax()));
    }

    @ParameterizedTest
    @MethodSource("elementwise")
    void elementwiseActivationsMatchTheirFormula(Activation activation, DoubleUnaryOperator formula) {
        double[] expected = new double[POINTS.length];
        for (int i = 0; i < POINTS.length; i++) {
            expected[i] = formula.applyAsDouble(POINTS[i]);
        }
        assertClose(activation.apply(POINTS), expected, 1e-12);
        assertClose(Approx.values(activation.apply(Nd4j.createFromArray(POINTS))), expected, 1e-12);
    }

    @Test
    void reluZeroesNegativesAndKeepsPositives() {
        assertThat(new Activation.ReLU().apply(new double[] {-2, 0, 3.5})).containsExactly(0, 0, 3.5);
    }

    @Test
    void leakyReluDefaultSlopeIsOneHundredth() {
        assertThat(new Activation.LeakyReLU().slope()).isEqualTo(0.01);
        assertClose(new Activation.LeakyReLU().apply(new double[] {-2, 3}), new double[] {-0.02, 3}, 1e-15);
    }

    @Test
    void eluHonoursAlpha() {
        // α = 2: x = −1 → 2·(e⁻¹ − 1) = −1.2642411176571153; x = 2 → 2
        assertClose(new Activation.ELU(2).apply(new double[] {-1, 2}), new double[] {-1.2642411176571153, 2}, 1e-15);
        INDArray batched = new Activation.ELU(2).apply(Nd4j.createFromArray(-1.0, 2.0));
        assertClose(Approx.values(batched), new double[] {-1.2642411176571153, 2}, 1e-15);
    }

    @Test
    void eluSaturatesAtMinusAlphaForLargeNegativeInputs() {
        assertClose(new Activation.ELU(1.5).apply(new double[] {-60}), new double[] {-1.5}, 1e-15);
        assertClose(Approx.values(new Activation.ELU(1.5).apply(Nd4j.createFromArray(-60.0))), new double[] {-1.5}, 1e-15);
    }

    @Test
    void geluUsesTanhApproximation() {
        // 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))) at ±1 (Python's math module);
        // the exact erf form would give 0.8413447460685429 at 1.
        double[] expected = {0.8411919906082768, -0.15880800939172324};
        assertClose(new Activation.GELU().apply(new double[] {1, -1}), expected, 1e-15);
        assertClose(Approx.values(new Activation.GELU().apply(Nd4j.createFromArray(1.0, -1.0))), expected, 1e-15);
        assertClose(Approx.values(new Activation.GELU().apply(Nd4j.createFromArray(1f, -1f))), expected, 1e-6);
    }

    @Test
    void geluTendsToIdentityAndZeroForLargeInputs() {
        double[] y = new Activation.GELU().apply(new double[] {20, -20});
        assertThat(y[0]).isEqualTo(20);
        assertThat(y[1]).isCloseTo(0, org.assertj.core.api.Assertions.within(1e-12));
    }

    @Test
    void sigmoidAndSiluDoNotOverflowForLargeInputs() {
        assertThat(new Activation.Sigmoid().apply(new double[] {-800, 800})).containsExactly(0, 1);
        assertThat(new Activation.SiLU().apply(new double[] {-800, 800})).containsExactly(-0.0, 800);
        INDArray y = new Activation.Sigmoid().apply(Nd4j.createFromArray(-800.0, 800.0));
        assertThat(Approx.values(y)).containsExactly(0, 1);
    }

    @Test
    void softplusIsStableForLargeInputs() {
        // log(1 + e¹⁰⁰⁰) = 1000 (the naive formula overflows to ∞); log(1 + e⁻³⁰) = 9.357622968839737e-14
        // (Python: math.log1p(math.exp(-30))); log(1 + e⁰) = ln 2
        double[] x = {1000, -30, 0, -1000};
        double[] expected = {1000, 9.357622968839737e-14, 0.6931471805599453, 0};
        double[] y = new Activation.Softplus().apply(x);
        assertClose(y, expected, 1e-15);
        assertThat(y[1]).isCloseTo(9.357622968839737e-14, org.assertj.core.api.Assertions.within(1e-27));
        assertClose(Approx.values(new Activation.Softplus().apply(Nd4j.createFromArray(x))), expected, 1e-15);
        INDArray f = new Activation.Softplus().apply(Nd4j.createFromArray(1000f, -30f, 0f, -1000f));
        assertThat(f.dataType()).isEqualTo(DataType.FLOAT);
        assertClose(Approx.values(f), expected, 1e-6);
    }

    @Test
    void softmaxMatchesHandComputedValues() {
        // e¹, e², e³ over their sum
        double s = Math.exp(1) + Math.exp(2) + Math.exp(3);
        double[] expected = {Math.exp(1) / s, Math.exp(2) / s, Math.exp(3) / s};
        assertClose(new Activation.Softmax().apply(new double[] {1, 2, 3}), expected, 1e-15);
        assertClose(Approx.values(new Activation.Softmax().apply(Nd4j.createFromArray(1.0, 2.0, 3.0))), expected, 1e-15);
    }

    @Test
    void softmaxIsPerRowForBatches() {
        // row 0: equal logits → ½, ½; row 1: logits 0 and ln 3 → 1/4, 3/4
        INDArray x = Nd4j.createFromArray(new double[][] {{0, 0}, {0, Math.log(3)}});
        INDArray y = new Activation.Softmax().apply(x);
        assertThat(y.shape()).containsExactly(2, 2);
        assertClose(Approx.row(y, 0), new double[] {0.5, 0.5}, 1e-15);
        assertClose(Approx.row(y, 1), new double[] {0.25, 0.75}, 1e-15);
    }

    @Test
    void softmaxRowsSumToOne() {
        INDArray x = Nd4j.createFromArray(new float[][] {{1, 2, 3, 4}, {-5, 0.5f, 7, 7}, {1000, 1000, 1000, 999}});
        INDArray y = new Activation.Softmax().apply(x);
        for (int i = 0; i < 3; i++) {
            double sum = 0;
            for (double v : Approx.row(y, i)) {
                sum += v;
            }
            assertClose(sum, 1, 1e-6);
        }
    }

    @Test
    void softmaxIsStableForLargeInputs() {
        // logits 1000 and 1001 (e¹⁰⁰⁰ overflows): the same as logits 0 and 1 → 1/(1+e), e/(1+e)
        double e = Math.E;
        double[] expected = {1 / (1 + e), e / (1 + e)};
        assertClose(new Activation.Softmax().apply(new double[] {1000, 1001}), expected, 1e-15);
        assertClose(Approx.values(new Activation.Softmax().apply(Nd4j.createFromArray(1000.0, 1001.0))), expected, 1e-15);
        assertClose(Approx.values(new Activation.Softmax().apply(Nd4j.createFromArray(1000f, 1001f))), expected, 1e-6);
    }

    @ParameterizedTest
    @MethodSource("all")
    void perRecordAndBatchedPathsAgree(Activation activation) {
        Random random = new Random(42);
        int rows = 4;
        int features = 5;
        double[][] x = new double[rows][features];
        for (double[] r : x) {
            for (int j = 0; j < features; j++) {
                r[j] = Math.round(random.nextGaussian() * 3 * 256) / 256.0; // exact in float32
            }
        }
        x[0][0] = 40;
        x[1][1] = -40;
        INDArray doubles = Nd4j.createFromArray(x);
        INDArray floats = doubles.castTo(DataType.FLOAT);
        INDArray yd = activation.apply(doubles);
        INDArray yf = activation.apply(floats);
        assertThat(yd.dataType()).isEqualTo(DataType.DOUBLE);
        assertThat(yf.dataType()).isEqualTo(DataType.FLOAT);
        assertThat(yd.shape()).containsExactly(rows, features);
        assertThat(yf.shape()).containsExactly(rows, features);
        for (int i = 0; i < rows; i++) {
            double[] expected = activation.apply(x[i]);
            assertClose(Approx.row(yd, i), expected, Approx.F64);
            assertClose(Approx.row(yf, i), expected, Approx.F32);
            INDArray vd = activation.apply(Nd4j.createFromArray(x[i]));
            INDArray vf = activation.apply(Nd4j.createFromArray(x[i]).castTo(DataType.FLOAT));
            assertThat(vd.shape()).containsExactly(features);
            assertThat(vf.shape()).containsExactly(features);
            assertThat(vf.dataType()).isEqualTo(DataType.FLOAT);
            assertClose(Approx.values(vd), expected, Approx.F64);
            assertClose(Approx.values(vf), expected, Approx.F32);
        }
    }

    @ParameterizedTest
    @MethodSource("all")
    void inputsAreNotMutated(Activation activation) {
        double[] x = {-3, -0.5, 0, 0.5, 3};
        double[] copy = x.clone();
        double[] y = activation.apply(x);
        assertThat(x).containsExactly(copy);
        assertThat(y).isNotSameAs(x);

        for (DataType type : List.of(DataType.FLOAT, DataType.DOUBLE)) {
            INDArray vector = Nd4j.createFromArray(copy).castTo(type);
            INDArray matrix = Nd4j.createFromArray(new double[][] {copy, copy}).castTo(type);
            INDArray vectorBefore = vector.dup();
            INDArray matrixBefore = matrix.dup();
            INDArray yv = activation.apply(vector);
            INDArray ym = activation.apply(matrix);
            assertThat(vector).isEqualTo(vectorBefore);
            assertThat(matrix).isEqualTo(matrixBefore);
            // writing to the output leaves the input alone too
            yv.addi(1);
            ym.addi(1);
            assertThat(vector).isEqualTo(vectorBefore);
            assertThat(matrix).isEqualTo(matrixBefore);
        }
    }

    @Test
    void byNameMapsEveryNameToItsDefault() {
        assertThat(Activation.byName("identity")).isEqualTo(new Activation.Identity());
        assertThat(Activation.byName("relu")).isEqualTo(new Activation.ReLU());
        assertThat(Activation.byName("leakyrelu")).isEqualTo(new Activation.LeakyReLU(0.01));
        assertThat(Activation.byName("elu")).isEqualTo(new Activation.ELU(1.0));
        assertThat(Activation.byName("gelu")).isEqualTo(new Activation.GELU());
        assertThat(Activation.byName("silu")).isEqualTo(new Activation.SiLU());
        assertThat(Activation.byName("tanh")).isEqualTo(new Activation.Tanh());
        assertThat(Activation.byName("sigmoid")).isEqualTo(new Activation.Sigmoid());
        assertThat(Activation.byName("softplus")).isEqualTo(new Activation.Softplus());
        assertThat(Activation.byName("softmax")).isEqualTo(new Activation.Softmax());
    }

    @Test
    void byNameRejectsUnknownNamesListingTheValidOnes() {
        assertThatThrownBy(() -> Activation.byName("swish"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'swish'")
                .hasMessageContaining("identity, relu, leakyrelu, elu, gelu, silu, tanh, sigmoid, softplus, softmax");
    }

    @Test
    void onlyLeakyReluAndEluTakeAParameterUnderInoxsNameFirst() {
        assertThat(Activation.parameterNames("leakyrelu")).containsExactly("alpha", "slope");
        assertThat(Activation.parameterNames("elu")).containsExactly("alpha");
        assertThat(Activation.NAMES.stream().filter(n -> !Activation.parameterNames(n).isEmpty()))
                .containsExactly("leakyrelu", "elu");
        assertThat(Activation.byName("leakyrelu", 0.2)).isEqualTo(new Activation.LeakyReLU(0.2));
        assertThat(Activation.byName("elu", 0.5)).isEqualTo(new Activation.ELU(0.5));
        assertThatThrownBy(() -> Activation.byName("relu", 0.5))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("activation 'relu' takes no parameter");
    }

    @Test
    void activationsPassStateThroughUntouched() {
        State state = State.empty();
        Result<double[]> r = new Activation.ReLU().forward(new double[] {-1, 1}, state);
        assertThat(r.state()).isSameAs(state);
        assertThat(r.output()).containsExactly(0, 1);
    }
}
