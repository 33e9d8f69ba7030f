package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flinox.tests.LocalCluster.await;
import static org.flinox.tests.LocalCluster.group;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shaded job jar on a real Flink session cluster: a JobManager and two TaskManagers, each
 * its own JVM, started by {@code deploy/local-cluster.sh} on free ports. Submitted with
 * {@code deploy/flink run}, a TaskManager killed with {@code kill -9} mid-stream and replaced,
 * stopped with a savepoint, resumed at another parallelism through the REST API: the output
 * must hold every record exactly once, equal to an uninterrupted run computed here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class LocalClusterEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KEYS = List.of("boiler-1", "boiler-2", "pump-7", "valve-3", "flat");
    private static final int FILES_BEFORE_KILL = 3;
    private static final int FILES_BEFORE_SAVEPOINT = 6;
    private static final int FILES = 9;
    private static final int ROWS_PER_FILE = 30;

    @TempDir
    static Path work;

    private LocalCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = new LocalCluster(work);
        cluster.start(2);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) { // null when the cluster failed to start: report that, not a NullPointerException
            cluster.stop();
        }
    }

    /**
     * Two jobs one after another on the same TaskManagers, each touching ND4J's natives from
     * every slot: both succeed, ND4J comes from the cluster's lib/ (not the job jar's copy)
     * and is the same initialised class and backend in both jobs.
     */
    @Test
    @Order(1)
    void nd4jLoadsOncePerTaskManagerAcrossJobs() throws Exception {
        Path probeJar = probeJar();
        Map<Long, String> first = probe(probeJar);
        Map<Long, String> second = probe(probeJar);

        Set<Long> taskManagerPids = new TreeSet<>(List.of(cluster.pidOf("taskmanager-1"), cluster.pidOf("taskmanager-2")));
        assertThat(first.keySet()).as("ran on both TaskManagers").isEqualTo(taskManagerPids);
        assertThat(second.keySet()).as("ran on both TaskManagers").isEqualTo(taskManagerPids);
        for (long pid : taskManagerPids) {
            assertThat(first.get(pid)).contains("systemLoader=true", "product=19,22,43,50");
            assertThat(second.get(pid)).as("same Nd4j class and backend object as the first job in pid " + pid)
                    .isEqualTo(first.get(pid));
        }
    }

    /** Submits the probe with the Flinox jar (and its bundled ND4J) as the job jar; one report per TaskManager. */
    private Map<Long, String> probe(Path probeJar) throws Exception {
        LocalCluster.Shell run = cluster.sh(Duration.ofMinutes(2), "deploy/flink", "run", "-C", probeJar.toUri().toString(),
                "-c", Nd4jProbeJob.class.getName(), cluster.jobJar().toString(), "4");
        assertThat(run.exitCode()).as("flink run of the ND4J probe:\n%s", run.output()).isZero();
        assertThat(run.output()).doesNotContain("UnsatisfiedLinkError");
        Map<Long, String> reports = new HashMap<>();
        Matcher m = Pattern.compile("ND4J-PROBE pid=(\\d+) (.*)").matcher(run.output());
        while (m.find()) {
            String previous = reports.put(Long.parseLong(m.group(1)), m.group(2));
            assertThat(previous).as("one ND4J per JVM").isIn(null, m.group(2));
        }
        return reports;
    }

    /** The compiled probe classes in a jar of their own, for {@code flink run -C}. */
    private Path probeJar() throws Exception {
        Path classes = Path.of(Nd4jProbeJob.class.getProtectionDomain().getCodeSource().getLocation().toURI());
        Path jar = work.resolve("nd4j-probe.jar");
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar));
             Stream<Path> files = Files.list(classes.resolve("org/flinox/tests"))) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("Nd4jProbeJob")).toList()) {
                out.putNextEntry(new JarEntry("org/flinox/tests/" + f.getFileName()));
                out.write(Files.readAllBytes(f));
                out.closeEntry();
            }
        }
        return jar;
    }

    @Test
    @Order(2)
    void survivesTaskManagerKillAndResumesFromSavepointAtAnotherParallelism() throws Exception {
        Path input = Files.createDirectories(work.resolve("in"));
        Path output = work.resolve("out");
        Path savepoints = work.resolve("savepoints");
        List<String> args = List.of("--input", input.toString(), "--format", "csv", "--key", "sensor",
                "--features", "temperature,humidity", "--output", output.toString(), "--watch",
                "--watch-interval", "200ms", "--checkpoint-interval", "1000");
        List<List<String>> files = generateFiles();

        // Submit with the CLI at parallelism 2.
        String job = cluster.submit(2, args);
        await("job " + job + " running", () -> "RUNNING".equals(cluster.jobState(job)));
        assertThat(cluster.modelParallelism(job)).isEqualTo(2);

        int fed = 0;
        for (; fed < FILES_BEFORE_KILL; fed++) {
            feedAndAwaitCommit(input, output, fed, files.get(fed));
        }

        // Kill -9 a TaskManager that holds a slot of the job while the next file is in flight.
        String victim = cluster.busyTaskManager();
        feed(input, fed, files.get(fed));
        // The sink opens a part file on its first record after a commit, so an in-progress part now
        // means records of this file reached it (in its write buffer or the file), not committed yet.
        await("records of " + fileName(fed) + " at the sink, not committed yet", () -> !inProgressParts(output).isEmpty());
        assertThat(cluster.killAndReplace(victim)).contains("taskmanager-3 ");
        await("job " + job + " restarted after the kill", () -> cluster.restarts(job) >= 1);
        awaitCommitted(output, fed, files.get(fed));
        // The kill hit output that was written but not committed: the killed attempt's in-progress
        // parts are never committed (each record is committed once, by the restarted attempt) and
        // stay behind.
        assertThat(inProgressParts(output)).as("uncommitted parts of the killed attempt").isNotEmpty();
        fed++;
        LocalCluster.Shell status = cluster.sh(Duration.ofMinutes(1), "deploy/local-cluster.sh", "status");
        assertThat(status.output()).contains("taskmanager-3 ").doesNotContain(victim + " ");

        for (; fed < FILES_BEFORE_SAVEPOINT; fed++) {
            feedAndAwaitCommit(input, output, fed, files.get(fed));
        }

        // Stop with a savepoint through the CLI.
        LocalCluster.Shell stop = cluster.sh(Duration.ofMinutes(2), "deploy/flink", "stop", "--savepointPath", savepoints.toUri().toString(), job);
        assertThat(stop.exitCode()).as("flink stop:\n%s", stop.output()).isZero();
        String savepoint = group(stop.output(), "Savepoint completed\\. Path: (\\S+)");
        await("job " + job + " finished", () -> "FINISHED".equals(cluster.jobState(job)));

        // Resume through the REST API at parallelism 3.
        String jarId = cluster.uploadJar();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("parallelism", 3);
        body.put("savepointPath", savepoint);
        body.put("programArgsList", args);
        JsonNode submitted = cluster.post("/jars/" + jarId + "/run", JSON.writeValueAsString(body));
        String resumed = submitted.path("jobid").asText();
        assertThat(resumed).as("/jars/run answered %s", submitted).matches("[0-9a-f]{32}");
        await("job " + resumed + " running", () -> "RUNNING".equals(cluster.jobState(resumed)));
        assertThat(cluster.modelParallelism(resumed)).isEqualTo(3);

        for (; fed < FILES; fed++) {
            feedAndAwaitCommit(input, output, fed, files.get(fed));
        }
        cluster.cancel(resumed);

        assertEqualsUninterruptedRun(committedLines(output), files);
    }

    // ---- the expected output, computed independently of the job ----

    /**
     * Rows of each file: {@code sensor,temperature,humidity}; one key ("flat") is constant, so
     * its variance is 0 and its z-scores are 0.
     */
    private static List<List<String>> generateFiles() {
        Random random = new Random(20240501);
        List<List<String>> files = new ArrayList<>();
        for (int f = 0; f < FILES; f++) {
            List<String> rows = new ArrayList<>();
            for (int r = 0; r < ROWS_PER_FILE; r++) {
                String key = KEYS.get(random.nextInt(KEYS.size()));
                double t = key.equals("flat") ? 20.5 : Math.round((15 + 10 * random.nextGaussian()) * 1000) / 1000.0;
                double h = key.equals("flat") ? 40 : Math.round((50 + 20 * random.nextDouble()) * 1000) / 1000.0;
                rows.add(key + "," + t + "," + h);
            }
            files.add(rows);
        }
        return files;
    }

    /**
     * Every (source, key, seq) exactly once, each equal to the z-scores of an uninterrupted
     * run: per key, mean and population variance by two passes over that key's records so far
     * (files in feeding order, rows in file order), the current one included; z = 0 where the
     * variance is 0.
     */
    private static void assertEqualsUninterruptedRun(List<String> lines, List<List<String>> files) throws IOException {
        List<Reference.Row> rows = new ArrayList<>();
        for (int f = 0; f < files.size(); f++) {
            for (int seq = 0; seq < files.get(f).size(); seq++) {
                String[] cols = files.get(f).get(seq).split(",");
                rows.add(new Reference.Row(cols[0], fileName(f), seq,
                        new double[] {Double.parseDouble(cols[1]), Double.parseDouble(cols[2])}));
            }
        }
        Map<String, double[]> z = Reference.cumulative(rows);
        Map<String, double[]> expected = new LinkedHashMap<>();
        for (Reference.Row r : rows) {
            expected.put(id(r.source(), r.key(), (int) r.seq()), z.get(Reference.id(r.source(), r.seq())));
        }
        Map<String, double[]> actual = new HashMap<>();
        List<String> duplicates = new ArrayList<>();
        for (String line : lines) {
            JsonNode n = JSON.readTree(line);
            String id = id(n.get("source").asText(), n.get("key").asText(), n.get("seq").asInt());
            double[] out = new double[n.get("output").size()];
            for (int j = 0; j < out.length; j++) {
                out[j] = n.get("output").get(j).asDouble();
            }
            if (actual.put(id, out) != null) {
                duplicates.add(id);
            }
        }
        assertThat(duplicates).as("records emitted more than once").isEmpty();
        assertThat(actual.keySet()).as("(source, key, seq) of the output").isEqualTo(expected.keySet());
        for (Map.Entry<String, double[]> e : expected.entrySet()) {
            double[] got = actual.get(e.getKey());
            assertThat(got).as(e.getKey()).hasSize(2);
            for (int j = 0; j < 2; j++) {
                assertThat(got[j]).as("%s feature %d", e.getKey(), j)
                        .isCloseTo(e.getValue()[j], org.assertj.core.data.Offset.offset(1e-9));
            }
        }
    }

    private static String id(String source, String key, int seq) {
        return source + "|" + key + "|" + seq;
    }

    // ---- feeding and reading ----

    private static String fileName(int index) {
        return String.format(Locale.ROOT, "readings-%02d.csv", index);
    }

    /** Written under a hidden temporary name, then moved into place atomically. */
    private static void feed(Path input, int index, List<String> rows) throws IOException {
        Path tmp = input.resolve("." + fileName(index) + ".tmp");
        List<String> lines = new ArrayList<>();
        lines.add("sensor,temperature,humidity");
        lines.addAll(rows);
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, input.resolve(fileName(index)), StandardCopyOption.ATOMIC_MOVE);
    }

    private void feedAndAwaitCommit(Path input, Path output, int index, List<String> rows) throws Exception {
        feed(input, index, rows);
        awaitCommitted(output, index, rows);
    }

    /** Files arrive one at a time: the next is fed once all of this one's rows are committed. */
    private void awaitCommitted(Path output, int index, List<String> rows) throws Exception {
        String source = "\"source\":\"" + fileName(index) + "\"";
        await(rows.size() + " committed records of " + fileName(index), () -> committedLines(output).stream()
                .filter(l -> l.contains(source)).map(LocalClusterEndToEndTest::seqOf).distinct().count() >= rows.size());
    }

    private static int seqOf(String line) {
        return Integer.parseInt(group(line, "\"seq\":(\\d+)"));
    }

    /** The hidden in-progress part files' names. */
    private static List<String> inProgressParts(Path output) {
        if (!Files.isDirectory(output)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(output)) {
            return files.map(f -> f.getFileName().toString()).filter(n -> n.startsWith(".part-")).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Lines of the committed part files. */
    private static List<String> committedLines(Path output) {
        if (!Files.isDirectory(output)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(output)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("part-") && name.endsWith(".jsonl")) {
                    Files.readAllLines(f, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).forEach(lines::add);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return lines;
    }
}
