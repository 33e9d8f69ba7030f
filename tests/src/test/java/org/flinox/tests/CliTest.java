package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.OptionSpec;

/** The command line: help, describe, and errors a user can act on. */
class CliTest {
    @TempDir
    Path dir;

    /** The options of a subcommand as picocli declares them, without --help and --version. */
    private static List<OptionSpec> options(String subcommand) {
        CommandLine cli = new CommandLine(new FlinoxCli()).getSubcommands().get(subcommand);
        return cli.getCommandSpec().options().stream().filter(o -> !o.usageHelp() && !o.versionHelp()).toList();
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "describe", "inspect", "bootstrap", "report"})
    void helpListsEveryDeclaredFlagWithItsDefault(String subcommand) {
        List<OptionSpec> declared = options(subcommand);
        assertThat(declared).isNotEmpty();
        CliRun r = subcommand.equals("run") ? CliRun.of("--help") : CliRun.of(subcommand, "--help");
        assertThat(r.code()).isZero();
        String help = r.out().replaceAll("\\s+", " "); // picocli wraps descriptions
        for (OptionSpec o : declared) {
            for (String name : o.names()) {
                assertThat(r.out()).as("%s --help", subcommand).contains(name);
            }
            if (o.defaultValue() != null) {
                assertThat(help).as("%s --help, the default of %s", subcommand, o.longestName())
                        .contains("default: " + o.defaultValue());
            }
        }
        if (subcommand.equals("run")) {
            assertThat(r.out()).contains("describe").contains("inspect").contains("bootstrap").contains("report");
        }
    }

    @Test
    void theContractsFlagsAreAllDeclared() {
        // the job's contract (the README's flag table): a renamed or removed flag must fail here, not in a user's script
        List<String> run = options("run").stream().map(OptionSpec::longestName).toList();
        assertThat(run).contains("--input", "--format", "--key", "--features", "--model", "--weights", "--output",
                "--dead-letter", "--parallelism", "--checkpoint-dir", "--checkpoint-interval", "--state-backend",
                "--restore", "--state-ttl", "--watch");
    }

    @ParameterizedTest
    @ValueSource(strings = {"run", "describe", "inspect", "bootstrap", "report"})
    void theReadmeDocumentsEveryDeclaredFlag(String subcommand) throws Exception {
        String readme = Files.readString(Path.of("..", "README.md"));
        for (OptionSpec o : options(subcommand)) {
            assertThat(readme).as("README.md documents %s %s", subcommand, o.longestName())
                    .containsPattern(java.util.regex.Pattern.quote(o.longestName()) + "(?![a-z-])");
        }
    }

    @Test
    void describePrintsTheSeedMlpsParametersAndStateKeys() throws Exception {
        Path spec = Files.writeString(dir.resolve("mlp.json"), "{\"name\":\"clf\",\"seed\":3,\"module\":{\"type\":\"mlp\",\"out\":3}}");
        CliRun r = CliRun.of("describe", "--model", spec.toString(), "--features", "a,b,c,d");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode d = JobFiles.JSON.readTree(r.out());
        assertThat(d.get("name").asText()).isEqualTo("clf");
        assertThat(d.get("uid").asText()).isEqualTo("flinox-model-clf");
        assertThat(d.get("state").findValuesAsText("key")).containsExactly(
                ".inStats.first", ".inStats.second", ".outStats.first", ".outStats.second");
        JsonNode firstState = d.get("state").get(0);
        assertThat(firstState.get("dtype").asText()).isEqualTo("float32");
        assertThat(firstState.get("shape").get(0).asInt()).isEqualTo(4);
        assertThat(d.get("parameters").findValuesAsText("path")).containsExactly(
                ".l1.bias", ".l1.weight", ".l2.bias", ".l2.weight", ".l3.bias", ".l3.weight");
        JsonNode l1 = d.get("parameters").get(1);
        assertThat(l1.get("shape").toString()).isEqualTo("[4,64]");
        assertThat(d.get("module").get("type").asText()).isEqualTo("MLP");
    }

    @Test
    void describePrintsSmallInitialStateInlineAndAsTheWeightsFileSetsIt() throws Exception {
        Path spec = Files.writeString(dir.resolve("bn.json"), "{\"name\":\"bn\",\"module\":{\"type\":\"sequential\","
                + "\"layers\":[{\"type\":\"moments\"},{\"type\":\"batchnorm\"}]}}");
        Path weights = dir.resolve("stats.npz");
        org.flinox.nn.Npz.write(weights, java.util.Map.of(".layers[1].stats.var",
                org.flinox.nn.Tensor.vector(org.flinox.nn.DType.FLOAT32, 4, 9, 16)));

        CliRun r = CliRun.of("describe", "--model", spec.toString(), "--features", "a,b,c", "--weights", weights.toString());

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode state = JobFiles.JSON.readTree(r.out()).get("state");
        assertThat(state.findValuesAsText("key")).containsExactly(
                ".layers[0].first", ".layers[0].second", ".layers[1].stats.mean", ".layers[1].stats.var");
        assertThat(state.get(0).get("initial").toString()).isEqualTo("[0.0,0.0,0.0]");
        assertThat(state.get(1).get("initial").toString()).isEqualTo("[1.0,1.0,1.0]");
        assertThat(state.get(3).get("initial").toString()).isEqualTo("[4.0,9.0,16.0]");
    }

    @Test
    void describeSummarizesLargeInitialState() throws Exception {
        Path spec = Files.writeString(dir.resolve("bn.json"), "{\"module\":{\"type\":\"batchnorm\"}}");
        double[] mean = new double[20];
        for (int i = 0; i < 20; i++) {
            mean[i] = i; // 0..19: min 0, max 19, mean 9.5
        }
        Path weights = dir.resolve("stats.npz");
        org.flinox.nn.Npz.write(weights, java.util.Map.of(".stats.mean",
                org.flinox.nn.Tensor.vector(org.flinox.nn.DType.FLOAT32, mean)));
        StringBuilder names = new StringBuilder("f0");
        for (int i = 1; i < 20; i++) {
            names.append(",f").append(i);
        }

        CliRun r = CliRun.of("describe", "--model", spec.toString(), "--features", names.toString(),
                "--weights", weights.toString());

        assertThat(r.code()).as(r.err()).isZero();
        JsonNode state = JobFiles.JSON.readTree(r.out()).get("state");
        assertThat(state.get(0).get("initial").toString()).isEqualTo("{\"min\":0.0,\"max\":19.0,\"mean\":9.5}");
        assertThat(state.get(1).get("initial").toString()).isEqualTo("{\"all\":1.0}");
    }

    @Test
    void aBadModelSpecFailsWithThePathInTheSpec() throws Exception {
        Path spec = Files.writeString(dir.resolve("bad.json"), "{\"module\":{\"type\":\"standardize\",\"momentun\":0.5}}");
        Path input = Files.writeString(dir.resolve("x.csv"), "k,a\nq,1\n");
        CliRun r = CliRun.of("--input", input.toString(), "--key", "k", "--model", spec.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bad.json").contains("momentun");
    }

    @Test
    void aMissingInputIsAClearError() {
        CliRun r = CliRun.of("--input", dir.resolve("nope.csv").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("nope.csv").contains("does not exist");
    }
}
