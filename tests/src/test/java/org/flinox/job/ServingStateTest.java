package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.flinox.job.spec.SpecModelFactory;
import org.flinox.job.state.InspectCommand;
import org.flinox.operators.FeatureRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live per-key state ({@code --state-changelog}, {@code --state-sink}) against a real Kafka broker
 * and a real PostgreSQL server, on a MiniCluster: the latest committed record per key of the
 * topic, and the table's rows, each equal {@code inspect} of the state the job checkpointed
 * (compared entry by entry, values as doubles), also after an injected failure.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServingStateTest {
    private static final int KEYS = 40;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Duration AWAIT = Duration.ofSeconds(120);

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(2).build());

    @RegisterExtension
    static final LocalKafka KAFKA = new LocalKafka();

    @RegisterExtension
    static final LocalPostgres POSTGRES = new LocalPostgres();

    @TempDir
    Path tmp;

    @Test
    void theTopicAndTheTableEqualInspectOfTheFinalSavepointAndOnlyChangedKeysAreWritten() throws Exception {
        Path input = csv("first.csv", KEYS, 30, 1);
        Path first = tmp.resolve("first-savepoint");
        assertThat(FlinoxCli.execute(flags(input, "out-1", "live-a", "live_a", "--final-savepoint", first.toString())))
                .isZero();
        Map<String, Map<String, String>> expected = inspect(first);
        assertThat(expected).hasSize(KEYS);
        List<ConsumerRecord<String, String>> records = readCommitted("live-a", KEYS);
        assertThat(latestPerKey(records)).isEqualTo(expected);
        assertThat(table("live_a")).isEqualTo(expected);
        for (ConsumerRecord<String, String> r : records) {
            JsonNode v = JSON.readTree(r.value());
            assertThat(v.get("model").asText()).isEqualTo(model().name());
            assertThat(v.get("checkpoint_id").asLong()).as("written with a checkpoint: %s", r.value()).isPositive();
        }

        // a second run from that savepoint, over records of 5 keys only: only those 5 are written again
        Path second = tmp.resolve("second-savepoint");
        assertThat(FlinoxCli.execute(concat(flags(csv("second.csv", 5, 10, 2), "out-2", "live-a", "live_a",
                "--final-savepoint", second.toString()), "--restore", first.toString()))).isZero();
        List<ConsumerRecord<String, String>> all = readCommitted("live-a", records.size() + 5);
        java.util.Set<String> before = new java.util.HashSet<>();
        records.forEach(r -> before.add(r.partition() + "@" + r.offset()));
        List<String> rewritten = all.stream().filter(r -> !before.contains(r.partition() + "@" + r.offset()))
                .map(ConsumerRecord::key).distinct().sorted().toList();
        assertThat(rewritten).containsExactly("k0", "k1", "k2", "k3", "k4");
        Map<String, Map<String, String>> after = inspect(second);
        assertThat(after).hasSize(KEYS);
        assertThat(after.get("k0")).isNotEqualTo(expected.get("k0"));
        assertThat(after.get("k9")).isEqualTo(expected.get("k9"));
        assertThat(latestPerKey(all)).isEqualTo(after);
        assertThat(table("live_a")).isEqualTo(after);
    }

    @Test
    void afterAFailureTheTopicAndTheTableEqualTheLastCheckpointsState() throws Exception {
        Path input = csv("fail.csv", KEYS, 2000, 3); // long enough for checkpoints before the failure
        Path finalState = tmp.resolve("final-state");
        String[] flags = flags(input, "out-fail", "live-fail", "live_fail", "--final-state", finalState.toString(),
                "--checkpoint-interval", "50");
        JobSettings settings = JobRunner.settings(flags);
        Map<String, String> conf = new HashMap<>(settings.flink());
        conf.put("restart-strategy.fixed-delay.delay", "100 ms");
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(conf));
        FailOnceAfterACheckpoint.PENDING.set(1);
        JobPipeline.build(env, settings, records -> records.map(new FailOnceAfterACheckpoint(KEYS * 1000))
                .name("injected failure").setParallelism(1));
        env.execute("serving state under a failure");
        assertThat(FailOnceAfterACheckpoint.PENDING.get()).as("the failure was injected").isLessThanOrEqualTo(0);

        // the bounded job's last completed checkpoint is its final one: the state --final-state wrote
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(finalState)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                lines.addAll(Files.readAllLines(f));
            }
        }
        Map<String, Map<String, String>> expected = rows(lines);
        assertThat(expected).hasSize(KEYS);
        assertThat(latestPerKey(readCommitted("live-fail", KEYS))).isEqualTo(expected);
        assertThat(table("live_fail")).isEqualTo(expected);
    }

    @Test
    void aKeyWhoseStateExpiredGetsATombstoneInTheTopicAndLeavesTheTable() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("watched"));
        Files.writeString(dir.resolve("a.csv"), "key,a,b\nx,1,2\ny,3,4\nx,5,6\n");
        JobSettings settings = JobRunner.settings(concat(new String[] {"--input", dir.toString(), "--watch",
                "--key", "key", "--features", "a,b", "--output", tmp.resolve("out-ttl").toString(),
                "--parallelism", "2", "--checkpoint-interval", "200", "--state-ttl", "2s",
                "--state-changelog", KAFKA.url("live-ttl"), "--state-sink", POSTGRES.url(),
                "--state-sink-table", "live_ttl"}));
        StreamExecutionEnvironment env = JobRunner.environment(settings);
        JobPipeline.build(env, settings);
        JobClient job = env.executeAsync("serving state with a TTL");
        try {
            Map<String, Map<String, String>> live = await(() -> latestPerKey(readCommitted("live-ttl", 0)),
                    m -> m.size() == 2 && m.values().stream().allMatch(v -> v != null));
            assertThat(live.get("x").get(".count")).contains("[2.0]");
            // no more records: both keys expire, and a later checkpoint carries their tombstones
            await(() -> latestPerKey(readCommitted("live-ttl", 0)),
                    m -> m.size() == 2 && m.values().stream().allMatch(v -> v == null));
            await(() -> table("live_ttl"), Map::isEmpty);
        } finally {
            job.cancel().get(60, TimeUnit.SECONDS);
        }
    }

    @Test
    void aTopicThatIsNotCompactedAndATableOfAnotherShapeAreRefusedAtStart() throws Exception {
        Properties p = new Properties();
        p.setProperty(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
        try (Admin admin = Admin.create(p)) {
            admin.createTopics(List.of(new NewTopic("live-plain", 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
        }
        Path input = csv("refused.csv", 2, 2, 4);
        assertThatThrownBy(() -> JobRunner.settings(flags(input, "out-r1", "live-plain", "live_r1")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cleanup.policy=delete").hasMessageContaining("compact");
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement()) {
            s.execute("CREATE TABLE live_wrong (key text PRIMARY KEY, state jsonb)");
        }
        assertThatThrownBy(() -> JobRunner.settings(flags(input, "out-r2", "live-r2", "live_wrong")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("--state-sink-table live_wrong exists with columns");
        assertThatThrownBy(() -> JobRunner.settings("--input", input.toString(), "--key", "key",
                "--output", tmp.resolve("out-r3").toString(), "--state-sink-table", "live_r3"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("add --state-sink");
    }

    // ---------------------------------------------------------------- the job

    private String[] flags(Path input, String out, String topic, String table, String... more) {
        String[] base = {"--input", input.toString(), "--key", "key", "--features", "a,b",
                "--output", tmp.resolve(out).toString(), "--parallelism", "2",
                "--state-changelog", KAFKA.url(topic), "--state-sink", POSTGRES.url(), "--state-sink-table", table};
        return concat(List.of(more).contains("--checkpoint-interval") ? base
                : concat(base, "--checkpoint-interval", "100"), more);
    }

    /** {@code keys × perKey} rows interleaved by key, a CSV file with a header. */
    private Path csv(String name, int keys, int perKey, long seed) throws Exception {
        SplittableRandom rng = new SplittableRandom(seed);
        StringBuilder sb = new StringBuilder("key,a,b\n");
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                sb.append("k").append(k).append(',').append(Math.round(rng.nextDouble(-50, 50) * 1000) / 1000.0)
                        .append(',').append(Math.round(rng.nextDouble(0, 10) * 100) / 100.0 + k).append('\n');
            }
        }
        Path dir = Files.createDirectories(tmp.resolve(name + "-input"));
        return Files.writeString(dir.resolve(name), sb.toString());
    }

    private static SpecModelFactory model() {
        return SpecModelFactory.of(null, 2, null);
    }

    private static Map<String, Map<String, String>> inspect(Path savepoint) throws Exception {
        return rows(InspectCommand.read(model(), savepoint.toString(), null, "rocksdb"));
    }

    // ---------------------------------------------------------------- comparing states

    /**
     * Rows of {@code inspect} as key → state key → the row, its values as doubles (the table's
     * jsonb keeps numbers as numerics, so text is not compared).
     */
    private static Map<String, Map<String, String>> rows(List<String> lines) throws Exception {
        Map<String, Map<String, String>> byKey = new TreeMap<>();
        for (String line : lines) {
            JsonNode row = JSON.readTree(line);
            String previous = byKey.computeIfAbsent(row.get("key").asText(), k -> new TreeMap<>())
                    .put(row.get("stateKey").asText(), canonical(row));
            assertThat(previous).as("one row per key and entry: %s", line).isNull();
        }
        return byKey;
    }

    /** One key's state object ({@code {".mean": ROW, ...}}) as state key → the row. */
    private static Map<String, String> state(String key, JsonNode state) {
        Map<String, String> entries = new TreeMap<>();
        state.fields().forEachRemaining(e -> {
            assertThat(e.getValue().get("key").asText()).isEqualTo(key);
            assertThat(e.getValue().get("stateKey").asText()).isEqualTo(e.getKey());
            entries.put(e.getKey(), canonical(e.getValue()));
        });
        return entries;
    }

    private static String canonical(JsonNode row) {
        List<Double> values = new ArrayList<>();
        row.get("values").forEach(v -> values.add(v.asDouble()));
        return row.get("key").asText() + " " + row.get("stateKey").asText() + " " + row.get("shape") + " "
                + row.get("dtype").asText() + " " + values;
    }

    /** The latest record per key, as compaction would keep it; a tombstone is null. */
    private static Map<String, Map<String, String>> latestPerKey(List<ConsumerRecord<String, String>> records)
            throws Exception {
        Map<String, Map<String, String>> latest = new TreeMap<>();
        for (ConsumerRecord<String, String> r : records) { // one partition per key: in order
            latest.put(r.key(), r.value() == null ? null : state(r.key(), JSON.readTree(r.value()).get("state")));
        }
        return latest;
    }

    private static Map<String, Map<String, String>> table(String table) throws Exception {
        Map<String, Map<String, String>> rows = new TreeMap<>();
        try (Connection c = POSTGRES.connect(); Statement s = c.createStatement();
                ResultSet r = s.executeQuery("SELECT key, model, state::text FROM " + table)) {
            while (r.next()) {
                assertThat(r.getString("model")).isEqualTo(model().name());
                rows.put(r.getString("key"), state(r.getString("key"), JSON.readTree(r.getString("state"))));
            }
        }
        return rows;
    }

    // ---------------------------------------------------------------- Kafka

    /** Every committed record of {@code topic}, once at least {@code atLeast} are visible, read to the end. */
    private static List<ConsumerRecord<String, String>> readCommitted(String topic, int atLeast) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.setProperty(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        List<ConsumerRecord<String, String>> seen = new ArrayList<>();
        try (KafkaConsumer<String, String> consumer =
                new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            long deadline = System.nanoTime() + AWAIT.toNanos();
            while (true) {
                consumer.poll(Duration.ofMillis(200)).forEach(seen::add);
                if (seen.size() >= atLeast) {
                    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
                    if (partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                        seen.sort(java.util.Comparator.comparingInt(ConsumerRecord<String, String>::partition)
                                .thenComparingLong(ConsumerRecord::offset));
                        return seen;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("saw " + seen.size() + " committed records in " + topic + ", expected "
                            + "at least " + atLeast);
                }
            }
        }
    }

    interface Probe<T> {
        T get() throws Exception;
    }

    /** Polls until {@code done} holds (a generous deadline, a last-resort guard). */
    private static <T> T await(Probe<T> probe, Predicate<T> done) throws Exception {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        T value = probe.get();
        while (!done.test(value)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + AWAIT + ": " + value);
            }
            Thread.sleep(200);
            value = probe.get();
        }
        return value;
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /**
     * Throws once, after a checkpoint of the current attempt completed and {@code afterRecords}
     * records went by (a static count: it survives the restart).
     */
    static final class FailOnceAfterACheckpoint implements MapFunction<FeatureRecord, FeatureRecord>, CheckpointListener {
        static final AtomicInteger PENDING = new AtomicInteger();
        private final long afterRecords;
        private transient long seen;
        private transient volatile boolean checkpointed;

        FailOnceAfterACheckpoint(long afterRecords) {
            this.afterRecords = afterRecords;
        }

        @Override
        public FeatureRecord map(FeatureRecord r) {
            seen++;
            if (checkpointed && seen >= afterRecords && PENDING.getAndDecrement() > 0) {
                throw new IllegalStateException("injected failure at " + r.source() + "#" + r.seq());
            }
            return r;
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) {
            checkpointed = true;
        }
    }
}
