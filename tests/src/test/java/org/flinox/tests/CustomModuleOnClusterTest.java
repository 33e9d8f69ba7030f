package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.flinox.tests.LocalCluster.await;
import static org.flinox.tests.LocalCluster.group;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.flinox.tests.CustomModules.Row;
import org.flinox.tests.CustomModules.Smoothing;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A user's own module types on a real Flink session cluster ({@code deploy/local-cluster.sh}: a
 * JobManager and a TaskManager in JVMs of their own), as a Flink user adds a jar: the job jar
 * with {@code flink run -C file:///.../custom-module.jar}, cancelled and restored from its
 * retained checkpoint; and Flink SQL with {@code ADD JAR}. Each output is compared with the
 * plain loops of {@link CustomModules}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 8, unit = TimeUnit.MINUTES)
class CustomModuleOnClusterTest {

    @TempDir
    static Path work;

    private LocalCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = new LocalCluster(work);
        cluster.start(1);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    void flinkRunWithTheJarOnTheClassPathRestoresFromACheckpointAndGoesOn() throws Exception {
        Path input = Files.createDirectories(work.resolve("in"));
        Path output = work.resolve("out");
        Path model = Files.writeString(work.resolve("smoothing.json"), CustomModules.SMOOTHING);
        String jar = CustomModules.jar().toString();
        List<String> args = List.of("--input", input.toString(), "--format", "csv", "--key", "key", "--features", "a,b",
                "--model", model.toString(), "--module-jar", jar, "--output", output.toString(), "--watch",
                "--watch-interval", "200ms", "--checkpoint-interval", "1000");
        List<Row> first = CustomModules.rows(0, 30);
        List<Row> second = CustomModules.rows(30, 60);

        String job = submit(null, args);
        feed(input, "first.csv", first);
        awaitCommitted(output, 30);
        cluster.cancel(job); // its checkpoints are retained on cancel
        String checkpoint = cluster.get("/jobs/" + job + "/checkpoints").at("/latest/completed/external_path").asText();
        assertThat(checkpoint).as("the cancelled job's last checkpoint").contains("chk-");

        String restored = submit(checkpoint, args);
        feed(input, "second.csv", second);
        awaitCommitted(output, 60);
        cluster.cancel(restored);

        // the restored job carries on each key's level (and reads only the new file)
        List<double[]> outputs = new Smoothing().feed(first).feed(second).outputs;
        Map<String, JsonNode> byId = new HashMap<>();
        for (JsonNode l : JobFiles.jsonLines(output)) {
            String id = l.get("source").asText() + "#" + l.get("seq").asInt();
            assertThat(byId.put(id, l)).as("%s once", id).isNull();
        }
        assertThat(byId).hasSize(60);
        for (int i = 0; i < 60; i++) {
            Row r = i < 30 ? first.get(i) : second.get(i - 30);
            JsonNode l = byId.get((i < 30 ? "first.csv" : "second.csv") + "#" + r.seq());
            assertThat(l.get("key").asText()).isEqualTo(r.key());
            double[] out = JobFiles.doubles(l.get("output"));
            for (int j = 0; j < 2; j++) {
                assertThat(out[j]).as("record %d [%d]", i, j).isCloseTo(outputs.get(i)[j], within(1e-12));
            }
        }
    }

    /** {@code flink run -d [-s restore] -C file:///.../custom-module.jar flinox-job.jar ARGS}; the job id. */
    private String submit(String restore, List<String> args) throws Exception {
        List<String> command = new ArrayList<>(List.of("deploy/flink", "run", "-d"));
        if (restore != null) {
            command.addAll(List.of("-s", restore));
        }
        command.addAll(List.of("-C", CustomModules.jar().toUri().toString(), cluster.jobJar().toString()));
        command.addAll(args);
        LocalCluster.Shell run = cluster.sh(Duration.ofMinutes(2), command.toArray(String[]::new));
        assertThat(run.exitCode()).as("flink run:\n%s", run.output()).isZero();
        String job = group(run.output(), "Job has been submitted with JobID ([0-9a-f]{32})");
        await("job " + job + " running", () -> "RUNNING".equals(cluster.jobState(job)));
        return job;
    }

    /** Written under a hidden name, then moved into place. */
    private static void feed(Path input, String name, List<Row> rows) throws Exception {
        Path tmp = input.resolve("." + name + ".tmp");
        Files.write(tmp, CustomModules.csv(rows));
        Files.move(tmp, input.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    private static void awaitCommitted(Path output, int records) throws InterruptedException {
        await(records + " committed records", () -> JobFiles.committedSoFar(output).size() >= records);
    }

    @Test
    void sqlWithAddJarRunsTheUsersTypeInTheProcessTableFunction() throws Exception {
        List<Row> rows = CustomModules.rows(0, 40);
        Path in = Files.createDirectories(work.resolve("sql-in"));
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            lines.add(i + "," + r.key() + "," + r.x()[0] + "," + r.x()[1]);
        }
        Files.write(in.resolve("readings.csv"), lines);
        Path out = work.resolve("sql-out");
        String model = "{\"name\":\"smooth\",\"module\":{\"type\":\"smooth\",\"alpha\":" + CustomModules.ALPHA + "}}";
        String script = String.join("\n",
                "SET 'table.dml-sync' = 'true';",
                "ADD JAR '" + CustomModules.jar() + "';",
                "CREATE FUNCTION flinox AS 'org.flinox.sql.ModelFunction';",
                "CREATE TABLE readings (id INT, sensor STRING, a DOUBLE, b DOUBLE) WITH (",
                "  'connector' = 'filesystem', 'path' = '" + in + "', 'format' = 'csv');",
                "CREATE TABLE smoothed (sensor STRING, id INT, a DOUBLE, b DOUBLE, output ARRAY<DOUBLE>, status STRING)",
                "  WITH ('connector' = 'filesystem', 'path' = '" + out + "', 'format' = 'json');",
                "INSERT INTO smoothed SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,",
                "  features => DESCRIPTOR(a, b), model => '" + model + "', uid => 'smooth');",
                "");
        Path file = Files.writeString(work.resolve("smooth.sql"), script);

        LocalCluster.Shell run = cluster.sh(Duration.ofMinutes(4), "deploy/sql-client.sh", "-f", file.toString());
        assertThat(run.exitCode()).as("sql-client.sh -f:\n%s", run.output()).isZero();
        assertThat(run.output()).as("sql-client.sh -f").doesNotContain("[ERROR]")
                .contains("Complete execution of the SQL update statement");

        // the smoothing of each key (alpha 0.25 from 0), by id; the moments of SMOOTHING play no part here
        Map<String, double[]> level = new HashMap<>();
        Map<Integer, JsonNode> byId = new HashMap<>();
        for (JsonNode l : JobFiles.jsonLines(out)) {
            assertThat(byId.put(l.get("id").asInt(), l)).as("row %s once", l.get("id")).isNull();
        }
        assertThat(byId).hasSize(rows.size());
        for (int i = 0; i < rows.size(); i++) {
            Row r = rows.get(i);
            double[] l = level.computeIfAbsent(r.key(), k -> new double[2]);
            JsonNode row = byId.get(i);
            assertThat(row.get("sensor").asText()).isEqualTo(r.key());
            assertThat(row.get("status").asText()).isEqualTo("ok");
            for (int j = 0; j < 2; j++) {
                l[j] = CustomModules.ALPHA * r.x()[j] + (1 - CustomModules.ALPHA) * l[j];
                assertThat(row.get("output").get(j).asDouble()).as("row %d [%d]", i, j).isCloseTo(l[j], within(1e-12));
            }
        }
    }
}
