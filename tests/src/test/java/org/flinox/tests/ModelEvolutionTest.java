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
import org.apache.flink.util.ExceptionUtils;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A savepoint outlives a change of model: entries added, removed, and changed in shape. */
class ModelEvolutionTest {
    private static final String CUMULATIVE = "{\"name\":\"evo\",\"module\":{\"type\":\"sequential\",\"layers\":["
            + "{\"type\":\"standardize\"}]}}";
    private static final String WITH_EMA = "{\"name\":\"evo\",\"module\":{\"type\":\"sequential\",\"layers\":["
            + "{\"type\":\"standardize\"},{\"type\":\"standardize\",\"mode\":\"ema\",\"momentum\":0.5,\"eps\":0.001}]}}";

    @TempDir
    Path dir;
    private long arrival = System.currentTimeMillis() - 600_000;
    private int committed;

    private String stage(Path watched, Path out, String spec, List<Reference.Row> rows, String savepoint,
            String... extra) throws Exception {
        Path specFile = Files.writeString(dir.resolve("spec-" + arrival + ".json"), spec);
        List<String> flags = new ArrayList<>(List.of("--format", "csv", "--key", "id", "--features", "x,y",
                "--model", specFile.toString(), "--parallelism", "2"));
        if (savepoint != null) {
            flags.addAll(List.of("--restore", savepoint));
        }
        flags.addAll(List.of(extra));
        try (WatchedJob job = WatchedJob.start(watched, out, flags.toArray(new String[0]))) {
            Path staging = Files.createDirectories(dir.resolve("staging"));
            job.feed(SavepointRescaleTest.writeCsv(staging.resolve(rows.get(0).source()), rows), arrival += 1000);
            committed += rows.size();
            job.awaitOutputs(committed);
            return job.stopWithSavepoint(dir.resolve("savepoints"));
        }
    }

    private static Map<String, double[]> outputs(Path out) {
        Map<String, double[]> got = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            got.put(Reference.id(o.get("source").asText(), o.get("seq").asLong()), JobFiles.doubles(o.get("output")));
        }
        return got;
    }

    /** Rows whose features are the cumulative z-scores the first layer gives them. */
    private static List<Reference.Row> asZScores(List<Reference.Row> rows, Map<String, double[]> z) {
        return rows.stream().map(r -> new Reference.Row(r.key(), r.source(), r.seq(), z.get(Reference.id(r.source(), r.seq()))))
                .toList();
    }

    @Test
    void addedEntriesStartFromInitialAndRemovedOnesAreDropped() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Path out = dir.resolve("out");
        List<Reference.Row> a = SavepointRescaleTest.rows("a.csv", 1500, 1);
        List<Reference.Row> b = SavepointRescaleTest.rows("b.csv", 1500, 2);
        List<Reference.Row> c = SavepointRescaleTest.rows("c.csv", 1500, 3);
        List<Reference.Row> d = SavepointRescaleTest.rows("d.csv", 1500, 4);

        String sp = stage(watched, out, CUMULATIVE, a, null);
        sp = stage(watched, out, WITH_EMA, b, sp);   // adds .layers[1].first/.second
        sp = stage(watched, out, CUMULATIVE, c, sp); // drops them
        stage(watched, out, WITH_EMA, d, sp);        // adds them again: from initial, not from b's end

        List<Reference.Row> all = new ArrayList<>(a);
        all.addAll(b);
        all.addAll(c);
        all.addAll(d);
        Map<String, double[]> z = Reference.cumulative(all);
        Map<String, double[]> expected = new HashMap<>(z);
        expected.putAll(Reference.ema(asZScores(b, z), 0.5, 0.001));
        expected.putAll(Reference.ema(asZScores(d, z), 0.5, 0.001));

        Map<String, double[]> got = outputs(out);
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, e) -> assertThat(got.get(id)).as(id).containsExactly(e, within(1e-9)));
    }

    private static String projected(int out) {
        return "{\"name\":\"proj\",\"seed\":1,\"module\":{\"type\":\"sequential\",\"layers\":["
                + "{\"type\":\"standardize\"},{\"type\":\"linear\",\"out\":" + out + "},{\"type\":\"moments\"}]}}";
    }

    @Test
    void aChangedShapeFailsAtStartNamingTheEntryUntilItIsReset() throws Exception {
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Path out = dir.resolve("out");
        String sp = stage(watched, out, projected(3), SavepointRescaleTest.rows("a.csv", 500, 1), null);

        Path specFile = Files.writeString(dir.resolve("wider.json"), projected(4));
        Throwable failure;
        try (WatchedJob job = WatchedJob.start(watched, out, "--format", "csv", "--key", "id", "--features", "x,y",
                "--model", specFile.toString(), "--restore", sp)) {
            failure = job.awaitFailure();
        }
        assertThat(failure).isNotNull();
        String message = ExceptionUtils.stringifyException(failure);
        assertThat(message).contains(".layers[2].first was float32[3], the model now has float32[4]")
                .contains(".layers[2].second").contains("--reset-state");

        List<Reference.Row> b = SavepointRescaleTest.rows("b.csv", 500, 2);
        stage(watched, out, projected(4), b, sp, "--reset-state", ".layers[2].first", "--reset-state", ".layers[2].second");
        Map<String, double[]> got = outputs(out);
        for (Reference.Row r : b) {
            assertThat(got.get(Reference.id(r.source(), r.seq()))).as("b row %d", r.seq()).hasSize(4);
        }
    }
}
