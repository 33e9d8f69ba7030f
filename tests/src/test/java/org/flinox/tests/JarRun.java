package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * One run of the real shaded jar, {@code java -jar job/target/flinox-job.jar ARGS}, as a user
 * runs it: its own JVM, the launcher's child JVM with the embedded Flink, the jar's logging.
 *
 * @param code the exit code
 * @param out standard output
 * @param err standard error
 * @param elapsed wall-clock time, JVM starts included
 */
record JarRun(int code, String out, String err, Duration elapsed) {
    static final Path JAR = Path.of("").toAbsolutePath().getParent().resolve("job/target/flinox-job.jar");

    /**
     * Runs the jar in {@code workDir} with {@code java.io.tmpdir} set to {@code workDir/tmp}, so
     * what a run leaves in the temporary directory can be seen.
     */
    static JarRun of(Path workDir, String... args) throws Exception {
        return of(workDir, List.of(), args);
    }

    /** As {@link #of(Path, String...)}, with flags for the launching JVM ({@code java FLAGS -jar ...}). */
    static JarRun of(Path workDir, List<String> jvmFlags, String... args) throws Exception {
        Process p = start(workDir, jvmFlags, args);
        long start = System.nanoTime();
        List<String> out = new CopyOnWriteArrayList<>();
        List<String> err = new CopyOnWriteArrayList<>();
        Thread o = drain(p.getInputStream(), out);
        Thread e = drain(p.getErrorStream(), err);
        if (!p.waitFor(3, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError("flinox-job " + String.join(" ", args) + " did not end in 3 minutes:\n"
                    + String.join("\n", err));
        }
        o.join();
        e.join();
        return new JarRun(p.exitValue(), String.join("\n", out), String.join("\n", err),
                Duration.ofNanos(System.nanoTime() - start));
    }

    /** Starts the jar; the caller reads its streams and ends it. */
    static Process start(Path workDir, String... args) throws IOException {
        return start(workDir, List.of(), args);
    }

    private static Process start(Path workDir, List<String> jvmFlags, String... args) throws IOException {
        assertThat(JAR).as("the shaded jar (mvn package builds it before the tests module)").isRegularFile();
        Path tmp = Files.createDirectories(workDir.resolve("tmp"));
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djava.io.tmpdir=" + tmp));
        command.addAll(jvmFlags);
        command.addAll(List.of("-jar", JAR.toString()));
        command.addAll(List.of(args));
        return new ProcessBuilder(command).directory(workDir.toFile()).start();
    }

    /** Reads a stream's lines into {@code lines} on a thread of its own. */
    static Thread drain(java.io.InputStream in, List<String> lines) {
        Thread t = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException ignored) {
                // the process ended
            }
        });
        t.setDaemon(true);
        t.start();
        return t;
    }

    /** Standard error's lines that are not blank. */
    List<String> errLines() {
        return err.lines().filter(l -> !l.isBlank()).toList();
    }
}
