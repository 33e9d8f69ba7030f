package org.flinox.usermodule;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.example.modules.Moments;
import org.flinox.nn.DType;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.flinox.operators.StateSerializer;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The user-written {@link Moments} (inox's, in a package of its own) does what its formula
 * says, {@code first ← m·first + (1 − m)·x, second ← m·second + (1 − m)·x²} in float32, on
 * the per-record path and on the default batched one; it never rounds, and its float32
 * state is float32 all the same.
 */
class MomentsTest {

    private static final StateKey FIRST = new StateKey(".first");
    private static final StateKey SECOND = new StateKey(".second");
    private static final double M = 0.9;

    /** The formula in plain loops over float32 values, each new value rounded to float32. */
    private static void reference(double[] first, double[] second, double[] x) {
        for (int i = 0; i < x.length; i++) {
            first[i] = (float) (M * first[i] + (1 - M) * x[i]);
            second[i] = (float) (M * second[i] + (1 - M) * x[i] * x[i]);
        }
    }

    private static double[] record(Random random) {
        return new double[] {random.nextGaussian(), 10 * random.nextGaussian() + 3, random.nextDouble() / 7};
    }

    @Test
    void exportGivesFirstAtZeroAndSecondAtOneInFloat32() {
        var exported = StateExport.exportState(Moments.create(3, M));
        assertThat(exported.module().first()).isEqualTo(FIRST);
        assertThat(exported.module().second()).isEqualTo(SECOND);
        assertThat(exported.state().get(FIRST)).isEqualTo(Tensor.zeros(DType.FLOAT32, 3));
        assertThat(exported.state().get(SECOND)).isEqualTo(Tensor.ones(DType.FLOAT32, 3));
    }

    @Test
    void oneRecordByHand() {
        var exported = StateExport.exportState(Moments.create(2, M));
        double[] x = {2, -4};
        Result<double[]> r = exported.module().forward(x, exported.state());
        // first ← 0.9·0 + 0.1·(2, −4) = (0.2, −0.4); second ← 0.9·1 + 0.1·(4, 16) = (1.3, 2.5); as float32
        assertThat(r.output()).containsExactly(2, -4);
        assertThat(r.state().get(FIRST).toArray()).containsExactly((float) 0.2, (float) -0.4);
        assertThat(r.state().get(SECOND).toArray()).containsExactly((float) 1.3, 2.5);
        assertThat(exported.state().get(FIRST).toArray()).containsExactly(0, 0);
    }

    @Test
    void perRecordPathFollowsAPlainLoopAndHoldsFloat32Values() {
        var exported = StateExport.exportState(Moments.create(3, M));
        double[] first = new double[3];
        double[] second = {1, 1, 1};
        State state = exported.state();
        Random random = new Random(3);
        for (int t = 0; t < 50; t++) {
            double[] x = record(random);
            state = exported.module().forward(x, state).state();
            reference(first, second, x);
            assertThat(state.get(FIRST).toArray()).as("record %d", t).containsExactly(first);
            assertThat(state.get(SECOND).toArray()).as("record %d", t).containsExactly(second);
        }
        for (double v : state.get(FIRST).toArray()) {
            assertThat((double) (float) v).isEqualTo(v);
        }
    }

    @Test
    void defaultBatchedPathOverStackedKeysFollowsAPlainLoopPerKey() {
        var exported = StateExport.exportState(Moments.create(3, M));
        int keys = 4;
        double[][] first = new double[keys][3];
        double[][] second = new double[keys][];
        List<State> states = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            second[k] = new double[] {1, 1, 1};
            states.add(exported.state());
        }
        State stacked = State.stack(states);
        Random random = new Random(11);
        for (int step = 0; step < 6; step++) {
            double[][] batch = new double[keys][];
            for (int k = 0; k < keys; k++) {
                batch[k] = record(random);
            }
            Result<INDArray> r = exported.module().forward(Nd4j.createFromArray(batch), stacked);
            stacked = r.state();
            assertThat(r.output().toDoubleMatrix()).as("the output is the input").isEqualTo(batch);
            List<State> perKey = stacked.unstack();
            for (int k = 0; k < keys; k++) {
                reference(first[k], second[k], batch[k]);
                assertThat(perKey.get(k).get(FIRST).toArray()).as("step %d key %d", step, k).containsExactly(first[k]);
                assertThat(perKey.get(k).get(SECOND).toArray()).as("step %d key %d", step, k).containsExactly(second[k]);
            }
        }
        assertThat(stacked.get(FIRST).layout()).isEqualTo("float32[4, 3]");
    }

    @Test
    void theStateInMemoryIsWhatTheStateSerializerWritesAndReadsBack() throws IOException {
        // what a key's next record starts from must not depend on whether its state came from
        // the operator's cache or heap backend (the object) or from RocksDB or a restore (the bytes)
        var exported = StateExport.exportState(Moments.create(3, M));
        StateSerializer serializer = new StateSerializer("moments", exported.state(), Set.of());
        State state = exported.state();
        Random random = new Random(5);
        for (int t = 0; t < 20; t++) {
            state = exported.module().forward(record(random), state).state();
            DataOutputSerializer out = new DataOutputSerializer(64);
            serializer.serialize(state, out);
            State readBack = serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
            assertThat(readBack).as("record %d", t).isEqualTo(state);
        }
    }
}
