package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class SequentialTest {

    @Test
    void threadsStateThroughItsStatefulLayers() {
        // Standardize, then a linear map that doubles: the z-scores come out doubled and
        // the Standardize statistics are carried from one call to the next.
        Linear twice = new Linear(Tensor.of(DType.FLOAT64, new int[] {1, 1}, 2), Tensor.vector(DType.FLOAT64, 0));
        var exported = StateExport.exportState(Sequential.of(Standardize.create(1), twice));
        assertThat(exported.state().keys()).extracting(StateKey::name)
                .containsExactly(".layers[0].count", ".layers[0].m2", ".layers[0].mean");
        State s = exported.state();
        s = exported.module().forward(new double[] {1}, s).state();
        Result<double[]> r = exported.module().forward(new double[] {3}, s);
        // after 1 and 3: z = 1, doubled
        assertThat(r.output()).containsExactly(new double[] {2}, within(1e-12));
        assertThat(r.state().get(new StateKey(".layers[0].count")).get(0)).isEqualTo(2.0);
    }

    @Test
    void twoStatefulLayersKeepSeparateEntries() {
        var exported = StateExport.exportState(Sequential.of(Moments.create(2), Moments.create(2)));
        assertThat(exported.state().keys()).extracting(StateKey::name).containsExactly(
                ".layers[0].first", ".layers[0].second", ".layers[1].first", ".layers[1].second");
    }
}
