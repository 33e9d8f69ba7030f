/**
 * Per-key state outside a running job: {@code flinox-job inspect} reads it from a savepoint as
 * JSON rows, {@code flinox-job bootstrap} writes rows into a new savepoint
 * ({@link org.flinox.job.state.StateSavepointWriter}); {@code --final-state} of a run with
 * {@code --final-savepoint} is read from that savepoint as {@code inspect} reads it.
 *
 * <p>Imports Flink's State Processor API, {@link org.flinox.job.spec} and {@link org.flinox.job.input}.
 */
package org.flinox.job.state;
