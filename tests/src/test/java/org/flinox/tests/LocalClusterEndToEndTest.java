package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
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
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final List<String> KEYS = List.of("boiler-1", "boiler-2", "pump-7", "valve-3", "flat");
    private static final int FILES_BEFORE_KILL = 3;
    private static final int FILES_BEFORE_SAVEPOINT = 6;
    private static final int FILES = 9;
    private static final int ROWS_PER_FILE = 30;

    @TempDir
    static Path work;

    private final Path root = Path.of("").toAbsolutePath().getParent();
    private final HttpClient http = HttpClient.newHttpClient();
    private Path clusterDir;
    private int restPort;
    private Map<String, String> env;

    @BeforeAll
    void startCluster() throws Exception {
        assertThat(root.resolve("deploy/local-cluster.sh")).as("repository root from tests/").isRegularFile();
        assertThat(jobJar()).as("the job jar of this build (mvn package)").isRegularFile();
        clusterDir = work.resolve("cluster");
        int[] ports = freePorts(3);
        restPort = ports[0];
        env = Map.of(
                "FLINOX_CLUSTER_DIR", clusterDir.toString(),
                "FLINOX_REST_PORT", Integer.toString(ports[0]),
                "FLINOX_JM_RPC_PORT", Integer.toString(ports[1]),
                "FLINOX_BLOB_PORT", Integer.toString(ports[2]),
                "FLINOX_HEARTBEAT_TIMEOUT_MS", "4000");
        try {
            Shell start = sh(Duration.ofMinutes(5), "deploy/local-cluster.sh", "start", "--taskmanagers", "2");
            assertThat(start.exitCode()).as("local-cluster.sh start:\n%s", start.output()).isZero();
            assertThat(start.output()).contains("jobmanager ", "taskmanager-1 ", "taskmanager-2 ",
                    "web UI: http://localhost:" + restPort);
            assertThat(registeredTaskManagers()).containsExactlyInAnyOrder("taskmanager-1", "taskmanager-2");
        } catch (Throwable e) {
            stopCluster();
            throw e;
        }
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (env != null) {
            Shell stop = sh(Duration.ofMinutes(1), "deploy/local-cluster.sh", "stop");
            assertThat(stop.exitCode()).as("local-cluster.sh stop:\n%s", stop.output()).isZero();
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

        Set<Long> taskManagerPids = new TreeSet<>(List.of(pidOf("taskmanager-1"), pidOf("taskmanager-2")));
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
        Shell run = sh(Duration.ofMinutes(2), "deploy/flink", "run", "-C", probeJar.toUri().toString(),
                "-c", Nd4jProbeJob.class.getName(), jobJar().toString(), "4");
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
        List<String> runArgs = new ArrayList<>(List.of("deploy/flink", "run", "-d", "-p", "2", jobJar().toString()));
        runArgs.addAll(args);
        Shell run = sh(Duration.ofMinutes(2), runArgs.toArray(String[]::new));
        assertThat(run.exitCode()).as("flink run:\n%s", run.output()).isZero();
        String job = group(run.output(), "Job has been submitted with JobID ([0-9a-f]{32})");
        await("job " + job + " running", () -> "RUNNING".equals(jobState(job)));
        assertThat(modelParallelism(job)).isEqualTo(2);

        int fed = 0;
        for (; fed < FILES_BEFORE_KILL; fed++) {
            feedAndAwaitCommit(input, output, fed, files.get(fed));
        }

        // Kill -9 a TaskManager that holds a slot of the job while the next file is in flight.
        String victim = busyTaskManager();
        feed(input, fed, files.get(fed));
        String source = fileName(fed);
        await("records of " + source + " processed", () -> linesIn(output, true).stream()
                .anyMatch(l -> l.contains("\"source\":\"" + source + "\"")));
        long victimPid = pidOf(victim);
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(victimPid)).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        Shell added = sh(Duration.ofMinutes(2), "deploy/local-cluster.sh", "add-taskmanager");
        assertThat(added.exitCode()).as("add-taskmanager:\n%s", added.output()).isZero();
        assertThat(added.output()).contains("taskmanager-3 ");
        await("job " + job + " restarted after the kill", () -> restarts(job) >= 1);
        awaitCommitted(output, fed, files.get(fed));
        fed++;
        Shell status = sh(Duration.ofMinutes(1), "deploy/local-cluster.sh", "status");
        assertThat(status.output()).contains("taskmanager-3 ").doesNotContain(victim + " ");

        for (; fed < FILES_BEFORE_SAVEPOINT; fed++) {
            feedAndAwaitCommit(input, output, fed, files.get(fed));
        }

        // Stop with a savepoint through the CLI.
        Shell stop = sh(Duration.ofMinutes(2), "deploy/flink", "stop", "--savepointPath", savepoints.toUri().toString(), job);
        assertThat(stop.exitCode()).as("flink stop:\n%s", stop.output()).isZero();
        String savepoint = group(stop.output(), "Savepoint completed\\. Path: (\\S+)");
        await("job " + job + " finished", () -> "FINISHED".equals(jobState(job)));

        // Resume through the REST API at parallelism 3.
        String jarId = uploadJar();
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("parallelism", 3);
        body.put("savepointPath", savepoint);
        body.put("programArgsList", args);
        JsonNode submitted = post("/jars/" + jarId + "/run", JSON.writeValueAsString(body));
        String resumed = submitted.path("jobid").asText();
        assertThat(resumed).as("/jars/run answered %s", submitted).matches("[0-9a-f]{32}");
        await("job " + resumed + " running", () -> "RUNNING".equals(jobState(resumed)));
        assertThat(modelParallelism(resumed)).isEqualTo(3);

        for (; fed < FILES; fed++) {
            feedAndAwaitCommit(input, output, fed, files.get(fed));
        }
        request("PATCH", "/jobs/" + resumed + "?mode=cancel", null);
        await("job " + resumed + " cancelled", () -> "CANCELED".equals(jobState(resumed)));

        assertEqualsUninterruptedRun(linesIn(output, false), files);
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
        Map<String, double[]> expected = new LinkedHashMap<>();
        Map<String, List<double[]>> history = new HashMap<>();
        for (int f = 0; f < files.size(); f++) {
            for (int seq = 0; seq < files.get(f).size(); seq++) {
                String[] cols = files.get(f).get(seq).split(",");
                List<double[]> seen = history.computeIfAbsent(cols[0], k -> new ArrayList<>());
                seen.add(new double[] {Double.parseDouble(cols[1]), Double.parseDouble(cols[2])});
                double[] z = new double[2];
                for (int j = 0; j < 2; j++) {
                    double mean = 0;
                    for (double[] x : seen) {
                        mean += x[j];
                    }
                    mean /= seen.size();
                    double var = 0;
                    for (double[] x : seen) {
                        var += (x[j] - mean) * (x[j] - mean);
                    }
                    var /= seen.size();
                    z[j] = var == 0 ? 0 : (seen.get(seen.size() - 1)[j] - mean) / Math.sqrt(var);
                }
                expected.put(id(fileName(f), cols[0], seq), z);
            }
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
        await(rows.size() + " committed records of " + fileName(index), () -> linesIn(output, false).stream()
                .filter(l -> l.contains(source)).map(LocalClusterEndToEndTest::seqOf).distinct().count() >= rows.size());
    }

    private static int seqOf(String line) {
        return Integer.parseInt(group(line, "\"seq\":(\\d+)"));
    }

    /** Lines of the committed part files, and with {@code inProgress} also of the hidden in-progress ones. */
    private static List<String> linesIn(Path output, boolean inProgress) {
        if (!Files.isDirectory(output)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(output)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.startsWith("part-") && name.endsWith(".jsonl") || inProgress && name.startsWith(".part-")) {
                    try {
                        Files.readAllLines(f, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).forEach(lines::add);
                    } catch (java.nio.file.NoSuchFileException renamed) {
                        // an in-progress file committed between listing and reading: read on the next poll
                    }
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return lines;
    }

    // ---- the cluster ----

    private Path jobJar() {
        return root.resolve("job/target/flinox-job.jar");
    }

    private long pidOf(String process) throws IOException {
        return Long.parseLong(Files.readString(clusterDir.resolve("pids/" + process + ".pid")).trim());
    }

    private List<String> registeredTaskManagers() throws Exception {
        List<String> ids = new ArrayList<>();
        get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    /** A TaskManager that runs a task of the job (its slots are not all free). */
    private String busyTaskManager() throws Exception {
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            if (tm.path("freeSlots").asInt() < tm.path("slotsNumber").asInt()) {
                return tm.path("id").asText();
            }
        }
        return fail("no TaskManager holds a slot: " + get("/taskmanagers"));
    }

    private String jobState(String job) {
        try {
            return get("/jobs/" + job).path("state").asText();
        } catch (Exception e) {
            return "unknown: " + e.getMessage();
        }
    }

    private int modelParallelism(String job) throws Exception {
        for (JsonNode v : get("/jobs/" + job).path("vertices")) {
            if (v.path("name").asText().contains("model standardize")) {
                return v.path("parallelism").asInt();
            }
        }
        return fail("no model vertex in " + get("/jobs/" + job));
    }

    /** The job's numRestarts metric; -1 while the REST API does not answer it. */
    private long restarts(String job) {
        try {
            for (JsonNode m : get("/jobs/" + job + "/metrics?get=numRestarts")) {
                if (m.path("id").asText().equals("numRestarts")) {
                    return m.path("value").asLong();
                }
            }
        } catch (Exception e) {
            // not answered yet: poll again
        }
        return -1;
    }

    /** {@code POST /jars/upload}: the shaded jar as a multipart form field {@code jarfile}; returns the jar id. */
    private String uploadJar() throws Exception {
        String boundary = "flinox-" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"jarfile\"; filename=\"flinox-job.jar\"\r\n"
                + "Content-Type: application/x-java-archive\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        HttpRequest request = HttpRequest.newBuilder(uri("/jars/upload"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        HttpRequest.BodyPublishers.ofFile(jobJar()), HttpRequest.BodyPublishers.ofByteArray(tail)))
                .timeout(Duration.ofMinutes(2)).build();
        HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("jar upload: %s", response.body()).isEqualTo(200);
        String path = JSON.readTree(response.body()).path("filename").asText();
        return Path.of(path).getFileName().toString();
    }

    private JsonNode get(String path) throws Exception {
        return request("GET", path, null);
    }

    private JsonNode post(String path, String json) throws Exception {
        return request("POST", path, json);
    }

    private JsonNode request(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " -> " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + restPort + path);
    }

    // ---- processes and waiting ----

    record Shell(int exitCode, String output) {}

    /** Runs a repository script with the cluster's environment; output captured through a file. */
    private Shell sh(Duration timeout, String... command) throws Exception {
        Path log = Files.createTempFile(work, "sh", ".log");
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, root.resolve(command[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return fail(String.join(" ", command) + " did not finish in " + timeout + ":\n" + Files.readString(log));
        }
        return new Shell(p.exitValue(), Files.readString(log));
    }

    private static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(200); // polling interval, not synchronisation
        }
    }

    private static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            return fail("no match for /" + regex + "/ in:\n" + text);
        }
        return m.group(1);
    }

    private static int[] freePorts(int n) throws IOException {
        List<ServerSocket> sockets = new ArrayList<>();
        try {
            int[] ports = new int[n];
            for (int i = 0; i < n; i++) {
                ServerSocket s = new ServerSocket(0);
                sockets.add(s);
                ports[i] = s.getLocalPort();
            }
            return ports;
        } finally {
            for (ServerSocket s : sockets) {
                s.close();
            }
        }
    }
}
