package org.flinox.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.flinox.nn.Activation;
import org.flinox.nn.Module;
import org.junit.jupiter.api.Test;

/** The registry of module types is the one list the parser, its hints and the README go by. */
class ModuleTypesTest {

    private static final List<String> STRUCTURAL = List.of(
            "standardize", "moments", "linear", "layernorm", "batchnorm", "mlp", "gru", "lstm", "sequential");

    @Test
    void theTypesAreTheModulesAndEveryActivationByItsOwnName() {
        List<String> expected = new ArrayList<>(STRUCTURAL);
        expected.addAll(Activation.NAMES);

        assertThat(ModuleTypes.load().names()).containsExactlyElementsOf(new TreeSet<>(expected));
    }

    @Test
    void anUnknownTypeListsEveryRegisteredTypeSorted() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"conv2d\"}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessage("module.type: unknown type 'conv2d'; expected one of "
                        + "batchnorm, elu, gelu, gru, identity, layernorm, leakyrelu, linear, lstm, mlp, moments, relu, "
                        + "sequential, sigmoid, silu, softmax, softplus, standardize, tanh");
    }

    @Test
    void everyActivationBuildsAsItsNameSaysWithItsDefaultOrItsParameter() {
        for (String name : Activation.NAMES) {
            Module m = ModelSpec.parse("{\"module\": {\"type\": \"" + name + "\"}}").build(2).module();
            assertThat(m).as(name).isEqualTo(Activation.byName(name));
        }
        Module elu = ModelSpec.parse("{\"module\": {\"type\": \"elu\", \"alpha\": 0.5}}").build(2).module();
        assertThat(elu).isEqualTo(new Activation.ELU(0.5));
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"elu\", \"slope\": 0.5}}"))
                .hasMessage("module.slope: unknown field for type elu; the fields are type, alpha");
    }

    @Test
    void anUnknownStandardizeModeIsRefusedAtItsPath() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"standardize\", \"mode\": \"welford\"}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessage("module.mode: unknown standardize mode 'welford': expected cumulative or ema");
    }

    @Test
    void theReadmesSpecTableHasARowForEveryType() throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        String table = readme.substring(readme.indexOf("| type | fields | state keys |"));
        table = table.substring(0, table.indexOf("\n\n"));

        for (String type : ModuleTypes.load().names()) {
            assertThat(table).as("README's spec table names %s", type).contains("`" + type + "`");
        }
    }
}
