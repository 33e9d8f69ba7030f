package org.flinox.job.kafka;

import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.flinox.operators.ModelUpdate;

/**
 * The updates of {@code --model-updates kafka://HOST:PORT/TOPIC}: each record is one
 * {@link ModelUpdate}, its key the version (UTF-8), its value the {@code .npz} file's bytes.
 * The topic is the history of the versions: a job that starts afresh reads it from the earliest
 * offset (so it ends up running the last version that applies), a restored one from where its
 * checkpoint left it. Versions apply in the order they are read: give the topic one partition
 * (across partitions Kafka has no order). Only committed records are read.
 */
public final class KafkaUpdates {

    private KafkaUpdates() {}

    /** The source; run it at parallelism 1, so every model subtask sees the updates in one order. */
    public static KafkaSource<ModelUpdate> source(KafkaAddress topic, KafkaSettings k) {
        return KafkaSource.<ModelUpdate>builder()
                .setProperty("isolation.level", "read_committed")
                .setProperties(properties(k))
                .setBootstrapServers(topic.bootstrapServers())
                .setTopics(topic.topic())
                .setGroupId(k.groupId() + "-model-updates")
                .setStartingOffsets(OffsetsInitializer.earliest())
                .setDeserializer(new Deserializer())
                .build();
    }

    private static java.util.Properties properties(KafkaSettings k) {
        java.util.Properties p = new java.util.Properties();
        p.putAll(k.properties());
        return p;
    }

    /** A record as an update; one without a key or a value, or too large, is one the model refuses. */
    static final class Deserializer implements KafkaRecordDeserializationSchema<ModelUpdate> {
        private static final long serialVersionUID = 1L;

        @Override
        public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<ModelUpdate> out) {
            String source = record.topic() + "-" + record.partition() + "@" + record.offset();
            String version = record.key() == null ? null : new String(record.key(), StandardCharsets.UTF_8);
            if (version == null || version.isBlank()) {
                out.collect(ModelUpdate.unreadable(version, source, "the record has no key: its key is the version"));
            } else if (record.value() == null) {
                out.collect(ModelUpdate.unreadable(version, source, "the record has no value: its value is the "
                        + ".npz file's bytes"));
            } else if (record.value().length > ModelUpdate.MAX_BYTES) {
                out.collect(ModelUpdate.unreadable(version, source, "it has " + record.value().length
                        + " bytes, more than the " + ModelUpdate.MAX_BYTES + " an update may have"));
            } else {
                out.collect(ModelUpdate.of(version, source, record.value()));
            }
        }

        @Override
        public TypeInformation<ModelUpdate> getProducedType() {
            return ModelUpdate.TYPE;
        }
    }
}
