package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class StandardizeTest {

    /** Two-pass population z-score of the last row of {@code rows[0..end]} (ddof 0, 0 where var = 0). */
    private static double[] twoPassZ(List<double[]> rows, int end) {
        int f = rows.get(0).length;
        double[] z = new double[f];
        for (int j = 0; j < f; j++) {
            double sum = 0;
            for (int r = 0; r <= end; r++) {
                sum += rows.get(r)[j];
            }
            double mean = sum / (end + 1);
            double sq = 0;
            for (int r = 0; r <= end; r++) {
                double d = rows.get(r)[j] - mean;
                sq += d * d;
            }
            double var = sq / (end + 1);
            z[j] = var == 0 ? 0 : (rows.get(end)[j] - mean) / Math.sqrt(var);
        }
        return z;
    }

    private static List<double[]> randomRows(int n, int features, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<double[]> rows = new ArrayList<>();
        for (int r = 0; r < n; r++) {
            double[] row = new double[features];
            for (int j = 0; j < features; j++) {
                row[j] = 100 * random.nextDouble() - 30;
            }
            rows.add(row);
        }
        return rows;
    }

    @Test
    void cumulativeEqualsTwoPassStatisticsOverEveryPrefix() {
        var exported = StateExport.exportState(Standardize.create(4));
        List<double[]> rows = randomRows(200, 4, 7);
        State state = exported.state();
        for (int r = 0; r < rows.size(); r++) {
            Result<double[]> out = exported.module().forward(rows.get(r), state);
            state = out.state();
            double[] expected = twoPassZ(rows, r);
            for (int j = 0; j < 4; j++) {
                assertThat(out.output()[j]).as("record %d feature %d", r, j).isCloseTo(expected[j], within(1e-9));
            }
        }
    }

    @Test
    void cumulativeMapsAKeysFirstRecordToZero() {
        var exported = StateExport.exportState(Standardize.create(3));
        double[] z = exported.module().forward(new double[] {5, -2, 1e9}, exported.state()).output();
        assertThat(z).containsExactly(0.0, 0.0, 0.0);
    }

    @Test
    void cumulativeMapsAConstantFeatureToZero() {
        var exported = StateExport.exportState(Standardize.create(2));
        State state = exported.state();
        double[] z = null;
        for (int r = 0; r < 10; r++) {
            Result<double[]> out = exported.module().forward(new double[] {3.25, r}, state);
            state = out.state();
            z = out.output();
        }
        assertThat(z[0]).isEqualTo(0.0);
        // second feature 0..9: mean 4.5, population variance 8.25
        assertThat(z[1]).isCloseTo((9 - 4.5) / Math.sqrt(8.25), within(1e-12));
    }

    @Test
    void cumulativeOnTwoRecordsIsPlusMinusOne() {
        // x = 1 then 3: mean 2, population variance 1, so z = (3 - 2) / 1
        var exported = StateExport.exportState(Standardize.create(1));
        State s = exported.module().forward(new double[] {1}, exported.state()).state();
        assertThat(exported.module().forward(new double[] {3}, s).output()).containsExactly(1.0);
    }

    @Test
    void cumulativeStateIsCountMeanAndM2InFloat64() {
        var exported = StateExport.exportState(Standardize.create(2));
        assertThat(exported.state().keys()).extracting(StateKey::name).containsExactly(".count", ".m2", ".mean");
        for (var e : exported.state()) {
            assertThat(e.getValue().dtype()).isEqualTo(DType.FLOAT64);
        }
        State s = exported.module().forward(new double[] {1, 2}, exported.state()).state();
        s = exported.module().forward(new double[] {3, 2}, s).state();
        assertThat(s.get(new StateKey(".count")).toArray()).containsExactly(2.0);
        assertThat(s.get(new StateKey(".mean")).toArray()).containsExactly(2.0, 2.0);
        assertThat(s.get(new StateKey(".m2")).toArray()).containsExactly(2.0, 0.0);
    }

    @Test
    void emaFollowsTheMomentsRecurrenceThenNormalizes() {
        double m = 0.8;
        double eps = 1e-5;
        var exported = StateExport.exportState(Standardize.create(3, Standardize.Mode.EMA, m, eps));
        List<double[]> rows = randomRows(50, 3, 11);
        double[] first = {0, 0, 0};
        double[] second = {1, 1, 1};
        State state = exported.state();
        for (double[] x : rows) {
            Result<double[]> out = exported.module().forward(x, state);
            state = out.state();
            for (int j = 0; j < 3; j++) {
                first[j] = m * first[j] + (1 - m) * x[j];
                second[j] = m * second[j] + (1 - m) * x[j] * x[j];
                double expected = (x[j] - first[j]) / Math.sqrt(Math.max(second[j] - first[j] * first[j], 0) + eps);
                assertThat(out.output()[j]).isCloseTo(expected, within(1e-12));
            }
        }
    }

    @Test
    void emaFirstRecordByHand() {
        // first = 0.1·2 = 0.2, second = 0.9 + 0.1·4 = 1.3, var = 1.3 − 0.04 = 1.26
        var exported = StateExport.exportState(Standardize.create(1, Standardize.Mode.EMA, 0.9, 0));
        double z = exported.module().forward(new double[] {2}, exported.state()).output()[0];
        assertThat(z).isCloseTo(1.8 / Math.sqrt(1.26), within(1e-12));
    }

    @Test
    void batchedPathEqualsPerRecordPathForBothModes() {
        for (Standardize.Mode mode : Standardize.Mode.values()) {
            var exported = StateExport.exportState(Standardize.create(3, mode, 0.9, 1e-5));
            Standardize module = exported.module();
            List<double[]> rows = randomRows(12, 3, 3);
            // three stream keys, four records each, processed as four batches of three rows
            List<State> perKey = new ArrayList<>(List.of(exported.state(), exported.state(), exported.state()));
            State stacked = State.stack(perKey);
            for (int step = 0; step < 4; step++) {
                double[][] batch = new double[3][];
                for (int k = 0; k < 3; k++) {
                    batch[k] = rows.get(step * 3 + k);
                }
                INDArray x = Nd4j.create(batch).castTo(DataType.DOUBLE);
                Result<INDArray> batched = module.forward(x, stacked);
                stacked = batched.state();
                for (int k = 0; k < 3; k++) {
                    Result<double[]> single = module.forward(batch[k], perKey.get(k));
                    perKey.set(k, single.state());
                    assertThat(batched.output().getRow(k).toDoubleVector())
                            .as("%s step %d key %d", mode, step, k)
                            .containsExactly(single.output(), within(1e-12));
                }
            }
            List<State> unstacked = stacked.unstack();
            for (int k = 0; k < 3; k++) {
                for (int i = 0; i < unstacked.get(k).size(); i++) {
                    assertThat(unstacked.get(k).valueAt(i).toArray())
                            .containsExactly(perKey.get(k).valueAt(i).toArray(), within(1e-9));
                }
            }
        }
    }

    @Test
    void forwardNeverChangesTheInputState() {
        var exported = StateExport.exportState(Standardize.create(2));
        State before = exported.state();
        Tensor meanBefore = before.get(new StateKey(".mean"));
        exported.module().forward(new double[] {4, 5}, before);
        assertThat(before.get(new StateKey(".mean"))).isSameAs(meanBefore);
        assertThat(meanBefore.toArray()).containsExactly(0.0, 0.0);
    }

    @Test
    void emaKeepsExactlyTheStateThatFloat64MomentsKeeps() {
        var ema = StateExport.exportState(Standardize.create(3, Standardize.Mode.EMA, 0.7, 1e-5));
        var moments = StateExport.exportState(Moments.create(3, 0.7, DType.FLOAT64));
        State e = ema.state();
        State m = moments.state();
        assertThat(e).isEqualTo(m); // the same keys .first, .second and initial values
        for (double[] x : randomRows(20, 3, 5)) {
            e = ema.module().forward(x, e).state();
            m = moments.module().forward(x, m).state();
            assertThat(e).isEqualTo(m);
        }
        INDArray batch = Nd4j.create(randomRows(4, 3, 6).toArray(new double[0][])).castTo(DataType.DOUBLE);
        State stacked = State.stack(List.of(e, e, e, e));
        assertThat(ema.module().forward(batch, stacked).state())
                .isEqualTo(moments.module().forward(batch, stacked).state());
    }

    @Test
    void modeParseTakesTheModesAsASpecWritesThem() {
        assertThat(Standardize.Mode.parse("cumulative")).isEqualTo(Standardize.Mode.CUMULATIVE);
        assertThat(Standardize.Mode.parse("ema")).isEqualTo(Standardize.Mode.EMA);
        // lower case, like every name in a spec (the types too)
        assertThatThrownBy(() -> Standardize.Mode.parse("EMA"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown standardize mode 'EMA': expected cumulative or ema");
        assertThatThrownBy(() -> Standardize.Mode.parse(" ema"))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void modeParseRefusesAnUnknownModeNamingTheModesThereAre() {
        assertThatThrownBy(() -> Standardize.Mode.parse("ewma"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("unknown standardize mode 'ewma': expected cumulative or ema");
        assertThatThrownBy(() -> Standardize.Mode.parse(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cumulative or ema");
    }
}
