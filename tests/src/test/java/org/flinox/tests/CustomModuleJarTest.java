package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.flinox.nn.DType;
import org.flinox.nn.Npz;
import org.flinox.nn.Tensor;
import org.flinox.tests.CustomModules.Row;
import org.flinox.tests.CustomModules.Smoothing;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own module types, in their own jar ({@code deploy/examples/custom-module}), through
 * the real shaded jar stand-alone: {@code --module-jar} with {@code run}, {@code describe},
 * {@code inspect} and {@code bootstrap}, each against plain loops written here from the
 * modules' formulas; and a bad jar refused at start.
 */
class CustomModuleJarTest {
    /** float32 moments, rounded where they are stored: within this of the float64 loop. */
    private static final double FLOAT32 = 1e-6;

    @TempDir
    Path dir;

    private Path spec(String name, String json) throws Exception {
        return Files.writeString(dir.resolve(name), json);
    }

    private static void assertOutputs(List<JsonNode> lines, List<Row> rows, List<double[]> expected) {
        assertThat(lines).hasSameSizeAs(rows);
        Map<Integer, JsonNode> bySeq = new HashMap<>();
        for (JsonNode l : lines) {
            assertThat(bySeq.put(l.get("seq").asInt(), l)).as("seq %s once", l.get("seq")).isNull();
        }
        for (int i = 0; i < rows.size(); i++) {
            JsonNode line = bySeq.get(rows.get(i).seq());
            assertThat(line.get("key").asText()).isEqualTo(rows.get(i).key());
            double[] out = JobFiles.doubles(line.get("output"));
            assertThat(out).as("output of seq %d", i).hasSize(2);
            for (int j = 0; j < 2; j++) {
                assertThat(out[j]).as("output of seq %d [%d]", i, j).isCloseTo(expected.get(i)[j], within(1e-12));
            }
        }
    }

    @Test
    void theJarsTypesRunAndTheirStateIsInspectedAsTheLoopsSay() throws Exception {
        List<Row> rows = CustomModules.rows(0, 30);
        Path input = Files.write(dir.resolve("in.csv"), CustomModules.csv(rows));
        Path model = spec("smoothing.json", CustomModules.SMOOTHING);
        String jar = CustomModules.jar().toString();

        JarRun run = JarRun.of(dir, "--input", input.toString(), "--key", "key", "--features", "a,b", "--model",
                model.toString(), "--module-jar", jar, "--output", dir.resolve("out").toString(),
                "--final-state", dir.resolve("final").toString(), "--final-savepoint", dir.resolve("warm").toString());
        assertThat(run.code()).as(run.err()).isZero();
        assertThat(run.err()).contains("30 records in", "30 outputs for 3 keys");

        Smoothing expected = new Smoothing().feed(rows);
        assertOutputs(JobFiles.jsonLines(dir.resolve("out")), rows, expected.outputs);
        List<String> finalState = new ArrayList<>();
        JobFiles.jsonLines(dir.resolve("final")).forEach(n -> finalState.add(n.toString()));
        StateRows.assertClose(StateRows.parse(finalState), expected.state(), FLOAT32);

        JarRun inspect = JarRun.of(dir, "inspect", "--from", dir.resolve("warm").toString(), "--model",
                model.toString(), "--features", "a,b", "--module-jar", jar);
        assertThat(inspect.code()).as(inspect.err()).isZero();
        StateRows.assertClose(StateRows.parse(inspect.out().lines().toList()), expected.state(), FLOAT32);
        assertThat(inspect.out()).contains("\"stateKey\":\".layers[1].level\",\"shape\":[2],\"dtype\":\"float64\"",
                "\"stateKey\":\".layers[0].first\",\"shape\":[2],\"dtype\":\"float32\"");
    }

    @Test
    void aBootstrappedLevelIsWhereTheSmoothingGoesOnFrom() throws Exception {
        double[] k0 = {10, -4};
        double[] k2 = {0.5, 100};
        Path state = Files.write(dir.resolve("warm.jsonl"), List.of(
                level("k0", k0), level("k2", k2)));
        Path model = spec("smoothing.json", CustomModules.SMOOTHING);
        String jar = CustomModules.jar().toString();
        Path savepoint = dir.resolve("warm");
        JarRun bootstrap = JarRun.of(dir, "bootstrap", "--state", state.toString(), "--model", model.toString(),
                "--features", "a,b", "--module-jar", jar, "--output", savepoint.toString());
        assertThat(bootstrap.code()).as(bootstrap.err()).isZero();

        List<Row> rows = CustomModules.rows(0, 12);
        Path input = Files.write(dir.resolve("in.csv"), CustomModules.csv(rows));
        JarRun run = JarRun.of(dir, "--input", input.toString(), "--key", "key", "--features", "a,b", "--model",
                model.toString(), "--module-jar", jar, "--output", dir.resolve("out").toString(),
                "--restore", savepoint.toString());
        assertThat(run.code()).as(run.err()).isZero();

        Smoothing expected = new Smoothing().start("k0", k0).start("k2", k2).feed(rows); // k1 starts at 0
        assertOutputs(JobFiles.jsonLines(dir.resolve("out")), rows, expected.outputs);
    }

    private static String level(String key, double[] values) {
        return String.format(Locale.ROOT, "{\"key\":\"%s\",\"stateKey\":\".layers[1].level\",\"shape\":[2],"
                + "\"dtype\":\"float64\",\"values\":[%s,%s]}", key, values[0], values[1]);
    }

