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
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A bounded backfill over historical files leaves a savepoint (--final-savepoint) that warms
 * a streaming run over new files: together they give what one run over both inputs gives.
 */
class BackfillThenStreamTest {
    @TempDir
    Path dir;

    @Test
    void theStreamingRunContinuesFromTheBackfillsFinalState() throws Exception {
        List<Reference.Row> history = SavepointRescaleTest.rows("2025.csv", 2500, 8);
        List<Reference.Row> live = SavepointRescaleTest.rows("live-1.csv", 1500, 9);
        Path historyDir = Files.createDirectories(dir.resolve("history"));
        SavepointRescaleTest.writeCsv(historyDir.resolve("2025.csv"), history);

        Path savepoint = dir.resolve("warm");
        Path backfillOut = dir.resolve("backfill-out");
        assertThat(FlinoxCli.execute("--input", historyDir.toString(), "--key", "id", "--features", "x,y",
                "--output", backfillOut.toString(), "--final-savepoint", savepoint.toString())).isZero();
        assertThat(savepoint.resolve("_metadata")).exists();

        Path watched = Files.createDirectories(dir.resolve("live"));
        Path liveOut = dir.resolve("live-out");
        try (WatchedJob job = WatchedJob.start(watched, liveOut, "--format", "csv", "--key", "id",
                "--features", "x,y", "--restore", savepoint.toString(), "--parallelism", "2")) {
            Path staging = Files.createDirectories(dir.resolve("staging"));
            job.feed(SavepointRescaleTest.writeCsv(staging.resolve("live-1.csv"), live), System.currentTimeMillis());
            job.awaitOutputs(live.size());
            job.stopWithSavepoint(dir.resolve("savepoints"));
        }

        List<Reference.Row> both = new ArrayList<>(history);
        both.addAll(live);
        Map<String, double[]> expected = Reference.cumulative(both);
        Map<String, double[]> got = new HashMap<>();
        for (Path out : List.of(backfillOut, liveOut)) {
            for (JsonNode o : JobFiles.jsonLines(out)) {
                String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
                assertThat(got.put(id, JobFiles.doubles(o.get("output")))).as("%s once", id).isNull();
            }
        }
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        // each run wrote into its own --output: a restored file sink does not go on in the old directory
        assertThat(JobFiles.jsonLines(backfillOut)).hasSize(history.size());
        assertThat(JobFiles.jsonLines(liveOut)).hasSize(live.size());
        expected.forEach((id, z) -> assertThat(got.get(id)).as(id).containsExactly(z, within(1e-9)));
    }
}
