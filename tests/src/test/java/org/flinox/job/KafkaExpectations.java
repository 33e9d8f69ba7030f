package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.flinox.job.kafka.KafkaLineDeserializer;

/**
 * What the Kafka tests produced, where each record landed ({@code source} = {@code
 * TOPIC-PARTITION}, {@code seq} = offset), and the output each good record must give: the
 * z-scores of its features against the mean and population variance (two passes) of its
 * key's records so far, in partition order, itself included; 0 where the variance is 0.
 */
public class KafkaExpectations {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final Map<String, List<double[]>> history = new HashMap<>();
    private final Map<String, Expected> expected = new LinkedHashMap<>();
    private final Set<Integer> partitions = new HashSet<>();

    /** The output one record must give. */
    public record Expected(String key, double[] z) {}

    public synchronized int size() {
        return expected.size();
    }

    public synchronized int partitionsUsed() {
        return partitions.size();
    }

    /** A record landed at {@code m} (a bad one: no output expected). */
    public synchronized String landed(RecordMetadata m) {
        partitions.add(m.partition());
        return KafkaLineDeserializer.source(m.topic(), m.partition()) + "@" + m.offset();
    }

    /** A good record of {@code key} with these features landed at {@code m}. */
    public synchronized void expect(RecordMetadata m, String key, double[] features) {
        String at = landed(m);
        List<double[]> h = history.computeIfAbsent(key, k -> new ArrayList<>());
        h.add(features);
        assertThat(expected.put(at, new Expected(key, zScores(h)))).as(at).isNull();
    }

    /** The last row's z-scores against the mean and population variance of every row so far. */
    private static double[] zScores(List<double[]> rows) {
        int n = rows.size();
        double[] last = rows.get(n - 1);
        double[] z = new double[last.length];
        for (int f = 0; f < z.length; f++) {
            double mean = 0;
            for (double[] r : rows) {
                mean += r[f];
            }
            mean /= n;
            double var = 0;
            for (double[] r : rows) {
                var += (r[f] - mean) * (r[f] - mean);
            }
            var /= n;
            z[f] = var == 0 ? 0 : (last[f] - mean) / Math.sqrt(var);
        }
        return z;
    }

    /** Every expected output appears exactly once, with the right keys and z-scores. */
    public synchronized void assertOutputsExactlyOnce(List<ConsumerRecord<String, String>> records) throws Exception {
        Map<String, Integer> count = new HashMap<>();
        for (ConsumerRecord<String, String> r : records) {
            JsonNode o = JSON.readTree(r.value());
            String at = o.get("source").asText() + "@" + o.get("seq").asLong();
            count.merge(at, 1, Integer::sum);
            Expected e = expected.get(at);
            assertThat(e).as("an output for %s, which was not produced as a good record", at).isNotNull();
            assertThat(o.get("key").asText()).as(at).isEqualTo(e.key());
            assertThat(r.key()).as("the Kafka key of %s", at).isEqualTo(e.key());
            JsonNode out = o.get("output");
            assertThat(out.size()).as(at).isEqualTo(e.z().length);
            for (int f = 0; f < e.z().length; f++) {
                assertThat(out.get(f).asDouble()).as("%s feature %d", at, f).isCloseTo(e.z()[f], within(1e-9));
            }
        }
        List<String> duplicates = count.entrySet().stream().filter(c -> c.getValue() > 1)
                .map(c -> c.getKey() + " x" + c.getValue()).sorted().toList();
        assertThat(duplicates).as("outputs seen more than once (%d, the first: %s)", duplicates.size(),
                duplicates.subList(0, Math.min(5, duplicates.size()))).isEmpty();
        assertThat(count.keySet()).as("(source, seq) of the outputs").containsExactlyInAnyOrderElementsOf(expected.keySet());
    }
}
