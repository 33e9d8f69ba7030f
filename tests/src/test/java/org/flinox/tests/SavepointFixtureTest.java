package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import org.flinox.nn.DType;
import org.flinox.nn.Npz;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Savepoints of the packed state layout (one {@code ValueState} per model, packed state format
 * 1), committed, restore in this build: the guard every change of the state's format, its
 * serializer or the operator must pass.
 *
 * <p>Each fixture directory holds the savepoint ({@code _metadata}), the input it was made from
 * ({@code history.csv}), and every key's state as the writing build's {@code inspect} printed it
 * ({@code state.jsonl}). They were made on 2026-12-04 with the build of that day:
 *
 * <pre>java -jar job/target/flinox-job.jar --input history.csv --key id --features x,y --parallelism 2 \
 *     --output out --final-savepoint standardize-packed-format-1
 * java -jar job/target/flinox-job.jar --input history.csv --key id --features x,y --parallelism 2 \
 *     --model spec.json --output out2 --final-savepoint mlp-packed-format-1
 * java -jar job/target/flinox-job.jar inspect --from DIR [--model spec.json] --features x,y --output DIR/state.jsonl</pre>
 */
class SavepointFixtureTest {
    static final Path STANDARDIZE = Path.of("src/test/resources/fixtures/standardize-packed-format-1");
    /** inox's example MLP (hidden 64, out 3, seed 0) over x, y. */
    static final Path MLP = Path.of("src/test/resources/fixtures/mlp-packed-format-1");
    private static final int HIDDEN = 64;
    private static final int OUT = 3;
    private static final double M = 0.9; // Moments' momentum in inox's MLP

    @TempDir
    Path dir;

    // ---- what the fixtures hold ----

    @Test
    void theStandardizeFixtureHoldsTheCumulativeStatisticsOfItsHistory() throws Exception {
        Map<String, Map<String, double[]>> expected = Reference.cumulativeState(history(STANDARDIZE));
        Map<String, double[]> stored = values(Files.readAllLines(STANDARDIZE.resolve("state.jsonl")));
        assertThat(expected).hasSize(30);
        assertThat(stored).hasSize(30 * 3);
        expected.forEach((key, entries) -> entries.forEach((entry, values) ->
                assertClose(stored.get(key + " " + entry), values, 1e-9, key + " " + entry)));
    }

