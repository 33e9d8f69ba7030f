package org.flinox.job;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real single-node Kafka broker for a test class, run by {@code deploy/local-kafka.sh} on free
 * ports (never the default 9092/9093) with its state in a temporary directory; stopped (by the
 * script, through its PID file) after the class, also when a test failed.
 */
public final class LocalKafka implements BeforeAllCallback, AfterAllCallback {
    private static final Duration START_TIMEOUT = Duration.ofMinutes(4); // the first start fetches the jars

    private Path script;
    private Path stateDir;
    private Map<String, String> env;
    private String bootstrap;
    private Thread shutdownHook;

    public String bootstrap() {
        return bootstrap;
    }

    /** {@code kafka://localhost:PORT/TOPIC} */
    public String url(String topic) {
        return "kafka://" + bootstrap + "/" + topic;
    }

    public void createTopic(String name, int partitions) throws Exception {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic(name, partitions, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        script = findScript();
        stateDir = Files.createTempDirectory("flinox-test-kafka");
        int port = freePort();
        int controllerPort = freePort();
        while (controllerPort == port) {
            controllerPort = freePort();
        }
        env = Map.of("KAFKA_PORT", Integer.toString(port),
                "KAFKA_CONTROLLER_PORT", Integer.toString(controllerPort),
                "KAFKA_STATE_DIR", stateDir.toString());
        bootstrap = "localhost:" + port;
        shutdownHook = new Thread(this::stopQuietly, "stop-local-kafka");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        run("start", START_TIMEOUT);
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            run("stop", Duration.ofMinutes(1));
        } finally {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
            deleteRecursively(stateDir);
        }
    }

    private void stopQuietly() {
        try {
            run("stop", Duration.ofMinutes(1));
        } catch (Exception e) {
            System.err.println("could not stop the test broker: " + e);
        }
    }

    private void run(String command, Duration timeout) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("bash", script.toString(), command).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process process = pb.start();
        byte[] out = process.getInputStream().readAllBytes(); // the script closes it when it exits
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroy();
            throw new IllegalStateException("deploy/local-kafka.sh " + command + " did not finish within " + timeout);
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException("deploy/local-kafka.sh " + command + " failed (exit " + process.exitValue()
                    + "):\n" + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static Path findScript() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            Path candidate = dir.resolve("deploy/local-kafka.sh");
            if (Files.isRegularFile(candidate)) {
                return candidate;
            }
        }
        throw new IllegalStateException("deploy/local-kafka.sh not found above " + Path.of("").toAbsolutePath());
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteRecursively(Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path p : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
