package org.flinox.usermodule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.example.modules.Smooth;
import org.flinox.nn.DType;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A user-written module with one forward, compiled in a package of its own (so public API is
 * all it uses), does what its formula says on the per-record and the default batched path:
 * {@code level ← a·x + (1 − a)·level, y = level}, checked by hand and against a plain loop.
 */
class SmoothTest {

    private static final StateKey LEVEL = new StateKey(".level");

    @Test
    void oneRecordByHand() {
        var exported = StateExport.exportState(Smooth.create(2, 0.25));
        Smooth smooth = exported.module();   // level is now the StateKey .level
        Result<double[]> r = smooth.forward(new double[] {4, -8}, exported.state());
        // r.output() is [1, -2], and so is r.state().get(new StateKey(".level"))

        assertThat(smooth.level()).isEqualTo(LEVEL);
        assertThat(exported.state().keys()).containsExactly(LEVEL);
        assertThat(exported.state().get(LEVEL)).isEqualTo(Tensor.zeros(DType.FLOAT64, 2));
        // 0.25·4 + 0.75·0 = 1, 0.25·(−8) + 0.75·0 = −2
        assertThat(r.output()).containsExactly(1, -2);
        assertThat(r.state().get(LEVEL).toArray()).containsExactly(1, -2);
    }

    @Test
    void secondRecordByHandAndTheOldStateIsUnchanged() {
        var exported = StateExport.exportState(Smooth.create(2, 0.25));
        State first = exported.module().forward(new double[] {4, -8}, exported.state()).state();
        Result<double[]> second = exported.module().forward(new double[] {8, 0}, first);
        // 0.25·8 + 0.75·1 = 2.75, 0.25·0 + 0.75·(−2) = −1.5
        assertThat(second.output()).containsExactly(2.75, -1.5);
        assertThat(second.state().get(LEVEL).toArray()).containsExactly(2.75, -1.5);
        assertThat(first.get(LEVEL).toArray()).containsExactly(1, -2);
        assertThat(exported.state().get(LEVEL).toArray()).containsExactly(0, 0);
    }

    @Test
    void perRecordPathFollowsAPlainLoop() {
        double a = 0.3;
        var exported = StateExport.exportState(Smooth.create(3, a));
        double[] level = new double[3];
        State state = exported.state();
        Random random = new Random(16);
        for (int t = 0; t < 40; t++) {
            double[] x = {random.nextGaussian(), 10 * random.nextGaussian(), random.nextDouble()};
            Result<double[]> r = exported.module().forward(x, state);
            state = r.state();
            for (int j = 0; j < 3; j++) {
                level[j] = a * x[j] + (1 - a) * level[j];
            }
            assertThat(r.output()).as("record %d", t).containsExactly(level, within(1e-12));
            assertThat(state.get(LEVEL).toArray()).as("record %d", t).containsExactly(level, within(1e-12));
        }
    }

    @Test
    void batchedPathOverStackedKeysFollowsAPlainLoopPerKey() {
        double a = 0.6;
        var exported = StateExport.exportState(Smooth.create(2, a));
        int keys = 3;
        double[][] level = new double[keys][2];
        State stacked = State.stack(List.of(exported.state(), exported.state(), exported.state()));
        Random random = new Random(7);
        for (int step = 0; step < 5; step++) {
            double[][] batch = new double[keys][2];
            for (double[] row : batch) {
                row[0] = random.nextGaussian();
                row[1] = 100 * random.nextGaussian();
            }
            Result<INDArray> r = exported.module().forward(Nd4j.create(batch), stacked);
            stacked = r.state();
            List<State> perKey = new ArrayList<>(stacked.unstack());
            for (int k = 0; k < keys; k++) {
                for (int j = 0; j < 2; j++) {
                    level[k][j] = a * batch[k][j] + (1 - a) * level[k][j];
                }
                assertThat(r.output().getRow(k).toDoubleVector()).as("step %d key %d", step, k)
                        .containsExactly(level[k], within(1e-9));
                assertThat(perKey.get(k).get(LEVEL).toArray()).as("step %d key %d", step, k)
                        .containsExactly(level[k], within(1e-9));
            }
        }
        assertThat(stacked.get(LEVEL).layout()).isEqualTo("float64[3, 2]");
    }

    @Test
    void oneRecordOnTheBatchedPathEqualsThePerRecordPath() {
        var exported = StateExport.exportState(Smooth.create(2, 0.25));
        State state = exported.module().forward(new double[] {4, -8}, exported.state()).state();
        Result<double[]> single = exported.module().forward(new double[] {8, 0}, state);
        Result<INDArray> batched = exported.module().forward(Nd4j.createFromArray(8.0, 0.0), state);
        assertThat(batched.output().shape()).containsExactly(2);
        assertThat(batched.output().toDoubleVector()).containsExactly(single.output());
        assertThat(batched.state()).isEqualTo(single.state());
    }

    @Test
    void theOutputIsNotTheStatesArray() {
        var exported = StateExport.exportState(Smooth.create(1, 0.5));
        Result<double[]> r = exported.module().forward(new double[] {2}, exported.state());
        r.output()[0] = 99;
        assertThat(r.state().get(LEVEL).toArray()).containsExactly(1);
    }

    @Test
    void aRecordOfTheWrongWidthIsRefusedOnBothPaths() {
        var exported = StateExport.exportState(Smooth.create(2, 0.25));
        assertThatThrownBy(() -> exported.module().forward(new double[] {1, 2, 3}, exported.state()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Smooth expects 2 features, got 3");
        assertThatThrownBy(() -> exported.module().forward(Nd4j.createFromArray(1.0, 2.0, 3.0), exported.state()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("Smooth expects 2 features, got 3");
    }
}
