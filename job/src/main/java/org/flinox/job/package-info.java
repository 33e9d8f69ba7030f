/**
 * The runnable job, {@code flinox-job [run|describe|inspect|bootstrap]}: the command line and the
 * dataflow. {@link org.flinox.job.FlinoxCli} parses the flags ({@link org.flinox.job.RunOptions}),
 * {@link org.flinox.job.JobRunner} checks them and resolves them into documented Flink
 * configuration keys ({@link org.flinox.job.JobSettings}), and {@link org.flinox.job.JobPipeline}
 * builds source → parse → key → model operator → JSON-lines sinks ({@link org.flinox.job.JsonLines}).
 * What a run prints lives here too: the console ({@link org.flinox.job.ConsoleLogging}), progress
 * and the summary ({@link org.flinox.job.Tally}, {@link org.flinox.job.RunSummary}).
 *
 * <p>The same shaded jar runs under {@code flink run} (Flink is {@code provided}) and under
 * {@code java -jar}, where {@link org.flinox.job.Launcher} starts an embedded Flink from the
 * jars the build copies to {@code job/target/flink-lib/}.
 *
 * <p>Subpackages, each importing none of this package: {@link org.flinox.job.spec} (the job's side of the model
 * spec, {@code describe}), {@link org.flinox.job.input} (formats, sources, parsing),
 * {@link org.flinox.job.kafka} (Kafka sources, sinks, probe), {@link org.flinox.job.state}
 * ({@code inspect}, {@code bootstrap}, savepoint writing).
 */
package org.flinox.job;
