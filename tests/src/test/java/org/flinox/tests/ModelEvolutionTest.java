package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.util.ExceptionUtils;
import org.flinox.job.FlinoxCli;
import org.flinox.nn.DType;
import org.flinox.nn.Npz;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A savepoint outlives a change of model: entries added, removed, and changed in shape. */
class ModelEvolutionTest {
    private static final String CUMULATIVE = "{\"name\":\"evo\",\"module\":{\"type\":\"sequential\",\"layers\":["
            + "{\"type\":\"standardize\"}]}}";
    private static final String WITH_EMA = "{\"name\":\"evo\",\"module\":{\"type\":\"sequential\",\"layers\":["
            + "{\"type\":\"standardize\"},{\"type\":\"standardize\",\"mode\":\"ema\",\"momentum\":0.5,\"eps\":0.001}]}}";

    @TempDir
    Path dir;
    private long arrival = System.currentTimeMillis() - 600_000;
    private int committed;

    private String stage(Path watched, Path out, String spec, List<Reference.Row> rows, String savepoint,
            String... extra) throws Exception {
        Path specFile = Files.writeString(dir.resolve("spec-" + arrival + ".json"), spec);
        List<String> flags = new ArrayList<>(List.of("--format", "csv", "--key", "id", "--features", "x,y",
                "--model", specFile.toString(), "--parallelism", "2"));
        if (savepoint != null) {
            flags.addAll(List.of("--restore", savepoint));
        }
        flags.addAll(List.of(extra));
        try (WatchedJob job = WatchedJob.start(watched, out, flags.toArray(new String[0]))) {
            Path staging = Files.createDirectories(dir.resolve("staging"));
            job.feed(SavepointRescaleTest.writeCsv(staging.resolve(rows.get(0).source()), rows), arrival += 1000);
            committed += rows.size();
            job.awaitOutputs(committed);
            return job.stopWithSavepoint(dir.resolve("savepoints"));
        }
    }

