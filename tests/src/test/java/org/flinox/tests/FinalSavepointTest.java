package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --final-savepoint} is a savepoint of the job, source and sinks included: restoring it
 * with the same {@code --input} and {@code --output} reads nothing again and writes nothing
 * twice; a file added since is read, and each key's statistics carry on.
 */
class FinalSavepointTest {
    @TempDir
    Path dir;

    @Test
    void restoringWithTheSameInputAndOutputReadsOnlyWhatIsNew() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        List<Reference.Row> first = SavepointRescaleTest.rows("2025.csv", 2000, 11);
        SavepointRescaleTest.writeCsv(in.resolve("2025.csv"), first);
        Files.setLastModifiedTime(in.resolve("2025.csv"), FileTime.fromMillis(1_000_000));
        Path out = dir.resolve("out");
        Path warm = dir.resolve("warm");
        Path state = dir.resolve("state");

        CliRun backfill = CliRun.of("--input", in.toString(), "--key", "id", "--features", "x,y", "--output",
                out.toString(), "--final-savepoint", warm.toString(), "--final-state", state.toString());
        assertThat(backfill.code()).as(backfill.err()).isZero();
        assertThat(warm.resolve("_metadata")).isRegularFile();
        assertThat(backfill.err()).contains(": 2,000 records in").contains("savepoint:    " + warm);
        StateRows.assertClose(StateRows.parse(lines(state)), Reference.cumulativeState(first));

        // the same input and output again: nothing to read, nothing written
        CliRun again = CliRun.of("--input", in.toString(), "--key", "id", "--features", "x,y", "--output",
                out.toString(), "--restore", warm.toString());
        assertThat(again.code()).as(again.err()).isZero();
        assertThat(again.err()).contains(": 0 records in");
        assertExactlyOnce(out, first);

        // a new file in the same input: only it is read, the statistics continue
        List<Reference.Row> second = SavepointRescaleTest.rows("2026.csv", 700, 12);
        SavepointRescaleTest.writeCsv(in.resolve("2026.csv"), second);
        Files.writeString(in.resolve("2026.csv"), "s1,warm,1\n", java.nio.file.StandardOpenOption.APPEND); // seq 700
        Files.setLastModifiedTime(in.resolve("2026.csv"), FileTime.fromMillis(2_000_000));
        Path warmer = dir.resolve("warmer");
        CliRun next = CliRun.of("--input", in.toString(), "--key", "id", "--features", "x,y", "--output",
                out.toString(), "--restore", warm.toString(), "--final-savepoint", warmer.toString());
        assertThat(next.code()).as(next.err()).isZero();
        assertThat(next.err()).contains(": 701 records in").contains("NON_NUMERIC 1");
        List<Reference.Row> both = new ArrayList<>(first);
        both.addAll(second);
        assertExactlyOnce(out, both);

        // and the savepoint of that run restores under --watch without reading either file again
        try (WatchedJob job = WatchedJob.start(in, out, "--format", "csv", "--key", "id", "--features", "x,y",
                "--restore", warmer.toString())) {
            List<Reference.Row> live = SavepointRescaleTest.rows("2027.csv", 300, 13);
            Path staging = Files.createDirectories(dir.resolve("staging"));
            job.feed(SavepointRescaleTest.writeCsv(staging.resolve("2027.csv"), live), 3_000_000);
            job.awaitOutputs(both.size() + live.size());
            job.stopWithSavepoint(dir.resolve("savepoints"));
            both.addAll(live);
        }
        assertExactlyOnce(out, both);
        // and the one bad row is a dead letter once, across all four runs
        assertThat(JobFiles.jsonLines(dir.resolve("out-dead-letters"))).singleElement().satisfies(d -> {
            assertThat(d.get("source").asText()).isEqualTo("2026.csv");
            assertThat(d.get("seq").asLong()).isEqualTo(700);
        });
    }

    /** Every row's output once, equal to the z-scores of one run over {@code rows} in order. */
    static void assertExactlyOnce(Path out, List<Reference.Row> rows) {
        Map<String, double[]> expected = Reference.cumulative(rows);
        Map<String, double[]> got = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(got.put(id, JobFiles.doubles(o.get("output")))).as("%s written once", id).isNull();
        }
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, z) -> assertThat(got.get(id)).as(id).containsExactly(z, within(1e-9)));
    }

    private static List<String> lines(Path dir) throws Exception {
        List<String> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.getFileName().toString().startsWith("part-")).sorted().toList()) {
                all.addAll(Files.readAllLines(f));
            }
        }
        return all;
    }
}
