package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cancelled job's retained incremental RocksDB checkpoint ({@code chk-N}) is what the README
 * says it is: {@code inspect} reads it, {@code --restore} resumes from it, and the savepoint
 * the resumed job stops with is read by {@code inspect} too; a savepoint of another model is
 * refused before anything runs.
 */
class CheckpointRestoreTest {
    @TempDir
    Path dir;

    /** The newest retained checkpoint under {@code checkpoints} (job id / chk-N / _metadata). */
    private static Path latestCheckpoint(Path checkpoints) throws Exception {
        try (Stream<Path> files = Files.walk(checkpoints)) {
            return files.filter(p -> p.getFileName().toString().matches("chk-\\d+"))
                    .filter(p -> Files.exists(p.resolve("_metadata")))
                    .max(Comparator.comparingLong(p -> Long.parseLong(p.getFileName().toString().substring(4))))
                    .orElseThrow(() -> new AssertionError("no retained checkpoint under " + checkpoints));
        }
    }

    private static List<String> inspect(String from, String... more) {
        List<String> args = new ArrayList<>(List.of("inspect", "--from", from, "--features", "x,y"));
        args.addAll(List.of(more));
        CliRun r = CliRun.of(args.toArray(new String[0]));
        assertThat(r.code()).as(r.err()).isZero();
        return r.out().lines().toList();
    }

    @Test
    void aRetainedCheckpointIsInspectedAndRestoredAndTheResumedJobsSavepointInspected() throws Exception {
        List<Reference.Row> a = SavepointRescaleTest.rows("a.csv", 1500, 21);
        List<Reference.Row> b = SavepointRescaleTest.rows("b.csv", 1500, 22);
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path out = dir.resolve("out");
        Path checkpoints = dir.resolve("checkpoints");
        String[] flags = {"--format", "csv", "--key", "id", "--features", "x,y", "--parallelism", "2",
            "--checkpoint-dir", checkpoints.toUri().toString()}; // RocksDB, incremental: the defaults
        long arrival = System.currentTimeMillis() - 60_000;

        try (WatchedJob job = WatchedJob.start(watched, out, flags)) {
            job.feed(SavepointRescaleTest.writeCsv(staging.resolve("a.csv"), a), arrival);
            job.awaitOutputs(a.size());
        } // cancelled: its last checkpoint is retained

        Path chk = latestCheckpoint(checkpoints);
        // the default backend's checkpoints are incremental RocksDB snapshots, by Flink's own metadata
        assertThat(SavepointMetadata.keyedStateIsIncremental(
                SavepointMetadata.operator(chk.toString(), "flinox-model-standardize"))).isTrue();
        StateRows.assertClose(StateRows.parse(inspect(chk.toString())), Reference.cumulativeState(a));

        List<String> resumed = new ArrayList<>(List.of(flags));
        resumed.addAll(List.of("--restore", chk.toString()));
        String savepoint;
        try (WatchedJob job = WatchedJob.start(watched, out, resumed.toArray(new String[0]))) {
            job.feed(SavepointRescaleTest.writeCsv(staging.resolve("b.csv"), b), arrival + 1000);
            job.awaitOutputs(a.size() + b.size()); // a.csv is not read again: the reading resumed
            savepoint = job.stopWithSavepoint(dir.resolve("savepoints"));
        }

        List<Reference.Row> both = new ArrayList<>(a);
        both.addAll(b);
        Map<String, double[]> expected = Reference.cumulative(both);
        Map<String, double[]> got = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(got.put(id, JobFiles.doubles(o.get("output")))).as("%s once", id).isNull();
        }
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, z) -> assertThat(got.get(id)).as(id).containsExactly(z, within(1e-9)));

        StateRows.assertClose(StateRows.parse(inspect(savepoint)), Reference.cumulativeState(both));
        // a savepoint is in Flink's canonical format: the heap backend reads the same rows
        assertThat(inspect(savepoint, "--state-backend", "hashmap")).isEqualTo(inspect(savepoint));

        // the same savepoint with a model of another name: refused before anything runs
        Path other = Files.writeString(dir.resolve("other.json"), "{\"name\":\"other\",\"module\":{\"type\":\"standardize\"}}");
        Path otherOut = dir.resolve("other-out");
        CliRun refused = CliRun.of("--input", staging.toString(), "--format", "csv", "--key", "id", "--features", "x,y",
                "--model", other.toString(), "--output", otherOut.toString(), "--restore", savepoint);
        assertThat(refused.code()).isEqualTo(1);
        assertThat(refused.err()).contains(savepoint).contains("holds no state of operator flinox-model-other")
                .contains("\"name\"");
        assertThat(otherOut).doesNotExist();
    }
}
