package org.flinox.usermodule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import org.example.modules.MLP;
import org.example.modules.Moments;
import org.flinox.nn.DType;
import org.flinox.nn.Parameters;
import org.flinox.nn.Result;
import org.flinox.nn.Rng;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The user-written {@link MLP} (inox's example, between two user-written {@link Moments})
 * against {@link MlpReference}'s plain loops, on the per-record path and the default batched
 * one, and the usage the package doc and the README show.
 */
class MLPTest {

    private static final List<StateKey> KEYS = List.of(new StateKey(".inStats.first"), new StateKey(".inStats.second"),
            new StateKey(".outStats.first"), new StateKey(".outStats.second"));

    private static double[] record(Random random, int width) {
        double[] x = new double[width];
        for (int i = 0; i < width; i++) {
            x[i] = random.nextGaussian() * (i + 1);
        }
        return x;
    }

    private static void assertStateIs(State state, MlpReference ref, String as) {
        assertThat(state.get(KEYS.get(0)).toArray()).as(as).containsExactly(ref.inFirst);
        assertThat(state.get(KEYS.get(1)).toArray()).as(as).containsExactly(ref.inSecond);
        assertThat(state.get(KEYS.get(2)).toArray()).as(as).containsExactly(ref.outFirst);
        assertThat(state.get(KEYS.get(3)).toArray()).as(as).containsExactly(ref.outSecond);
    }

    @Test
    void theDocumentedUsageRuns() {
        double[] x = record(new Random(1), 16);
        double[][] rows = new double[5][];
        for (int b = 0; b < rows.length; b++) {
            rows[b] = record(new Random(100 + b), 16);
        }
        INDArray xs = Nd4j.createFromArray(rows);
        List<State> states = Collections.nCopies(5, StateExport.exportState(MLP.create(16, 3, 64, new Rng(0))).state());

        // ---- verbatim from package-info.java ----
        var exported = StateExport.exportState(MLP.create(16, 3, 64, new Rng(0)));
        MLP model = exported.module();   // .inStats.first, .inStats.second, .outStats.first, .outStats.second
        State state = exported.state();  // their initial values: zeros and ones, float32

        Result<double[]> r = model.forward(x, state);  // one record: r.output() holds 3 numbers
        state = r.state();                             // a new State, the moments moved; the old one is unchanged

        Result<INDArray> batch = model.forward(xs, State.stack(states));  // xs [B, 16], a state per row: [B, 3]
        // ---- end ----

        assertThat(exported.state().keys()).containsExactlyElementsOf(KEYS);
        assertThat(exported.state().get(KEYS.get(0))).isEqualTo(Tensor.zeros(DType.FLOAT32, 16));
        assertThat(exported.state().get(KEYS.get(1))).isEqualTo(Tensor.ones(DType.FLOAT32, 16));
        MlpReference ref = new MlpReference(model);
        assertThat(r.output()).hasSize(3).containsExactly(ref.forward(x), within(1e-12));
        assertStateIs(state, ref, "after one record");
        assertThat(exported.state().get(KEYS.get(0))).isEqualTo(Tensor.zeros(DType.FLOAT32, 16));
        assertThat(batch.output().shape()).containsExactly(5, 3);
        for (int b = 0; b < rows.length; b++) {
            assertThat(batch.output().getRow(b).toDoubleVector()).as("row %d", b)
                    .containsExactly(new MlpReference(model).forward(rows[b]), within(1e-12));
        }
    }

    @Test
    void exportNamesTheStateAndParametersAsInoxDoes() {
        var exported = StateExport.exportState(MLP.create(16, 3, 64, new Rng(0)));
        assertThat(exported.state().keys()).containsExactlyElementsOf(KEYS);
        assertThat(exported.state().get(KEYS.get(0)).layout()).isEqualTo("float32[16]");
        assertThat(exported.state().get(KEYS.get(2)).layout()).isEqualTo("float32[3]");
        assertThat(Parameters.of(exported.module()).keySet()).containsExactly(
                ".l1.bias", ".l1.weight", ".l2.bias", ".l2.weight", ".l3.bias", ".l3.weight");
        assertThat(exported.module().l2().weight().layout()).isEqualTo("float32[64, 64]");
    }

    @Test
    void perRecordPathFollowsThePlainLoopsKeyByKey() {
        var exported = StateExport.exportState(MLP.create(4, 2, 8, new Rng(3)));
        MlpReference[] refs = {new MlpReference(exported.module()), new MlpReference(exported.module())};
        State[] states = {exported.state(), exported.state()};
        Random random = new Random(9);
        for (int t = 0; t < 60; t++) {
            int key = random.nextInt(2);
            double[] x = record(random, 4);
            Result<double[]> r = exported.module().forward(x, states[key]);
            states[key] = r.state();
            assertThat(r.output()).as("record %d", t).containsExactly(refs[key].forward(x), within(1e-12));
            assertStateIs(states[key], refs[key], "record " + t);
        }
    }

    @Test
    void defaultBatchedPathOverStackedKeysIsThePerRecordPathRowByRow() {
        var exported = StateExport.exportState(MLP.create(4, 2, 8, new Rng(4)));
        int keys = 3;
        List<MlpReference> refs = new ArrayList<>();
        List<State> states = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            refs.add(new MlpReference(exported.module()));
            states.add(exported.state());
        }
        State stacked = State.stack(states);
        Random random = new Random(21);
        for (int step = 0; step < 5; step++) {
            double[][] batch = new double[keys][];
            for (int k = 0; k < keys; k++) {
                batch[k] = record(random, 4);
            }
            Result<INDArray> r = exported.module().forward(Nd4j.createFromArray(batch), stacked);
            stacked = r.state();
            assertThat(r.output().shape()).containsExactly(keys, 2);
            List<State> perKey = stacked.unstack();
            for (int k = 0; k < keys; k++) {
                assertThat(r.output().getRow(k).toDoubleVector()).as("step %d key %d", step, k)
                        .containsExactly(refs.get(k).forward(batch[k]), within(1e-12));
                assertStateIs(perKey.get(k), refs.get(k), "step " + step + " key " + k);
            }
        }
    }

    @Test
    void oneRecordOnTheDefaultBatchedPathKeepsItsShapeAndDataType() {
        var exported = StateExport.exportState(MLP.create(4, 2, 8, new Rng(4)));
        double[] x = {0.5, -1, 2, 0.25};
        Result<double[]> single = exported.module().forward(x, exported.state());
        Result<INDArray> asDouble = exported.module().forward(Nd4j.createFromArray(x), exported.state());
        assertThat(asDouble.output().shape()).containsExactly(2);
        assertThat(asDouble.output().toDoubleVector()).containsExactly(single.output());
        assertThat(asDouble.state()).isEqualTo(single.state());
        Result<INDArray> asFloat = exported.module().forward(Nd4j.createFromArray(x).castTo(DataType.FLOAT),
                exported.state());
        assertThat(asFloat.output().dataType()).isEqualTo(DataType.FLOAT);
        assertThat(asFloat.state().get(KEYS.get(0)).dtype()).isEqualTo(DType.FLOAT32);
    }

    @Test
    void eachModuleIsAtMostTwiceInoxsLinesOfCode() throws IOException {
        // inox/nn/state.py's example: Moments 12 lines of code, the MLP 18 (25 with its blank lines)
        assertThat(linesOfCode("Moments.java")).isLessThanOrEqualTo(24);
        assertThat(linesOfCode("MLP.java")).isLessThanOrEqualTo(50);
    }

    /** Lines that are neither blank, a comment, the package line nor an import. */
    private static long linesOfCode(String file) throws IOException {
        return Files.readAllLines(Path.of("../deploy/examples/custom-module/src/main/java/org/example/modules", file)).stream()
                .map(String::strip)
                .filter(l -> !l.isEmpty() && !l.startsWith("//") && !l.startsWith("package ") && !l.startsWith("import "))
                .count();
    }
}
