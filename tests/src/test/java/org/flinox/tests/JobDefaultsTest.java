package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.flinox.job.JobRunner;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What a user gets without asking: the demo, the documented defaults, standard output and error. */
class JobDefaultsTest {
    @TempDir
    Path dir;

    private Path smallCsv() throws Exception {
        return Files.writeString(dir.resolve("small.csv"), "k,a\nx,1\n");
    }

    /** The job's configuration as Flink reads it: through Flink's own options, so a misspelt key fails here. */
    private Configuration flinkConfiguration(String... more) throws Exception {
        List<String> args = new ArrayList<>(List.of("--input", smallCsv().toString()));
        args.addAll(List.of(more));
        return Configuration.fromMap(JobRunner.settings(args.toArray(new String[0])).flink());
    }

    @Test
    void theFlinkConfigurationHasTheDocumentedDefaults() throws Exception {
        Configuration c = flinkConfiguration();
        assertThat(c.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
        assertThat(c.get(CheckpointingOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
        assertThat(c.get(CheckpointingOptions.CHECKPOINTING_INTERVAL)).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.get(CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION))
                .isEqualTo(ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
        assertThat(c.get(CheckpointingOptions.CHECKPOINTS_DIRECTORY)).as("a temporary directory when stand-alone")
                .isNotBlank();
        assertThat(c.get(PipelineOptions.GENERIC_TYPES)).as("Kryo fallback").isFalse();
        assertThat(c.get(PipelineOptions.MAX_PARALLELISM)).isEqualTo(128);
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
        assertThat(c.get(RestartStrategyOptions.RESTART_STRATEGY_FIXED_DELAY_ATTEMPTS)).isPositive();

        Configuration heap = flinkConfiguration("--state-backend", "hashmap");
        assertThat(heap.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("hashmap");
        assertThat(heap.get(PipelineOptions.GENERIC_TYPES)).isFalse();
        assertThat(heap.get(RestartStrategyOptions.RESTART_STRATEGY)).isEqualTo("fixed-delay");
    }

    @Test
    void stateTtlTakesFlinkDurations() throws Exception {
        String input = smallCsv().toString();
        assertThat(JobRunner.settings("--input", input, "--state-ttl", "7d").stateTtl()).isEqualTo(Duration.ofDays(7));
        assertThat(JobRunner.settings("--input", input, "--state-ttl", "12h").stateTtl()).isEqualTo(Duration.ofHours(12));
        assertThat(JobRunner.settings("--input", input, "--state-ttl", "90s").stateTtl()).isEqualTo(Duration.ofSeconds(90));
        assertThat(JobRunner.settings("--input", input).stateTtl()).as("no TTL unless asked").isNull();

        CliRun bad = CliRun.of("--input", input, "--state-ttl", "7 fortnights");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--state-ttl").contains("7 fortnights");
        assertThat(dir.resolve("small-out")).doesNotExist();
    }

    @Test
    void theStateCacheIs64MiBByDefaultTakesFlinkSizesAndIsOffUnderAStateTtl() throws Exception {
        String input = smallCsv().toString();
        assertThat(JobRunner.settings("--input", input).stateCacheBytes()).isEqualTo(64L << 20);
        assertThat(JobRunner.settings("--input", input, "--state-cache", "8mb").stateCacheBytes()).isEqualTo(8L << 20);
        assertThat(JobRunner.settings("--input", input, "--state-cache", "0").stateCacheBytes()).isZero();
        assertThat(JobRunner.settings("--input", input, "--state-ttl", "7d").stateCacheBytes())
                .as("off under --state-ttl unless asked").isZero();
        assertThat(JobRunner.settings("--input", input, "--state-ttl", "7d", "--state-cache", "0").stateCacheBytes()).isZero();

        CliRun both = CliRun.of("--input", input, "--state-ttl", "7d", "--state-cache", "64mb");
        assertThat(both.code()).isNotZero();
        assertThat(both.err()).contains("--state-cache cannot be used with --state-ttl");
        CliRun bad = CliRun.of("--input", input, "--state-cache", "lots");
        assertThat(bad.code()).isNotZero();
        assertThat(bad.err()).contains("--state-cache").contains("'lots' is not a memory size");
        assertThat(dir.resolve("small-out")).doesNotExist();
    }

    @Test
    void emaDefaultsToMomentum09AndEps1e5WithOutputsOnStdoutAndDeadLettersOnStderr() throws Exception {
        SplittableRandom random = new SplittableRandom(5);
        List<Reference.Row> rows = new ArrayList<>();
        StringBuilder csv = new StringBuilder("k,a,b\n");
        for (int i = 0; i < 300; i++) {
            String key = "k" + random.nextInt(3);
            double[] x = {random.nextDouble() * 10, random.nextGaussian()};
            rows.add(new Reference.Row(key, "ema.csv", i, x));
            csv.append(key).append(',').append(x[0]).append(',').append(x[1]).append('\n');
        }
        csv.append("k1,oops,1\n"); // seq 300: a dead letter
        Path input = Files.writeString(dir.resolve("ema.csv"), csv);
        Path spec = Files.writeString(dir.resolve("ema.json"),
                "{\"name\":\"ema-defaults\",\"module\":{\"type\":\"standardize\",\"mode\":\"ema\"}}");

        CliRun r = CliRun.of("--input", input.toString(), "--key", "k", "--model", spec.toString(),
                "--state-backend", "hashmap", "--checkpoint-interval", "500");
        assertThat(r.code()).as(r.err()).isZero();

        List<JsonNode> outputs = new ArrayList<>();
        for (String line : r.out().lines().toList()) {
            if (line.startsWith("{")) {
                outputs.add(JobFiles.JSON.readTree(line));
            }
        }
        Map<String, double[]> expected = Reference.ema(rows, 0.9, 1e-5);
        assertThat(outputs).hasSize(rows.size());
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(JobFiles.doubles(o.get("output"))).as(id).containsExactly(expected.get(id), within(1e-9));
        }
        // the dead letter on standard error, not on standard output
        assertThat(r.out()).doesNotContain("oops");
        List<JsonNode> dead = new ArrayList<>();
        for (String line : r.err().lines().toList()) {
            if (line.startsWith("{")) {
                dead.add(JobFiles.JSON.readTree(line));
            }
        }
        assertThat(dead).hasSize(1);
        assertThat(dead.get(0).get("seq").asLong()).isEqualTo(300);
        assertThat(dead.get(0).get("reason").asText()).isEqualTo("NON_NUMERIC");
        assertThat(dead.get(0).get("raw").asText()).isEqualTo("k1,oops,1");
    }

    @Test
    void theDemoRunsWithoutArgumentsAndItsSummaryAddsUp() throws Exception {
        CliRun r = CliRun.of();
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.out() + r.err()).doesNotContain("Exception").doesNotContain("\tat ");

        Matcher input = Pattern.compile("standardizing (\\d+) rows of (\\S+) per sensor").matcher(r.out());
        assertThat(input.find()).as(r.out()).isTrue();
        // the run's summary, on standard error: "N records in (R records/s), N outputs for K keys, D dead letters"
        Matcher done = Pattern.compile("([\\d,]+) records in \\([^)]*\\), ([\\d,]+) outputs for ([\\d,]+) keys, "
                + "([\\d,]+) dead letters").matcher(r.err());
        assertThat(done.find()).as(r.err()).isTrue();
        int records = count(done.group(1));
        int outputs = count(done.group(2));
        int keys = count(done.group(3));
        int deadLetters = count(done.group(4));
        assertThat(records).isEqualTo(Integer.parseInt(input.group(1)));

        // the sample the demo wrote, read here: a row is good when it has 4 columns of finite numbers
        List<String> lines = Files.readAllLines(Path.of(input.group(2)));
        List<Reference.Row> good = new ArrayList<>();
        List<Long> bad = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            double[] x = f.length == 4 ? parse(f) : null;
            if (x == null) {
                bad.add((long) i - 1);
            } else {
                good.add(new Reference.Row(f[0], "sensors.csv", i - 1, x));
            }
        }
        assertThat(records).isEqualTo(lines.size() - 1);
        assertThat(outputs).isEqualTo(good.size());
        assertThat(deadLetters).isEqualTo(bad.size()).isPositive();
        assertThat(keys).isEqualTo((int) good.stream().map(Reference.Row::key).distinct().count());

        Path outDir = Path.of(line(r.err(), "outputs:"));
        Path deadDir = Path.of(line(r.err(), "dead letters:"));
        Map<String, double[]> expected = Reference.cumulative(good);
        List<JsonNode> written = JobFiles.jsonLines(outDir);
        assertThat(written).hasSize(outputs);
        Map<String, JsonNode> lastPerKey = new TreeMap<>();
        for (JsonNode o : written) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(JobFiles.doubles(o.get("output"))).as(id).containsExactly(expected.get(id), within(1e-9));
            lastPerKey.merge(o.get("key").asText(), o, (a, b) -> a.get("seq").asLong() > b.get("seq").asLong() ? a : b);
        }
        Map<Long, String> reasons = new HashMap<>();
        for (JsonNode d : JobFiles.jsonLines(deadDir)) {
            reasons.put(d.get("seq").asLong(), d.get("reason").asText());
        }
        assertThat(reasons.keySet()).containsExactlyInAnyOrderElementsOf(bad);
        // the summary names every dead letter with its reason, and the demo each key's last z-scores
        reasons.forEach((seq, reason) -> assertThat(r.err()).containsPattern("seq +" + seq + ", " + reason));
        lastPerKey.forEach((key, o) -> assertThat(r.out()).containsPattern(
                Pattern.quote(key) + " +seq +" + o.get("seq").asLong() + " +" + Pattern.quote(o.get("output").toString())));
    }

    private static double[] parse(String[] fields) {
        double[] x = new double[fields.length - 1];
        for (int j = 1; j < fields.length; j++) {
            try {
                x[j - 1] = Double.parseDouble(fields[j]);
            } catch (NumberFormatException e) {
                return null;
            }
            if (!Double.isFinite(x[j - 1])) {
                return null;
            }
        }
        return x;
    }

    /** The rest of the last line that starts with {@code label} (the summary's closing lines). */
    private static String line(String out, String label) {
        List<String> matching = out.lines().map(String::strip).filter(l -> l.startsWith(label)).toList();
        assertThat(matching).as(out).isNotEmpty();
        String rest = matching.get(matching.size() - 1).substring(label.length()).trim();
        assertThat(rest).as(label).isNotEmpty();
        return rest;
    }

    /** A count as the summary prints it, with thousands separators. */
    private static int count(String printed) {
        return Integer.parseInt(printed.replace(",", ""));
    }
}
