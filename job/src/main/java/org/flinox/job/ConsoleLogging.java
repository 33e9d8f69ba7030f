package org.flinox.job;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The console of a stand-alone run ({@code log4j2.properties} in the jar): Flinox's own lines,
 * Flink's warnings and errors, but not its per-checkpoint lines unless {@code --verbose}.
 *
 * <p>A bounded job checkpoints while its tasks finish; a checkpoint triggered at that moment is
 * declined ("Checkpoint was declined (task is closing)", "TaskManager received a checkpoint
 * request for unknown task") and {@code CheckpointCoordinator} and
 * {@code CheckpointFailureManager} log it with a stack trace, though nothing is wrong: the job
 * ends with a final checkpoint of its own. A checkpoint failure that matters fails the job
 * (no failed checkpoint is tolerated), and that error is printed. So both loggers stay quiet
 * unless {@code --verbose}. Under {@code flink run} the cluster's logging applies and this does
 * nothing.
 */
final class ConsoleLogging {
    static final String CHECKPOINT_COORDINATOR = "org.apache.flink.runtime.checkpoint.CheckpointCoordinator";
    static final String CHECKPOINT_FAILURES = "org.apache.flink.runtime.checkpoint.CheckpointFailureManager";

    private ConsoleLogging() {}

    static void apply(boolean verbose) {
        try {
            Configurator.setLevel(CHECKPOINT_COORDINATOR, verbose ? Level.INFO : Level.ERROR);
            Configurator.setLevel(CHECKPOINT_FAILURES, verbose ? Level.INFO : Level.ERROR);
        } catch (LinkageError | RuntimeException e) {
            // another logging backend: its own configuration applies
        }
    }
}
