package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flinox.job.LocalKafka;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flink SQL on a real cluster: {@code deploy/sql-client.sh -f script.sql} runs Flink's own SQL
 * client against {@code deploy/local-cluster.sh} (a JobManager and a TaskManager in JVMs of
 * their own) with the Flinox jar. The script creates a table over a CSV file (filesystem
 * connector) and one over a Kafka topic (the SQL Kafka connector, on {@code deploy/local-kafka.sh}),
 * creates the function, and inserts each through {@code org.flinox.sql.ModelFunction} into a
 * filesystem sink. Every sink row must equal the per-key cumulative z-scores computed here,
 * and the bad rows must come out flagged, their keys' statistics untouched.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class SqlOnClusterEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOPIC = "readings";
    private static final String[] SENSORS = {"boiler-1", "boiler-2", "pump", "fan"};

    @RegisterExtension
    static final LocalKafka KAFKA = new LocalKafka();

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
    void aScriptWithAFailingStatementFailsAndStopsThere() throws Exception {
        // Flink's own client prints [ERROR] and exits 0; the script's caller must see a failure.
        Path later = work.resolve("never-created");
        String script = String.join("\n",
                "CREATE FUNCTION flinox AS 'org.flinox.sql.ModelFunction';",
                "SELECT * FROM no_such_table;",
                "CREATE TABLE after_the_error (x INT) WITH ('connector' = 'filesystem', 'path' = '" + later
                        + "', 'format' = 'csv');",
                "INSERT INTO after_the_error VALUES (1);",
                "");
        Path file = work.resolve("failing.sql");
        Files.writeString(file, script);

        LocalCluster.Shell run = cluster.sh(Duration.ofMinutes(2), "deploy/sql-client.sh", "-f", file.toString());

        assertThat(run.exitCode()).as("sql-client.sh -f:\n%s", run.output()).isEqualTo(1);
        assertThat(run.output()).contains("[ERROR]", "no_such_table",
                "sql-client: a statement of the script failed");
        assertThat(later).doesNotExist();
    }

    @Test
    void aSqlScriptThroughTheSqlClientStandardizesCsvAndKafkaTablesPerKey() throws Exception {
        // CSV: one file, read in order; row 7 has no temperature (NULL), row 19 a NaN pressure.
        List<Reading> csv = readings(0, 48);
        Path in = Files.createDirectories(work.resolve("csv-in"));
        List<String> lines = new ArrayList<>();
        for (Reading r : csv) {
            lines.add(r.id() + "," + r.sensor() + "," + (r.temperature() == null ? "" : r.temperature()) + ","
                    + (Double.isNaN(r.pressure()) ? "NaN" : r.pressure()));
        }
        Files.write(in.resolve("readings.csv"), lines);

        // Kafka: keyed by sensor, so each sensor's readings are in one partition, in order.
        List<Reading> kafka = readings(100, 148);
        KAFKA.createTopic(TOPIC, 3);
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            for (Reading r : kafka) {
                Map<String, Object> value = new LinkedHashMap<>();
                value.put("id", r.id());
                value.put("sensor", r.sensor());
                value.put("temperature", r.temperature());
                value.put("pressure", Double.isNaN(r.pressure()) ? null : r.pressure()); // JSON has no NaN
                producer.send(new ProducerRecord<>(TOPIC, r.sensor(), JSON.writeValueAsString(value)))
                        .get(30, TimeUnit.SECONDS);
            }
        }

        Path csvOut = work.resolve("csv-out");
        Path kafkaOut = work.resolve("kafka-out");
        String model = "{\"name\":\"sensors\",\"module\":{\"type\":\"standardize\"}}";
        String script = String.join("\n",
                "SET 'table.dml-sync' = 'true';",
                "SET 'execution.checkpointing.interval' = '1 s';",
                "SET 'pipeline.object-reuse' = 'true';", // as the README's scripts: the results must not change
                "CREATE FUNCTION flinox AS 'org.flinox.sql.ModelFunction';",
                "CREATE TABLE csv_readings (id INT, sensor STRING, temperature DOUBLE, pressure DOUBLE) WITH (",
                "  'connector' = 'filesystem', 'path' = '" + in + "', 'format' = 'csv', 'csv.null-literal' = '');",
                "CREATE TABLE kafka_readings (id INT, sensor STRING, temperature DOUBLE, pressure DOUBLE) WITH (",
                "  'connector' = 'kafka', 'topic' = '" + TOPIC + "',",
                "  'properties.bootstrap.servers' = '" + KAFKA.bootstrap() + "', 'properties.group.id' = 'sql-test',",
                "  'scan.startup.mode' = 'earliest-offset', 'scan.bounded.mode' = 'latest-offset', 'format' = 'json');",
                sink("csv_zscores", csvOut),
                sink("kafka_zscores", kafkaOut),
                insert("csv_zscores", "csv_readings", model, "csv"),
                insert("kafka_zscores", "kafka_readings", model, "kafka"),
                "");
        Path file = work.resolve("script.sql");
        Files.writeString(file, script);

        LocalCluster.Shell run = cluster.sh(Duration.ofMinutes(4), "deploy/sql-client.sh", "-f", file.toString());
        assertThat(run.exitCode()).as("sql-client.sh -f:\n%s", run.output()).isZero();
        assertThat(run.output()).as("sql-client.sh -f").doesNotContain("[ERROR]");
        assertThat(run.output().split("Complete execution of the SQL update statement", -1))
                .as("both INSERTs ran to completion:\n%s", run.output()).hasSize(3);

        check(csv, rows(csvOut), "NOT_FINITE");
        check(kafka, rows(kafkaOut), "MISSING_FIELD"); // the NaN went to Kafka as null
    }

    private static String sink(String name, Path dir) {
        return "CREATE TABLE " + name + " (sensor STRING, id INT, temperature DOUBLE, pressure DOUBLE,"
                + " temperature_z DOUBLE, pressure_z DOUBLE, status STRING) WITH ("
                + "'connector' = 'filesystem', 'path' = '" + dir + "', 'format' = 'csv');";
    }

    private static String insert(String sink, String source, String model, String uid) {
        return "INSERT INTO " + sink + " SELECT * FROM flinox(input => TABLE " + source + " PARTITION BY sensor,"
                + " features => DESCRIPTOR(temperature, pressure), model => '" + model + "', uid => '" + uid + "');";
    }

    /** Every reading once, in the sink, with the reference z-scores or the expected status. */
    private static void check(List<Reading> in, Map<Integer, String[]> out, String nanStatus) {
        assertThat(out.keySet()).containsExactlyInAnyOrderElementsOf(in.stream().map(Reading::id).toList());
        Map<Integer, double[]> expected = reference(in);
        for (Reading r : in) {
            String[] row = out.get(r.id());
            assertThat(row[0]).isEqualTo(r.sensor());
            if (r.temperature() == null) {
                assertThat(row[6]).as("row %d", r.id()).isEqualTo("MISSING_FIELD");
                assertThat(row[4]).isEmpty(); // NULL in CSV
            } else if (Double.isNaN(r.pressure())) {
                assertThat(row[6]).as("row %d", r.id()).isEqualTo(nanStatus);
            } else {
                assertThat(row[6]).as("row %d", r.id()).isEqualTo("ok");
                assertThat(Double.parseDouble(row[2])).isEqualTo(r.temperature());
                assertThat(Double.parseDouble(row[4])).as("temperature_z of %d", r.id())
                        .isCloseTo(expected.get(r.id())[0], within(1e-12));
                assertThat(Double.parseDouble(row[5])).as("pressure_z of %d", r.id())
                        .isCloseTo(expected.get(r.id())[1], within(1e-12));
            }
        }
    }

    /** Cumulative z-scores of each sensor's good readings ({@link Reference#cumulative}), by reading id. */
    private static Map<Integer, double[]> reference(List<Reading> in) {
        List<Reference.Row> good = in.stream()
                .filter(r -> r.temperature() != null && !Double.isNaN(r.pressure()))
                .map(r -> new Reference.Row(r.sensor(), "readings", r.id(), new double[] {r.temperature(), r.pressure()}))
                .toList();
        Map<String, double[]> z = Reference.cumulative(good);
        Map<Integer, double[]> out = new HashMap<>();
        for (Reference.Row r : good) {
            out.put((int) r.seq(), z.get(Reference.id(r.source(), r.seq())));
        }
        return out;
    }

    /** The sink's committed files, by id. */
    private static Map<Integer, String[]> rows(Path dir) throws Exception {
        Map<Integer, String[]> rows = new TreeMap<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(x -> !x.getFileName().toString().startsWith(".")).toList()) {
                for (String line : Files.readAllLines(f)) {
                    String[] row = line.split(",", -1);
                    assertThat(rows.put(Integer.parseInt(row[1]), row)).as("row %s once", row[1]).isNull();
                }
            }
        }
        return rows;
    }

    record Reading(int id, String sensor, Double temperature, double pressure) {}

    /** Readings {@code from..to-1}; the 8th has no temperature, the 20th a NaN pressure. */
    private static List<Reading> readings(int from, int to) {
        List<Reading> out = new ArrayList<>();
        for (int i = from; i < to; i++) {
            Double t = i - from == 7 ? null : 15 + (i * 7 % 13) + 0.125 * (i % 8);
            double p = i - from == 19 ? Double.NaN : 990 + 2.5 * (i * 11 % 19);
            out.add(new Reading(i, SENSORS[i * 3 % 7 % SENSORS.length], t, p));
        }
        return out;
    }
}
