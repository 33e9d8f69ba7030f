package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A savepoint written by an earlier build (committed, tensor state format 1) restores in this
 * one and its statistics carry on: the guard for every future change of the state format.
 */
class SavepointFixtureTest {
    @TempDir
    Path dir;

    @Test
    void theFormatOneSavepointRestoresAndContinuesItsStatistics() throws Exception {
        Path savepoint = dir.resolve("savepoint");
        Files.createDirectories(savepoint);
        Files.copy(SavepointFixtures.STANDARDIZE_V1.resolve("_metadata"), savepoint.resolve("_metadata"));

        List<Reference.Row> history = SavepointFixtures.standardizeRows();
        List<Reference.Row> fresh = SavepointRescaleTest.rows("today.csv", 300, 21);
        Path input = SavepointRescaleTest.writeCsv(dir.resolve("today.csv"), fresh);
        Path out = dir.resolve("out");
        assertThat(FlinoxCli.execute("--input", input.toString(), "--key", "id", "--features", "x,y",
                "--output", out.toString(), "--restore", savepoint.toString())).isZero();

        List<Reference.Row> all = new ArrayList<>(history);
        all.addAll(fresh);
        Map<String, double[]> expected = Reference.cumulative(all);
        List<JsonNode> outputs = JobFiles.jsonLines(out);
        assertThat(outputs).hasSize(fresh.size());
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(JobFiles.doubles(o.get("output"))).as(id).containsExactly(expected.get(id), within(1e-9));
        }
    }
}
