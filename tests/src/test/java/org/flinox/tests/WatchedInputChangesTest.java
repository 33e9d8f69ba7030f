package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A watched input whose files change under names already read — replaced by an atomic
 * {@code mv}, appended to, replaced while the job is stopped — keeps running: each change is one
 * {@code FILE_CHANGED} dead letter, what changed is not read, and every row read is in exactly
 * one of the outputs and the dead letters.
 */
class WatchedInputChangesTest {
    @TempDir
    Path dir;

    private final List<Reference.Row> read = new ArrayList<>();
    private long arrival = 1_000_000L;

    /** A CSV file of {@code rows} rows of key {@code key}, staged outside the input. */
    private Path staged(String name, String key, int first, int rows) throws Exception {
        Path staging = Files.createDirectories(dir.resolve("staging"));
        StringBuilder csv = new StringBuilder("k,a,b\n");
        for (int i = first; i < first + rows; i++) {
            csv.append(key).append(',').append(i).append(',').append(i * 7 % 5).append('\n');
        }
        return Files.writeString(staging.resolve(name), csv);
    }

    /** Feeds a new file whose rows are expected as outputs. */
    private void feed(WatchedJob job, String name, String key, int first, int rows) throws Exception {
        job.feed(staged(name, key, first, rows), arrival += 1000);
        for (int i = 0; i < rows; i++) {
            read.add(new Reference.Row(key, name, i, new double[] {first + i, (first + i) * 7 % 5}));
        }
    }

    /** Moves a new version over a file already read, as an atomic {@code mv} does. */
    private void replace(Path in, String name, String key, int first, int rows) throws Exception {
        Path next = staged(name, key, first, rows);
        next.toFile().setLastModified(arrival += 1000);
        Files.move(next, in.resolve(name), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void changesUnderNamesAlreadyReadAreOneDeadLetterEachAndTheJobGoesOnAcrossARestore() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Path out = dir.resolve("out");
        Path savepoints = dir.resolve("savepoints");
        String savepoint;
        try (WatchedJob job = WatchedJob.start(in, out, "--format", "csv", "--key", "k", "--features", "a,b")) {
            feed(job, "a.csv", "x", 0, 3);
            job.awaitOutputs(3);

            replace(in, "a.csv", "x", 100, 4);   // FILE_CHANGED a.csv -1
            feed(job, "b.csv", "y", 0, 3);
            job.awaitOutputs(6);
            job.awaitDeadLetters(1);

            // appended in place (one write, so each listing sees the file before or after it): FILE_CHANGED b.csv -1
            Files.writeString(in.resolve("b.csv"), "y,50,1\ny,51,2\n", StandardOpenOption.APPEND);
            feed(job, "c.csv", "x", 3, 3);
            job.awaitOutputs(9);
            job.awaitDeadLetters(2);
            savepoint = job.stopWithSavepoint(savepoints);
        }

        replace(in, "a.csv", "x", 200, 2); // while stopped: FILE_CHANGED a.csv -2
        try (WatchedJob job = WatchedJob.start(in, out, "--format", "csv", "--key", "k", "--features", "a,b", "--restore", savepoint)) {
            feed(job, "d.csv", "y", 3, 3);
            job.awaitOutputs(12);
            job.awaitDeadLetters(3);
        }

        List<JsonNode> outputs = JobFiles.jsonLines(out);
        List<JsonNode> deadLetters = JobFiles.jsonLines(dir.resolve("out-dead-letters"));
        Map<String, String> outcome = new HashMap<>();
        for (JsonNode o : outputs) {
            assertThat(outcome.put(Reference.id(o.get("source").asText(), o.get("seq").asLong()), "output")).isNull();
        }
        for (JsonNode d : deadLetters) {
            String id = Reference.id(d.get("source").asText(), d.get("seq").asLong());
            assertThat(outcome.put(id, d.get("reason").asText())).as(id).isNull();
        }
        Map<String, String> expected = new HashMap<>();
        read.forEach(r -> expected.put(Reference.id(r.source(), r.seq()), "output"));
        expected.put(Reference.id("a.csv", -1), "FILE_CHANGED");
        expected.put(Reference.id("b.csv", -1), "FILE_CHANGED");
        expected.put(Reference.id("a.csv", -2), "FILE_CHANGED");
        assertThat(outcome).isEqualTo(expected);

        JsonNode appended = deadLetters.stream().filter(d -> d.get("source").asText().equals("b.csv")).findFirst()
                .orElseThrow();
        assertThat(appended.get("detail").asText()).contains("changed after it was listed").contains("had 24 bytes")
                .contains("now has 38").contains("new rows into a new file");

        // only the rows read moved the statistics, in arrival order
        Map<String, double[]> z = Reference.cumulative(read);
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(JobFiles.doubles(o.get("output"))).as(id).containsExactly(z.get(id), within(1e-12));
        }
    }
}
