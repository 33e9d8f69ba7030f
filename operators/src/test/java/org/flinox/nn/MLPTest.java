package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MLPTest {

    @Test
    void stateKeysAreExactlyTheSeeds() {
        var exported = StateExport.exportState(MLP.create(16, 3, new Rng(0)));
        assertThat(exported.state().keys()).extracting(StateKey::name).containsExactly(
                ".inStats.first", ".inStats.second", ".outStats.first", ".outStats.second");
    }

    @Test
    void parametersAreTheThreeLayersInInoxLayout() {
        var params = Parameters.of(MLP.create(16, 3, new Rng(0)));
        assertThat(params.keySet()).containsExactly(
                ".l1.bias", ".l1.weight", ".l2.bias", ".l2.weight", ".l3.bias", ".l3.weight");
        assertThat(params.get(".l1.weight").shape()).containsExactly(16, 64);
        assertThat(params.get(".l2.weight").shape()).containsExactly(64, 64);
        assertThat(params.get(".l3.weight").shape()).containsExactly(64, 3);
    }

    /** y = relu(relu(x·W1+b1)·W2+b2)·W3+b3, by plain loops over the weights. */
    private static double[] reference(MLP m, double[] x) {
        double[] h = x;
        Linear[] layers = {m.l1(), m.l2(), m.l3()};
        for (int l = 0; l < 3; l++) {
            Tensor w = layers[l].weight();
            int in = w.dim(0);
            int out = w.dim(1);
            double[] y = new double[out];
            for (int j = 0; j < out; j++) {
                double acc = layers[l].bias().get(j);
                for (int i = 0; i < in; i++) {
                    acc += h[i] * w.get(i * out + j);
                }
                y[j] = l < 2 ? Math.max(acc, 0) : acc;
            }
            h = y;
        }
        return h;
    }

    @Test
    void forwardMatchesAPlainLoopReferenceAndUpdatesBothMoments() {
        var exported = StateExport.exportState(withBiases(MLP.create(4, 2, new Rng(5)), new Rng(6)));
        MLP m = exported.module();
        double[] x = {0.5, -1, 2, 0.25};
        Result<double[]> r = m.forward(x, exported.state());
        double[] y = reference(m, x);
        assertThat(r.output()).containsExactly(y, within(1e-5));
        Tensor inFirst = r.state().get(new StateKey(".inStats.first"));
        Tensor outSecond = r.state().get(new StateKey(".outStats.second"));
        for (int i = 0; i < 4; i++) {
            assertThat(inFirst.get(i)).isCloseTo(0.1 * x[i], within(1e-6));
        }
        for (int j = 0; j < 2; j++) {
            assertThat(outSecond.get(j)).isCloseTo(0.9 + 0.1 * y[j] * y[j], within(1e-5));
        }
    }

    /** The same MLP with non-zero biases (the seeded ones are 0, which would hide a missing bias). */
    private static MLP withBiases(MLP m, Rng rng) {
        Linear[] l = {m.l1(), m.l2(), m.l3()};
        for (int i = 0; i < 3; i++) {
            l[i] = new Linear(l[i].weight(), rng.uniform(DType.FLOAT32, 0.5, l[i].out()));
        }
        return new MLP(m.inStats(), l[0], l[1], l[2], m.outStats(), m.relu());
    }

    @Test
    void perRecordAndBatchedPathsAgreeOverStackedKeys() {
        var exported = StateExport.exportState(withBiases(MLP.create(8, 3, new Rng(9)), new Rng(10)));
        MLP m = exported.module();
        SplittableRandom random = new SplittableRandom(4);
        double[][] x = new double[5][8];
        for (double[] row : x) {
            for (int i = 0; i < row.length; i++) {
                row[i] = random.nextDouble() * 4 - 2;
            }
        }
        State stacked = State.stack(java.util.Collections.nCopies(5, exported.state()));
        Result<INDArray> batched = m.forward(Nd4j.create(x), stacked);
        var rows = batched.state().unstack();
        for (int b = 0; b < 5; b++) {
            Result<double[]> single = m.forward(x[b], exported.state());
            assertThat(batched.output().getRow(b).toDoubleVector()).containsExactly(single.output(), within(1e-5));
            assertThat(single.output()).containsExactly(reference(m, x[b]), within(1e-5));
            for (int i = 0; i < single.state().size(); i++) {
                assertThat(rows.get(b).valueAt(i).toArray()).containsExactly(single.state().valueAt(i).toArray(), within(1e-5));
            }
        }
    }
}
