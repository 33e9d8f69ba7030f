package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import java.util.SortedMap;
import org.junit.jupiter.api.Test;

/** The example of {@code package-info.java}, verbatim, runs and does what its comments say. */
class PackageDocExampleTest {

    @Test
    void packageDocExampleRunsAsDocumented() {
        // ---- verbatim from package-info.java ----
        Rng rng = new Rng(0);
        Map<String, Object> tree = Map.of(
                "a", Linear.create(3, 2, rng.child("a")),             // parameters
                "b", new StateEntry(Tensor.zeros(DType.FLOAT32, 2))); // state, starts at 0

        var exported = StateExport.exportState(tree);
        State state = exported.state();                       // one entry: ['b'], float32[2]
        Linear a = (Linear) exported.module().get("a");
        StateKey b = ((StateRef) exported.module().get("b")).key();

        // one step of (x, state) -> (y, state'): y = a(x), b <- b + y
        double[] y = a.forward(new double[] {1, 2, 3}, state).output();
        double[] sum = state.get(b).toArray();
        for (int i = 0; i < sum.length; i++) {
            sum[i] += y[i];
        }
        State next = state.with(b, Tensor.vector(DType.FLOAT32, sum));
        // state still holds zeros; next is what Flink stores for this stream key

        SortedMap<String, Tensor> params = Parameters.of(exported.module()); // ['a'].bias, ['a'].weight
        // ---- end ----

        assertThat(state.keys()).containsExactly(new StateKey("['b']"));
        assertThat(state.get(b).layout()).isEqualTo("float32[2]");
        assertThat(state.get(b).toArray()).containsExactly(0, 0);
        Linear original = (Linear) tree.get("a");
        double[] w = original.weight().toArray(); // [3, 2], row-major
        assertThat(next.get(b).toArray()).containsExactly(
                (float) (1 * w[0] + 2 * w[2] + 3 * w[4]), (float) (1 * w[1] + 2 * w[3] + 3 * w[5]));
        assertThat(params.keySet()).containsExactly("['a'].bias", "['a'].weight");
    }
}
