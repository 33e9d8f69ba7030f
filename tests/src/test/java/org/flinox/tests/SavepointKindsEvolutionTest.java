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
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Model evolution holds for every kind of savepoint, not only a stopped job's: a
 * {@code --final-savepoint} of a bounded backfill and a {@code bootstrap}ped one (both written
 * by the State Processor API) restore into a model with an added stateful layer with every
 * key's statistics carried on, and into a model whose entry changed shape with a refusal at
 * start, on RocksDB and on the heap.
 */
class SavepointKindsEvolutionTest {
    private static final String CUMULATIVE = "{\"name\":\"evo\",\"module\":{\"type\":\"sequential\",\"layers\":["
            + "{\"type\":\"standardize\"}]}}";
    private static final String WITH_EMA = "{\"name\":\"evo\",\"module\":{\"type\":\"sequential\",\"layers\":["
            + "{\"type\":\"standardize\"},{\"type\":\"standardize\",\"mode\":\"ema\",\"momentum\":0.5,\"eps\":0.001}]}}";

    /** Standardize, a projection to {@code out} features and their moments: the moments' shape follows {@code out}. */
    private static String projected(int out) {
        return "{\"name\":\"evo\",\"seed\":1,\"module\":{\"type\":\"sequential\",\"layers\":["
                + "{\"type\":\"standardize\"},{\"type\":\"linear\",\"out\":" + out + "},{\"type\":\"moments\"}]}}";
    }

    @TempDir
    Path dir;

    private Path spec(String name, String json) throws Exception {
        return Files.writeString(dir.resolve(name + ".json"), json);
    }

    /** A bounded backfill over {@code history} with the cumulative model; returns its final savepoint. */
    private Path backfill(List<Reference.Row> history, String backend, String... extra) throws Exception {
        return backfill(CUMULATIVE, history, backend, extra);
    }

    private Path backfill(String model, List<Reference.Row> history, String backend, String... extra) throws Exception {
        Path in = Files.createDirectories(dir.resolve("history"));
        SavepointRescaleTest.writeCsv(in.resolve(history.get(0).source()), history);
        Path savepoint = dir.resolve("final-savepoint");
        List<String> args = new ArrayList<>(List.of("--input", in.toString(), "--key", "id", "--features", "x,y",
                "--model", spec("backfill", model).toString(), "--state-backend", backend,
                "--output", dir.resolve("backfill-out").toString(), "--final-savepoint", savepoint.toString()));
        args.addAll(List.of(extra));
        CliRun r = CliRun.of(args.toArray(new String[0]));
        assertThat(r.code()).as(r.err()).isZero();
        return savepoint;
    }

    /** The outputs of a bounded run over {@code rows} with {@code model}, restored from {@code savepoint}. */
    private Map<String, double[]> resume(Path savepoint, String model, List<Reference.Row> rows, String backend)
            throws Exception {
        Path in = Files.createDirectories(dir.resolve("live"));
        SavepointRescaleTest.writeCsv(in.resolve(rows.get(0).source()), rows);
        Path out = dir.resolve("live-out");
        CliRun r = CliRun.of("--input", in.toString(), "--key", "id", "--features", "x,y", "--model",
                spec("resumed", model).toString(), "--state-backend", backend, "--output", out.toString(),
                "--restore", savepoint.toString());
        assertThat(r.code()).as(r.err()).isZero();
        Map<String, double[]> got = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            got.put(Reference.id(o.get("source").asText(), o.get("seq").asLong()), JobFiles.doubles(o.get("output")));
        }
        return got;
    }

    /**
     * What the sequential model with the added EMA layer gives on {@code live} after a
     * cumulative history: layer 0 carries on over history + live, layer 1 starts afresh on live.
     */
    private static Map<String, double[]> expectedWithAddedLayer(List<Reference.Row> history, List<Reference.Row> live) {
        List<Reference.Row> all = new ArrayList<>(history);
        all.addAll(live);
        Map<String, double[]> z = Reference.cumulative(all);
        List<Reference.Row> zRows = live.stream()
                .map(r -> new Reference.Row(r.key(), r.source(), r.seq(), z.get(Reference.id(r.source(), r.seq()))))
                .toList();
        return Reference.ema(zRows, 0.5, 0.001);
    }

    private static void assertOutputs(Map<String, double[]> got, Map<String, double[]> expected) {
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, e) -> assertThat(got.get(id)).as(id).containsExactly(e, within(1e-9)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void aFinalSavepointRestoresIntoAModelWithAnAddedLayer(String backend) throws Exception {
        List<Reference.Row> history = SavepointRescaleTest.rows("2025.csv", 1200, 31);
        List<Reference.Row> live = SavepointRescaleTest.rows("live.csv", 600, 32);
        Path savepoint = backfill(history, backend);
        assertOutputs(resume(savepoint, WITH_EMA, live, backend), expectedWithAddedLayer(history, live));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void aBootstrappedSavepointRestoresIntoAModelWithAnAddedLayer(String backend) throws Exception {
        List<Reference.Row> history = SavepointRescaleTest.rows("2025.csv", 1200, 41);
        List<Reference.Row> live = SavepointRescaleTest.rows("live.csv", 600, 42);
        Path finalState = dir.resolve("final-state");
        backfill(history, backend, "--final-state", finalState.toString());
        Path savepoint = dir.resolve("bootstrapped");
        CliRun b = CliRun.of("bootstrap", "--state", finalState.toString(), "--model", spec("boot", CUMULATIVE).toString(),
                "--features", "x,y", "--state-backend", backend, "--output", savepoint.toString());
        assertThat(b.code()).as(b.err()).isZero();
        assertOutputs(resume(savepoint, WITH_EMA, live, backend), expectedWithAddedLayer(history, live));
    }

    @ParameterizedTest
    @ValueSource(strings = {"rocksdb", "hashmap"})
    void aFinalSavepointIntoAChangedShapeIsRefusedAtStartNamingTheEntry(String backend) throws Exception {
        Path savepoint = backfill(projected(3), SavepointRescaleTest.rows("2025.csv", 300, 51), backend);
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Throwable failure;
        try (WatchedJob job = WatchedJob.start(watched, dir.resolve("out"), "--format", "csv", "--key", "id",
                "--features", "x,y", "--model", spec("wider", projected(4)).toString(), "--state-backend", backend,
                "--restore", savepoint.toString())) {
            failure = job.awaitFailure();
        }
        assertThat(failure).as("the job must fail, not run on with discarded statistics").isNotNull();
        assertThat(ExceptionUtils.stringifyException(failure))
                .contains(".layers[2].first was float32[3], the model now has float32[4]")
                .contains("--reset-state");
    }
}
