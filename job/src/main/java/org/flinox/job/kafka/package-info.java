/**
 * Kafka: {@code kafka://servers/topic} addresses, the source of raw lines and the exactly-once
 * (transactional) sinks ({@link org.flinox.job.kafka.KafkaConnectors}), their settings, and the
 * start-time probe that fails fast on an unreachable broker.
 *
 * <p>Imports Flink's Kafka connector and {@link org.flinox.job.input} (lines are decoded as files are).
 */
package org.flinox.job.kafka;