    @Test
    void theUsersMlpHasInoxsPathsInDescribeAndLoadsWeightsByThem() throws Exception {
        Path model = spec("mlp.json", "{\"name\":\"mine\",\"module\":{\"type\":\"my-mlp\",\"out\":1,\"hidden\":2}}");
        String jar = CustomModules.jar().toString();

        JarRun describe = JarRun.of(dir, "describe", "--model", model.toString(), "--features", "a,b", "--module-jar", jar);
        assertThat(describe.code()).as(describe.err()).isZero();
        JsonNode d = JobFiles.JSON.readTree(describe.out());
        List<String> parameters = new ArrayList<>();
        d.get("parameters").forEach(p -> parameters.add(p.get("path").asText() + " " + p.get("shape")));
        assertThat(parameters).containsExactly(".l1.bias [2]", ".l1.weight [2,2]", ".l2.bias [2]", ".l2.weight [2,2]",
                ".l3.bias [1]", ".l3.weight [2,1]");
        List<String> state = new ArrayList<>();
        d.get("state").forEach(s -> state.add(s.get("key").asText() + " " + s.get("dtype").asText()));
        assertThat(state).containsExactly(".inStats.first float32", ".inStats.second float32",
                ".outStats.first float32", ".outStats.second float32");
        assertThat(d.at("/module/type").asText()).isEqualTo("MLP");

        // weights a numpy user would write; y = l3(relu(l2(relu(l1(x))))) worked out in loops below
        double[][] w1 = {{1, -1}, {0.5, 2}};   // [in, hidden]
        double[] b1 = {0, -1};
        double[][] w2 = {{2, 0}, {-1, 1}};
        double[] b2 = {0.5, 0};
        double[][] w3 = {{1}, {-2}};
        double[] b3 = {0.25};
        Path weights = dir.resolve("mlp.npz");
        Npz.write(weights, Map.of(
                ".l1.weight", Tensor.of(DType.FLOAT32, new int[] {2, 2}, 1, -1, 0.5, 2), ".l1.bias", Tensor.vector(DType.FLOAT32, b1),
                ".l2.weight", Tensor.of(DType.FLOAT32, new int[] {2, 2}, 2, 0, -1, 1), ".l2.bias", Tensor.vector(DType.FLOAT32, b2),
                ".l3.weight", Tensor.of(DType.FLOAT32, new int[] {2, 1}, 1, -2), ".l3.bias", Tensor.vector(DType.FLOAT32, b3)));
        List<Row> rows = CustomModules.rows(0, 9);
        Path input = Files.write(dir.resolve("in.csv"), CustomModules.csv(rows));

        JarRun run = JarRun.of(dir, "--input", input.toString(), "--key", "key", "--features", "a,b", "--model",
                model.toString(), "--weights", weights.toString(), "--module-jar", jar, "--output", dir.resolve("out").toString());
        assertThat(run.code()).as(run.err()).isZero();

        Map<Integer, Double> bySeq = new HashMap<>();
        for (JsonNode l : JobFiles.jsonLines(dir.resolve("out"))) {
            bySeq.put(l.get("seq").asInt(), l.get("output").get(0).asDouble());
        }
        assertThat(bySeq).hasSize(rows.size());
        for (Row r : rows) {
            double[] h1 = relu(affine(r.x(), w1, b1));
            double[] h2 = relu(affine(h1, w2, b2));
            double y = affine(h2, w3, b3)[0];
            assertThat(bySeq.get(r.seq())).as("seq %d", r.seq()).isCloseTo(y, within(1e-5 * Math.max(1, Math.abs(y))));
        }
    }

    private static double[] affine(double[] x, double[][] w, double[] b) {
        double[] y = b.clone();
        for (int j = 0; j < y.length; j++) {
            for (int i = 0; i < x.length; i++) {
                y[j] += x[i] * w[i][j];
            }
        }
        return y;
    }

    private static double[] relu(double[] x) {
        double[] y = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0, x[i]);
        }
        return y;
    }

    @Test
    void withoutTheJarTheTypeIsUnknownAndAJarWithoutTypesIsRefusedAtStart() throws Exception {
        Path model = spec("smoothing.json", CustomModules.SMOOTHING);
        Path input = Files.write(dir.resolve("in.csv"), CustomModules.csv(CustomModules.rows(0, 3)));

        JarRun without = JarRun.of(dir, "--input", input.toString(), "--key", "key", "--model", model.toString());
        assertThat(without.code()).isEqualTo(1);
        assertThat(without.errLines()).singleElement().asString()
                .startsWith("flinox-job: " + model + ": module.layers[0].type: unknown type 'my-moments'; expected one of");

        Path empty = dir.resolve("empty.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(empty))) {
            out.putNextEntry(new JarEntry("README.txt"));
            out.write("no module types here".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            out.closeEntry();
        }
        JarRun noTypes = JarRun.of(dir, "describe", "--model", model.toString(), "--features", "a,b",
                "--module-jar", empty.toString());
        assertThat(noTypes.code()).isEqualTo(1);
        assertThat(noTypes.errLines()).singleElement().asString().isEqualTo("flinox-job: --module-jar " + empty
                + " registers no module type: list your org.flinox.spec.ModuleType classes, one a line, in its "
                + "META-INF/services/org.flinox.spec.ModuleType (deploy/examples/custom-module shows how)");

        JarRun missing = JarRun.of(dir, "--input", input.toString(), "--model", model.toString(),
                "--module-jar", dir.resolve("nope.jar").toString());
        assertThat(missing.code()).isEqualTo(1);
        assertThat(missing.errLines()).singleElement().asString()
                .isEqualTo("flinox-job: --module-jar " + dir.resolve("nope.jar") + " does not exist");
    }
}
