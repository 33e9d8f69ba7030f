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
import java.util.SplittableRandom;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint at parallelism 2, resume at 1, then at 3 (max parallelism fixed):
 * the concatenated output equals one uninterrupted run, record for record.
 */
class SavepointRescaleTest {
    @TempDir
    Path dir;

    static List<Reference.Row> rows(String source, int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        List<Reference.Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int k = random.nextInt(50);
            rows.add(new Reference.Row("s" + k, source, i, new double[] {random.nextDouble() * k, random.nextGaussian()}));
        }
        return rows;
    }

    static Path writeCsv(Path file, List<Reference.Row> rows) throws Exception {
        StringBuilder s = new StringBuilder("id,x,y\n");
        for (Reference.Row r : rows) {
            s.append(r.key()).append(',').append(r.x()[0]).append(',').append(r.x()[1]).append('\n');
        }
        return Files.writeString(file, s);
    }

    @Test
    void rescaledRunsConcatenateToTheUninterruptedRun() throws Exception {
        List<List<Reference.Row>> parts = List.of(rows("p1.csv", 3000, 1), rows("p2.csv", 3000, 2), rows("p3.csv", 3000, 3));
        Path staging = Files.createDirectories(dir.resolve("staging"));
        Path watched = Files.createDirectories(dir.resolve("watched"));
        Path out = dir.resolve("out");
        long arrival = System.currentTimeMillis() - 60_000;
        String[] common = {"--format", "csv", "--key", "id", "--features", "x,y", "--max-parallelism", "128",
            "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString()};

        String savepoint = null;
        int expectedOutputs = 0;
        int[] parallelism = {2, 1, 3};
        for (int run = 0; run < 3; run++) {
            List<String> flags = new ArrayList<>(List.of(common));
            flags.addAll(List.of("--parallelism", Integer.toString(parallelism[run])));
            if (savepoint != null) {
                flags.addAll(List.of("--restore", savepoint));
            }
            try (WatchedJob job = WatchedJob.start(watched, out, flags.toArray(new String[0]))) {
                Path file = writeCsv(staging.resolve(parts.get(run).get(0).source()), parts.get(run));
                job.feed(file, arrival + run * 1000L);
                expectedOutputs += parts.get(run).size();
                job.awaitOutputs(expectedOutputs);
                savepoint = job.stopWithSavepoint(dir.resolve("savepoints"));
            }
            // Flink's own record of the run: the model ran, and stored its keys, at this parallelism
            OperatorState model = SavepointMetadata.operator(savepoint, "flinox-model-standardize");
            assertThat(model.getParallelism()).as("run %d", run).isEqualTo(parallelism[run]);
            assertThat(SavepointMetadata.subtasksWithKeyedState(model)).as("run %d", run).isEqualTo(parallelism[run]);
            assertThat(model.getMaxParallelism()).isEqualTo(128);
        }

        List<Reference.Row> all = new ArrayList<>();
        parts.forEach(all::addAll);
        Map<String, double[]> expected = Reference.cumulative(all);
        Map<String, double[]> got = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(got.put(id, JobFiles.doubles(o.get("output")))).as("%s once", id).isNull();
        }
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        expected.forEach((id, z) -> assertThat(got.get(id)).as(id).containsExactly(z, within(1e-9)));

        // and bit for bit what one bounded run over the same files gives
        Path bounded = Files.createDirectories(dir.resolve("bounded"));
        for (int run = 0; run < 3; run++) {
            Path f = writeCsv(bounded.resolve(parts.get(run).get(0).source()), parts.get(run));
            f.toFile().setLastModified(arrival + run * 1000L);
        }
        Path boundedOut = dir.resolve("bounded-out");
        assertThat(FlinoxCli.execute("--input", bounded.toString(), "--key", "id", "--features", "x,y",
                "--output", boundedOut.toString())).isZero();
        for (JsonNode o : JobFiles.jsonLines(boundedOut)) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(got.get(id)).as(id).isEqualTo(JobFiles.doubles(o.get("output")));
        }
    }
}
