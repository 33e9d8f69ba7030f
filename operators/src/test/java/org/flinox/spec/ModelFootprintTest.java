package org.flinox.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.flinox.nn.Module;
import org.flinox.nn.Parameters;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;

class ModelFootprintTest {

    /** Values and largest array of a built tree, counted from its tensors. */
    private static long[] counted(Module tree) {
        StateExport.Exported<Module> exported = StateExport.exportState(tree);
        long values = 0;
        long largest = 0;
        for (Tensor t : Parameters.of(exported.module()).values()) {
            values += t.size();
            largest = Math.max(largest, t.size());
        }
        State s = exported.state();
        for (int i = 0; i < s.size(); i++) {
            values += s.valueAt(i).size();
            largest = Math.max(largest, s.valueAt(i).size());
        }
        return new long[] {values, largest};
    }

    @Test
    void theFootprintOfEveryModuleTypeIsWhatBuildingItAllocates() {
        List<String> modules = List.of(
                "{\"type\":\"standardize\"}",
                "{\"type\":\"standardize\",\"mode\":\"ema\"}",
                "{\"type\":\"moments\"}",
                "{\"type\":\"linear\",\"out\":7}",
                "{\"type\":\"layernorm\"}",
                "{\"type\":\"layernorm\",\"affine\":true}",
                "{\"type\":\"linear\",\"out\":7,\"bias\":false}",
                "{\"type\":\"gru\",\"hidden\":4,\"bias\":false}",
                "{\"type\":\"lstm\",\"hidden\":4}",
                "{\"type\":\"lstm\",\"hidden\":4,\"bias\":false}",
                "{\"type\":\"batchnorm\"}",
                "{\"type\":\"mlp\",\"out\":2,\"hidden\":5}",
                "{\"type\":\"gru\",\"hidden\":4}",
                "{\"type\":\"sequential\",\"layers\":[{\"type\":\"standardize\"},{\"type\":\"linear\",\"out\":9},"
                        + "{\"type\":\"relu\"},{\"type\":\"gru\",\"hidden\":6},{\"type\":\"mlp\",\"out\":1,\"hidden\":3}]}");
        for (String module : modules) {
            ModelSpec spec = ModelSpec.parse("{\"name\":\"m\",\"module\":" + module + "}");
            ModelFootprint footprint = spec.footprint(3);
            long[] actual = counted(spec.build(3).module());
            assertThat(footprint.values()).as(module).isEqualTo(actual[0]);
            assertThat(footprint.peakBytes()).as(module).isEqualTo((actual[0] + actual[1]) * Double.BYTES);
        }
    }

    @Test
    void sizesBeyondLongDoNotOverflowIntoSmallNumbers() {
        ModelSpec spec = ModelSpec.parse("{\"name\":\"m\",\"module\":{\"type\":\"sequential\",\"layers\":["
                + "{\"type\":\"mlp\",\"hidden\":2147483647},{\"type\":\"mlp\",\"hidden\":2147483647}]}}");
        ModelFootprint footprint = spec.footprint(3);
        assertThat(footprint.values()).isGreaterThan(4L * Integer.MAX_VALUE * Integer.MAX_VALUE / 2);
        assertThat(footprint.peakBytes()).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void aTreeThatDoesNotFitNamesTheNodeThatTakesTheMost() {
        ModelSpec spec = ModelSpec.parse("{\"name\":\"m\",\"module\":{\"type\":\"sequential\",\"layers\":["
                + "{\"type\":\"linear\",\"out\":100},{\"type\":\"linear\",\"out\":1000},{\"type\":\"linear\",\"out\":10}]}}");
        ModelFootprint footprint = spec.footprint(3);
        long needed = footprint.peakBytes();
        footprint.requireFits(needed); // exactly enough is enough
        assertThatThrownBy(() -> footprint.requireFits(needed - 1))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("module.layers[1]: needs 101000 values")
                .hasMessageContaining("memory is available");
    }
}
