package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the {@code java -jar} process: the launcher's child JVM, which runs the
 * embedded Flink, ends with it (a {@code --watch} run stops with its savepoint, as on SIGTERM),
 * so no orphan keeps writing; while a run lives, a second run into its output is refused.
 */
class KilledLauncherTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(150);

    @TempDir
    Path dir;

    private final List<Process> started = new ArrayList<>();

    @AfterEach
    void killWhatIsLeft() {
        for (Process p : started) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
    }

    @Test
    void aWatchingRunWhoseLauncherIsKilledStopsWithASavepointAndARestoreWritesEachRowOnce() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("in"));
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path out = dir.resolve("out");
        String[] flags = {"--input", watched.toString(), "--watch", "--watch-interval", "200ms", "--format", "csv",
            "--key", "id", "--features", "x,y", "--output", out.toString(), "--checkpoint-interval", "500",
            "--savepoint-dir", dir.resolve("savepoints").toUri().toString()};
        Path log = dir.resolve("first.log");
        Process first = start(log, flags);
        List<Reference.Row> a = SavepointRescaleTest.rows("a.csv", 800, 51);
        feed(SavepointRescaleTest.writeCsv(staging.resolve("a.csv"), a), watched, 1_000_000);
        awaitCommitted(out, a.size(), first, log);

        // a second run into the same output, even with --overwrite, is refused while the first lives
        JarRun second = JarRun.of(dir, "--input", watched.toString(), "--format", "csv", "--key", "id", "--features",
                "x,y", "--output", out.toString(), "--overwrite");
        assertThat(second.code()).as(second.err()).isEqualTo(1);
        assertThat(second.errLines()).singleElement().asString().contains("--output") // the flag's value is named
                .contains(out.toString()).contains("is being written by a live run");
        assertThat(JobFiles.jsonLines(out)).hasSize(a.size());

        List<ProcessHandle> children = first.descendants().toList();
        assertThat(children).as("the launcher's child JVM").isNotEmpty().allMatch(ProcessHandle::isAlive);
        first.destroyForcibly(); // SIGKILL: the launcher passes nothing on
        awaitEnded(children, log);
        String printed = Files.readString(log);
        Matcher m = Pattern.compile("resume with --restore (\\S+)").matcher(printed);
        assertThat(m.find()).as(printed).isTrue();

        List<String> resumed = new ArrayList<>(List.of(flags));
        resumed.addAll(List.of("--restore", m.group(1)));
        Path log2 = dir.resolve("resumed.log");
        Process again = start(log2, resumed.toArray(String[]::new));
        List<Reference.Row> b = SavepointRescaleTest.rows("b.csv", 600, 52);
        feed(SavepointRescaleTest.writeCsv(staging.resolve("b.csv"), b), watched, 2_000_000);
        awaitCommitted(out, a.size() + b.size(), again, log2);
        List<ProcessHandle> children2 = again.descendants().toList();
        again.destroy();
        assertThat(again.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        awaitEnded(children2, log2);

        List<Reference.Row> both = new ArrayList<>(a);
        both.addAll(b);
        FinalSavepointTest.assertExactlyOnce(out, both);
    }

    @Test
    void aBoundedRunWhoseLauncherIsKilledLeavesNoProcessAndNoLockBehind() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<Reference.Row> rows = SavepointRescaleTest.rows("big.csv", 400_000, 53);
        SavepointRescaleTest.writeCsv(in.resolve("big.csv"), rows);
        Path out = dir.resolve("out");
        String[] flags = {"--input", in.toString(), "--key", "id", "--features", "x,y", "--output", out.toString()};
        Path log = dir.resolve("bounded.log");
        Process run = start(log, flags);
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (!Files.exists(out.resolve(".flinox-lock")) || run.descendants().findAny().isEmpty()) {
            assertThat(run.isAlive()).as(Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("the run started in time").isLessThan(deadline);
            Thread.sleep(20);
        }
        List<ProcessHandle> children = run.descendants().toList();
        assertThat(children).allMatch(ProcessHandle::isAlive);
        run.destroyForcibly();
        awaitEnded(children, log);

        // the lock died with it: a new run may take the directory over, and writes every row once
        List<String> again = new ArrayList<>(List.of(flags));
        again.add("--overwrite");
        JarRun rerun = JarRun.of(dir, again.toArray(String[]::new));
        assertThat(rerun.code()).as(rerun.err()).isZero();
        assertThat(JobFiles.jsonLines(out)).hasSize(rows.size());
        assertThat(JobFiles.jsonLines(out).stream().map(o -> o.get("seq").asLong()).distinct().count())
                .as("no (source, seq) twice").isEqualTo(rows.size());
    }

    private Process start(Path log, String... flags) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Djava.io.tmpdir=" + Files.createDirectories(dir.resolve("tmp")), "-jar",
                JarRun.JAR.toString()));
        command.addAll(List.of(flags));
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    private static void feed(Path staged, Path watched, long arrival) throws Exception {
        staged.toFile().setLastModified(arrival);
        Files.move(staged, watched.resolve(staged.getFileName()));
    }

    private static void awaitCommitted(Path out, int count, Process job, Path log) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (JobFiles.committedSoFar(out).size() < count) {
            assertThat(job.isAlive()).as("the job runs:\n%s", Files.readString(log)).isTrue();
            assertThat(System.nanoTime()).as("outputs committed in time:\n%s", Files.readString(log)).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    /** Waits for the processes to end; a generous deadline is only a guard. */
    private static void awaitEnded(List<ProcessHandle> processes, Path log) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (processes.stream().anyMatch(ProcessHandle::isAlive)) {
            assertThat(System.nanoTime()).as("the child JVM ended:\n%s", Files.readString(log)).isLessThan(deadline);
            Thread.sleep(100);
        }
    }
}
