package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --state-ttl} on RocksDB, through the job: a key idle for longer than the TTL starts
 * over, and still does after a restore that starts an entry over with {@code --reset-state}.
 * TTL is processing time, so the test lets time pass: the one place it sleeps on purpose.
 */
class StateTtlTest {
    private static final long TTL_MILLIS = 3000;
    private static final long IDLE_MILLIS = TTL_MILLIS + 1000;

    @TempDir
    Path dir;
    private long arrival = System.currentTimeMillis() - 60_000;
    private int committed;

    private void feed(WatchedJob job, List<Reference.Row> rows) throws Exception {
        Path s = Files.createDirectories(dir.resolve("staging"));
        job.feed(SavepointRescaleTest.writeCsv(s.resolve(rows.get(0).source()), rows), arrival += 1000);
        committed += rows.size();
        job.awaitOutputs(committed);
    }

    /** Waits until every key has been idle for longer than the TTL (processing time). */
    private static void idle() throws InterruptedException {
        Thread.sleep(IDLE_MILLIS);
    }

    private Map<String, double[]> outputsOf(Path out, List<Reference.Row> rows) {
        Map<String, double[]> got = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            got.put(Reference.id(o.get("source").asText(), o.get("seq").asLong()), JobFiles.doubles(o.get("output")));
        }
        Map<String, double[]> part = new HashMap<>();
        for (Reference.Row r : rows) {
            String id = Reference.id(r.source(), r.seq());
            assertThat(got).containsKey(id);
            part.put(id, got.get(id));
        }
        return part;
    }

    /** Each key's records give the z-scores of a key seen for the first time in {@code rows}. */
    private void assertStartedOver(Path out, List<Reference.Row> rows, List<Reference.Row> before) {
        Map<String, double[]> fresh = Reference.cumulative(rows);
        Map<String, double[]> got = outputsOf(out, rows);
        fresh.forEach((id, z) -> assertThat(got.get(id)).as(id).containsExactly(z, within(1e-9)));
        // and the test can tell: had the keys kept their state, the z-scores would differ
        List<Reference.Row> continued = new ArrayList<>(before);
        continued.addAll(rows);
        Map<String, double[]> kept = Reference.cumulative(continued);
        assertThat(rows.stream().map(r -> Reference.id(r.source(), r.seq()))
                .filter(id -> !java.util.Arrays.equals(kept.get(id), fresh.get(id))).count()).isPositive();
    }

    @Test
    void anIdleKeyStartsOverOnRocksDbAlsoAfterARestoreWithResetState() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Path out = dir.resolve("out");
        List<Reference.Row> a = SavepointRescaleTest.rows("a.csv", 600, 31);
        List<Reference.Row> b = SavepointRescaleTest.rows("b.csv", 600, 32);
        List<Reference.Row> c = SavepointRescaleTest.rows("c.csv", 600, 33);
        List<Reference.Row> d = SavepointRescaleTest.rows("d.csv", 600, 34);
        String[] flags = {"--format", "csv", "--key", "id", "--features", "x,y", "--state-backend", "rocksdb",
            "--state-ttl", TTL_MILLIS + "ms"};

        String savepoint;
        try (WatchedJob job = WatchedJob.start(watched, out, flags)) {
            feed(job, a);
            idle();
            feed(job, b);
            savepoint = job.stopWithSavepoint(dir.resolve("savepoints"));
        }
        assertStartedOver(out, b, a);

        // resumed with the module started over: every entry still expires
        List<String> resumed = new ArrayList<>(List.of(flags));
        resumed.addAll(List.of("--restore", savepoint, "--reset-state", "."));
        try (WatchedJob job = WatchedJob.start(watched, out, resumed.toArray(new String[0]))) {
            idle();
            feed(job, c);
            idle();
            feed(job, d);
            job.stopWithSavepoint(dir.resolve("savepoints"));
        }
        assertStartedOver(out, c, b);
        assertStartedOver(out, d, c);
    }
}
