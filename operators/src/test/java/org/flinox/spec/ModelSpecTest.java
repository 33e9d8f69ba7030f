package org.flinox.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.InstanceOfAssertFactories.type;

import java.nio.file.Files;
import java.nio.file.Path;
import org.flinox.nn.Activation;
import org.flinox.nn.BatchNorm;
import org.flinox.nn.DType;
import org.flinox.nn.GRUCell;
import org.flinox.nn.LSTMCell;
import org.flinox.nn.LayerNorm;
import org.flinox.nn.Linear;
import org.flinox.nn.Module;
import org.flinox.nn.Rng;
import org.flinox.nn.Sequential;
import org.flinox.nn.Standardize;
import org.flinox.nn.StateExport;
import org.flinox.nn.StateKey;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelSpecTest {

    private static final String STANDARDIZE_THEN_LINEAR = """
            {"name": "scorer", "seed": 7, "module": {"type": "sequential", "layers": [
                {"type": "standardize"},
                {"type": "linear"}]}}""";

    private static ModelSpec.Built build(String json, int features) {
        return ModelSpec.parse(json).build(features);
    }

    private static Linear linearAt(Module tree, int index) {
        return (Linear) ((Sequential) tree).layers().get(index);
    }

    @Test
    void defaultSpecIsCumulativeStandardizeWithWelfordState() {
        ModelSpec spec = ModelSpec.defaults();
        ModelSpec.Built built = spec.build(3);

        assertThat(spec.name()).isEqualTo("standardize");
        assertThat(built.module()).isInstanceOf(Standardize.Cumulative.class);
        assertThat(built.outputWidth()).isEqualTo(3);
        assertThat(StateExport.exportState(built.module()).state().keys()).extracting(StateKey::name)
                .containsExactly(".count", ".m2", ".mean");
    }

    @Test
    void emaModeTakesMomentumAndEps() {
        Module m = build("""
                {"module": {"type": "standardize", "mode": "ema", "momentum": 0.5, "eps": 0.01}}""", 2).module();

        assertThat(m).asInstanceOf(type(Standardize.Ema.class)).satisfies(e -> {
            assertThat(e.momentum()).isEqualTo(0.5);
            assertThat(e.eps()).isEqualTo(0.01);
        });
    }

    @Test
    void nameAndSeedHaveDefaults() {
        ModelSpec spec = ModelSpec.parse("{\"module\": {\"type\": \"standardize\"}}");

        assertThat(spec.name()).isEqualTo("flinox");
        assertThat(spec.seed()).isZero();
    }

    @Test
    void linearWithoutOutKeepsTheFeatureCount() {
        ModelSpec.Built built = build(STANDARDIZE_THEN_LINEAR, 5);

        Linear linear = linearAt(built.module(), 1);
        assertThat(linear.in()).isEqualTo(5);
        assertThat(linear.out()).isEqualTo(5);
        assertThat(built.outputWidth()).isEqualTo(5);
    }

    @Test
    void nextLayerTakesThePreviousLayersOutputWidth() {
        ModelSpec.Built built = build("""
                {"module": {"type": "sequential", "layers": [
                    {"type": "linear", "out": 3},
                    {"type": "moments"},
                    {"type": "linear", "out": 2}]}}""", 6);

        assertThat(linearAt(built.module(), 2).in()).isEqualTo(3);
        assertThat(built.outputWidth()).isEqualTo(2);
    }

    @Test
    void explicitInThatContradictsTheIncomingWidthNamesPathAndBothNumbers() {
        ModelSpec spec = ModelSpec.parse("""
                {"module": {"type": "sequential", "layers": [
                    {"type": "standardize"},
                    {"type": "linear", "out": 3},
                    {"type": "linear", "in": 5, "out": 1}]}}""");

        assertThatThrownBy(() -> spec.build(4)).asInstanceOf(type(ModelSpecException.class)).satisfies(e -> {
            assertThat(e.path()).isEqualTo("module.layers[2].in");
            assertThat(e.getMessage()).startsWith("module.layers[2].in: ")
                    .contains("is 5").contains("width coming in is 3").contains("module.layers[1]");
        });
    }

    @Test
    void explicitSizeEqualToTheIncomingWidthIsAccepted() {
        Module m = build("{\"module\": {\"type\": \"linear\", \"in\": 4, \"out\": 2}}", 4).module();

        assertThat(((Linear) m).in()).isEqualTo(4);
    }

    @Test
    void unknownTypeIsRefusedWithItsPath() {
        assertThatThrownBy(() -> ModelSpec.parse("""
                {"module": {"type": "sequential", "layers": [{"type": "lineer"}]}}"""))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("module.layers[0].type: unknown type 'lineer'")
                .hasMessageContaining("did you mean 'linear'");
    }

    @Test
    void unknownFieldIsRefusedWithItsPath() {
        assertThatThrownBy(() -> ModelSpec.parse("""
                {"module": {"type": "standardize", "mode": "ema", "momentun": 0.5}}"""))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("module.momentun: unknown field for type standardize")
                .hasMessageContaining("did you mean 'momentum'");
    }

    @Test
    void unknownTopLevelFieldIsRefused() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"sead\": 1, \"module\": {\"type\": \"standardize\"}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("sead: unknown field");
    }

    @Test
    void wrongJsonTypeIsRefusedWithItsPath() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"linear\", \"out\": \"8\"}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessage("module.out: expected a positive integer, got string \"8\"");
    }

    @Test
    void nonPositiveSizeIsRefusedWithItsPath() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"linear\", \"out\": 0}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessage("module.out: expected a positive integer, got 0");
    }

    @Test
    void emaOnlyParameterInCumulativeModeIsRefused() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"standardize\", \"momentum\": 0.5}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("module.momentum: applies to mode ema only");
    }

    @Test
    void nameThatIsNotASafeIdentifierIsRefusedSayingWhy() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"name\": \"my model\", \"module\": {\"type\": \"standardize\"}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("name: 'my model' is not a safe identifier")
                .hasMessageContaining("uid");
    }

    @Test
    void invalidJsonIsRefusedWithLineAndColumn() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"standardize\",}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("not valid JSON at line 1, column");
    }

    @Test
    void sameSpecBuildsEqualTrees() {
        Module a = build(STANDARDIZE_THEN_LINEAR, 4).module();
        Module b = build(STANDARDIZE_THEN_LINEAR, 4).module();

        assertThat(a).isEqualTo(b);
    }

    @Test
    void differentSeedGivesDifferentLinearWeights() {
        Module a = build(STANDARDIZE_THEN_LINEAR, 4).module();
        Module b = build(STANDARDIZE_THEN_LINEAR.replace("\"seed\": 7", "\"seed\": 8"), 4).module();

        assertThat(linearAt(a, 1).weight()).isNotEqualTo(linearAt(b, 1).weight());
    }

    @Test
    void parametersComeFromTheSeedsChildGeneratorNamedByPath() {
        Linear expected = Linear.create(4, 4, DType.FLOAT32, new Rng(7).child("module.layers[1]"));

        assertThat(linearAt(build(STANDARDIZE_THEN_LINEAR, 4).module(), 1)).isEqualTo(expected);
    }

    @Test
    void readsASpecFileFromDisk(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.json");
        Files.writeString(file, STANDARDIZE_THEN_LINEAR);

        assertThat(ModelSpec.read(file)).isEqualTo(ModelSpec.parse(STANDARDIZE_THEN_LINEAR));
    }

    @Test
    void errorsInASpecFileNameTheFile(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("model.json");
        Files.writeString(file, "{\"module\": {\"type\": \"relu\", \"slope\": 0.1}}");

        assertThatThrownBy(() -> ModelSpec.read(file))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith(file + ": module.slope: unknown field for type relu");
    }

    // ---- inox's modules and defaults ----------------------------------------------------------

    @Test
    void layerNormFollowsInoxNoAffineParametersAndEpsilon1e5() {
        Module m = build("{\"module\": {\"type\": \"layernorm\"}}", 3).module();

        assertThat(m).asInstanceOf(type(LayerNorm.class)).satisfies(l -> {
            assertThat(l.affine()).isFalse();
            assertThat(l.eps()).isEqualTo(1e-5);
        });
        assertThat(org.flinox.nn.Parameters.of(m)).isEmpty();
    }

    @Test
    void layerNormTakesEpsilonOrEpsAndAffineOnRequest() {
        LayerNorm a = (LayerNorm) build("{\"module\": {\"type\": \"layernorm\", \"epsilon\": 0.5}}", 3).module();
        LayerNorm b = (LayerNorm) build("{\"module\": {\"type\": \"layernorm\", \"eps\": 0.25, \"affine\": true}}", 3)
                .module();

        assertThat(a.eps()).isEqualTo(0.5);
        assertThat(b.eps()).isEqualTo(0.25);
        assertThat(b.affine()).isTrue();
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"layernorm\", \"eps\": 1, \"epsilon\": 1}}"))
                .hasMessageStartingWith("module.eps: is another spelling of epsilon");
    }

    @Test
    void lstmHasPerKeyHiddenAndCellStateAndHiddenOutputWidth() {
        ModelSpec.Built built = build("{\"module\": {\"type\": \"lstm\", \"hidden\": 5}}", 3);

        assertThat(built.module()).isInstanceOf(LSTMCell.class);
        assertThat(built.outputWidth()).isEqualTo(5);
        assertThat(StateExport.exportState(built.module()).state().keys()).extracting(StateKey::name)
                .containsExactly(".cell", ".hidden");
        assertThat(org.flinox.nn.Parameters.of(built.module()).keySet())
                .containsExactly(".linH.bias", ".linH.weight", ".linX.bias", ".linX.weight");
    }

    @Test
    void gruHasInoxsParameterPaths() {
        ModelSpec.Built built = build("{\"module\": {\"type\": \"gru\", \"hidden\": 2}}", 3);

        assertThat(built.module()).isInstanceOf(GRUCell.class);
        assertThat(org.flinox.nn.Parameters.of(built.module()).keySet())
                .containsExactly(".linH.bias", ".linH.weight", ".linX.bias", ".linX.weight");
    }

    @Test
    void batchNormRunsInEvaluationModeWithInoxsDefaults() {
        Module m = build("{\"module\": {\"type\": \"batchnorm\"}}", 3).module();

        assertThat(m).asInstanceOf(type(BatchNorm.class)).satisfies(b -> {
            assertThat(b.training()).isFalse();
            assertThat(b.momentum()).isEqualTo(0.9);
            assertThat(b.eps()).isEqualTo(1e-5);
        });
        assertThat(StateExport.exportState(m).state().keys()).extracting(StateKey::name)
                .containsExactly(".stats.mean", ".stats.var");
    }

    @Test
    void batchNormInTrainingModeIsRefusedSayingWhy() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"batchnorm\", \"training\": true}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("module.training: ")
                .hasMessageContaining("batch variance 0")
                .hasMessageContaining(".stats.mean");
    }

    @Test
    void leakyReluTakesInoxsAlphaOrSlope() {
        Module a = build("{\"module\": {\"type\": \"leakyrelu\", \"alpha\": 0.2}}", 2).module();
        Module s = build("{\"module\": {\"type\": \"leakyrelu\", \"slope\": 0.3}}", 2).module();
        Module d = build("{\"module\": {\"type\": \"leakyrelu\"}}", 2).module();

        assertThat(((Activation.LeakyReLU) a).slope()).isEqualTo(0.2);
        assertThat(((Activation.LeakyReLU) s).slope()).isEqualTo(0.3);
        assertThat(((Activation.LeakyReLU) d).slope()).isEqualTo(0.01);
    }

    @Test
    void biasFalseLeavesOutTheBiasesAsInox() {
        Module linear = build("{\"module\": {\"type\": \"linear\", \"out\": 2, \"bias\": false}}", 3).module();
        Module gru = build("{\"module\": {\"type\": \"gru\", \"bias\": false}}", 3).module();
        Module lstm = build("{\"module\": {\"type\": \"lstm\", \"bias\": false}}", 3).module();

        assertThat(org.flinox.nn.Parameters.of(linear).keySet()).containsExactly(".weight");
        assertThat(org.flinox.nn.Parameters.of(gru).keySet()).containsExactly(".linH.weight", ".linX.weight");
        assertThat(org.flinox.nn.Parameters.of(lstm).keySet()).containsExactly(".linH.weight", ".linX.weight");
    }

    @Test
    void standardizeTakesInoxsEpsilonSpellingInEmaModeOnly() {
        Module m = build("{\"module\": {\"type\": \"standardize\", \"mode\": \"ema\", \"epsilon\": 0.02}}", 2).module();

        assertThat(((Standardize.Ema) m).eps()).isEqualTo(0.02);
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"standardize\", \"epsilon\": 0.02}}"))
                .hasMessageStartingWith("module.epsilon: applies to mode ema only");
    }
}
