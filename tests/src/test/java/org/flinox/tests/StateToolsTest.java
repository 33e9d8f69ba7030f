package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code bootstrap} and {@code inspect}: state rows → savepoint → the same rows, bit for bit;
 * a job restored from a bootstrapped savepoint continues each key's statistics; bad rows
 * are refused before anything runs, naming the line, the key and the stateKey.
 */
class StateToolsTest {
    @TempDir
    Path dir;

    /** A key's cumulative statistics over a history of records, by two passes (not Welford). */
    private record Stats(String key, double count, double[] mean, double[] m2) {
        static Stats of(String key, double[][] history) {
            int f = history[0].length;
            double[] mean = new double[f];
            double[] m2 = new double[f];
            for (int j = 0; j < f; j++) {
                for (double[] x : history) {
                    mean[j] += x[j];
                }
                mean[j] /= history.length;
                for (double[] x : history) {
                    m2[j] += (x[j] - mean[j]) * (x[j] - mean[j]);
                }
            }
            return new Stats(key, history.length, mean, m2);
        }
    }

    private static String row(String key, String stateKey, double... values) {
        StringBuilder v = new StringBuilder();
        for (double d : values) {
            v.append(v.length() == 0 ? "" : ",").append(Double.toString(d));
        }
        return String.format(Locale.ROOT, "{\"key\":\"%s\",\"stateKey\":\"%s\",\"shape\":[%d],\"dtype\":\"float64\","
                + "\"values\":[%s]}", key, stateKey, values.length, v);
    }

    private static List<String> rows(Stats s) {
        return List.of(row(s.key(), ".count", s.count()), row(s.key(), ".m2", s.m2()), row(s.key(), ".mean", s.mean()));
    }

    /** Key k1 saw three records, k2 one (m2 = 0), k3 two with awkward doubles. */
    private static final double[][] K1 = {{1.0, 10.0}, {2.0, 10.0}, {4.0, 13.0}};
    private static final double[][] K2 = {{-3.5, 0.25}};
    private static final double[][] K3 = {{0.1 + 0.2, Math.PI / 3}, {1e-300, -7.000000000000001}};

    private Path stateFile(List<String> lines) throws Exception {
        return Files.write(dir.resolve("state.jsonl"), lines, StandardCharsets.UTF_8);
    }

    private List<String> history() {
        List<String> lines = new ArrayList<>();
        lines.addAll(rows(Stats.of("k1", K1)));
        lines.addAll(rows(Stats.of("k2", K2)));
        lines.addAll(rows(Stats.of("k3", K3)));
        return lines;
    }

