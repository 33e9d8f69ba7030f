package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flinox.tests.LocalCluster.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink's Prometheus reporter on the cluster of {@code deploy/local-cluster.sh}: while a job
 * runs, the Flinox series its TaskManagers serve count what the job wrote; Debian's Prometheus
 * server scrapes the cluster and answers queries of them; and every query of the Grafana
 * dashboard ({@code deploy/grafana/flinox.json}) names series the reporter exports and resolves.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MetricsOnClusterTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String FLINOX = "flink_taskmanager_job_task_operator_flinox_";

    @TempDir
    static Path work;

    private LocalCluster cluster;
    private PrometheusServer prometheus;
    private String job;
    private final List<String> rows = new ArrayList<>();
    /** The bad rows written into the input, by the reason each must be dead-lettered with. */
    private final Map<String, Integer> badRows = new TreeMap<>();
    private Path output;

    @BeforeAll
    void runAJobOnTheCluster() throws Exception {
        cluster = new LocalCluster(work);
        cluster.start(2);
        Path input = Files.createDirectories(work.resolve("in"));
        output = work.resolve("out");
        job = cluster.submit(2, List.of("--input", input.toString(), "--format", "csv", "--key", "sensor",
                "--features", "temperature,humidity", "--output", output.toString(), "--watch",
                "--watch-interval", "200ms", "--checkpoint-interval", "500"));
        await("job " + job + " running", () -> "RUNNING".equals(cluster.jobState(job)));

        String[] keys = {"boiler-1", "boiler-2", "pump-7", "valve-3"};
        for (int i = 0; i < 240; i++) {
            rows.add(keys[i % keys.length] + "," + (15 + i % 13) + "." + (i % 10) + "," + (40 + i % 7));
        }
        bad(17, "pump-7,warm,41", "NON_NUMERIC");
        bad(60, "boiler-2,21.5", "WRONG_COLUMN_COUNT");
        bad(61, "boiler-2,,40", "MISSING_FIELD");
        bad(99, "valve-3,NaN,40", "NOT_FINITE");
        bad(150, "boiler-1,1e308,40", "FORWARD_FAILED"); // parses, but the key's m2 would overflow: the model rejects it
        Path tmp = input.resolve(".readings.csv.tmp");
        List<String> lines = new ArrayList<>(List.of("sensor,temperature,humidity"));
        lines.addAll(rows);
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, input.resolve("readings.csv"), StandardCopyOption.ATOMIC_MOVE);
        await("every row committed as an output or a dead letter",
                () -> JobFiles.committedSoFar(output).size() + JobFiles.committedSoFar(deadLetterDir()).size() == rows.size());
    }

    private void bad(int at, String row, String reason) {
        rows.set(at, row);
        badRows.merge(reason, 1, Integer::sum);
    }

    private Path deadLetterDir() {
        return work.resolve("out-dead-letters");
    }

    @AfterAll
    void stopEverything() throws Exception {
        try {
            if (prometheus != null) {
                prometheus.close();
            }
            if (cluster != null && job != null) {
                cluster.cancel(job);
            }
        } finally {
            if (cluster != null) {
                cluster.stop();
            }
        }
    }

    /** Every Flinox sample of both TaskManagers, now. */
    private List<PrometheusText.Sample> flinoxSamples() throws Exception {
        List<PrometheusText.Sample> all = new ArrayList<>();
        for (String tm : List.of("taskmanager-1", "taskmanager-2")) {
            for (PrometheusText.Sample s : PrometheusText.parse(cluster.scrape(cluster.metricsEndpoint(tm)))) {
                if (s.name().startsWith(FLINOX) && s.label("job_id").equals(job)) {
                    all.add(s);
                }
            }
        }
        return all;
    }

    private static double sum(List<PrometheusText.Sample> samples, String metric, Predicate<PrometheusText.Sample> which) {
        return samples.stream().filter(s -> s.name().equals(FLINOX + metric) && which.test(s))
                .mapToDouble(PrometheusText.Sample::value).sum();
    }

    private static Predicate<PrometheusText.Sample> operator(String name) {
        return s -> s.label("operator_name").equals(name);
    }

    @Test
    @Order(1)
    void theReportersCountersAreTheRunsOwnCounts() throws Exception {
        List<JsonNode> outputs = JobFiles.jsonLines(output);
        List<JsonNode> deadLetters = JobFiles.jsonLines(deadLetterDir());
        Map<String, Integer> deadByReason = new TreeMap<>();
        deadLetters.forEach(d -> deadByReason.merge(d.get("reason").asText(), 1, Integer::sum));
        assertThat(deadByReason).as("the run's dead letters are the bad rows written").isEqualTo(badRows);
        Set<String> keys = new TreeSet<>();
        outputs.forEach(o -> keys.add(o.get("key").asText()));

        List<PrometheusText.Sample> samples = flinoxSamples();
        String model = "model_standardize"; // the operator's name, as the reporter filters it
        assertThat(sum(samples, "recordsOut", operator(model))).isEqualTo(outputs.size());
        // one series per model subtask: parallelism 2
        assertThat(samples.stream().filter(s -> s.name().equals(FLINOX + "recordsOut")).count()).isEqualTo(2);
        long modelRejected = deadLetters.stream().filter(d -> d.get("reason").asText().equals("FORWARD_FAILED")).count();
        assertThat(sum(samples, "recordsIn", operator(model))).as("records into the model: its outputs and its own dead letters")
                .isEqualTo(outputs.size() + modelRejected);
        assertThat(sum(samples, "deadLetters", s -> true)).as("dead letters of both stages").isEqualTo(deadLetters.size());
        assertThat(sum(samples, "deadLetters", operator("parse"))).isEqualTo(deadLetters.size() - modelRejected);
        for (String reason : List.of("EMPTY", "UNPARSEABLE", "WRONG_COLUMN_COUNT", "MISSING_FIELD", "NON_NUMERIC",
                "NOT_FINITE", "WRONG_FEATURE_COUNT", "FORWARD_FAILED", "INVALID_UTF8", "DUPLICATE_FIELD", "LINE_TOO_LONG",
                "DAMAGED_FILE")) {
            assertThat(sum(samples, "reason_deadLetters", s -> s.label("reason").equals(reason)))
                    .as("dead letters %s", reason).isEqualTo((double) deadByReason.getOrDefault(reason, 0));
        }
        // records in = outputs + dead letters: every input row is counted exactly once
        assertThat(sum(samples, "recordsOut", s -> true) + sum(samples, "deadLetters", s -> true)).isEqualTo(rows.size());

        assertThat(sum(samples, "keysSeen", operator(model))).isEqualTo(keys.size());
        // standardize over 2 features: .count float64[1], .mean and .m2 float64[2], 5 doubles
        assertThat(samples.stream().filter(s -> s.name().equals(FLINOX + "stateBytesPerKey")).map(s -> s.value()))
                .containsExactly(40.0, 40.0);
        assertThat(sum(samples, "modelVersion", s -> true)).isZero();
        // the default state cache: every read of a key after its first is a hit (each key on one subtask)
        assertThat(sum(samples, "stateCacheMisses", s -> true)).isEqualTo(keys.size());
        assertThat(sum(samples, "stateCacheHits", s -> true) + sum(samples, "stateCacheMisses", s -> true))
                .isEqualTo(outputs.size() + modelRejected);
        assertThat(sum(samples, "stateCacheKeys", s -> true)).isEqualTo(keys.size());
        assertThat(sum(samples, "forwardNanos_count", s -> true)).as("some forward passes timed").isPositive();
    }

    @Test
    @Order(2)
    void aPrometheusServerScrapesTheClusterAndAnswersAFlinoxQuery() throws Exception {
        prometheus = PrometheusServer.start(work.resolve("prometheus"), List.of(cluster.metricsEndpoint("jobmanager"),
                cluster.metricsEndpoint("taskmanager-1"), cluster.metricsEndpoint("taskmanager-2")));
        int outputs = JobFiles.jsonLines(output).size();
        String query = "sum(" + FLINOX + "recordsOut{job_id=\"" + job + "\"})";
        await("prometheus to answer " + query + " with " + outputs, () -> answers(query, outputs));
        assertThat(prometheus.targets()).as("the JobManager and both TaskManagers").hasSize(3);
        await("all three targets up", () -> {
            try {
                JsonNode targets = prometheus.targets();
                return targets.size() == 3 && java.util.stream.StreamSupport.stream(targets.spliterator(), false)
                        .allMatch(t -> t.path("health").asText().equals("up"));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });
    }

    private boolean answers(String query, double expected) {
        try {
            JsonNode result = prometheus.query(query);
            return result.size() == 1 && Double.parseDouble(result.get(0).path("value").get(1).asText()) == expected;
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Each query's metric names are among the series the cluster's processes serve now, and each
     * query gives Prometheus at least one series (the dashboard's {@code $job} as "All").
     */
    @Test
    @Order(3)
    void everyDashboardQueryNamesAnExportedSeriesAndResolves() throws Exception {
        Set<String> exported = new HashSet<>();
        for (String process : List.of("jobmanager", "taskmanager-1", "taskmanager-2")) {
            PrometheusText.parse(cluster.scrape(cluster.metricsEndpoint(process))).forEach(s -> exported.add(s.name()));
        }
        JsonNode dashboard = JSON.readTree(cluster.root().resolve("deploy/grafana/flinox.json").toFile());
        List<String> queries = new ArrayList<>();
        dashboard.path("panels").forEach(p -> p.path("targets").forEach(t -> queries.add(t.path("expr").asText())));
        assertThat(queries).hasSizeGreaterThanOrEqualTo(10);
        Set<String> panels = new TreeSet<>();
        dashboard.path("panels").forEach(p -> panels.add(p.path("title").asText()));
        assertThat(panels).contains("Throughput", "Dead letters by reason", "Forward latency", "State cache hit ratio",
                "Checkpoint duration", "Checkpoint size");

        Pattern metric = Pattern.compile("\\b(flink_[A-Za-z0-9_:]+)");
        for (String q : queries) {
            Matcher m = metric.matcher(q);
            List<String> names = new ArrayList<>();
            while (m.find()) {
                names.add(m.group(1));
            }
            assertThat(names).as("metric names in %s", q).isNotEmpty();
            assertThat(exported).as("series of %s", q).containsAll(names);
        }
        if (prometheus == null) { // run alone
            aPrometheusServerScrapesTheClusterAndAnswersAFlinoxQuery();
        }
        for (String q : queries) {
            String all = q.replace("$job", ".+");
            await("a result for " + all, () -> {
                try {
                    return prometheus.query(all).size() > 0;
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }
}
