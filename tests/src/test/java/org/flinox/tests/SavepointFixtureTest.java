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
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Savepoints written by earlier builds (committed; the per-entry layout of tensor state format
 * 1, one ValueState per StateKey) restore in this one, which keeps a model's state packed in one
 * ValueState: the statistics carry on and every key's values arrive intact. The guard for every
 * future change of the state format.
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

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void thePerEntryMlpSavepointRestoresEveryKeysValuesIntact(String backend) throws Exception {
        Path savepoint = Files.createDirectories(dir.resolve("savepoint"));
        Files.copy(SavepointFixtures.MLP_PER_ENTRY.resolve("_metadata"), savepoint.resolve("_metadata"));
        Path spec = Files.writeString(dir.resolve("seedmlp.json"), SavepointFixtures.MLP_SPEC);
        // one record of a key the savepoint does not hold: the restored keys stay untouched
        Path input = Files.writeString(dir.resolve("new.csv"), "id,x,y\nzz-new,1.5,-2\n");
        Path finalState = dir.resolve("final-state");
        CliRun r = CliRun.of("--input", input.toString(), "--key", "id", "--features", "x,y", "--model", spec.toString(),
                "--state-backend", backend, "--output", dir.resolve("out").toString(),
                "--final-state", finalState.toString(), "--restore", savepoint.toString());
        assertThat(r.code()).as(r.err()).isZero();

        // what the writing build's inspect printed, against what this build holds, bit for bit
        List<String> before = Files.readAllLines(SavepointFixtures.MLP_PER_ENTRY.resolve("state.jsonl"));
        Map<String, String> after = new java.util.TreeMap<>();
        for (JsonNode row : JobFiles.jsonLines(finalState)) {
            after.put(row.get("key").asText() + " " + row.get("stateKey").asText(), bits(row));
        }
        assertThat(before).hasSize(200); // 50 keys × 4 entries
        for (String line : before) {
            JsonNode row = JobFiles.JSON.readTree(line);
            String id = row.get("key").asText() + " " + row.get("stateKey").asText();
            assertThat(after.get(id)).as(id).isEqualTo(bits(row));
        }
        assertThat(after.keySet()).filteredOn(id -> id.startsWith("zz-new ")).hasSize(4);
        assertThat(after).hasSize(204);
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void inspectPrintsThePerEntryMlpSavepointAsItsWritingBuildDid(String backend) throws Exception {
        Path spec = Files.writeString(dir.resolve("seedmlp.json"), SavepointFixtures.MLP_SPEC);
        Path printed = dir.resolve("inspected.jsonl");

        CliRun r = CliRun.of("inspect", "--from", SavepointFixtures.MLP_PER_ENTRY.toString(), "--model", spec.toString(),
                "--features", "x,y", "--state-backend", backend, "--output", printed.toString());

        assertThat(r.code()).as(r.err()).isZero();
        // state.jsonl is what the per-entry build's own inspect printed from this savepoint
        assertThat(Files.readAllLines(printed))
                .hasSize(200)
                .isEqualTo(Files.readAllLines(SavepointFixtures.MLP_PER_ENTRY.resolve("state.jsonl")));
    }

    /** dtype, shape and the raw bits of every value. */
    private static String bits(JsonNode row) {
        StringBuilder s = new StringBuilder(row.get("dtype").asText()).append(row.get("shape"));
        for (JsonNode v : row.get("values")) {
            s.append(' ').append(Long.toHexString(Double.doubleToRawLongBits(v.asDouble())));
        }
        return s.toString();
    }
}