    private Path bootstrap(List<String> lines) throws Exception {
        Path savepoint = dir.resolve("savepoint");
        CliRun r = CliRun.of("bootstrap", "--state", stateFile(lines).toString(), "--features", "a,b",
                "--output", savepoint.toString());
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out()).contains("wrote " + lines.size() + " state rows of 3 keys");
        return savepoint;
    }

    /** (key, stateKey, dtype, shape, the raw bits of every value): equality here is bit for bit. */
    private static List<String> bits(List<String> jsonLines) throws Exception {
        List<String> out = new ArrayList<>();
        for (String line : jsonLines) {
            JsonNode n = JobFiles.JSON.readTree(line);
            StringBuilder s = new StringBuilder(n.get("key").asText()).append(' ').append(n.get("stateKey").asText())
                    .append(' ').append(n.get("dtype").asText()).append(' ').append(n.get("shape"));
            for (JsonNode v : n.get("values")) {
                s.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(v.asDouble())));
            }
            out.add(s.toString());
        }
        return out;
    }

    @Test
    void inspectOfABootstrappedSavepointGivesBackTheRowsBitForBit() throws Exception {
        List<String> input = history();
        Path savepoint = bootstrap(input);
        Path printed = dir.resolve("inspected.jsonl");
        CliRun r = CliRun.of("inspect", "--from", savepoint.toString(), "--features", "a,b", "--output", printed.toString());
        assertThat(r.code()).as(r.err()).isZero();
        List<String> lines = Files.readAllLines(printed);
        // the input is written key by key in stateKey order, which is the order inspect sorts by
        assertThat(bits(lines)).containsExactlyElementsOf(bits(input));
    }

    @Test
    void inspectWithAKeyPrintsOnlyThatKeysRowsToStandardOutput() throws Exception {
        Path savepoint = bootstrap(history());
        CliRun r = CliRun.of("inspect", "--from", savepoint.toString(), "--features", "a,b", "--key", "k2");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(bits(r.out().lines().toList())).containsExactlyElementsOf(bits(rows(Stats.of("k2", K2))));
    }

    @Test
    void inspectOfAKeyWithNoStateSaysSo() throws Exception {
        Path savepoint = bootstrap(history());
        CliRun r = CliRun.of("inspect", "--from", savepoint.toString(), "--features", "a,b", "--key", "NOPE");
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.out()).isEmpty();
        assertThat(r.err()).contains("key 'NOPE' has no state in " + savepoint);
    }

    @Test
    void inspectPrintsEveryEntryOfAKeyWithTheInitialValueForThoseNotGiven() throws Exception {
        // k1 is given only a count: its mean and m2 start from the initial value, 0 (Welford's start)
        Path savepoint = dir.resolve("savepoint");
        Path state = stateFile(List.of(row("k1", ".count", 5.0)));
        assertThat(CliRun.of("bootstrap", "--state", state.toString(), "--features", "a,b", "--output", savepoint.toString())
                .code()).isZero();
        CliRun r = CliRun.of("inspect", "--from", savepoint.toString(), "--features", "a,b");
        assertThat(r.code()).as(r.err()).isZero();
        String zero = Long.toHexString(Double.doubleToRawLongBits(0.0));
        assertThat(bits(r.out().lines().toList())).containsExactly(
                "k1 .count float64 [1] " + Long.toHexString(Double.doubleToRawLongBits(5.0)),
                "k1 .m2 float64 [2] " + zero + " " + zero,
                "k1 .mean float64 [2] " + zero + " " + zero);
    }

    @ParameterizedTest(name = "restored on {0}")
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void aJobRestoredFromABootstrappedSavepointContinuesEachKeysStatistics(String backend) throws Exception {
        Path savepoint = bootstrap(history());
        // two new records for k1, one for k2, one for k3, one for k4 (absent from the savepoint)
        double[][] next = {{3.0, 11.0}, {-1.0, 12.5}, {2.0, 0.25}, {0.5, 1.0}, {8.0, 9.0}};
        String[] keys = {"k1", "k1", "k2", "k3", "k4"};
        StringBuilder csv = new StringBuilder("k,a,b\n");
        for (int i = 0; i < next.length; i++) {
            csv.append(keys[i]).append(',').append(next[i][0]).append(',').append(next[i][1]).append('\n');
        }
        Path input = Files.writeString(dir.resolve("more.csv"), csv);
        Path out = dir.resolve("out");
        int code = FlinoxCli.execute("--input", input.toString(), "--key", "k", "--features", "a,b",
                "--output", out.toString(), "--restore", savepoint.toString(), "--checkpoint-interval", "300",
                "--state-backend", backend);
        assertThat(code).isZero();

        // expected: a Welford update from the bootstrapped count/mean/m2, by hand
        Map<String, double[][]> welford = new HashMap<>(); // key -> {{n}, mean, m2}
        for (Stats s : List.of(Stats.of("k1", K1), Stats.of("k2", K2), Stats.of("k3", K3))) {
            welford.put(s.key(), new double[][] {{s.count()}, s.mean().clone(), s.m2().clone()});
        }
        Map<Long, double[]> expected = new HashMap<>();
        for (int i = 0; i < next.length; i++) {
            double[][] s = welford.computeIfAbsent(keys[i], k -> new double[][] {{0}, new double[2], new double[2]});
            double n = ++s[0][0];
            double[] z = new double[2];
            for (int j = 0; j < 2; j++) {
                double delta = next[i][j] - s[1][j];
                s[1][j] += delta / n;
                s[2][j] += delta * (next[i][j] - s[1][j]);
                z[j] = s[2][j] == 0 ? 0 : (next[i][j] - s[1][j]) / Math.sqrt(s[2][j] / n);
            }
            expected.put((long) i, z);
        }
        // and the same as if the job had seen each key's history itself (two passes, Reference)
        List<Reference.Row> all = new ArrayList<>();
        Map<String, double[][]> histories = Map.of("k1", K1, "k2", K2, "k3", K3);
        histories.forEach((k, h) -> {
            for (double[] x : h) {
                all.add(new Reference.Row(k, "history", all.size(), x));
            }
        });
        for (int i = 0; i < next.length; i++) {
            all.add(new Reference.Row(keys[i], "more.csv", i, next[i]));
        }
        Map<String, double[]> twoPass = Reference.cumulative(all);

        List<JsonNode> outputs = JobFiles.jsonLines(out);
        assertThat(outputs).hasSize(next.length);
        for (JsonNode o : outputs) {
            long seq = o.get("seq").asLong();
            assertThat(o.get("key").asText()).isEqualTo(keys[(int) seq]);
            double[] z = JobFiles.doubles(o.get("output"));
            assertThat(z).as("record %d", seq).containsExactly(expected.get(seq), within(1e-12));
            assertThat(z).as("record %d", seq).containsExactly(twoPass.get(Reference.id("more.csv", seq)), within(1e-9));
        }
        // k1's second record is the fifth of its key: its z-scores are not the fresh-key 0
        assertThat(expected.get(1L)[0]).isNotZero();
        assertThat(JobFiles.jsonLines(dir.resolve("out-dead-letters"))).isEmpty();
    }

    private CliRun bootstrapFails(List<String> lines) throws Exception {
        Path savepoint = dir.resolve("savepoint");
        CliRun r = CliRun.of("bootstrap", "--state", stateFile(lines).toString(), "--features", "a,b",
                "--output", savepoint.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(savepoint).doesNotExist();
        return r;
    }

    @Test
    void bootstrapRefusesAnUnknownStateKeyNamingLineKeyAndStateKey() throws Exception {
        CliRun r = bootstrapFails(List.of(row("k1", ".count", 2.0), "", row("k1", ".mu", 1.0, 2.0)));
        assertThat(r.err()).contains("state.jsonl:3:").contains("key k1").contains("stateKey .mu")
                .contains("unknown stateKey").contains(".count").contains(".m2").contains(".mean");
    }

    @Test
    void bootstrapRefusesAShapeOtherThanTheEntrysNamingLineKeyAndStateKey() throws Exception {
        CliRun r = bootstrapFails(List.of(row("k2", ".mean", 1.0, 2.0, 3.0)));
        assertThat(r.err()).contains("state.jsonl:1:").contains("key k2").contains("stateKey .mean")
                .contains("expected float64[2], got float64[3]");
    }

    @Test
    void bootstrapRefusesADtypeOtherThanTheEntrys() throws Exception {
        CliRun r = bootstrapFails(List.of(row("k1", ".count", 1.0).replace("float64", "float32")));
        assertThat(r.err()).contains("state.jsonl:1:").contains("key k1").contains("stateKey .count")
                .contains("expected float64[1], got float32[1]");
    }

    @Test
    void bootstrapRefusesTheSameEntryTwice() throws Exception {
        CliRun r = bootstrapFails(List.of(row("k1", ".count", 1.0), row("k1", ".count", 2.0)));
        assertThat(r.err()).contains("state.jsonl:2:").contains("key k1").contains("stateKey .count")
                .contains("already given on line 1");
    }

    @Test
    void bootstrapRefusesANonFiniteValue() throws Exception {
        // 1e999 is valid JSON but no finite double
        CliRun r = bootstrapFails(List.of(row("k1", ".count", 2.0), row("k1", ".mean", 1.0, 2.0).replace("2.0]", "1e999]")));
        assertThat(r.err()).contains("state.jsonl:2:").contains("key k1").contains("stateKey .mean")
                .contains("value 1 is not finite");
    }

    @Test
    void bootstrapRefusesANonEmptyOutputDirectoryAndLeavesItAlone() throws Exception {
        Path savepoint = Files.createDirectories(dir.resolve("savepoint"));
        Path precious = Files.writeString(savepoint.resolve("precious.txt"), "keep me");
        CliRun r = CliRun.of("bootstrap", "--state", stateFile(history()).toString(), "--features", "a,b",
                "--output", savepoint.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains(savepoint.toString()).contains("not an empty directory");
        try (var files = Files.list(savepoint)) {
            assertThat(files.toList()).containsExactly(precious);
        }
        assertThat(Files.readString(precious)).isEqualTo("keep me");
    }

    @Test
    void aSavepointBootstrappedWithAnotherMaxParallelismStopsTheJobAtStartSayingSo() throws Exception {
        Path savepoint = dir.resolve("savepoint");
        CliRun boot = CliRun.of("bootstrap", "--state", stateFile(history()).toString(), "--features", "a,b",
                "--output", savepoint.toString(), "--max-parallelism", "64");
        assertThat(boot.code()).as(boot.err()).isZero();
        Path input = Files.writeString(dir.resolve("more.csv"), "k,a,b\nk1,1,2\n");
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("--input", input.toString(), "--key", "k", "--features", "a,b", "--output", out.toString(),
                "--restore", savepoint.toString()); // the job's --max-parallelism: 128
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("64").contains("128").containsIgnoringCase("max-parallelism");
        assertThat(JobFiles.committedSoFar(out)).isEmpty();
    }

    @Test
    void inspectWithAnotherModelsNameSaysTheOperatorIsMissing() throws Exception {
        Path savepoint = bootstrap(history());
        Path spec = Files.writeString(dir.resolve("other.json"), "{\"name\":\"other\",\"module\":{\"type\":\"standardize\"}}");
        CliRun r = CliRun.of("inspect", "--from", savepoint.toString(), "--features", "a,b", "--model", spec.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("flinox-model-other").contains("--model");
    }
}
