package org.flinox.job;

import java.util.List;
import org.apache.logging.log4j.Level;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.LoggerContext;
import org.apache.logging.log4j.core.config.Configurator;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * The console of a stand-alone run ({@code log4j2.properties} in the jar): Flinox's own lines,
 * Flink's warnings and errors, but no per-checkpoint line unless {@code --verbose}.
 *
 * <p>A bounded job keeps checkpointing while its tasks finish. A checkpoint triggered at that
 * moment is declined ("Checkpoint was declined (task is closing)", "TaskManager received a
 * checkpoint request for unknown task"), and aborting it can make an operator coordinator
 * complain ("Trying to open gateway for unseen checkpoint"). Flink logs each with a stack trace
 * though nothing is wrong: the job ends with a final checkpoint of its own, and a checkpoint
 * failure that matters fails the job (none is tolerated), which is reported. {@link
 * BenignCheckpointRaces} drops exactly those events; every other warning and error still shows.
 * Under {@code flink run} the cluster's logging applies and none of this is installed.
 */
final class ConsoleLogging {
    static final String CHECKPOINT_COORDINATOR = "org.apache.flink.runtime.checkpoint.CheckpointCoordinator";

    private ConsoleLogging() {}

    static void apply(boolean verbose) {
        try {
            Configurator.setLevel(CHECKPOINT_COORDINATOR, verbose ? Level.INFO : Level.WARN);
            if (!verbose && LogManager.getContext(false) instanceof LoggerContext context) {
                context.getConfiguration().addFilter(new BenignCheckpointRaces());
                context.updateLoggers();
            }
        } catch (LinkageError | RuntimeException e) {
            // another logging backend: its own configuration applies
        }
    }

    /** Denies the log events of a checkpoint that met finishing tasks; lets everything else through. */
    static final class BenignCheckpointRaces extends AbstractFilter {
        static final List<String> MESSAGES = List.of(
                "Checkpoint was declined (task is closing)",
                "TaskManager received a checkpoint request for unknown task",
                "Trying to open gateway for unseen checkpoint");

        BenignCheckpointRaces() {
            super(Filter.Result.DENY, Filter.Result.NEUTRAL);
        }

        @Override
        public Filter.Result filter(LogEvent event) {
            return isBenign(event.getThrown()) ? onMatch : onMismatch;
        }

        static boolean isBenign(Throwable thrown) {
            for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
                String m = t.getMessage();
                if (m != null && MESSAGES.stream().anyMatch(m::contains)) {
                    return true;
                }
            }
            return false;
        }
    }
}