    @Test
    void theMlpFixtureHoldsTheInputMomentsOfItsHistory() throws Exception {
        Map<String, float[][]> moments = new TreeMap<>();
        for (Reference.Row r : history(MLP)) {
            moments.put(r.key(), moments(moments.getOrDefault(r.key(), initialMoments(2)), r.x()));
        }
        Map<String, double[]> stored = values(Files.readAllLines(MLP.resolve("state.jsonl")));
        assertThat(stored).hasSize(30 * 4);
        moments.forEach((key, m) -> {
            assertClose(stored.get(key + " .inStats.first"), toDoubles(m[0]), 1e-6, key);
            assertClose(stored.get(key + " .inStats.second"), toDoubles(m[1]), 1e-6, key);
        });
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void inspectPrintsEachFixtureAsItsWritingBuildDid(String backend) throws Exception {
        Path spec = Files.copy(MLP.resolve("spec.json"), dir.resolve("spec.json"));
        for (Path fixture : List.of(STANDARDIZE, MLP)) {
            Path printed = dir.resolve(fixture.getFileName() + ".jsonl");
            List<String> flags = new ArrayList<>(List.of("inspect", "--from", fixture.toString(), "--features", "x,y",
                    "--state-backend", backend, "--output", printed.toString()));
            if (fixture == MLP) {
                flags.addAll(List.of("--model", spec.toString()));
            }
            CliRun r = CliRun.of(flags.toArray(String[]::new));
            assertThat(r.code()).as(r.err()).isZero();
            assertThat(Files.readAllLines(printed)).as(fixture.toString())
                    .isEqualTo(Files.readAllLines(fixture.resolve("state.jsonl")));
        }
    }

    // ---- restoring them ----

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void theStandardizeFixtureRestoresAndItsStatisticsCarryOn(String backend) throws Exception {
        List<Reference.Row> history = history(STANDARDIZE);
        List<Reference.Row> fresh = fresh(250, 7);
        Path out = dir.resolve("out");
        Path finalState = dir.resolve("final-state");
        CliRun r = CliRun.of("--input", writeCsv(fresh).toString(), "--key", "id", "--features", "x,y",
                "--state-backend", backend, "--output", out.toString(), "--final-state", finalState.toString(),
                "--restore", savepoint(STANDARDIZE).toString());
        assertThat(r.code()).as(r.err()).isZero();

        List<Reference.Row> all = new ArrayList<>(history);
        all.addAll(fresh);
        Map<String, double[]> z = Reference.cumulative(all);
        List<JsonNode> outputs = JobFiles.jsonLines(out);
        assertThat(outputs).hasSize(fresh.size());
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertClose(JobFiles.doubles(o.get("output")), z.get(id), 1e-9, id);
        }

        Map<String, Map<String, double[]>> expected = Reference.cumulativeState(all);
        Map<String, double[]> got = values(finalState);
        assertThat(got).hasSize(expected.size() * 3);
        expected.forEach((key, entries) -> {
            assertThat(got.get(key + " .count")).as(key).containsExactly(entries.get(".count"));
            assertClose(got.get(key + " .mean"), entries.get(".mean"), 1e-9, key + " .mean");
            assertClose(got.get(key + " .m2"), entries.get(".m2"), 1e-9, key + " .m2");
        });
        // keys without a fresh record hold exactly what the savepoint held
        Map<String, double[]> stored = values(Files.readAllLines(STANDARDIZE.resolve("state.jsonl")));
        fresh.forEach(f -> stored.keySet().removeIf(k -> k.startsWith(f.key() + " ")));
        assertThat(stored).isNotEmpty();
        stored.forEach((k, v) -> assertThat(got.get(k)).as(k).isEqualTo(v));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void theMlpFixtureRestoresAndCarriesOnAsPlainLoopsFromItsState(String backend) throws Exception {
        // new weights of our own (the model's layout is the same): the restored moments carry on under them
        float[][] w1 = weights(2, HIDDEN, 1);
        float[][] w2 = weights(HIDDEN, HIDDEN, 2);
        float[][] w3 = weights(HIDDEN, OUT, 3);
        float[] b1 = bias(HIDDEN, 1);
        float[] b2 = bias(HIDDEN, 2);
        float[] b3 = bias(OUT, 3);
        Path npz = dir.resolve("weights.npz");
        Npz.write(npz, Map.of(".l1.weight", tensor(w1), ".l1.bias", Tensor.vector(DType.FLOAT32, toDoubles(b1)),
                ".l2.weight", tensor(w2), ".l2.bias", Tensor.vector(DType.FLOAT32, toDoubles(b2)),
                ".l3.weight", tensor(w3), ".l3.bias", Tensor.vector(DType.FLOAT32, toDoubles(b3))));
        List<Reference.Row> fresh = fresh(200, 8);
        Path out = dir.resolve("out");
        Path finalState = dir.resolve("final-state");
        CliRun r = CliRun.of("--input", writeCsv(fresh).toString(), "--key", "id", "--features", "x,y",
                "--model", MLP.resolve("spec.json").toString(), "--weights", npz.toString(),
                "--state-backend", backend, "--output", out.toString(), "--final-state", finalState.toString(),
                "--restore", savepoint(MLP).toString());
        assertThat(r.code()).as(r.err()).isZero();

        // the plain-loop MLP, from each key's stored moments (or 0 and 1 for a new key)
        Map<String, double[]> stored = values(Files.readAllLines(MLP.resolve("state.jsonl")));
        Map<String, float[][]> inStats = new HashMap<>();
        Map<String, float[][]> outStats = new HashMap<>();
        Map<String, double[]> y = new HashMap<>();
        for (Reference.Row row : fresh) {
            String k = row.key();
            float[][] in = inStats.computeIfAbsent(k, key -> storedMoments(stored, key, ".inStats", 2));
            inStats.put(k, moments(in, row.x()));
            double[] h1 = relu(linear(row.x(), w1, b1));
            double[] h2 = relu(linear(h1, w2, b2));
            double[] out3 = linear(h2, w3, b3);
            float[][] os = outStats.computeIfAbsent(k, key -> storedMoments(stored, key, ".outStats", OUT));
            outStats.put(k, moments(os, out3));
            y.put(Reference.id(row.source(), row.seq()), out3);
        }
        List<JsonNode> outputs = JobFiles.jsonLines(out);
        assertThat(outputs).hasSize(fresh.size());
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertClose(JobFiles.doubles(o.get("output")), y.get(id), 1e-5, id);
        }
        Map<String, double[]> got = values(finalState);
        inStats.forEach((k, m) -> {
            assertClose(got.get(k + " .inStats.first"), toDoubles(m[0]), 1e-6, k);
            assertClose(got.get(k + " .inStats.second"), toDoubles(m[1]), 1e-6, k);
            assertClose(got.get(k + " .outStats.first"), toDoubles(outStats.get(k)[0]), 1e-5, k);
            assertClose(got.get(k + " .outStats.second"), toDoubles(outStats.get(k)[1]), 1e-5, k);
        });
        Map<String, double[]> untouched = new TreeMap<>(stored);
        untouched.keySet().removeIf(k -> inStats.containsKey(k.substring(0, k.indexOf(' '))));
        assertThat(untouched).isNotEmpty();
        untouched.forEach((k, v) -> assertThat(got.get(k)).as(k).isEqualTo(v));
        assertThat(got).hasSize((30 + 10) * 4);
    }

    // ---- plain loops: inox's MLP in float32 ----

    /** first ← m·first + (1 − m)·x, second ← m·second + (1 − m)·x², each rounded to float32. */
    private static float[][] moments(float[][] m, double[] x) {
        float[][] next = new float[2][x.length];
        for (int i = 0; i < x.length; i++) {
            next[0][i] = (float) (M * m[0][i] + (1 - M) * x[i]);
            next[1][i] = (float) (M * m[1][i] + (1 - M) * x[i] * x[i]);
        }
        return next;
    }

