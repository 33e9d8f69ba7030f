package org.example.modules;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.flinox.nn.Activation;
import org.flinox.nn.DType;
import org.flinox.nn.Linear;
import org.flinox.nn.Parameters;
import org.flinox.nn.Result;
import org.flinox.nn.Rng;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.flinox.spec.ModelSpec;
import org.flinox.spec.ModelSpecException;
import org.junit.jupiter.api.Test;

/** The example's modules against values worked out by hand, and its types through the spec. */
class ExampleModulesTest {

    @Test
    void smoothMovesTheLevelAlphaOfTheWayToEachRecord() {
        var exported = StateExport.exportState(Smooth.create(2, 0.25));
        Result<double[]> first = exported.module().forward(new double[] {4, -8}, exported.state());
        Result<double[]> second = exported.module().forward(new double[] {0, 8}, first.state());

        assertArrayEquals(new double[] {1, -2}, first.output()); // 0.25·4 + 0.75·0, 0.25·(−8)
        assertArrayEquals(new double[] {0.75, 0.5}, second.output()); // 0.75·1, 0.25·8 + 0.75·(−2)
        assertArrayEquals(new double[] {0.75, 0.5}, second.state().get(new StateKey(".level")).toArray());
    }

    @Test
    void momentsObserveTheInputAndKeepItsRunningMoments() {
        var exported = StateExport.exportState(Moments.create(1, 0.5));
        Result<double[]> r = exported.module().forward(new double[] {2}, exported.state());

        assertArrayEquals(new double[] {2}, r.output());
        assertArrayEquals(new double[] {1}, r.state().get(new StateKey(".first")).toArray()); // 0.5·0 + 0.5·2
        assertArrayEquals(new double[] {2.5}, r.state().get(new StateKey(".second")).toArray()); // 0.5·1 + 0.5·4
    }

    @Test
    void theMlpIsThreeLinearLayersBetweenMoments() {
        Linear l1 = new Linear(Tensor.of(DType.FLOAT32, new int[] {1, 1}, 2), Tensor.vector(DType.FLOAT32, -1));
        Linear l2 = new Linear(Tensor.of(DType.FLOAT32, new int[] {1, 1}, 1), Tensor.vector(DType.FLOAT32, 0));
        Linear l3 = new Linear(Tensor.of(DType.FLOAT32, new int[] {1, 1}, 3), Tensor.vector(DType.FLOAT32, 1));
        var exported = StateExport.exportState(
                new MLP(Moments.create(1, 0.9), l1, l2, l3, Moments.create(1, 0.9), new Activation.ReLU()));
        MLP mlp = exported.module();

        Result<double[]> one = mlp.forward(new double[] {1}, exported.state());
        Result<double[]> zero = mlp.forward(new double[] {0}, one.state());

        assertArrayEquals(new double[] {4}, one.output()); // relu(2·1 − 1) = 1, relu(1) = 1, 3·1 + 1
        assertArrayEquals(new double[] {1}, zero.output()); // relu(−1) = 0, so 3·0 + 1
        State s = zero.state();
        assertEquals(0.09, s.get(new StateKey(".inStats.first")).get(0), 1e-6); // 0.9·(0.1·1) + 0.1·0
        assertEquals(0.46, s.get(new StateKey(".outStats.first")).get(0), 1e-6); // 0.9·(0.1·4) + 0.1·1
    }

    @Test
    void theMlpsParametersAreNamedAsInox() {
        var exported = StateExport.exportState(MLP.create(3, 2, 5, new Rng(0)));

        assertEquals(List.of(".l1.bias", ".l1.weight", ".l2.bias", ".l2.weight", ".l3.bias", ".l3.weight"),
                List.copyOf(Parameters.of(exported.module()).keySet()));
        assertEquals(List.of(".inStats.first", ".inStats.second", ".outStats.first", ".outStats.second"),
                exported.state().keys().stream().map(StateKey::name).toList());
    }

    @Test
    void theTypesAreReadFromASpecThroughTheRegistry() {
        ModelSpec spec = ModelSpec.parse("""
                {"name": "mine", "module": {"type": "sequential", "layers": [
                    {"type": "my-moments"}, {"type": "smooth", "alpha": 0.5}, {"type": "my-mlp", "out": 1, "hidden": 4}]}}""");
        ModelSpec.Built built = spec.build(2);

        assertEquals(1, built.outputWidth());
        assertInstanceOf(Smooth.class, ((org.flinox.nn.Sequential) built.module()).layers().get(1));
        ModelSpecException e = assertThrows(ModelSpecException.class, () -> ModelSpec.parse(
                "{\"module\": {\"type\": \"sequential\", \"layers\": [{\"type\": \"relu\"}, {\"type\": \"smooth\", \"alpha\": 2}]}}"));
        assertEquals("module.layers[1].alpha: expected a number in [0, 1], got 2.0", e.getMessage());
    }
}
