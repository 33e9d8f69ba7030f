package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.flinox.nn.DType;
import org.flinox.nn.Npz;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * New weights without a restart ({@code --model-updates}), end to end through the job's flags on
 * a MiniCluster: a standardize then a linear layer, so each output depends both on the key's
 * state and on the weights. Every output must equal a plain-loop reference computed with the
 * weights its {@code model_version} names, per key in input order (the state carries over the
 * swap); per key the versions go A, then B, never back; refused updates change nothing; a
 * savepoint taken after the swap restores version B.
 */
class ModelUpdatesTest {
    static final String SPEC = "{\"name\": \"swap\", \"seed\": 0, \"module\": {\"type\": \"sequential\", "
            + "\"layers\": [{\"type\": \"standardize\"}, {\"type\": \"linear\", \"in\": 2, \"out\": 2}]}}";
    /** W [in, out] and b of each version, exact in float32. */
    static final Map<String, double[][]> WEIGHTS = Map.of(
            "A", new double[][] {{1, 0, 0, 1}, {0.5, -0.25}},
            "B", new double[][] {{-2, 0.75, 1.5, 3}, {10, 20}});

    @TempDir
    Path dir;

    private final List<Reference.Row> read = new ArrayList<>();
    private long arrival = 1_000_000L;
    private int files;

    static Path weights(Path where, String name, double[] w, double[] b) throws Exception {
        Map<String, Tensor> arrays = new LinkedHashMap<>();
        arrays.put(".layers[1].weight", Tensor.of(DType.FLOAT32, new int[] {2, 2}, w));
        arrays.put(".layers[1].bias", Tensor.vector(DType.FLOAT32, b));
        Path file = Files.createDirectories(where).resolve(name);
        Npz.write(file, arrays);
        return file;
    }

    /** Moves a staged update into the updates directory, whole, as a producer should. */
    private void publish(Path staged, Path updates) throws Exception {
        Files.move(staged, updates.resolve(staged.getFileName()), StandardCopyOption.ATOMIC_MOVE);
    }

    /** A new input file with one row per key and {@code perKey} rows each, fed to the job. */
    private void feed(WatchedJob job, int perKey) throws Exception {
        String name = "in" + (files++) + ".csv";
        StringBuilder csv = new StringBuilder("k,a,b\n");
        int seq = 0;
        for (int i = 0; i < perKey; i++) {
            for (String key : List.of("x", "y", "z")) {
                double a = (files * 7 + i * 3 + key.charAt(0)) % 11;
                double b = (files * 5 + i * 2 + key.charAt(0) * 3) % 13 - 4;
                csv.append(key).append(',').append(a).append(',').append(b).append('\n');
                read.add(new Reference.Row(key, name, seq++, new double[] {a, b}));
            }
        }
        Path staging = Files.createDirectories(dir.resolve("staging"));
        job.feed(Files.writeString(staging.resolve(name), csv), arrival += 1000);
    }

    private static long versions(Path out, String version) {
        return JobFiles.committedSoFar(out).stream().filter(o -> o.get("model_version").asText().equals(version)).count();
    }

    @Test
    void outputsFollowTheVersionInForceRefusedUpdatesChangeNothingAndASavepointKeepsB() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Path updates = Files.createDirectories(dir.resolve("updates"));
        Path out = dir.resolve("out");
        Path staged = dir.resolve("staged");
        Path spec = Files.writeString(dir.resolve("spec.json"), SPEC);
        Path a = weights(dir.resolve("weights"), "A.npz", WEIGHTS.get("A")[0], WEIGHTS.get("A")[1]);
        String[] flags = {"--format", "csv", "--key", "k", "--features", "a,b", "--model", spec.toString(),
            "--weights", a.toString(), "--model-updates", updates.toString(), "--parallelism", "2"};
        String savepoint;
        try (WatchedJob job = WatchedJob.start(in, out, flags)) {
            feed(job, 3);
            job.awaitOutputs(9);

            // refused, each a dead letter, version A keeps running
            publish(weights(staged, "wide.npz", new double[] {1, 2, 3, 4}, new double[] {1, 2, 3}), updates);
            Path nan = weights(staged, "nan.npz", new double[] {1, Double.NaN, 0, 1}, new double[] {0, 0});
            publish(nan, updates);
            publish(weights(staged, "A.npz", WEIGHTS.get("B")[0], WEIGHTS.get("B")[1]), updates); // A is applied
            publish(Files.writeString(staged.resolve("broken.npz"), "not a zip"), updates);
            job.awaitDeadLetters(4);
            feed(job, 2);
            job.awaitOutputs(15);
            assertThat(versions(out, "A")).isEqualTo(15);

            publish(weights(staged, "B.npz", WEIGHTS.get("B")[0], WEIGHTS.get("B")[1]), updates);
            int expected = 15;
            while (versions(out, "B") == 0) { // WatchedJob's deadline bounds each wait
                feed(job, 1);
                job.awaitOutputs(expected += 3);
            }
            feed(job, 2);
            job.awaitOutputs(expected += 6);
            savepoint = job.stopWithSavepoint(dir.resolve("savepoints"));
        }

