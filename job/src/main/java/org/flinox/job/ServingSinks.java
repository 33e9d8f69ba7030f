package org.flinox.job;

import java.io.Serializable;
import java.util.Map;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamSink;
import org.flinox.job.kafka.KafkaAddress;
import org.flinox.job.kafka.KafkaSettings;
import org.flinox.job.serving.PostgresStateSink;
import org.flinox.job.serving.StateChangelog;
import org.flinox.operators.StateChange;

/**
 * Where each checkpoint's changed keys go, from {@code --state-changelog} and
 * {@code --state-sink}; both checked (the topic compacted, the table of the right shape) when the
 * flags are resolved, so a mistake stops the job at start.
 *
 * @param changelog the compacted topic, or null
 * @param jdbcUrl the PostgreSQL URL, or null
 * @param table the PostgreSQL table
 */
public record ServingSinks(KafkaAddress changelog, String jdbcUrl, String table) implements Serializable {

    /** No live state sinks. */
    public static final ServingSinks NONE = new ServingSinks(null, null, PostgresStateSink.DEFAULT_TABLE);

    /** The sinks of the flags, checked; {@code table} null: {@value PostgresStateSink#DEFAULT_TABLE}. */
    static ServingSinks resolve(String changelog, String jdbcUrl, String table, Map<String, String> kafkaProperties) {
        KafkaAddress topic = null;
        if (changelog != null) {
            if (!KafkaAddress.isKafka(changelog)) {
                throw new IllegalArgumentException("--state-changelog " + changelog + " is not a Kafka topic: expected "
                        + "kafka://HOST:PORT/TOPIC");
            }
            topic = KafkaAddress.parse(changelog);
            StateChangelog.requireCompactedTopic(topic, kafkaProperties);
        }
        if (table != null && jdbcUrl == null) {
            throw new IllegalArgumentException("--state-sink-table " + table + " names the table of --state-sink, "
                    + "which is not given: add --state-sink jdbc:postgresql://...");
        }
        String name = table != null ? table : PostgresStateSink.DEFAULT_TABLE;
        if (jdbcUrl != null) {
            PostgresStateSink.requireTable(jdbcUrl, name);
        }
        return new ServingSinks(topic, jdbcUrl, name);
    }

    /** Whether the model emits its state changes. */
    public boolean any() {
        return changelog != null || jdbcUrl != null;
    }

    /** The sinks of the model's state changes, at the model's parallelism (each key at one subtask). */
    void write(DataStream<StateChange> changes, KafkaSettings kafka, Integer parallelism) {
        if (changelog != null) {
            parallel(changes.sinkTo(StateChangelog.sink(changelog, kafka)).uid("flinox-state-changelog-kafka")
                    .name("state changelog"), parallelism);
        }
        if (jdbcUrl != null) {
            parallel(changes.sinkTo(PostgresStateSink.sink(jdbcUrl, table)).uid("flinox-state-sink-jdbc")
                    .name("state sink"), parallelism);
        }
    }

    private static void parallel(DataStreamSink<?> sink, Integer parallelism) {
        if (parallelism != null) {
            sink.setParallelism(parallelism);
        }
    }
}
