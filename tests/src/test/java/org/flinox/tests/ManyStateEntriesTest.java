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
 * A model with thousands of state entries runs on RocksDB: with one ValueState per entry it
 * created a column family per entry and hung in {@code RocksDB.createColumnFamily}; packed,
 * it is one state whatever the entry count.
 */
class ManyStateEntriesTest {
    private static final int LAYERS = 1000; // 3,000 state entries

    @TempDir
    Path dir;

    @Test
    void aThousandStandardizeLayersRunOnRocksDb() throws Exception {
        StringBuilder spec = new StringBuilder("{\"name\":\"deep\",\"module\":{\"type\":\"sequential\",\"layers\":[");
        for (int i = 0; i < LAYERS; i++) {
            spec.append(i == 0 ? "" : ",").append("{\"type\":\"standardize\"}");
        }
        Path model = Files.writeString(dir.resolve("deep.json"), spec.append("]}}"));
        List<Reference.Row> rows = SavepointRescaleTest.rows("in.csv", 60, 71);
        Path input = SavepointRescaleTest.writeCsv(dir.resolve("in.csv"), rows);
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("--input", input.toString(), "--key", "id", "--features", "x,y", "--model", model.toString(),
                "--state-backend", "rocksdb", "--output", out.toString());
        assertThat(r.code()).as(r.err()).isZero();

        // layer after layer: each standardizes the previous layer's z-scores with its own statistics
        List<Reference.Row> layer = rows;
        for (int i = 0; i < LAYERS; i++) {
            Map<String, double[]> z = Reference.cumulative(layer);
            List<Reference.Row> next = new ArrayList<>();
            for (Reference.Row row : layer) {
                next.add(new Reference.Row(row.key(), row.source(), row.seq(), z.get(Reference.id(row.source(), row.seq()))));
            }
            layer = next;
        }
        Map<String, double[]> got = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            got.put(Reference.id(o.get("source").asText(), o.get("seq").asLong()), JobFiles.doubles(o.get("output")));
        }
        assertThat(got).hasSize(rows.size());
        for (Reference.Row row : layer) {
            String id = Reference.id(row.source(), row.seq());
            assertThat(got.get(id)).as(id).containsExactly(row.x(), within(1e-6));
        }
    }
}
