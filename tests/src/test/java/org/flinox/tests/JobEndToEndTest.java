package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole job (the CLI's `run`) on an embedded MiniCluster, against independent references. */
class JobEndToEndTest {
    @TempDir
    Path dir;

    /** Rows for {@code keys} keys with per-key scales, and one constant feature for key k0. */
    private static List<Reference.Row> rows(String source, int n, int keys, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Reference.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(keys);
            double a = k * 10 + random.nextDouble() * (k + 1);
            double b = k == 0 ? 7.5 : random.nextDouble() * 100 - 50;
            rows.add(new Reference.Row("k" + k, source, i, new double[] {a, b}));
        }
        return rows;
    }

    private static String csv(List<Reference.Row> rows) {
        StringBuilder s = new StringBuilder("k,a,label,b\n");
        for (Reference.Row r : rows) {
            // a quoted text column with a comma sits between the features
            s.append(r.key()).append(',').append(r.x()[0]).append(",\"x, y\",").append(r.x()[1]).append('\n');
        }
        return s.toString();
    }

    private static String jsonl(List<Reference.Row> rows) {
        StringBuilder s = new StringBuilder();
        for (Reference.Row r : rows) {
            s.append(String.format(Locale.ROOT, "{\"k\":\"%s\",\"a\":%s,\"b\":%s,\"note\":\"n\"}%n",
                    r.key(), r.x()[0], r.x()[1]));
        }
        return s.toString();
    }

    private static void assertOutputsMatch(List<JsonNode> outputs, List<Reference.Row> rows,
            Map<String, double[]> expected) {
        assertThat(outputs).hasSize(rows.size());
        Set<String> seen = new HashSet<>();
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(seen.add(id)).as("duplicate output %s", id).isTrue();
            Reference.Row row = rows.get((int) o.get("seq").asLong());
            assertThat(o.get("key").asText()).isEqualTo(row.key());
            assertThat(JobFiles.doubles(o.get("output"))).as(id).containsExactly(expected.get(id), within(1e-9));
        }
    }

    @Test
    void csvGivesThePinnedCumulativeZScoresPerKey() throws Exception {
        List<Reference.Row> rows = rows("sensors.csv", 3000, 6, 1);
        Path input = Files.writeString(dir.resolve("sensors.csv"), csv(rows));
        Path out = dir.resolve("out");
        int code = FlinoxCli.execute("--input", input.toString(), "--key", "k", "--features", "a,b",
                "--output", out.toString(), "--parallelism", "2", "--checkpoint-interval", "300");
        assertThat(code).isZero();
        assertOutputsMatch(JobFiles.jsonLines(out), rows, Reference.cumulative(rows));
        assertThat(JobFiles.jsonLines(dir.resolve("out-dead-letters"))).isEmpty();
    }

    @Test
    void jsonLinesWithEmaModeGiveThePinnedRecurrence() throws Exception {
        List<Reference.Row> rows = rows("events.jsonl", 2000, 4, 2);
        Path input = Files.writeString(dir.resolve("events.jsonl"), jsonl(rows));
        Path spec = Files.writeString(dir.resolve("ema.json"),
                "{\"name\":\"ema\",\"module\":{\"type\":\"standardize\",\"mode\":\"ema\",\"momentum\":0.8,\"eps\":0.001}}");
        Path out = dir.resolve("out");
        // features inferred: every numeric field but the key, in field order (a, b)
        int code = FlinoxCli.execute("--input", input.toString(), "--key", "k", "--model", spec.toString(),
                "--output", out.toString(), "--state-backend", "hashmap");
        assertThat(code).isZero();
        assertOutputsMatch(JobFiles.jsonLines(out), rows, Reference.ema(rows, 0.8, 0.001));
    }

    @Test
    void aDirectoryOfFilesIsReadWholeAndEveryKeyKeepsFileOrder() throws Exception {
        List<Reference.Row> first = rows("a.csv", 800, 3, 3);
        List<Reference.Row> second = rows("b.csv", 800, 3, 4);
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("a.csv"), csv(first));
        Path b = Files.writeString(in.resolve("b.csv"), csv(second));
        b.toFile().setLastModified(in.resolve("a.csv").toFile().lastModified() + 2000); // b arrived later
        Path out = dir.resolve("out");
        assertThat(FlinoxCli.execute("--input", in.toString(), "--key", "k", "--features", "a,b",
                "--output", out.toString())).isZero();
        List<Reference.Row> all = new ArrayList<>(first);
        all.addAll(second);
        Map<String, double[]> expected = Reference.cumulative(all);
        List<JsonNode> outputs = JobFiles.jsonLines(out);
        assertThat(outputs).hasSize(all.size());
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(JobFiles.doubles(o.get("output"))).as(id).containsExactly(expected.get(id), within(1e-9));
        }
    }
}