        // restored: still B, though --weights says A
        try (WatchedJob job = WatchedJob.start(in, out, concat(flags, "--restore", savepoint))) {
            feed(job, 2);
            job.awaitOutputs(read.size());
        }

        List<JsonNode> outputs = JobFiles.jsonLines(out);
        assertThat(outputs).hasSize(read.size());
        Map<String, Reference.Row> rows = new HashMap<>();
        read.forEach(r -> rows.put(Reference.id(r.source(), r.seq()), r));
        Map<String, double[]> z = Reference.cumulative(read);
        Map<String, String> lastVersion = new HashMap<>();
        Map<String, String> versionOf = new HashMap<>();
        for (JsonNode o : outputs) {
            versionOf.put(Reference.id(o.get("source").asText(), o.get("seq").asLong()), o.get("model_version").asText());
        }
        int restoredFrom = read.size() - 6;
        for (int i = 0; i < read.size(); i++) { // in input order, per key
            Reference.Row r = read.get(i);
            String id = Reference.id(r.source(), r.seq());
            String version = versionOf.get(id);
            assertThat(version).as(id).isIn("A", "B");
            if (i < 15) {
                assertThat(version).as(id + ", before B was published").isEqualTo("A");
            }
            if (i >= restoredFrom) {
                assertThat(version).as(id + ", after the restore").isEqualTo("B");
            }
            if ("B".equals(lastVersion.get(r.key()))) {
                assertThat(version).as(id + ": versions of a key never go back").isEqualTo("B");
            }
            lastVersion.put(r.key(), version);
            JsonNode o = outputs.stream().filter(n -> Reference.id(n.get("source").asText(), n.get("seq").asLong())
                    .equals(id)).findFirst().orElseThrow();
            assertThat(JobFiles.doubles(o.get("output"))).as(id + " under " + version)
                    .containsExactly(linear(z.get(id), WEIGHTS.get(version)), within(1e-5));
        }
        assertThat(lastVersion).containsValues("B");

        List<JsonNode> deadLetters = JobFiles.jsonLines(dir.resolve("out-dead-letters"));
        Map<String, String> refused = new HashMap<>();
        for (JsonNode d : deadLetters) {
            assertThat(d.get("reason").asText()).isEqualTo("MODEL_UPDATE_REFUSED");
            refused.put(d.get("source").asText(), d.get("detail").asText());
        }
        assertThat(refused).containsOnlyKeys("wide.npz", "nan.npz", "A.npz", "broken.npz");
        assertThat(refused.get("wide.npz")).contains("expected shape [2]").contains("version A keeps running");
        assertThat(refused.get("nan.npz")).contains("is NaN");
        assertThat(refused.get("A.npz")).contains("applied already");
        assertThat(refused.get("broken.npz")).contains("broken.npz");
    }

    /** {@code y = (float) (z·W + b)} by hand, W row-major [in, out]. */
    static double[] linear(double[] z, double[][] weights) {
        double[] w = weights[0];
        double[] y = new double[2];
        for (int j = 0; j < 2; j++) {
            y[j] = weights[1][j];
            for (int i = 0; i < 2; i++) {
                y[j] += z[i] * w[i * 2 + j];
            }
            y[j] = (float) y[j];
        }
        return y;
    }

    private static String[] concat(String[] flags, String... more) {
        String[] all = java.util.Arrays.copyOf(flags, flags.length + more.length);
        System.arraycopy(more, 0, all, flags.length, more.length);
        return all;
    }
}
