package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.flinox.job.LocalKafka;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --model-updates kafka://HOST:PORT/TOPIC} on a real broker: a record keyed by its
 * version with the {@code .npz} bytes as its value swaps the weights between two records; a
 * record without a key and one whose value is no {@code .npz} are dead letters, and change nothing.
 */
class ModelUpdatesKafkaTest {
    @RegisterExtension
    static final LocalKafka KAFKA = new LocalKafka();

    @TempDir
    Path dir;

    private final List<Reference.Row> read = new ArrayList<>();
    private long arrival = 1_000_000L;
    private int files;

    private void feed(WatchedJob job) throws Exception {
        String name = "in" + (files++) + ".csv";
        StringBuilder csv = new StringBuilder("k,a,b\n");
        int seq = 0;
        for (String key : List.of("x", "y")) {
            for (int i = 0; i < 2; i++) {
                double a = (files * 5 + i * 3 + key.charAt(0)) % 7;
                double b = (files * 3 + i + key.charAt(0) * 2) % 5 - 2;
                csv.append(key).append(',').append(a).append(',').append(b).append('\n');
                read.add(new Reference.Row(key, name, seq++, new double[] {a, b}));
            }
        }
        Path staging = Files.createDirectories(dir.resolve("staging"));
        job.feed(Files.writeString(staging.resolve(name), csv), arrival += 1000);
    }

    private static void produce(String topic, String key, byte[] value) throws Exception {
        Properties p = new Properties();
        p.setProperty(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, KAFKA.bootstrap());
        try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p, new ByteArraySerializer(),
                new ByteArraySerializer())) {
            producer.send(new ProducerRecord<>(topic, key == null ? null : key.getBytes(StandardCharsets.UTF_8),
                    value)).get();
        }
    }

    @Test
    void aRecordKeyedByItsVersionSwapsTheWeightsAndBadRecordsAreDeadLetters() throws Exception {
        KAFKA.createTopic("model-updates", 1);
        Path in = Files.createDirectories(dir.resolve("in"));
        Path out = dir.resolve("out");
        Path spec = Files.writeString(dir.resolve("spec.json"), ModelUpdatesTest.SPEC);
        double[][] a = ModelUpdatesTest.WEIGHTS.get("A");
        double[][] b = ModelUpdatesTest.WEIGHTS.get("B");
        Path weightsA = ModelUpdatesTest.weights(dir.resolve("weights"), "A.npz", a[0], a[1]);
        byte[] weightsB = Files.readAllBytes(ModelUpdatesTest.weights(dir.resolve("staged"), "B.npz", b[0], b[1]));
        try (WatchedJob job = WatchedJob.start(in, out, "--format", "csv", "--key", "k", "--features", "a,b",
                "--model", spec.toString(), "--weights", weightsA.toString(),
                "--model-updates", KAFKA.url("model-updates"))) {
            feed(job);
            job.awaitOutputs(read.size());
            produce("model-updates", null, weightsB);
            produce("model-updates", "junk", "not an npz".getBytes(StandardCharsets.UTF_8));
            job.awaitDeadLetters(2);
            feed(job);
            job.awaitOutputs(read.size());
            produce("model-updates", "B", weightsB);
            for (int tries = 0; JobFiles.committedSoFar(out).stream()
                    .noneMatch(o -> o.get("model_version").asText().equals("B")); tries++) {
                assertThat(tries).as("files fed waiting for B").isLessThan(60);
                feed(job);
                job.awaitOutputs(read.size());
            }
        }

        Map<String, double[]> z = Reference.cumulative(read);
        Map<String, String> last = new HashMap<>();
        List<JsonNode> outputs = JobFiles.jsonLines(out);
        assertThat(outputs).hasSize(read.size());
        Map<String, JsonNode> byId = new HashMap<>();
        outputs.forEach(o -> byId.put(Reference.id(o.get("source").asText(), o.get("seq").asLong()), o));
        for (int i = 0; i < read.size(); i++) {
            Reference.Row r = read.get(i);
            String id = Reference.id(r.source(), r.seq());
            String version = byId.get(id).get("model_version").asText();
            if (i < 8) {
                assertThat(version).as(id + ", before B was produced").isEqualTo("A");
            }
            if ("B".equals(last.get(r.key()))) {
                assertThat(version).as(id).isEqualTo("B");
            }
            last.put(r.key(), version);
            assertThat(JobFiles.doubles(byId.get(id).get("output"))).as(id + " under " + version)
                    .containsExactly(ModelUpdatesTest.linear(z.get(id), ModelUpdatesTest.WEIGHTS.get(version)),
                            within(1e-5));
        }
        assertThat(last).containsValue("B");
        List<String> details = JobFiles.jsonLines(dir.resolve("out-dead-letters")).stream()
                .map(d -> d.get("reason").asText() + ": " + d.get("detail").asText()).toList();
        assertThat(details).hasSize(2).allMatch(d -> d.startsWith("MODEL_UPDATE_REFUSED: "));
        assertThat(details).anyMatch(d -> d.contains("no key: its key is the version"))
                .anyMatch(d -> d.contains("update junk (model-updates-0@1) refused, version A keeps running"));
    }
}
