package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinox.job.JobPipeline;
import org.flinox.job.JobRunner;
import org.flinox.job.JobSettings;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Exactly-once state and output under injected failures, on every state backend: the output
 * and the final state of every key must be bit for bit those of a failure-free run, and every
 * (source, seq) must appear exactly once.
 */
class ExactlyOnceUnderFailuresTest {
    private static final int ROWS = 200_000;
    private static final int KEYS = 300;

    @TempDir
    static Path dir;
    static Path input;
    static List<Reference.Row> rows;
    static Map<String, double[]> cleanOutputs;
    static List<String> cleanFinalState;

    @BeforeAll
    static void failureFreeRun() throws Exception {
        rows = new ArrayList<>();
        java.util.SplittableRandom random = new java.util.SplittableRandom(11);
        StringBuilder csv = new StringBuilder("key,a,b,c\n");
        for (int i = 0; i < ROWS; i++) {
            int k = random.nextInt(KEYS);
            double[] x = {random.nextDouble() * (k + 1), k + random.nextGaussian(), random.nextInt(5)};
            rows.add(new Reference.Row("key" + k, "events.csv", i, x));
            csv.append("key").append(k).append(',').append(x[0]).append(',').append(x[1]).append(',').append(x[2]).append('\n');
        }
        input = Files.writeString(dir.resolve("events.csv"), csv);
        Result clean = run("clean", "hashmap", true, 0, "--state-cache", "0");
        cleanOutputs = clean.outputs();
        cleanFinalState = clean.finalState();

        // the failure-free run itself against the independent reference: every record of every key
        Map<String, double[]> expected = Reference.cumulative(rows);
        assertThat(cleanOutputs.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, z) -> assertThat(cleanOutputs.get(id)).as(id).containsExactly(z, within(1e-9)));
        assertFinalStateIsTheTwoPassStatistics(cleanFinalState);
    }

    /** Every key's final count, mean and m2 (sum of squared deviations), by two passes over its rows. */
    private static void assertFinalStateIsTheTwoPassStatistics(List<String> finalState) throws Exception {
        Map<String, List<double[]>> byKey = new HashMap<>();
        rows.forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r.x()));
        assertThat(byKey).hasSize(KEYS);
        Map<String, Map<String, double[]>> got = new HashMap<>();
        for (String line : finalState) {
            JsonNode n = JobFiles.JSON.readTree(line);
            assertThat(n.get("dtype").asText()).isEqualTo("float64");
            double[] previous = got.computeIfAbsent(n.get("key").asText(), k -> new HashMap<>())
                    .put(n.get("stateKey").asText(), JobFiles.doubles(n.get("values")));
            assertThat(previous).as("%s once", line).isNull();
        }
        assertThat(got.keySet()).isEqualTo(byKey.keySet());
        byKey.forEach((key, xs) -> {
            Map<String, double[]> state = got.get(key);
            assertThat(state.keySet()).as(key).containsExactlyInAnyOrder(".count", ".mean", ".m2");
            assertThat(state.get(".count")).as(key).containsExactly(xs.size());
            for (int j = 0; j < 3; j++) {
                double mean = 0;
                for (double[] x : xs) {
                    mean += x[j];
                }
                mean /= xs.size();
                double m2 = 0;
                for (double[] x : xs) {
                    m2 += (x[j] - mean) * (x[j] - mean);
                }
                assertThat(state.get(".mean")[j]).as("%s .mean[%d]", key, j).isCloseTo(mean, within(1e-9 * Math.max(1, Math.abs(mean))));
                assertThat(state.get(".m2")[j]).as("%s .m2[%d]", key, j).isCloseTo(m2, within(1e-9 * Math.max(1, m2)));
            }
        });
    }

    record Result(Map<String, double[]> outputs, List<String> finalState) {}

    /** One run of the real job with {@code failures} failures injected. */
    static Result run(String name, String backend, boolean incremental, int failures, String... extraFlags)
            throws Exception {
        Path out = dir.resolve(name + "-out");
        Path finalState = dir.resolve(name + "-final-state");
        List<String> flags = new ArrayList<>(List.of("--input", input.toString(), "--key", "key",
                "--features", "a,b,c", "--output", out.toString(), "--final-state", finalState.toString(),
                "--parallelism", "2", "--state-backend", backend, "--checkpoint-interval", "100",
                "--checkpoint-dir", dir.resolve(name + "-checkpoints").toUri().toString()));
        flags.addAll(List.of(extraFlags));
        JobSettings settings = JobRunner.settings(flags.toArray(new String[0]));
        Map<String, String> conf = new LinkedHashMap<>(settings.flink());
        conf.put("execution.checkpointing.incremental", Boolean.toString(incremental));
        conf.put("restart-strategy.fixed-delay.delay", "100 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(conf));
        InjectedFailure.PENDING.set(failures);
        JobPipeline.build(env, settings, records -> records.map(new InjectedFailure(ROWS / 5))
                .name("injected failure").setParallelism(1));
        var result = env.execute(name);
        assertThat(InjectedFailure.PENDING.get()).as("every failure was injected").isLessThanOrEqualTo(0);
        // the run summary's counts survive the failures: restored with the state, never counted twice
        assertThat(result.getAllAccumulatorResults()).containsEntry("flinox.lines", (long) ROWS)
                .containsEntry("flinox.outputs", (long) ROWS).containsEntry("flinox.keys", (long) KEYS);

        Map<String, double[]> outputs = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            double[] previous = outputs.put(id, JobFiles.doubles(o.get("output")));
            assertThat(previous).as("%s appears once", id).isNull();
        }
        List<String> state;
        try (Stream<Path> files = Files.list(finalState)) {
            state = new ArrayList<>();
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                state.addAll(Files.readAllLines(f));
            }
        }
        state.sort(null);
        assertThat(JobFiles.jsonLines(dir.resolve(name + "-out-dead-letters"))).isEmpty();
        return new Result(outputs, state);
    }

    static Stream<Arguments> backends() {
        return Stream.of(Arguments.of("rocksdb", false), Arguments.of("rocksdb", true), Arguments.of("hashmap", false));
    }

    @ParameterizedTest(name = "{0}, incremental={1}")
    @MethodSource("backends")
    void oneFailureChangesNothing(String backend, boolean incremental) throws Exception {
        assertSameAsClean(run("one-" + backend + incremental, backend, incremental, 1));
    }

    /** Key bundles (flushed before every barrier) under the same failures: the same outputs and state. */
    @ParameterizedTest(name = "{0}, incremental={1}, key bundles")
    @MethodSource("backends")
    void oneFailureWithKeyBundlesChangesNothing(String backend, boolean incremental) throws Exception {
        assertSameAsClean(run("bundled-" + backend + incremental, backend, incremental, 1,
                "--bundle-size", "1000", "--bundle-latency", "50ms"));
    }

    @Test
    void twoFailuresWithKeyBundlesOnIncrementalRocksDbChangeNothing() throws Exception {
        assertSameAsClean(run("bundled-two-rocksdb", "rocksdb", true, 2, "--bundle-size", "1000"));
    }

    /*
     * The clean run has no state cache; the runs above use the default one (64 MiB: all 300
     * keys stay cached, written back only before barriers and at the end).
     */

    /** A state cache of 20 kB holds about 55 of the 300 keys (~370 bytes each): evictions write back all the time. */
    @ParameterizedTest(name = "{0}, incremental={1}, small state cache")
    @MethodSource("backends")
    void oneFailureWithASmallStateCacheChangesNothing(String backend, boolean incremental) throws Exception {
        assertSameAsClean(run("cached-" + backend + incremental, backend, incremental, 1, "--state-cache", "20kb"));
    }

    @Test
    void twoFailuresWithoutTheStateCacheOnIncrementalRocksDbChangeNothing() throws Exception {
        assertSameAsClean(run("uncached-two-rocksdb", "rocksdb", true, 2, "--state-cache", "0"));
    }

    @Test
    void twoFailuresOnIncrementalRocksDbChangeNothing() throws Exception {
        assertSameAsClean(run("two-rocksdb", "rocksdb", true, 2));
    }

    @Test
    void twoFailuresOnHeapChangeNothing() throws Exception {
        assertSameAsClean(run("two-hashmap", "hashmap", false, 2));
    }

    private static void assertSameAsClean(Result r) {
        assertThat(r.outputs().keySet()).isEqualTo(cleanOutputs.keySet());
        cleanOutputs.forEach((id, z) -> assertThat(r.outputs().get(id)).as(id).isEqualTo(z)); // bit for bit
        assertThat(r.finalState()).isEqualTo(cleanFinalState);
    }
}
