package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

class MomentsTest {

    @Test
    void updatesFirstAndSecondMomentsByHand() {
        var exported = StateExport.exportState(Moments.create(2));
        Result<double[]> r = exported.module().forward(new double[] {2, -1}, exported.state());
        // first = 0.9·0 + 0.1·x, second = 0.9·1 + 0.1·x²
        assertThat(r.state().get(new StateKey(".first")).toArray()).containsExactly(new double[] {0.2, -0.1}, within(1e-7));
        assertThat(r.state().get(new StateKey(".second")).toArray()).containsExactly(new double[] {1.3, 1.0}, within(1e-7));
        assertThat(r.output()).containsExactly(2, -1);
    }

    @Test
    void float32StateHoldsExactFloats() {
        var exported = StateExport.exportState(Moments.create(1));
        State s = exported.module().forward(new double[] {0.3}, exported.state()).state();
        double v = s.get(new StateKey(".first")).get(0);
        assertThat(v).isEqualTo((double) (float) v);
        assertThat(s.get(new StateKey(".first")).dtype()).isEqualTo(DType.FLOAT32);
    }

    @Test
    void batchedPathAgreesWithPerRecordPath() {
        var exported = StateExport.exportState(Moments.create(3, 0.7, DType.FLOAT64));
        double[] x = {1.5, -2, 0.25};
        Result<double[]> single = exported.module().forward(x, exported.state());
        Result<INDArray> batched = exported.module().forward(Nd4j.createFromArray(x), exported.state());
        for (int i = 0; i < single.state().size(); i++) {
            assertThat(batched.state().valueAt(i).toArray()).containsExactly(single.state().valueAt(i).toArray(), within(1e-12));
        }
        assertThat(batched.output().toDoubleVector()).containsExactly(x);
    }

    @Test
    void refusesWrongFeatureCount() {
        var exported = StateExport.exportState(Moments.create(3));
        assertThatThrownBy(() -> exported.module().forward(new double[] {1, 2}, exported.state()))
                .hasMessageContaining("expects 3 features, got 2");
    }

    @Test
    void unexportedModuleSaysItWasNeverExported() {
        Moments raw = Moments.create(2);
        assertThatThrownBy(() -> raw.forward(new double[] {1, 2}, State.empty()))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("never exported");
    }
}
