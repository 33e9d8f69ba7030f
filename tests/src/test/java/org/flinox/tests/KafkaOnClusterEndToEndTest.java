package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.flinox.tests.LocalCluster.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.jar.JarFile;
import java.util.stream.Stream;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.flinox.job.KafkaExpectations;
import org.flinox.job.LocalKafka;
import org.flinox.job.LocalPostgres;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Kafka in, Flinox on a real cluster, Kafka out: a KRaft broker ({@code deploy/local-kafka.sh})
 * and a Flink session cluster ({@code deploy/local-cluster.sh}, a JobManager and two
 * TaskManagers in JVMs of their own), both on free ports. The job jar is submitted with
 * {@code deploy/flink run -d}, reading a 3-partition topic and writing another one exactly
 * once; a second batch is produced while a TaskManager running the job is killed with
 * {@code kill -9} and replaced. A {@code read_committed} consumer must then see every input
 * record's output exactly once, equal to per-key z-scores computed here.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class KafkaOnClusterEndToEndTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String IN = "sensors";
    private static final String OUT = "zscores";
    private static final String DEAD = "zscores-dead";
    private static final int KEYS = 6;
    private static final int PER_KEY = 20;

    @RegisterExtension
    static final LocalKafka KAFKA = new LocalKafka(); // started before @BeforeAll, stopped after @AfterAll

    @RegisterExtension
    static final LocalPostgres POSTGRES = new LocalPostgres();
    private static final String STATE = "sensor-state";

    @TempDir
    static Path work;

    private LocalCluster cluster;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = new LocalCluster(work);
        cluster.start(2);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.stop();
        }
    }

    @Test
    void kafkaInThroughTheClusterToKafkaOutExactlyOnceAcrossATaskManagerKill() throws Exception {
        // The cluster's lib/ has no Kafka connector or client: they come from the shaded job jar.
        Path lib = cluster.root().resolve("deploy/.cluster/lib");
        try (Stream<Path> jars = Files.list(lib)) {
            assertThat(jars.map(p -> p.getFileName().toString())).as("the cluster's lib/")
                    .isNotEmpty().noneMatch(name -> name.contains("kafka"));
        }

        KAFKA.createTopic(IN, 3);
        KAFKA.createTopic(OUT, 2);
        KAFKA.createTopic(DEAD, 1);
        Reference ref = new Reference();
        ref.produce(sample(1), Duration.ZERO);
        int firstBatch = ref.size();
        assertThat(ref.partitionsUsed()).as("the keys span several partitions of %s", IN).isGreaterThan(1);

        String job = cluster.submit(2, List.of(
                "--input", KAFKA.url(IN), "--output", KAFKA.url(OUT), "--dead-letter", KAFKA.url(DEAD),
                "--key", "sensor", "--features", "temperature,humidity",
                "--group-id", "cluster-test", "--transactional-id-prefix", "cluster-test",
                "--starting-offsets", "earliest", "--checkpoint-interval", "1000",
                "--state-changelog", KAFKA.url(STATE), "--state-sink", POSTGRES.url()));
        try (Output committed = new Output(OUT, "read_committed");
             Output uncommitted = new Output(OUT, "read_uncommitted")) {
            await("job " + job + " running", () -> "RUNNING".equals(cluster.jobState(job)));
            assertThat(cluster.modelParallelism(job)).isEqualTo(2);
            committed.awaitAtLeast(firstBatch);

            // The second batch, produced at a pace while a TaskManager that runs the job is killed.
            String victim = cluster.busyTaskManager();
            CompletableFuture<Void> secondBatch = CompletableFuture.runAsync(() -> {
                try {
                    ref.produce(sample(2), Duration.ofMillis(40)); // ~5 s of input, spanning the kill
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            uncommitted.awaitAtLeast(firstBatch + 20); // the job is writing the second batch
            int committedAtKill = committed.poll();
            int writtenAtKill = uncommitted.poll();
            assertThat(cluster.killAndReplace(victim)).contains("taskmanager-3 ");
            System.out.printf("KafkaOnClusterEndToEndTest: killed %s with %d outputs written, %d of them committed%n",
                    victim, writtenAtKill, committedAtKill);
            await("job " + job + " restarted after the kill", () -> cluster.restarts(job) >= 1);
            secondBatch.get(2, TimeUnit.MINUTES);

            committed.awaitAtLeast(ref.size());
            // The kill hit output that was written but not committed: the killed attempt's open
            // transaction was aborted, and its records, invisible to read_committed, were written again.
            await("aborted outputs of the killed attempt in " + OUT + " (read_uncommitted)",
                    () -> uncommitted.poll() > ref.size());
            // Two more completed checkpoints (and their commits), then read to the end: a late
            // duplicate would be seen too.
            long checkpoints = completedCheckpoints(job);
            await("two more checkpoints of " + job, () -> completedCheckpoints(job) >= checkpoints + 2);
            committed.awaitAtLeast(ref.size());
            ref.assertOutputsExactlyOnce(committed.records());
            assertThat(ref.size()).isEqualTo(2 * KEYS * PER_KEY);
            assertLiveStateIsEveryKeysStatistics();
            assertThat(taskManagerLogs()).as("the TaskManagers' Kafka client is the job jar's")
                    .contains("Kafka version: " + kafkaClientVersionInJobJar());
        } catch (Throwable failure) {
            try {
                cluster.cancel(job);
            } catch (Exception e) {
                failure.addSuppressed(e); // the cluster is stopped after the class anyway
            }
            throw failure;
        }
        cluster.cancel(job);
        try (Output dead = new Output(DEAD, "read_committed")) {
            assertThat(dead.poll()).as("dead letters").isZero();
        }
    }

    /**
     * The live state after the kill (its checkpoints completed since the last record): the latest
     * committed changelog record per key, and the PostgreSQL row per key, hold each key's count,
     * mean and m2 over all its records, computed here by two passes.
     */
    private static void assertLiveStateIsEveryKeysStatistics() throws Exception {
        Map<String, List<Row>> byKey = new java.util.TreeMap<>();
        for (long seed : new long[] {1, 2}) {
            sample(seed).forEach(r -> byKey.computeIfAbsent(r.key(), k -> new ArrayList<>()).add(r));
        }
        Map<String, com.fasterxml.jackson.databind.JsonNode> topic = new java.util.TreeMap<>();
        try (Output changelog = new Output(STATE, "read_committed")) {
            for (ConsumerRecord<String, String> r : changelog.records()) { // one partition per key: in order
                topic.put(r.key(), JSON.readTree(r.value()).get("state"));
            }
        }
        Map<String, com.fasterxml.jackson.databind.JsonNode> table = new java.util.TreeMap<>();
        try (java.sql.Connection c = POSTGRES.connect(); java.sql.Statement s = c.createStatement();
                java.sql.ResultSet r = s.executeQuery("SELECT key, state::text FROM flinox_state")) {
            while (r.next()) {
                table.put(r.getString(1), JSON.readTree(r.getString(2)));
            }
        }
        assertThat(topic.keySet()).as("keys on %s", STATE).isEqualTo(byKey.keySet());
        assertThat(table.keySet()).as("keys in flinox_state").isEqualTo(byKey.keySet());
        byKey.forEach((key, rows) -> {
            double[][] x = rows.stream().map(r -> new double[] {r.temperature(), r.humidity()}).toArray(double[][]::new);
            for (var state : List.of(topic.get(key), table.get(key))) {
                assertThat(state.path(".count").path("values").get(0).asDouble()).as(key).isEqualTo(x.length);
                for (int j = 0; j < 2; j++) {
                    double mean = 0;
                    for (double[] v : x) {
                        mean += v[j] / x.length;
                    }
                    double m2 = 0;
                    for (double[] v : x) {
                        m2 += (v[j] - mean) * (v[j] - mean);
                    }
                    assertThat(state.path(".mean").path("values").get(j).asDouble()).as("%s .mean[%d]", key, j)
                            .isCloseTo(mean, org.assertj.core.api.Assertions.within(1e-9 * Math.max(1, Math.abs(mean))));
                    assertThat(state.path(".m2").path("values").get(j).asDouble()).as("%s .m2[%d]", key, j)
                            .isCloseTo(m2, org.assertj.core.api.Assertions.within(1e-9 * Math.max(1, m2)));
                }
            }
        });
    }

    /** The version of the Kafka client shaded into the job jar (newer than the broker's 4.1). */
    private String kafkaClientVersionInJobJar() throws Exception {
        try (JarFile jar = new JarFile(cluster.jobJar().toFile())) {
            Properties p = new Properties();
            p.load(jar.getInputStream(jar.getEntry("kafka/kafka-version.properties")));
            return p.getProperty("version");
        }
    }

    private String taskManagerLogs() throws Exception {
        StringBuilder all = new StringBuilder();
        try (Stream<Path> logs = Files.list(cluster.dir().resolve("log"))) {
            for (Path log : logs.filter(p -> p.getFileName().toString().matches("taskmanager-\\d+\\.log")).toList()) {
                all.append(Files.readString(log));
            }
        }
        return all.toString();
    }

    private long completedCheckpoints(String job) {
        try {
            return cluster.get("/jobs/" + job + "/checkpoints").path("counts").path("completed").asLong();
        } catch (Exception e) {
            return -1;
        }
    }

    // ---- the input and the expected output ----

    record Row(String key, double temperature, double humidity) {}

    /** {@code KEYS × PER_KEY} rows, interleaved by key; "flat" is constant (variance 0, z = 0). */
    private static List<Row> sample(long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < PER_KEY; i++) {
            for (int k = 0; k < KEYS; k++) {
                String key = k == KEYS - 1 ? "flat" : "sensor-" + k;
                double t = k == KEYS - 1 ? 20.5 : Math.round(rng.nextDouble(-10, 40) * 1000) / 1000.0;
                double h = k == KEYS - 1 ? 40 : Math.round(rng.nextDouble(20, 90) * 100) / 100.0 + 7 * k;
                rows.add(new Row(key, t, h));
            }
        }
        return rows;
    }

    /** What was produced, where it landed, and the output each record must give. */
    private static final class Reference extends KafkaExpectations {

        /**
         * Sends each row keyed by its stream key, one at a time (so a key's records are in one
         * partition, in this order), {@code pace} apart.
         */
        void produce(List<Row> rows, Duration pace) throws Exception {
            Properties p = new Properties();
            p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
            p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
            p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
            try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
                for (Row r : rows) {
                    String value = JSON.writeValueAsString(Map.of("sensor", r.key(), "temperature", r.temperature(),
                            "humidity", r.humidity()));
                    RecordMetadata m = producer.send(new ProducerRecord<>(IN, r.key(), value)).get(30, TimeUnit.SECONDS);
                    expect(m, r.key(), new double[] {r.temperature(), r.humidity()});
                    if (!pace.isZero()) {
                        Thread.sleep(pace.toMillis()); // the input's rate, not synchronisation
                    }
                }
            }
        }
    }

    /** Every record of a topic visible at an isolation level, read from the beginning by one consumer. */
    private static final class Output implements AutoCloseable {
        private final KafkaConsumer<String, String> consumer;
        private final List<TopicPartition> partitions;
        private final List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        private final String what;

        Output(String topic, String isolation) {
            what = topic + " (" + isolation + ")";
            Properties p = new Properties();
            p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
            p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
            p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
            consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer());
            partitions = consumer.partitionsFor(topic).stream().map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
        }

        /** Reads up to the current end (the last stable offset for read_committed); the count seen so far. */
        int poll() {
            long deadline = System.nanoTime() + LocalCluster.TIMEOUT.toNanos();
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            do {
                consumer.poll(Duration.ofMillis(100)).forEach(seen::add);
            } while (!partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp)) && System.nanoTime() < deadline);
            return seen.size();
        }

        void awaitAtLeast(int n) throws InterruptedException {
            await(n + " outputs in " + what, () -> poll() >= n);
        }

        List<ConsumerRecord<String, String>> records() {
            poll();
            return List.copyOf(seen);
        }

        @Override
        public void close() {
            consumer.close();
        }
    }
}
