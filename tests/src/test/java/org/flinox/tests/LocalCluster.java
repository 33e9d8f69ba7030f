package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A Flink session cluster of {@code deploy/local-cluster.sh} for a test class: a JobManager and
 * TaskManagers in JVMs of their own, on free ports, with its conf, logs, PID files, checkpoints
 * and savepoints under {@code work/cluster}; the repository's scripts run with its environment,
 * and its REST API is at hand.
 */
final class LocalCluster {
    static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Path root = Path.of("").toAbsolutePath().getParent();
    private final HttpClient http = HttpClient.newHttpClient();
    private final Path work;
    private final Path clusterDir;
    private int restPort;
    private int metricsPort;
    private Map<String, String> env;

    /** {@code work}: a directory of the test's own (the cluster goes to {@code work/cluster}). */
    LocalCluster(Path work) {
        this.work = work;
        this.clusterDir = work.resolve("cluster");
    }

    /**
     * {@code local-cluster.sh start --taskmanagers N} on free ports; returns once every
     * TaskManager is registered. Stops what it started when the start fails.
     */
    void start(int taskManagers) throws Exception {
        assertThat(root.resolve("deploy/local-cluster.sh")).as("repository root from tests/").isRegularFile();
        assertThat(jobJar()).as("the job jar of this build (mvn package)").isRegularFile();
        int[] ports = freePorts(3);
        restPort = ports[0];
        // the JobManager's metrics on the first, taskmanager-N's on the first + N (replacements too)
        metricsPort = freePortRun(taskManagers + 3);
        env = Map.of(
                "FLINOX_CLUSTER_DIR", clusterDir.toString(),
                "FLINOX_REST_PORT", Integer.toString(ports[0]),
                "FLINOX_JM_RPC_PORT", Integer.toString(ports[1]),
                "FLINOX_BLOB_PORT", Integer.toString(ports[2]),
                "FLINOX_METRICS_PORT", Integer.toString(metricsPort),
                "FLINOX_HEARTBEAT_TIMEOUT_MS", "4000");
        try {
            Shell start = sh(Duration.ofMinutes(5), "deploy/local-cluster.sh", "start", "--taskmanagers",
                    Integer.toString(taskManagers));
            assertThat(start.exitCode()).as("local-cluster.sh start:\n%s", start.output()).isZero();
            List<String> names = new ArrayList<>();
            for (int i = 1; i <= taskManagers; i++) {
                names.add("taskmanager-" + i);
                assertThat(start.output()).contains("taskmanager-" + i + " ");
            }
            assertThat(start.output()).contains("jobmanager ", "web UI: http://localhost:" + restPort);
            assertThat(registeredTaskManagers()).containsExactlyInAnyOrderElementsOf(names);
        } catch (Throwable e) {
            stop();
            throw e;
        }
    }

    /** {@code local-cluster.sh stop} (only the processes of this cluster); nothing when it never started. */
    void stop() throws Exception {
        if (env != null) {
            Shell stop = sh(Duration.ofMinutes(1), "deploy/local-cluster.sh", "stop");
            assertThat(stop.exitCode()).as("local-cluster.sh stop:\n%s", stop.output()).isZero();
        }
    }

    /** {@code kill -9} a TaskManager, then {@code add-taskmanager}; returns the new one's output line. */
    String killAndReplace(String taskManager) throws Exception {
        Process kill = new ProcessBuilder("kill", "-9", Long.toString(pidOf(taskManager))).inheritIO().start();
        assertThat(kill.waitFor()).isZero();
        Shell added = sh(Duration.ofMinutes(2), "deploy/local-cluster.sh", "add-taskmanager");
        assertThat(added.exitCode()).as("add-taskmanager:\n%s", added.output()).isZero();
        return added.output();
    }

    Path root() {
        return root;
    }

    Path dir() {
        return clusterDir;
    }

    Path jobJar() {
        return root.resolve("job/target/flinox-job.jar");
    }

    long pidOf(String process) throws IOException {
        return Long.parseLong(Files.readString(clusterDir.resolve("pids/" + process + ".pid")).trim());
    }

    List<String> registeredTaskManagers() throws Exception {
        List<String> ids = new ArrayList<>();
        get("/taskmanagers").path("taskmanagers").forEach(tm -> ids.add(tm.path("id").asText()));
        return ids;
    }

    /** A TaskManager that runs a task of a job (its slots are not all free). */
    String busyTaskManager() throws Exception {
        for (JsonNode tm : get("/taskmanagers").path("taskmanagers")) {
            if (tm.path("freeSlots").asInt() < tm.path("slotsNumber").asInt()) {
                return tm.path("id").asText();
            }
        }
        return fail("no TaskManager holds a slot: " + get("/taskmanagers"));
    }

    String jobState(String job) {
        try {
            return get("/jobs/" + job).path("state").asText();
        } catch (Exception e) {
            return "unknown: " + e.getMessage();
        }
    }

    int modelParallelism(String job) throws Exception {
        for (JsonNode v : get("/jobs/" + job).path("vertices")) {
            if (v.path("name").asText().contains("model standardize")) {
                return v.path("parallelism").asInt();
            }
        }
        return fail("no model vertex in " + get("/jobs/" + job));
    }

