package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What a user sees through the real jar: mistakes stop at start with one line saying what to fix
 * and a non-zero exit; a run ends with a summary of what it did and no stack trace; an output is
 * never written twice.
 */
class RunConsoleTest {
    @TempDir
    Path dir;

    /** symbol,price,vol with two symbols; row i of symbol s has price i + 1 and vol 2i. */
    private Path prices(int rows) throws Exception {
        List<String> lines = new ArrayList<>(List.of("symbol,price,vol"));
        for (int i = 0; i < rows; i++) {
            lines.add((i % 2 == 0 ? "AAA" : "BBB") + "," + (i + 1) + "," + (2 * i));
        }
        return Files.write(dir.resolve("prices.csv"), lines);
    }

    private static void assertOneLineError(JarRun r, String... fragments) {
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.errLines()).as(r.err()).hasSize(1);
        assertThat(r.errLines().get(0)).startsWith("flinox-job: ").contains(fragments);
    }

    @Test
    void aKeyNotInTheCsvHeaderStopsAtStartNamingTheColumnsAndTheClosestOne() throws Exception {
        Path input = prices(4);
        JarRun r = JarRun.of(dir, "--input", input.toString(), "--key", "Symbol", "--output", "out");
        assertOneLineError(r, "--key 'Symbol'", "symbol, price, vol", "did you mean 'symbol'?");
        assertThat(dir.resolve("out")).doesNotExist(); // nothing ran
    }

    @Test
    void aStateOfAnotherLayoutIsOneLineForARestoreAndForInspect() throws Exception {
        Path input = prices(6);
        JarRun first = JarRun.of(dir, "--input", input.toString(), "--key", "symbol", "--features", "price",
                "--output", "out", "--final-savepoint", "warm");
        assertThat(first.code()).as(first.err()).isZero();

        // two features now: the standardize's entries are [2] instead of [1]
        JarRun restored = JarRun.of(dir, "--input", input.toString(), "--key", "symbol", "--features", "price,vol",
                "--output", "out2", "--restore", "warm");
        assertOneLineError(restored, ".mean was float64[1], the model now has float64[2]", "--reset-state .");
        JarRun inspect = JarRun.of(dir, "inspect", "--from", "warm", "--features", "price,vol");
        assertOneLineError(inspect, "warm holds state of another layout than this model's",
                ".mean was float64[1], the model now has float64[2]", "Give the --model, --features and --weights");
        assertThat(inspect.err()).doesNotContain("--reset-state");
    }

    @Test
    void aBoundedRunWhoseEveryRecordIsDeadLetteredExitsNonZero() throws Exception {
        // numbers, so the start checks let them through, but none finite: each is a dead letter
        Path input = Files.write(dir.resolve("words.csv"), List.of("k,a", "x,NaN", "y,inf", "x,-Infinity"));
        JarRun r = JarRun.of(dir, "--input", input.toString(), "--key", "k", "--features", "a", "--output", "out");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err()).contains("3 records in").contains("0 outputs").contains("NOT_FINITE 3")
                .contains("every record (3) went to the dead letters");
        assertThat(JobFiles.jsonLines(dir.resolve("out-dead-letters"))).hasSize(3);
    }

    @Test
    void rerunningIntoAnExistingOutputIsRefusedAndOverwriteReplacesIt() throws Exception {
        Path input = prices(20);
        String[] args = {"--input", input.toString(), "--key", "symbol", "--output", "out"};
        assertThat(JarRun.of(dir, args).code()).isZero();
        assertThat(JobFiles.jsonLines(dir.resolve("out"))).hasSize(20);

        JarRun again = JarRun.of(dir, args);
        assertOneLineError(again, "--output out is not empty", "--overwrite", "--restore");
        assertThat(JobFiles.jsonLines(dir.resolve("out"))).hasSize(20);

        JarRun overwritten = JarRun.of(dir, Stream.concat(Stream.of(args), Stream.of("--overwrite")).toArray(String[]::new));
        assertThat(overwritten.code()).as(overwritten.err()).isZero();
        Set<String> ids = new HashSet<>();
        JobFiles.jsonLines(dir.resolve("out")).forEach(o -> ids.add(o.get("source").asText() + "#" + o.get("seq")));
        assertThat(JobFiles.jsonLines(dir.resolve("out"))).hasSize(20);
        assertThat(ids).hasSize(20);
    }

    @Test
    void anOutputThatIsAFileOrInsideTheInputFailsAtStartWithOneLine() throws Exception {
        Path input = prices(4);
        Files.writeString(dir.resolve("taken"), "mine");
        assertOneLineError(JarRun.of(dir, "--input", input.toString(), "--output", "taken"), "--output taken is a file");
        Path inputDir = Files.createDirectories(dir.resolve("in"));
        Files.copy(input, inputDir.resolve("prices.csv"));
        assertOneLineError(JarRun.of(dir, "--input", "in", "--watch", "--output", "in/out"),
                "--output in/out is inside --input in", "read what it writes");
    }

    @Test
    void aRestoreOfAPathThatDoesNotExistIsOneLineInSeconds() throws Exception {
        JarRun r = JarRun.of(dir, "--input", prices(4).toString(), "--restore", "no-such-savepoint");
        assertOneLineError(r, "--restore no-such-savepoint does not exist");
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(15)); // two JVM starts on a loaded machine
    }

    @Test
    void versionPrintsTheVersion() throws Exception {
        JarRun r = JarRun.of(dir, "--version");
        assertThat(r.code()).isZero();
        assertThat(r.out()).startsWith("flinox 0.1.0");
    }

    @Test
    void badFlagValuesAreRefusedAtStartWithOneLine() throws Exception {
        String input = prices(4).toString();
        assertOneLineError(JarRun.of(dir, "--input", input, "--parallelism", "-1"), "--parallelism must be at least 1");
        assertOneLineError(JarRun.of(dir, "--input", input, "--state-ttl", "0s"), "--state-ttl must be between");
    }

    @Test
    void aKafkaAddressNobodyAnswersFailsWithinTheDocumentedTime() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort(); // free, and nobody listens once closed
        }
        JarRun r = JarRun.of(dir, "--input", "kafka://127.0.0.1:" + port + "/prices", "--features", "price",
                "--kafka-property", "default.api.timeout.ms=2000");
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.errLines().get(r.errLines().size() - 1))
                .contains("no Kafka broker answered at 127.0.0.1:" + port + " within 2000 ms");
        assertThat(r.elapsed()).isLessThan(Duration.ofSeconds(30));
    }

    @Test
    void aBoundedRunEndsWithASummaryOfWhatItDid() throws Exception {
        List<String> lines = new ArrayList<>(List.of("symbol,price,vol"));
        for (int i = 0; i < 9; i++) {
            lines.add("s" + (i % 3) + "," + i + "," + (i * 2));
        }
        lines.add("s1,cheap,3");
        lines.add("s2,4");
        Path input = Files.write(dir.resolve("quotes.csv"), lines);
        JarRun r = JarRun.of(dir, "--input", input.toString(), "--key", "symbol", "--output", "out");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).contains("11 records in").contains("9 outputs for 3 keys").contains("2 dead letters")
                .contains("features:     price, vol (inferred")
                .contains("NON_NUMERIC 1").contains("WRONG_COLUMN_COUNT 1")
                .contains("quotes.csv seq 9, NON_NUMERIC:").contains("quotes.csv seq 10, WRONG_COLUMN_COUNT:")
                .contains("outputs:      out").contains("dead letters: out-dead-letters")
                .containsPattern("done in [0-9.]+ s: 11 records in \\([0-9,]+ records/s\\)");
    }

    /** Enough records, and checkpoints often enough, that some checkpoint meets finishing tasks. */
    @Test
    void aSuccessfulRunShowsNoStackTraceNorCheckpointLinesAndDeletesItsTemporaryCheckpoints() throws Exception {
        SplittableRandom random = new SplittableRandom(7);
        List<String> lines = new ArrayList<>(List.of("k,a,b"));
        for (int i = 0; i < 100_000; i++) {
            lines.add("k" + (i % 40) + "," + String.format(Locale.ROOT, "%.4f,%.4f", random.nextDouble(), random.nextDouble()));
        }
        Path input = Files.write(dir.resolve("many.csv"), lines);
        JarRun r = JarRun.of(dir, "--input", input.toString(), "--key", "k", "--output", "out", "--parallelism", "2",
                "--checkpoint-interval", "50ms");
        assertThat(r.code()).as(r.err()).isZero();
        assertThat(r.err()).as(r.err()).doesNotContain("Exception").doesNotContain("\tat ")
                .doesNotContain("WebMonitorUtils").doesNotContain("CheckpointCoordinator");
        assertThat(r.errLines()).as(r.err()).first().asString().startsWith("flinox: done in");
        try (Stream<Path> left = Files.list(dir.resolve("tmp"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(n -> n.startsWith("flinox-checkpoints"));
        }

        Path mine = dir.resolve("my-checkpoints");
        JarRun verbose = JarRun.of(dir, "--input", input.toString(), "--key", "k", "--output", "out2", "--verbose",
                "--checkpoint-interval", "200ms", "--checkpoint-dir", mine.toUri().toString());
        assertThat(verbose.code()).as(verbose.err()).isZero();
        assertThat(verbose.err()).contains("CheckpointCoordinator - Completed checkpoint");
        assertThat(mine).isDirectory(); // named by the user: kept
    }

    @Test
    void aWatchingRunPrintsAProgressLineForTheWholeJob() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<String> lines = new ArrayList<>(List.of("k,a"));
        for (int i = 0; i < 50; i++) {
            lines.add("k" + (i % 5) + "," + i);
        }
        lines.add("k1,x");
        Files.write(in.resolve("a.csv"), lines);
        Process p = JarRun.start(dir, "--input", "in", "--watch", "--key", "k", "--output", "out", "--parallelism", "2",
                "--progress-interval", "1s", "--checkpoint-interval", "500ms");
        List<String> err = new CopyOnWriteArrayList<>();
        JarRun.drain(p.getInputStream(), new CopyOnWriteArrayList<>());
        JarRun.drain(p.getErrorStream(), err);
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            String expected = "flinox: running .*: 51 records in \\(.*/s\\), 50 outputs, 1 dead letters";
            while (System.nanoTime() < deadline && err.stream().noneMatch(l -> l.matches(expected))) {
                assertThat(p.isAlive()).as(String.join("\n", err)).isTrue();
                Thread.sleep(200);
            }
            // one line per interval for the job (both model subtasks summed), not one per subtask
            assertThat(err).as(String.join("\n", err))
                    .anyMatch(l -> l.matches(expected));
        } finally {
            p.destroy();
            p.waitFor(60, TimeUnit.SECONDS);
            p.destroyForcibly();
        }
    }
}