    private static float[][] initialMoments(int n) {
        float[][] m = new float[2][n];
        java.util.Arrays.fill(m[1], 1f);
        return m;
    }

    private static float[][] storedMoments(Map<String, double[]> stored, String key, String module, int n) {
        double[] first = stored.get(key + " " + module + ".first");
        if (first == null) {
            return initialMoments(n);
        }
        double[] second = stored.get(key + " " + module + ".second");
        float[][] m = new float[2][n];
        for (int i = 0; i < n; i++) {
            m[0][i] = (float) first[i];
            m[1][i] = (float) second[i];
        }
        return m;
    }

    /** y = x·W + b in float64, rounded to float32. */
    private static double[] linear(double[] x, float[][] w, float[] b) {
        double[] y = new double[b.length];
        for (int j = 0; j < y.length; j++) {
            double s = b[j];
            for (int i = 0; i < x.length; i++) {
                s += x[i] * w[i][j];
            }
            y[j] = (float) s;
        }
        return y;
    }

    private static double[] relu(double[] h) {
        double[] out = new double[h.length];
        for (int i = 0; i < h.length; i++) {
            out[i] = Math.max(h[i], 0);
        }
        return out;
    }

    private static float[][] weights(int in, int out, int layer) {
        float[][] w = new float[in][out];
        for (int i = 0; i < in; i++) {
            for (int j = 0; j < out; j++) {
                w[i][j] = (float) (Math.sin(layer * 7 + i * 3.1 + j * 1.7) / Math.sqrt(in));
            }
        }
        return w;
    }

    private static float[] bias(int out, int layer) {
        float[] b = new float[out];
        for (int j = 0; j < out; j++) {
            b[j] = (float) (0.1 * Math.cos(layer + j));
        }
        return b;
    }

    private static Tensor tensor(float[][] w) {
        double[] flat = new double[w.length * w[0].length];
        for (int i = 0; i < w.length; i++) {
            for (int j = 0; j < w[0].length; j++) {
                flat[i * w[0].length + j] = w[i][j];
            }
        }
        return Tensor.of(DType.FLOAT32, new int[] {w.length, w[0].length}, flat);
    }

    private static double[] toDoubles(float[] f) {
        double[] d = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            d[i] = f[i];
        }
        return d;
    }

    // ---- files ----

    /** A copy of the fixture's savepoint: a restore must not touch the committed one. */
    private Path savepoint(Path fixture) throws Exception {
        Path savepoint = Files.createDirectories(dir.resolve("savepoint-" + fixture.getFileName()));
        Files.copy(fixture.resolve("_metadata"), savepoint.resolve("_metadata"));
        return savepoint;
    }

    /** The fixture's input rows, as the writing run read them. */
    private static List<Reference.Row> history(Path fixture) throws Exception {
        List<String> lines = Files.readAllLines(fixture.resolve("history.csv"));
        List<Reference.Row> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            rows.add(new Reference.Row(f[0], "history.csv", i - 1,
                    new double[] {Double.parseDouble(f[1]), Double.parseDouble(f[2])}));
        }
        return rows;
    }

    /** Rows of keys s10..s39: s0..s9 get none, s30..s39 are keys the savepoints do not hold. */
    private static List<Reference.Row> fresh(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Reference.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = 10 + random.nextInt(30);
            rows.add(new Reference.Row("s" + k, "today.csv", i,
                    new double[] {random.nextDouble() * 4 - 2 + k, random.nextGaussian() * 2}));
        }
        return rows;
    }

    private Path writeCsv(List<Reference.Row> rows) throws Exception {
        return SavepointRescaleTest.writeCsv(dir.resolve("today.csv"), rows);
    }

    /** "key stateKey" → values, from JSON lines as inspect and --final-state write them. */
    private static Map<String, double[]> values(List<String> lines) throws Exception {
        Map<String, double[]> out = new LinkedHashMap<>();
        for (String line : lines) {
            JsonNode row = JobFiles.JSON.readTree(line);
            out.put(row.get("key").asText() + " " + row.get("stateKey").asText(), JobFiles.doubles(row.get("values")));
        }
        return out;
    }

    private static Map<String, double[]> values(Path dir) throws Exception {
        List<String> lines = new ArrayList<>();
        for (JsonNode row : JobFiles.jsonLines(dir)) {
            lines.add(row.toString());
        }
        return new TreeMap<>(values(lines));
    }

    /** Every value within {@code relative} of the expected one (relative to max(1, |expected|)). */
    private static void assertClose(double[] actual, double[] expected, double relative, String what) {
        assertThat(actual).as(what).isNotNull().hasSameSizeAs(expected);
        for (int i = 0; i < expected.length; i++) {
            assertThat(Math.abs(actual[i] - expected[i])).as("%s [%d]: %s vs %s", what, i, actual[i], expected[i])
                    .isLessThanOrEqualTo(relative * Math.max(1, Math.abs(expected[i])));
        }
    }
}
