/**
 * The runnable job: {@code flinox-job [run|describe|inspect|bootstrap]}.
 *
 * <p>The dataflow ({@link org.flinox.job.JobPipeline}) reads lines (files, a watched directory,
 * or a Kafka topic), parses them into feature records (bad ones become dead letters with their
 * reason), keys them, runs the model operator and writes JSON lines exactly once. The model
 * comes from a JSON spec ({@link org.flinox.job.ModelSpec}); every flag is resolved in
 * {@link org.flinox.job.JobRunner} into documented Flink configuration keys.
 *
 * <p>The same shaded jar runs under {@code flink run} (Flink is {@code provided}) and under
 * {@code java -jar}, where {@link org.flinox.job.Launcher} starts an embedded Flink from the
 * jars the build copies to {@code job/target/flink-lib/}.
 */
package org.flinox.job;
