package org.flinox.job;

import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real, throw-away PostgreSQL server for a test class: Debian's PostgreSQL 15 ({@code .ci/run}
 * installs it), a cluster made by {@code initdb} in a temporary directory and started by
 * {@code pg_ctl} on a free port (listening on 127.0.0.1 and a socket in that directory only);
 * stopped and deleted after the class, also when a test failed. PostgreSQL refuses to run as
 * root: under root its commands run as the {@code postgres} user, which owns the directory.
 */
public final class LocalPostgres implements BeforeAllCallback, AfterAllCallback {
    private static final Path BIN = Path.of("/usr/lib/postgresql/15/bin");

    private Path dir;
    private int port;
    private Thread shutdownHook;

    /** {@code jdbc:postgresql://127.0.0.1:PORT/postgres?user=postgres} */
    public String url() {
        return "jdbc:postgresql://127.0.0.1:" + port + "/postgres?user=postgres";
    }

    public Connection connect() throws SQLException {
        return DriverManager.getConnection(url());
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (!Files.isExecutable(BIN.resolve("pg_ctl"))) {
            throw new IllegalStateException(BIN + "/pg_ctl not found: install Debian's postgresql (apt-get install "
                    + "postgresql), as .ci/run does");
        }
        dir = Files.createTempDirectory("flinox-test-postgres");
        if (isRoot()) {
            UserPrincipal postgres = dir.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
            Files.setOwner(dir, postgres);
        }
        port = freePort();
        run(List.of(BIN.resolve("initdb").toString(), "-D", dir.resolve("data").toString(), "-U", "postgres",
                "-A", "trust", "-E", "UTF8", "--no-sync"));
        shutdownHook = new Thread(this::stopQuietly, "stop-local-postgres");
        Runtime.getRuntime().addShutdownHook(shutdownHook);
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-l",
                dir.resolve("log").toString(), "-w", "-t", "120", "-o",
                "-p " + port + " -k " + dir + " -c listen_addresses=127.0.0.1 -c fsync=off", "start"));
    }

    @Override
    public void afterAll(ExtensionContext context) throws Exception {
        try {
            stop();
        } finally {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
            deleteRecursively(dir);
        }
    }

    private void stop() throws IOException, InterruptedException {
        run(List.of(BIN.resolve("pg_ctl").toString(), "-D", dir.resolve("data").toString(), "-m", "fast", "-w",
                "-t", "120", "stop"));
    }

    private void stopQuietly() {
        try {
            stop();
        } catch (Exception e) {
            System.err.println("could not stop the test PostgreSQL: " + e);
        }
    }

    private static void run(List<String> command) throws IOException, InterruptedException {
        List<String> full = new ArrayList<>();
        if (isRoot()) {
            full.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        full.addAll(command);
        Process process = new ProcessBuilder(full).redirectErrorStream(true).start();
        byte[] out = process.getInputStream().readAllBytes();
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroy();
            throw new IllegalStateException(String.join(" ", full) + " did not finish");
        }
        if (process.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", full) + " failed (exit " + process.exitValue() + "):\n"
                    + new String(out, StandardCharsets.UTF_8));
        }
    }

    private static boolean isRoot() {
        return "root".equals(System.getProperty("user.name"));
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
