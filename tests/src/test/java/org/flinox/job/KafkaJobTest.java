package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.client.program.ClusterClient;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.InjectClusterClient;
import org.apache.flink.test.junit5.MiniClusterExtension;
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
import org.flinox.operators.FeatureRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * The job against a real Kafka broker ({@code deploy/local-kafka.sh}) on a MiniCluster: Kafka in,
 * exactly-once Kafka out. Outputs are read with {@code isolation.level=read_committed} and
 * compared, record for record, with per-key z-scores computed here by the two-pass formula over
 * each key's records so far (in partition order: every key is produced to one partition).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class KafkaJobTest {
    private static final int PARALLELISM = 2;
    private static final Duration AWAIT = Duration.ofSeconds(90);
    private static final ObjectMapper JSON = new ObjectMapper();

    @RegisterExtension
    static final MiniClusterExtension FLINK = new MiniClusterExtension(new MiniClusterResourceConfiguration.Builder()
            .setNumberTaskManagers(1).setNumberSlotsPerTaskManager(PARALLELISM).build());

    @RegisterExtension
    static final LocalKafka KAFKA = new LocalKafka();

    @TempDir
    Path tmp;

    private final List<JobClient> jobs = new ArrayList<>();

    @AfterEach
    void cancelJobs() throws Exception {
        for (JobClient job : jobs) {
            try {
                job.cancel().get(30, TimeUnit.SECONDS);
            } catch (Exception alreadyDone) {
                // finished, stopped with a savepoint, or failed: nothing to cancel
            }
        }
        FailOnceWhenArmed.ARMED.set(false);
    }

    @Test
    void standardizesEveryKeyOfAMultiPartitionTopicInPartitionOrder() throws Exception {
        KAFKA.createTopic("norm-in", 3);
        KAFKA.createTopic("norm-out", 2);
        KAFKA.createTopic("norm-dead", 1);
        Reference ref = new Reference();
        ref.produceJson("norm-in", sample(6, 30, 1));
        assertThat(ref.partitionsUsed()).as("the sample spans several partitions").isGreaterThan(1);

        int exit = FlinoxCli.execute(args("norm-in", "norm-out", "--dead-letter", KAFKA.url("norm-dead"), "--bounded"));

        assertThat(exit).isZero();
        ref.assertOutputsExactlyOnce(readCommitted("norm-out", ref.size()));
        assertThat(readCommitted("norm-dead", 0)).isEmpty();
    }

    @Test
    void aFailureMidStreamLeavesEveryRecordInTheOutputExactlyOnce(@InjectClusterClient ClusterClient<?> cluster)
            throws Exception {
        KAFKA.createTopic("fail-in", 3);
        KAFKA.createTopic("fail-out", 2);
        Reference ref = new Reference();
        ref.produceJson("fail-in", sample(6, 20, 2));
        // checkpoints only when the test triggers them, so it knows what the failure rolls back
        JobSettings settings = JobRunner.resolve(options(args("fail-in", "fail-out",
                "--checkpoint-interval", "3600000")));
        StreamExecutionEnvironment env = environment(settings);
        JobPipeline.build(env, settings, records -> records.map(new FailOnceWhenArmed())
                .setParallelism(PARALLELISM).uid("test-fail-once").name("fail once"));
        JobClient job = env.executeAsync("kafka failure");
        jobs.add(job);
        checkpointUntilCommitted(cluster, job.getJobID(), "fail-out", ref.size()); // batch 1: committed

        ref.produceJson("fail-in", sample(6, 20, 3));
        // batch 2: processed and written, in transactions that no checkpoint has committed yet
        read("fail-out", ref.size(), "read_uncommitted");

        FailOnceWhenArmed.ARMED.set(true); // the next record to arrive fails its task, once
        ref.produceJson("fail-in", sample(6, 5, 4));

        // recovery rolls back to the checkpoint after batch 1: batch 2 is read and written again
        checkpointUntilCommitted(cluster, job.getJobID(), "fail-out", ref.size());
        ref.assertOutputsExactlyOnce(read("fail-out", ref.size(), "read_committed"));
        assertThat(FailOnceWhenArmed.FAILURES.get()).as("injected failures").isEqualTo(1);
    }

    @Test
    void stopWithSavepointThenResumeContinuesFromTheSavedOffsetsAndState() throws Exception {
        KAFKA.createTopic("sp-in", 3);
        KAFKA.createTopic("sp-out", 2);
        Reference ref = new Reference();
        ref.produceJson("sp-in", sample(5, 20, 4));
        String[] args = args("sp-in", "sp-out");
        JobSettings first = JobRunner.resolve(options(args));
        StreamExecutionEnvironment env = environment(first);
        JobPipeline.build(env, first);
        JobClient job = env.executeAsync("kafka before savepoint");
        jobs.add(job);
        readCommitted("sp-out", ref.size());
        String savepoint = job.stopWithSavepoint(false, tmp.resolve("savepoints").toUri().toString(),
                SavepointFormatType.CANONICAL).get(60, TimeUnit.SECONDS);

        ref.produceJson("sp-in", sample(5, 20, 5)); // while no job runs
        JobSettings resumed = JobRunner.resolve(options(concat(args, "--restore", savepoint)));
        assertThat(resumed.flink()).containsEntry("execution.state-recovery.path", savepoint);
        StreamExecutionEnvironment env2 = environment(resumed);
        JobPipeline.build(env2, resumed);
        jobs.add(env2.executeAsync("kafka after savepoint"));

        // batch 1 is not read again (the offsets come from the savepoint), and batch 2's
        // z-scores continue each key's statistics (the state comes from the savepoint)
        ref.assertOutputsExactlyOnce(readCommitted("sp-out", ref.size()));
    }

    @Test
    void aBoundedRunsFinalSavepointResumesTheTopicWhereItStopped() throws Exception {
        KAFKA.createTopic("fsp-in", 3);
        KAFKA.createTopic("fsp-out", 2);
        Reference ref = new Reference();
        ref.produceJson("fsp-in", sample(5, 12, 6));
        Path warm = tmp.resolve("warm");
        assertThat(FlinoxCli.execute(args("fsp-in", "fsp-out", "--bounded", "--final-savepoint", warm.toString())))
                .isZero();
        assertThat(warm.resolve("_metadata")).isRegularFile();

        // bounded again from it, with more records in the topic: only those are read
        ref.produceJson("fsp-in", sample(5, 12, 7));
        Path warmer = tmp.resolve("warmer");
        assertThat(FlinoxCli.execute(args("fsp-in", "fsp-out", "--bounded", "--restore", warm.toString(),
                "--final-savepoint", warmer.toString()))).isZero();
        ref.assertOutputsExactlyOnce(readCommitted("fsp-out", ref.size()));

        // and unbounded from that one: it goes on reading what comes next
        JobSettings streaming = JobRunner.resolve(options(args("fsp-in", "fsp-out", "--restore", warmer.toString())));
        StreamExecutionEnvironment env = environment(streaming);
        JobPipeline.build(env, streaming);
        jobs.add(env.executeAsync("kafka after a final savepoint"));
        ref.produceJson("fsp-in", sample(5, 12, 8));
        ref.assertOutputsExactlyOnce(readCommitted("fsp-out", ref.size()));
    }

    @Test
    void malformedCsvValuesGoToTheDeadLetterTopicWithTheirReason() throws Exception {
        KAFKA.createTopic("csv-in", 2);
        KAFKA.createTopic("csv-out", 1);
        KAFKA.createTopic("csv-dead", 1);
        Reference ref = new Reference();
        List<Row> good = sample(4, 10, 6);
        Map<String, Map<String, Object>> bad = new LinkedHashMap<>();
        try (KafkaProducer<String, String> producer = producer()) {
            for (int i = 0; i < good.size(); i++) {
                Row r = good.get(i);
                ref.send(producer, "csv-in", r, r.key() + "," + r.a() + "," + r.b());
                if (i == 7) {
                    bad.put(ref.sendRaw(producer, "csv-in", "k1", "k1,x1,2"), Map.of("reason", "NON_NUMERIC", "key", "k1"));
                    bad.put(ref.sendRaw(producer, "csv-in", "k2", "k2,1"), Map.of("reason", "WRONG_COLUMN_COUNT"));
                    bad.put(ref.sendRaw(producer, "csv-in", "k3", ""), Map.of("reason", "EMPTY"));
                    bad.put(ref.sendRaw(producer, "csv-in", "k0", "k0,,3"), Map.of("reason", "MISSING_FIELD", "key", "k0"));
                }
            }
        }

        int exit = FlinoxCli.execute(concat(args("csv-in", "csv-out", "--dead-letter", KAFKA.url("csv-dead"), "--bounded"),
                "--csv-header", "id,a,b"));

        assertThat(exit).isZero();
        ref.assertOutputsExactlyOnce(readCommitted("csv-out", ref.size()));
        Map<String, JsonNode> dead = new HashMap<>();
        for (ConsumerRecord<String, String> r : readCommitted("csv-dead", bad.size())) {
            JsonNode d = JSON.readTree(r.value());
            assertThat(dead.put(d.get("source").asText() + "@" + d.get("seq").asLong(), d)).as("duplicate").isNull();
        }
        assertThat(dead.keySet()).containsExactlyInAnyOrderElementsOf(bad.keySet());
        bad.forEach((at, expected) -> {
            assertThat(dead.get(at).get("reason").asText()).as(at).isEqualTo(expected.get("reason"));
            if (expected.containsKey("key")) {
                assertThat(dead.get(at).get("key").asText()).as(at).isEqualTo(expected.get("key"));
            }
        });
    }

    @Test
    void latestStartsAfterWhatWasThereAndOffsetsAreCommittedToTheGroup() throws Exception {
        KAFKA.createTopic("lat-in", 3);
        KAFKA.createTopic("lat-out", 2);
        new Reference().produceJson("lat-in", sample(6, 10, 7)); // before the job: never read
        Map<TopicPartition, Long> before = endOffsets("lat-in");
        JobSettings settings = JobRunner.resolve(options(args("lat-in", "lat-out", "--starting-offsets", "latest")));
        StreamExecutionEnvironment env = environment(settings);
        JobPipeline.build(env, settings);
        jobs.add(env.executeAsync("kafka latest"));
        // the group's offsets, committed on checkpoints, say where the job reads from: the end
        awaitGroupOffsets("test-lat-in", before);

        Reference ref = new Reference();
        ref.produceJson("lat-in", sample(6, 10, 8));
        ref.assertOutputsExactlyOnce(readCommitted("lat-out", ref.size())); // fresh keys, nothing of the first batch
        awaitGroupOffsets("test-lat-in", endOffsets("lat-in"));
    }

    @Test
    void committedStartsAtTheGroupsOffsetsAndAPartitionWithoutOneAtTheBeginning() throws Exception {
        KAFKA.createTopic("com-in", 3);
        KAFKA.createTopic("com-out", 2);
        // the first batch, one record at a time, so the test knows which partition each landed on
        Reference ref = new Reference();
        Map<TopicPartition, Long> committed = new HashMap<>();
        List<Row> first = sample(6, 10, 9);
        try (KafkaProducer<String, String> producer = producer()) {
            for (Row r : first) {
                RecordMetadata m = producer.send(new ProducerRecord<>("com-in", r.key(),
                        JSON.writeValueAsString(Map.of("id", r.key(), "a", r.a(), "b", r.b())))).get(30, TimeUnit.SECONDS);
                if (m.partition() == 0) {
                    ref.expect(m, r.key(), new double[] {r.a(), r.b()}); // partition 0: no committed offset
                } else {
                    committed.put(new TopicPartition("com-in", m.partition()), m.offset() + 1);
                }
            }
        }
        assertThat(committed).as("the first batch spans partitions 1 and 2 too").hasSize(2);
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrap()))) {
            Map<TopicPartition, org.apache.kafka.clients.consumer.OffsetAndMetadata> offsets = new HashMap<>();
            committed.forEach((tp, o) -> offsets.put(tp, new org.apache.kafka.clients.consumer.OffsetAndMetadata(o)));
            admin.alterConsumerGroupOffsets("test-com-in", offsets).all().get(30, TimeUnit.SECONDS);
        }
        ref.produceJson("com-in", sample(6, 10, 10));

        assertThat(FlinoxCli.execute(args("com-in", "com-out", "--starting-offsets", "committed", "--bounded"))).isZero();
        ref.assertOutputsExactlyOnce(readCommitted("com-out", ref.size()));
    }

    @Test
    void theInputIsReadCommittedUnlessAKafkaPropertySaysOtherwise() throws Exception {
        KAFKA.createTopic("txn-in", 3);
        KAFKA.createTopic("txn-out", 2);
        KAFKA.createTopic("txn-all-out", 2);
        Reference committedOnly = new Reference();
        Reference everything = new Reference();
        List<Row> aborted = sample(6, 5, 11);
        List<Row> kept = sample(6, 5, 12);
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
        p.setProperty(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "kafka-job-test-input");
        try (KafkaProducer<String, String> producer = new KafkaProducer<>(p, new StringSerializer(), new StringSerializer())) {
            producer.initTransactions();
            for (List<Row> batch : List.of(aborted, kept)) {
                producer.beginTransaction();
                for (Row r : batch) {
                    RecordMetadata m = producer.send(new ProducerRecord<>("txn-in", r.key(),
                            JSON.writeValueAsString(Map.of("id", r.key(), "a", r.a(), "b", r.b())))).get(30, TimeUnit.SECONDS);
                    everything.expect(m, r.key(), new double[] {r.a(), r.b()});
                    if (batch == kept) {
                        committedOnly.expect(m, r.key(), new double[] {r.a(), r.b()});
                    }
                }
                if (batch == aborted) {
                    producer.abortTransaction();
                } else {
                    producer.commitTransaction();
                }
            }
        }

        assertThat(FlinoxCli.execute(args("txn-in", "txn-out", "--bounded"))).isZero();
        committedOnly.assertOutputsExactlyOnce(readCommitted("txn-out", committedOnly.size()));

        // --kafka-property reaches the consumer (read_uncommitted reads the aborted records too)
        // and the producers (their transactions carry the timeout given, not the default 60 s)
        String[] all = args("txn-in", "txn-all-out", "--bounded", "--kafka-property", "isolation.level=read_uncommitted",
                "--kafka-property", "transaction.timeout.ms=123456");
        all[java.util.Arrays.asList(all).indexOf("test-txn-in")] = "test-txn-all";
        assertThat(FlinoxCli.execute(all)).isZero();
        everything.assertOutputsExactlyOnce(readCommitted("txn-all-out", everything.size()));
        assertThat(transactionTimeouts("test-txn-out-output")).containsOnly(60_000L);
        assertThat(transactionTimeouts("test-txn-all-out-output")).containsOnly(123_456L);
    }

    /** The timeouts the broker knows for the transactions whose id starts with {@code prefix}; at least one. */
    private static List<Long> transactionTimeouts(String prefix) throws Exception {
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrap()))) {
            List<String> ids = admin.listTransactions().all().get(30, TimeUnit.SECONDS).stream()
                    .map(org.apache.kafka.clients.admin.TransactionListing::transactionalId)
                    .filter(id -> id.startsWith(prefix)).toList();
            assertThat(ids).as("transactions of %s", prefix).isNotEmpty();
            return admin.describeTransactions(ids).all().get(30, TimeUnit.SECONDS).values().stream()
                    .map(org.apache.kafka.clients.admin.TransactionDescription::transactionTimeoutMs).toList();
        }
    }

    /** The end offset of every partition of {@code topic}. */
    private static Map<TopicPartition, Long> endOffsets(String topic) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
        try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(p, new StringDeserializer(), new StringDeserializer())) {
            List<TopicPartition> partitions = consumer.partitionsFor(topic).stream()
                    .map(i -> new TopicPartition(i.topic(), i.partition())).toList();
            return consumer.endOffsets(partitions);
        }
    }

    /** Waits until the consumer group has committed exactly these offsets. */
    private static void awaitGroupOffsets(String group, Map<TopicPartition, Long> expected) throws Exception {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        Map<TopicPartition, Long> got = Map.of();
        try (var admin = org.apache.kafka.clients.admin.Admin.create(Map.of("bootstrap.servers", KAFKA.bootstrap()))) {
            while (System.nanoTime() < deadline) {
                got = new HashMap<>();
                for (var e : admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get(30, TimeUnit.SECONDS)
                        .entrySet()) {
                    if (e.getValue() != null) {
                        got.put(e.getKey(), e.getValue().offset());
                    }
                }
                if (got.equals(expected)) {
                    return;
                }
                Thread.sleep(200);
            }
        }
        throw new AssertionError("group " + group + " committed " + got + ", expected " + expected);
    }

    // ---------------------------------------------------------------- the job

    /** The run flags every test uses, reading {@code in} and writing {@code out}, plus {@code more}. */
    private String[] args(String in, String out, String... more) {
        List<String> all = new ArrayList<>(List.of("--input", KAFKA.url(in), "--key", "id", "--features", "a,b",
                "--output", KAFKA.url(out), "--parallelism", Integer.toString(PARALLELISM),
                "--checkpoint-dir", tmp.resolve("checkpoints").toUri().toString(),
                "--group-id", "test-" + in, "--transactional-id-prefix", "test-" + out));
        if (!List.of(more).contains("--checkpoint-interval")) {
            all.addAll(List.of("--checkpoint-interval", "300"));
        }
        all.addAll(List.of(more));
        return all.toArray(String[]::new);
    }

    private static RunOptions options(String... args) {
        return CommandLine.populateCommand(new RunOptions(), args);
    }

    private static StreamExecutionEnvironment environment(JobSettings s) {
        return StreamExecutionEnvironment.getExecutionEnvironment(Configuration.fromMap(s.flink()));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    /** Throws once, on the first record after the test arms it (a static flag: the MiniCluster shares the JVM). */
    static final class FailOnceWhenArmed implements MapFunction<FeatureRecord, FeatureRecord> {
        static final AtomicBoolean ARMED = new AtomicBoolean();
        static final AtomicInteger FAILURES = new AtomicInteger();

        @Override
        public FeatureRecord map(FeatureRecord r) {
            if (ARMED.compareAndSet(true, false)) {
                FAILURES.incrementAndGet();
                throw new IllegalStateException("injected failure at " + r.source() + "@" + r.seq());
            }
            return r;
        }
    }

    // ---------------------------------------------------------------- Kafka

    private static KafkaProducer<String, String> producer() {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
        p.setProperty(ProducerConfig.ACKS_CONFIG, "all");
        p.setProperty(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true"); // keeps each partition in send order
        return new KafkaProducer<>(p, new StringSerializer(), new StringSerializer());
    }

    /** Every committed record of {@code topic}, once at least {@code atLeast} are visible. */
    private static List<ConsumerRecord<String, String>> readCommitted(String topic, int atLeast) {
        return read(topic, atLeast, "read_committed");
    }

    /**
     * Triggers checkpoints of {@code job} until at least {@code atLeast} records of {@code topic}
     * are committed (a trigger fails while the job restarts, and a commit follows its checkpoint).
     */
    private static void checkpointUntilCommitted(ClusterClient<?> cluster, JobID job, String topic, int atLeast)
            throws Exception {
        long deadline = System.nanoTime() + AWAIT.toNanos();
        while (true) {
            try {
                cluster.triggerCheckpoint(job, CheckpointType.FULL).get(30, TimeUnit.SECONDS);
            } catch (ExecutionException notRunning) {
                // restarting: not every task is running yet
            }
            int committed = read(topic, 0, "read_committed").size();
            if (committed >= atLeast) {
                return;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError(committed + " of " + atLeast + " records of " + topic + " committed within "
                        + AWAIT);
            }
        }
    }

    /**
     * Every record of {@code topic} visible at {@code isolation}: waits until at least {@code
     * atLeast} are, then reads on to the end (the last stable offset for read_committed), so a
     * duplicate written with them is seen too.
     */
    private static List<ConsumerRecord<String, String>> read(String topic, int atLeast, String isolation) {
        Properties p = new Properties();
        p.setProperty(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
        p.setProperty(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
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
                    Map<TopicPartition, Long> end = consumer.endOffsets(partitions); // LSO for read_committed
                    if (partitions.stream().allMatch(tp -> consumer.position(tp) >= end.get(tp))) {
                        return seen;
                    }
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("saw " + seen.size() + " " + isolation + " records in " + topic + " within "
                            + AWAIT + ", expected at least " + atLeast);
                }
            }
        }
    }

    // ---------------------------------------------------------------- the reference

    record Row(String key, double a, double b) {}

    /** {@code keys × perKey} rows, interleaved by key; key k5 has a constant b (variance 0, z = 0). */
    private static List<Row> sample(int keys, int perKey, long seed) {
        SplittableRandom rng = new SplittableRandom(seed);
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < perKey; i++) {
            for (int k = 0; k < keys; k++) {
                double a = Math.round(rng.nextDouble(-50, 50) * 1000) / 1000.0;
                double b = k == 5 ? 3.5 : Math.round(rng.nextDouble(0, 10) * 100) / 100.0 + 100 * k;
                rows.add(new Row("k" + k, a, b));
            }
        }
        return rows;
    }

    /** What was produced, where it landed, and the outputs it must give. */
    private static final class Reference extends KafkaExpectations {

        void produceJson(String topic, List<Row> rows) throws Exception {
            try (KafkaProducer<String, String> producer = producer()) {
                for (Row r : rows) {
                    send(producer, topic, r, JSON.writeValueAsString(Map.of("id", r.key(), "a", r.a(), "b", r.b())));
                }
            }
        }

        /** Sends one good row keyed by its stream key and records the z-scores it must give. */
        void send(KafkaProducer<String, String> producer, String topic, Row r, String value) throws Exception {
            RecordMetadata m = producer.send(new ProducerRecord<>(topic, r.key(), value)).get(30, TimeUnit.SECONDS);
            expect(m, r.key(), new double[] {r.a(), r.b()});
        }

        /** Sends a value and returns where it landed, {@code TOPIC-PARTITION@OFFSET}. */
        String sendRaw(KafkaProducer<String, String> producer, String topic, String key, String value) throws Exception {
            return landed(producer.send(new ProducerRecord<>(topic, key, value)).get(30, TimeUnit.SECONDS));
        }
    }

}
