package org.flinox.job.kafka;

import java.nio.charset.StandardCharsets;
import java.util.Properties;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.util.function.SerializableFunction;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.flinox.job.input.InputFormat;
import org.flinox.job.input.RawLine;

/**
 * The job's Kafka source and sinks, from Flink's Kafka connector.
 *
 * <p>Source: {@link KafkaSource} over one topic; each value becomes a {@link RawLine} ({@link
 * KafkaLineDeserializer}) for the same parser as files. The partitions' offsets are part of
 * Flink's checkpoints, so a restore resumes reading exactly where the restored state stops; they
 * are also committed to the consumer group on checkpoints. The consumer reads with {@code
 * isolation.level=read_committed} unless a --kafka-property says otherwise.
 *
 * <p>Sinks: {@link KafkaSink} with {@link DeliveryGuarantee#EXACTLY_ONCE}: each checkpoint's
 * records are written in a Kafka transaction committed when the checkpoint completes, so a
 * consumer with {@code isolation.level=read_committed} sees every record once, also across
 * failures and restores. Values are the JSON lines of {@link JsonLines}, keys the stream keys.
 * {@code transaction.timeout.ms} is {@value KafkaSettings#DEFAULT_TRANSACTION_TIMEOUT_MS}
 * unless set: it must stay below the broker's {@code transaction.max.timeout.ms} (15 min by
 * default) and above the time between checkpoints plus a restart.
 */
public final class KafkaConnectors {

    private KafkaConnectors() {}

    public static KafkaSource<RawLine> source(KafkaAddress input, KafkaSettings k, InputFormat format) {
        KafkaSourceBuilder<RawLine> builder = KafkaSource.<RawLine>builder();
        builder.setProperty("isolation.level", "read_committed");
        builder.setProperties(properties(k));
        builder.setBootstrapServers(input.bootstrapServers())
                .setTopics(input.topic())
                .setGroupId(k.groupId())
                .setStartingOffsets(k.startingOffsets().initializer())
                .setDeserializer(new KafkaLineDeserializer(format == InputFormat.CSV ? k.csvHeader() : null));
        if (k.bounded()) {
            builder.setBounded(OffsetsInitializer.latest());
        }
        return builder.build();
    }

    /**
     * An exactly-once sink of JSON values keyed by {@code key}.
     *
     * @param role tells this sink's transactional ids from the job's other sink's ({@code output},
     *     {@code dead-letters}): two sinks sharing ids would fence each other
     */
    public static <T> KafkaSink<T> sink(KafkaAddress output, KafkaSettings k, String role,
            SerializableFunction<T, String> key, SerializableFunction<T, String> value) {
        Properties producer = new Properties();
        producer.setProperty("transaction.timeout.ms", KafkaSettings.DEFAULT_TRANSACTION_TIMEOUT_MS);
        producer.putAll(properties(k));
        return KafkaSink.<T>builder()
                .setKafkaProducerConfig(producer)
                .setBootstrapServers(output.bootstrapServers())
                .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
                .setTransactionalIdPrefix(k.transactionalIdPrefix() + "-" + role)
                .setRecordSerializer(new KeyedValues<>(output.topic(), key, value))
                .build();
    }

    private static Properties properties(KafkaSettings k) {
        Properties p = new Properties();
        p.putAll(k.properties());
        return p;
    }

    /**
     * A record of {@code topic} with {@code key(element)} as its key (null: none) and
     * {@code value(element)} (null: a tombstone, for a compacted topic).
     */
    record KeyedValues<T>(String topic, SerializableFunction<T, String> key, SerializableFunction<T, String> value)
            implements KafkaRecordSerializationSchema<T> {

        @Override
        public ProducerRecord<byte[], byte[]> serialize(T element, KafkaSinkContext context, Long timestamp) {
            String k = key.apply(element);
            String v = value.apply(element);
            return new ProducerRecord<>(topic, null, timestamp,
                    k == null ? null : k.getBytes(StandardCharsets.UTF_8),
                    v == null ? null : v.getBytes(StandardCharsets.UTF_8));
        }
    }
}
