package org.flinox.job.kafka;

import java.util.Locale;
import java.util.Map;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/**
 * The Kafka side of a run, when an input or an output is {@code kafka://HOST:PORT/TOPIC}.
 *
 * @param properties Kafka client settings given with {@code --kafka-property k=v}, for the
 *     consumer and the producers alike (security, timeouts, ...)
 * @param groupId the consumer group; offsets are committed to it on checkpoints (for monitoring:
 *     a restore resumes from the offsets in the checkpoint, not from the group's)
 * @param startingOffsets where a fresh start (no checkpoint or savepoint) begins to read
 * @param csvHeader the CSV header of the input's values, or null (JSON values)
 * @param transactionalIdPrefix the prefix of the exactly-once producers' transactional ids; the
 *     output sink uses {@code PREFIX-output}, the dead-letter sink {@code PREFIX-dead-letters}
 * @param bounded stop reading at the offsets that are the latest when the job starts
 */
public record KafkaSettings(
        Map<String, String> properties,
        String groupId,
        StartingOffsets startingOffsets,
        String csvHeader,
        String transactionalIdPrefix,
        boolean bounded) {

    /** The transaction timeout of the exactly-once producers unless a --kafka-property sets it. */
    static final String DEFAULT_TRANSACTION_TIMEOUT_MS = "60000";

    public KafkaSettings {
        properties = Map.copyOf(properties);
    }

    /** The default consumer group and transactional-id prefix: {@code flinox-MODEL}. */
    public static String defaultName(String modelName) {
        return "flinox-" + modelName;
    }

    /** Where a fresh start begins to read: {@code --starting-offsets earliest|latest|committed}. */
    public enum StartingOffsets {
        /** the beginning of each partition */
        EARLIEST,
        /** the end of each partition when the job starts: only records produced afterwards */
        LATEST,
        /** the group's committed offsets, or the beginning of a partition the group has none for */
        COMMITTED;

        public static StartingOffsets fromName(String name) {
            for (StartingOffsets s : values()) {
                if (s.name().equalsIgnoreCase(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("--starting-offsets must be earliest, latest or committed, got " + name);
        }

        @SuppressWarnings("deprecation") // the connector's API still takes the client's OffsetResetStrategy
        OffsetsInitializer initializer() {
            return switch (this) {
                case EARLIEST -> OffsetsInitializer.earliest();
                case LATEST -> OffsetsInitializer.latest();
                case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
            };
        }

        @Override
        public String toString() {
            return name().toLowerCase(Locale.ROOT);
        }
    }
}
