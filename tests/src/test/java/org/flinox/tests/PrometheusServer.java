package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Collectors;

/**
 * Debian's {@code prometheus} server for a test: its own configuration, data and log in a
 * directory of the test's, on a free port of localhost, scraping the given endpoints every
 * second. {@link #close} ends the process it started.
 */
final class PrometheusServer implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/prometheus");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Process process;
    private final URI api;
    private final Path log;
    private final HttpClient http = HttpClient.newHttpClient();

    private PrometheusServer(Process process, URI api, Path log) {
        this.process = process;
        this.api = api;
        this.log = log;
    }

    /** Starts the server and returns once it is ready (it scrapes from then on). */
    static PrometheusServer start(Path dir, List<URI> targets) throws Exception {
        assertThat(BINARY).as("Debian's prometheus (apt-get install prometheus; .ci/run installs it)").isExecutable();
        Files.createDirectories(dir);
        String hosts = targets.stream().map(t -> "'" + t.getHost() + ":" + t.getPort() + "'").collect(Collectors.joining(", "));
        Path config = dir.resolve("prometheus.yml");
        Files.writeString(config, String.join("\n",
                "global:",
                "  scrape_interval: 1s",
                "  scrape_timeout: 1s",
                "scrape_configs:",
                "  - job_name: flink",
                "    metrics_path: /metrics",
                "    static_configs:",
                "      - targets: [" + hosts + "]",
                ""));
        int port = LocalCluster.freePorts(1)[0];
        Path log = dir.resolve("prometheus.log");
        Process p = new ProcessBuilder(BINARY.toString(), "--config.file=" + config, "--storage.tsdb.path=" + dir.resolve("data"),
                "--web.listen-address=127.0.0.1:" + port)
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        PrometheusServer server = new PrometheusServer(p, URI.create("http://127.0.0.1:" + port), log);
        try {
            LocalCluster.await("prometheus ready on port " + port, server::ready);
        } catch (Throwable e) {
            server.close();
            throw new AssertionError(e.getMessage() + "; its log:\n" + Files.readString(log), e);
        }
        return server;
    }

    private boolean ready() {
        if (!process.isAlive()) {
            throw new IllegalStateException("prometheus exited with " + process.exitValue());
        }
        try {
            return http.send(HttpRequest.newBuilder(api.resolve("/-/ready")).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString()).statusCode() == 200;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** {@code GET /api/v1/query}: the result vector of an instant query (an error is a failure). */
    JsonNode query(String promql) throws Exception {
        URI uri = api.resolve("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode body = JSON.readTree(response.body());
        assertThat(body.path("status").asText()).as("query %s answered %s", promql, response.body()).isEqualTo("success");
        return body.path("data").path("result");
    }

    /** The targets' health as Prometheus sees them ({@code GET /api/v1/targets}). */
    JsonNode targets() throws Exception {
        HttpResponse<String> response = http.send(HttpRequest.newBuilder(api.resolve("/api/v1/targets"))
                .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
        return JSON.readTree(response.body()).path("data").path("activeTargets");
    }

    String log() throws IOException {
        return Files.readString(log);
    }

    @Override
    public void close() throws Exception {
        process.destroy();
        if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