    /** The job's numRestarts metric; -1 while the REST API does not answer it. */
    long restarts(String job) {
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

    /** Cancels a job through REST and waits until it is CANCELED (nothing when it is no longer running). */
    void cancel(String job) throws Exception {
        String state = jobState(job);
        if (List.of("CANCELED", "FINISHED", "FAILED").contains(state) || state.startsWith("unknown")) {
            return;
        }
        request("PATCH", "/jobs/" + job + "?mode=cancel", null);
        await("job " + job + " cancelled", () -> "CANCELED".equals(jobState(job)));
    }

    /** {@code POST /jars/upload}: the shaded jar as a multipart form field {@code jarfile}; returns the jar id. */
    String uploadJar() throws Exception {
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

    JsonNode get(String path) throws Exception {
        return request("GET", path, null);
    }

    JsonNode post(String path, String json) throws Exception {
        return request("POST", path, json);
    }

    JsonNode request(String method, String path, String json) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(30));
        b = json == null ? b.method(method, HttpRequest.BodyPublishers.noBody())
                : b.header("Content-Type", "application/json").method(method, HttpRequest.BodyPublishers.ofString(json));
        HttpResponse<String> response = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        if (response.statusCode() / 100 != 2) {
            throw new IOException(method + " " + path + " -> " + response.statusCode() + ": " + response.body());
        }
        return response.body().isEmpty() ? JSON.createObjectNode() : JSON.readTree(response.body());
    }

    int restPort() {
        return restPort;
    }

    /** The Prometheus endpoint of a process: {@code jobmanager} or {@code taskmanager-N}. */
    URI metricsEndpoint(String process) {
        int offset = process.equals("jobmanager") ? 0 : Integer.parseInt(process.substring("taskmanager-".length()));
        return URI.create("http://localhost:" + (metricsPort + offset) + "/metrics");
    }

    /** What a Prometheus endpoint serves now (the text exposition format). */
    String scrape(URI endpoint) throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(endpoint).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as("GET %s", endpoint).isEqualTo(200);
        return response.body();
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + restPort + path);
    }

    // ---- processes and waiting ----

    record Shell(int exitCode, String output) {}

    /** Runs a repository script with the cluster's environment; output captured through a file. */
    Shell sh(Duration timeout, String... command) throws Exception {
        Path log = Files.createTempFile(work, "sh", ".log");
        List<String> cmd = new ArrayList<>(List.of(command));
        cmd.set(0, root.resolve(command[0]).toString());
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(root.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(env);
        Process p = pb.start();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            return fail(String.join(" ", command) + " did not finish in " + timeout + ":\n" + Files.readString(log));
        }
        return new Shell(p.exitValue(), Files.readString(log));
    }

    /** Submits the job jar with {@code deploy/flink run -d -p PARALLELISM}; returns the job id. */
    String submit(int parallelism, List<String> jobArgs) throws Exception {
        return submit(jobJar(), parallelism, null, jobArgs);
    }

    /**
     * Submits {@code jar} with {@code deploy/flink run -d -p PARALLELISM [-s RESTORE]}; returns
     * the job id.
     *
     * @param restore a savepoint or retained checkpoint to start from, or null
     */
    String submit(Path jar, int parallelism, String restore, List<String> jobArgs) throws Exception {
        List<String> runArgs = new ArrayList<>(List.of("deploy/flink", "run", "-d", "-p", Integer.toString(parallelism)));
        if (restore != null) {
            runArgs.addAll(List.of("-s", restore));
        }
        runArgs.add(jar.toString());
        runArgs.addAll(jobArgs);
        Shell run = sh(Duration.ofMinutes(2), runArgs.toArray(String[]::new));
        assertThat(run.exitCode()).as("flink run:\n%s", run.output()).isZero();
        return group(run.output(), "Job has been submitted with JobID ([0-9a-f]{32})");
    }

    static void await(String what, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("timed out after " + TIMEOUT.toSeconds() + " s waiting for " + what);
            }
            Thread.sleep(200); // polling interval, not synchronisation
        }
    }

    static String group(String text, String regex) {
        Matcher m = Pattern.compile(regex).matcher(text);
        if (!m.find()) {
            return fail("no match for /" + regex + "/ in:\n" + text);
        }
        return m.group(1);
    }

    /** The first of {@code n} consecutive ports that are free now. */
    static int freePortRun(int n) throws IOException {
        for (int attempt = 0; attempt < 100; attempt++) {
            int first = freePorts(1)[0];
            if (first + n > 65535) {
                continue;
            }
            List<ServerSocket> held = new ArrayList<>();
            try {
                for (int p = first; p < first + n; p++) {
                    held.add(new ServerSocket(p));
                }
                return first;
            } catch (IOException taken) {
                // try another start
            } finally {
                for (ServerSocket s : held) {
                    s.close();
                }
            }
        }
        throw new IOException("no run of " + n + " free ports found");
    }

    static int[] freePorts(int n) throws IOException {
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
