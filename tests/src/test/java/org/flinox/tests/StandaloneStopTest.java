package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's stand-alone stop: {@code java -jar flinox-job.jar --watch ... --savepoint-dir
 * DIR}, then {@code kill PID} (SIGTERM, as Ctrl-C's SIGINT): the process ends once the job has
 * stopped with a savepoint, says where it is, and the savepoint holds every key's state.
 */
class StandaloneStopTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    @TempDir
    Path dir;

    @Test
    void sigtermStopsAWatchingRunWithASavepointThatHoldsTheState() throws Exception {
        Path jar = Path.of("..", "job", "target", "flinox-job.jar").toAbsolutePath().normalize();
        assertThat(jar).as("the job jar of this build (mvn package, which mvn verify runs first)").isRegularFile();
        Path watched = Files.createDirectories(dir.resolve("in"));
        Path out = dir.resolve("out");
        Path savepoints = dir.resolve("savepoints");
        Path log = dir.resolve("job.log");
        Process job = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-jar", jar.toString(), "--input", watched.toString(), "--watch", "--watch-interval", "200ms",
                "--format", "csv", "--key", "id", "--features", "x,y", "--output", out.toString(),
                "--checkpoint-interval", "500", "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(),
                "--savepoint-dir", savepoints.toUri().toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        try {
            List<Reference.Row> rows = SavepointRescaleTest.rows("a.csv", 800, 41);
            Path staged = SavepointRescaleTest.writeCsv(Files.createDirectories(dir.resolve("staging")).resolve("a.csv"), rows);
            Files.move(staged, watched.resolve("a.csv"));
            long deadline = System.nanoTime() + TIMEOUT.toNanos();
            while (JobFiles.committedSoFar(out).size() < rows.size()) {
                assertThat(job.isAlive()).as("the job runs:\n%s", Files.readString(log)).isTrue();
                assertThat(System.nanoTime()).as("outputs committed in time:\n%s", Files.readString(log)).isLessThan(deadline);
                Thread.sleep(100);
            }

            List<ProcessHandle> children = job.descendants().toList(); // the JVM the launcher runs Flink in
            assertThat(children).isNotEmpty();
            job.destroy(); // SIGTERM
            assertThat(job.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).as("the process ends").isTrue();
            assertThat(job.exitValue()).as("a clean stop did what it was asked:\n%s", Files.readString(log)).isZero();
            // ... and only once the job has stopped: nothing it started is left running
            assertThat(children).noneMatch(ProcessHandle::isAlive);
            String printed = Files.readString(log);
            Matcher m = Pattern.compile("flinox: stopped with a savepoint; resume with --restore (\\S+)").matcher(printed);
            assertThat(m.find()).as(printed).isTrue();
            String savepoint = m.group(1);
            assertThat(savepoint).contains(savepoints.toString());

            CliRun inspect = CliRun.of("inspect", "--from", savepoint, "--features", "x,y");
            assertThat(inspect.code()).as(inspect.err()).isZero();
            StateRows.assertClose(StateRows.parse(inspect.out().lines().toList()), Reference.cumulativeState(rows));
            assertThat(JobFiles.jsonLines(out)).hasSize(rows.size());
        } finally {
            job.descendants().forEach(ProcessHandle::destroyForcibly);
            job.destroyForcibly();
        }
    }
}
