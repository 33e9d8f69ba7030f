package org.flinox.job;

import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.core.config.Configurator;

/**
 * The console of a stand-alone run ({@code log4j2.properties} in the jar): Flinox's own lines,
 * Flink's warnings and errors, but no per-checkpoint line, no per-subtask throughput line and
 * none of the {@link BenignCheckpointRaces} unless {@code --verbose}. Under {@code flink run}
 * the cluster's logging applies and none of this is called.
 */
final class ConsoleLogging {
    static final String CHECKPOINT_COORDINATOR = "org.apache.flink.runtime.checkpoint.CheckpointCoordinator";
    /**
     * Warns of every failed checkpoint. A failure that counts fails the job (none is tolerated)
     * and is reported then; the others (declined by finishing tasks, the coordinator suspending
     * as the job ends) Flink itself ignores.
     */
    static final String CHECKPOINT_FAILURES = "org.apache.flink.runtime.checkpoint.CheckpointFailureManager";
    /** Logs each model subtask's throughput; the job-wide progress line replaces it unless --verbose. */
    static final String PER_SUBTASK_PROGRESS = "org.flinox.operators.ModelMetrics";
    private static final String VERBOSE = "flinox.verbose";

    private ConsoleLogging() {}

    static void apply(boolean verbose) {
        // a system property: Flink's RPC classes log through a logger context of their own
        System.setProperty(VERBOSE, Boolean.toString(verbose));
        try {
            Configurator.setLevel(CHECKPOINT_COORDINATOR, verbose ? Level.INFO : Level.WARN);
            Configurator.setLevel(PER_SUBTASK_PROGRESS, verbose ? Level.INFO : Level.WARN);
            Configurator.setLevel(CHECKPOINT_FAILURES, verbose ? Level.INFO : Level.ERROR);
        } catch (LinkageError | RuntimeException e) {
            // another logging backend: its own configuration applies
        }
    }

    static boolean verbose() {
        return Boolean.getBoolean(VERBOSE);
    }
}
