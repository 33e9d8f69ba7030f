/**
 * Live per-key state for serving: each checkpoint's changed keys ({@link org.flinox.operators.StateChange})
 * to a compacted Kafka topic, exactly once ({@link org.flinox.job.serving.StateChangelog}), and
 * upserted into a PostgreSQL table ({@link org.flinox.job.serving.PostgresStateSink}); the state as
 * JSON by StateKey name, each entry the row {@code inspect} prints ({@link org.flinox.job.serving.StateJson}).
 *
 * <p>Imports Flink's Kafka and JDBC connectors, {@link org.flinox.job.kafka} (the exactly-once sink)
 * and {@link org.flinox.job.state} (the rows).
 */
package org.flinox.job.serving;