    private static Map<String, double[]> outputs(Path out) {
        Map<String, double[]> got = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            got.put(Reference.id(o.get("source").asText(), o.get("seq").asLong()), JobFiles.doubles(o.get("output")));
        }
        return got;
    }

    /** Rows whose features are the cumulative z-scores the first layer gives them. */
    private static List<Reference.Row> asZScores(List<Reference.Row> rows, Map<String, double[]> z) {
        return rows.stream().map(r -> new Reference.Row(r.key(), r.source(), r.seq(), z.get(Reference.id(r.source(), r.seq()))))
                .toList();
    }

    @Test
    void addedEntriesStartFromInitialAndRemovedOnesAreDropped() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Path out = dir.resolve("out");
        List<Reference.Row> a = SavepointRescaleTest.rows("a.csv", 1500, 1);
        List<Reference.Row> b = SavepointRescaleTest.rows("b.csv", 1500, 2);
        List<Reference.Row> c = SavepointRescaleTest.rows("c.csv", 1500, 3);
        List<Reference.Row> d = SavepointRescaleTest.rows("d.csv", 1500, 4);

        String sp = stage(watched, out, CUMULATIVE, a, null);
        sp = stage(watched, out, WITH_EMA, b, sp);   // adds .layers[1].first/.second
        try (LogCapture logs = new LogCapture()) {
            sp = stage(watched, out, CUMULATIVE, c, sp); // drops them, and says so
            for (String entry : List.of(".layers[1].first", ".layers[1].second")) {
                assertThat(logs.containing(entry)).as("a log line names the dropped entry %s", entry)
                        .anySatisfy(m -> assertThat(m.toLowerCase(java.util.Locale.ROOT)).contains("drop"));
            }
        }
        stage(watched, out, WITH_EMA, d, sp);        // adds them again: from initial, not from b's end

        List<Reference.Row> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        all.addAll(d);
        Map<String, double[]> z = Reference.cumulative(all);
        Map<String, double[]> expected = new HashMap<>(z);
        expected.putAll(Reference.ema(asZScores(b, z), 0.5, 0.001));
        expected.putAll(Reference.ema(asZScores(d, z), 0.5, 0.001));

        Map<String, double[]> got = outputs(out);
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, e) -> assertThat(got.get(id)).as(id).containsExactly(e, within(1e-9)));
    }

    private static String projected(int out) {
        return projected(out, "{\"type\":\"moments\"}");
    }

    /** standardize → linear (out) → a last stateful layer at .layers[2]. */
    private static String projected(int out, String last) {
        return "{\"name\":\"proj\",\"seed\":1,\"module\":{\"type\":\"sequential\",\"layers\":["
                + "{\"type\":\"standardize\"},{\"type\":\"linear\",\"out\":" + out + "}," + last + "]}}";
    }

    /** Starts a job restoring {@code savepoint} with {@code spec}, which must fail at start; its message. */
    private String failureOfRestoring(Path watched, Path out, String spec, String savepoint) throws Exception {
        Path specFile = Files.writeString(dir.resolve("spec-" + (arrival += 1000) + ".json"), spec);
        Throwable failure;
        try (WatchedJob job = WatchedJob.start(watched, out, "--format", "csv", "--key", "id", "--features", "x,y",
                "--model", specFile.toString(), "--restore", savepoint)) {
            failure = job.awaitFailure();
        }
        assertThat(failure).isNotNull();
        return ExceptionUtils.stringifyException(failure);
    }

    @Test
    void aChangedShapeOrDtypeFailsAtStartNamingTheEntryUntilItIsResetAndOnlyTheResetEntriesRestart() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Path out = dir.resolve("out");
        List<Reference.Row> a = SavepointRescaleTest.rows("a.csv", 500, 1);
        String sp = stage(watched, out, projected(3), a, null);

        // .layers[2] becomes an ema standardize: same names, float64 instead of float32
        assertThat(failureOfRestoring(watched, out, projected(3, "{\"type\":\"standardize\",\"mode\":\"ema\"}"), sp))
                .contains(".layers[2].first was float32[3], the model now has float64[3]")
                .contains(".layers[2].second was float32[3], the model now has float64[3]").contains("--reset-state .layers[2] (every entry of a module");
        // the linear layer gets wider: .layers[2] holds 4 numbers instead of 3
        assertThat(failureOfRestoring(watched, out, projected(4), sp))
                .contains(".layers[2].first was float32[3], the model now has float32[4]")
                .contains(".layers[2].second").contains("--reset-state .layers[2] (every entry of a module");

        // reset .layers[2] over a bounded input, with weights of our own so the output can be worked out
        double[][] w = {{0.5, -1, 2, 0.25}, {1.5, 0.75, -0.5, -2}};
        double[] bias = {0.125, -0.25, 0.5, -1};
        Path weights = dir.resolve("proj4.npz");
        Npz.write(weights, Map.of(".layers[1].weight", Tensor.of(DType.FLOAT32, new int[] {2, 4}, 0.5, -1, 2, 0.25,
                1.5, 0.75, -0.5, -2), ".layers[1].bias", Tensor.vector(DType.FLOAT32, bias)));
        Path specFile = Files.writeString(dir.resolve("proj4.json"), projected(4));
        List<Reference.Row> b = SavepointRescaleTest.rows("b.csv", 500, 2);
        Path input = SavepointRescaleTest.writeCsv(Files.createDirectories(dir.resolve("more")).resolve("b.csv"), b);
        Path finalState = dir.resolve("final-state");
        assertThat(FlinoxCli.execute("--input", input.toString(), "--key", "id", "--features", "x,y",
                "--model", specFile.toString(), "--weights", weights.toString(), "--restore", sp,
                "--reset-state", ".layers[2].first", "--reset-state", ".layers[2].second",
                "--output", out.toString(), "--final-state", finalState.toString(), "--parallelism", "2")).isZero();

        // outputs: the standardize statistics carried over from a (z over a and b), then x·W + b
        List<Reference.Row> both = new ArrayList<>(a);
        both.addAll(b);
        Map<String, double[]> z = Reference.cumulative(both);
        Map<String, List<double[]>> yByKey = new java.util.TreeMap<>();
        Map<String, double[]> got = outputs(out);
        for (Reference.Row r : b) {
            String id = Reference.id(r.source(), r.seq());
            double[] zr = z.get(id);
            double[] y = new double[4];
            for (int j = 0; j < 4; j++) {
                y[j] = zr[0] * w[0][j] + zr[1] * w[1][j] + bias[j];
            }
            assertThat(got.get(id)).as(id).containsExactly(y, within(1e-5 * (1 + Math.abs(y[0]) + Math.abs(y[1]))));
            yByKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(y);
        }

        // final state: .layers[0] carried over (a and b), .layers[2] restarted from 0 and 1 (b only)
        Map<String, Map<String, double[]>> state = StateRows.parse(JobFiles.jsonLines(finalState).stream()
                .map(JsonNode::toString).toList());
        Map<String, Map<String, double[]>> kept = Reference.cumulativeState(both);
        assertThat(state.keySet()).isEqualTo(kept.keySet());
        for (String key : kept.keySet()) {
            Map<String, double[]> expected = new java.util.TreeMap<>();
            kept.get(key).forEach((entry, values) -> expected.put(".layers[0]" + entry, values));
            Map<String, double[]> layer0 = new java.util.TreeMap<>(state.get(key));
            layer0.keySet().removeIf(e -> !e.startsWith(".layers[0]"));
            StateRows.assertClose(Map.of(key, layer0), Map.of(key, expected));

            double[] first = new double[4];
            double[] second = {1, 1, 1, 1};
            for (double[] y : yByKey.getOrDefault(key, List.of())) {
                for (int j = 0; j < 4; j++) {
                    first[j] = 0.9 * first[j] + 0.1 * y[j];
                    second[j] = 0.9 * second[j] + 0.1 * y[j] * y[j];
                }
            }
            assertThat(state.get(key).get(".layers[2].first")).as("%s .layers[2].first", key)
                    .containsExactly(first, within(1e-4 * (1 + Math.abs(first[0]))));
            assertThat(state.get(key).get(".layers[2].second")).as("%s .layers[2].second", key)
                    .containsExactly(second, within(1e-4 * (1 + second[0] + second[1] + second[2] + second[3])));
        }
    }
}
