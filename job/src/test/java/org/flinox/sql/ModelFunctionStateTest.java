package org.flinox.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link ModelFunction}'s per-key state in a streaming SQL job on a MiniCluster: it survives a
 * stop with savepoint and a restart of the statement, and {@code state_ttl} expires it. The
 * input is a watched directory of CSV files (one file, then the next), the output a
 * filesystem sink whose files appear on checkpoints.
 */
class ModelFunctionStateTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberSlotsPerTaskManager(2).build());

    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final String[] SENSORS = {"boiler-1", "boiler-2", "pump"};

    @TempDir
    Path dir;

    @Test
    void aStatementRestartedFromASavepointContinuesTheStatistics() throws Exception {
        List<String> first = lines(0, 30);
        List<String> second = lines(30, 60);

        // One uninterrupted run over both files.
        Path in = dir.resolve("straight-in");
        Path out = dir.resolve("straight-out");
        JobClient straight = insert(in, out, null, null);
        write(in, "part-1.csv", first);
        awaitRows(out, first.size());
        write(in, "part-2.csv", second);
        Map<Integer, String[]> uninterrupted = awaitRows(out, first.size() + second.size());
        straight.cancel().get();

        // The same, stopped with a savepoint after the first file and restarted from it.
        in = dir.resolve("restored-in");
        out = dir.resolve("restored-out");
        JobClient before = insert(in, out, null, null);
        write(in, "part-1.csv", first);
        awaitRows(out, first.size());
        String savepoint = before.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get();
        JobClient after = insert(in, out, savepoint, null);
        write(in, "part-2.csv", second);
        Map<Integer, String[]> restored = awaitRows(out, first.size() + second.size());
        after.cancel().get();

        assertThat(restored.keySet()).isEqualTo(uninterrupted.keySet());
        restored.forEach((id, row) -> assertThat(row).as("row %d", id).containsExactly(uninterrupted.get(id)));
        Map<Integer, double[]> expected = cumulative(rows(0, 60));
        restored.forEach((id, row) -> {
            assertThat(row[6]).isEqualTo("ok");
            assertThat(Double.parseDouble(row[4])).as("a_z of %d", id).isCloseTo(expected.get(id)[0], within(1e-12));
            assertThat(Double.parseDouble(row[5])).as("b_z of %d", id).isCloseTo(expected.get(id)[1], within(1e-12));
        });
    }

    @Test
    void stateTtlStartsAKeyOverAfterItWasIdleThatLong() throws Exception {
        Path in = dir.resolve("ttl-in");
        Path out = dir.resolve("ttl-out");
        JobClient job = insert(in, out, null, "1 s");
        List<String> first = lines(0, 15);
        write(in, "part-1.csv", first);
        awaitRows(out, first.size());
        Thread.sleep(2_500); // every key idle for longer than the TTL
        write(in, "part-2.csv", lines(15, 30));
        Map<Integer, String[]> rows = awaitRows(out, 30);
        job.cancel().get();

        // The second file's rows start every key from scratch: its statistics are its own.
        Map<Integer, double[]> expected = cumulative(rows(15, 30));
        Map<Integer, double[]> withoutTtl = cumulative(rows(0, 30));
        for (int id = 15; id < 30; id++) {
            double[] e = expected.get(id);
            assertThat(Double.parseDouble(rows.get(id)[4])).as("a_z of %d", id).isCloseTo(e[0], within(1e-12));
            assertThat(Double.parseDouble(rows.get(id)[5])).as("b_z of %d", id).isCloseTo(e[1], within(1e-12));
            assertThat(Math.abs(e[0] - withoutTtl.get(id)[0]) + Math.abs(e[1] - withoutTtl.get(id)[1]))
                    .as("row %d tells the two apart", id).isGreaterThan(1e-6);
        }
    }

    /** Starts {@code INSERT INTO zscores SELECT * FROM flinox(...)} over a watched directory. */
    private JobClient insert(Path in, Path out, String savepoint, String stateTtl) throws IOException {
        Files.createDirectories(in);
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        conf.setString("execution.checkpointing.interval", "200 ms");
        conf.setString("state.backend.type", "rocksdb");
        if (savepoint != null) {
            conf.setString("execution.state-recovery.path", savepoint);
        }
        TableEnvironment tEnv = TableEnvironment.create(
                EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        tEnv.executeSql("CREATE FUNCTION flinox AS '" + ModelFunction.class.getName() + "'");
        tEnv.executeSql("CREATE TABLE readings (id INT, sensor STRING, a DOUBLE, b DOUBLE) WITH ("
                + "'connector' = 'filesystem', 'path' = '" + in.toUri() + "', 'format' = 'csv',"
                + " 'source.monitor-interval' = '100 ms')");
        tEnv.executeSql("CREATE TABLE zscores (sensor STRING, id INT, a DOUBLE, b DOUBLE, a_z DOUBLE, b_z DOUBLE,"
                + " status STRING) WITH ('connector' = 'filesystem', 'path' = '" + out.toUri() + "', 'format' = 'csv',"
                + " 'sink.rolling-policy.rollover-interval' = '100 ms', 'sink.rolling-policy.check-interval' = '100 ms')");
        String ttl = stateTtl == null ? "" : ", state_ttl => '" + stateTtl + "'";
        return tEnv.executeSql("INSERT INTO zscores SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                        + " features => DESCRIPTOR(a, b), model => '{\"name\":\"z\",\"module\":{\"type\":\"standardize\"}}'"
                        + ttl + ", uid => 'zscores')")
                .getJobClient().orElseThrow();
    }

    /** Waits until the sink's committed files hold {@code n} rows; fails on more, or after the timeout. */
    private static Map<Integer, String[]> awaitRows(Path out, int n) throws Exception {
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (true) {
            Map<Integer, String[]> rows = committedRows(out);
            assertThat(rows.size()).as("rows in %s", out).isLessThanOrEqualTo(n);
            if (rows.size() == n) {
                return rows;
            }
            assertThat(System.nanoTime()).as("%d of %d rows in %s in time", rows.size(), n, out).isLessThan(deadline);
            Thread.sleep(100);
        }
    }

    private static Map<Integer, String[]> committedRows(Path out) throws IOException {
        Map<Integer, String[]> rows = new TreeMap<>();
        if (!Files.isDirectory(out)) {
            return rows;
        }
        try (Stream<Path> files = Files.list(out)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] row = line.split(",");
                    assertThat(rows.put(Integer.parseInt(row[1]), row)).as("row %s once", row[1]).isNull();
                }
            }
        }
        return rows;
    }

    private static void write(Path in, String name, List<String> lines) throws IOException {
        Path tmp = in.resolve("." + name); // hidden until complete, so the source reads it whole
        Files.write(tmp, lines);
        Files.move(tmp, in.resolve(name));
    }

    private static List<String> lines(int from, int to) {
        List<String> out = new ArrayList<>();
        for (double[] r : rows(from, to)) {
            out.add((int) r[0] + "," + SENSORS[(int) r[1]] + "," + r[2] + "," + r[3]);
        }
        return out;
    }

    /** id, sensor index, a, b. */
    private static List<double[]> rows(int from, int to) {
        List<double[]> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            out.add(new double[] {i, i * 5 % 7 % 3, 20 + (i * 7 % 11) + 0.25 * (i % 4), 1000 + 3.5 * (i * 13 % 17)});
        }
        return out;
    }

    /** The reference's z-scores of rows {@code {id, key, a, b}}. */
    private static Map<Integer, double[]> cumulative(List<double[]> rows) {
        return CumulativeReference.zScores(rows.stream()
                .map(r -> new CumulativeReference.Row((int) r[0], String.valueOf((int) r[1]), new double[] {r[2], r[3]}))
                .toList());
    }
}
