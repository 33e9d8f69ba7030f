package org.flinox.job;

import java.util.List;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * A log4j filter on the console of a stand-alone run ({@code log4j2.properties}) that drops the
 * stack traces Flink logs when a checkpoint meets a bounded job's finishing tasks, and nothing
 * else; with {@code --verbose} ({@link ConsoleLogging}) it drops nothing.
 *
 * <p>A bounded job keeps checkpointing while its tasks finish. A checkpoint triggered at that
 * moment is declined ("Checkpoint was declined (task is closing)", "TaskManager received a
 * checkpoint request for unknown task"), aborted as the coordinator stops, and aborting it can
 * make an operator coordinator complain ("Trying to open gateway for unseen checkpoint"). None
 * of it is wrong: the job ends with a final checkpoint of its own, and a checkpoint failure that
 * matters fails the job (none is tolerated), which is reported.
 */
@Plugin(name = "BenignCheckpointRaces", category = Core.CATEGORY_NAME, elementType = Filter.ELEMENT_TYPE)
public final class BenignCheckpointRaces extends AbstractFilter {
    static final List<String> MESSAGES = List.of(
            "Checkpoint was declined (task is closing)",
            "Checkpoint was declined (tasks not ready)",
            "TaskManager received a checkpoint request for unknown task",
            "Trying to open gateway for unseen checkpoint",
            "Checkpoint Coordinator is suspending",
            "Checkpoint Coordinator is shutting down");
    /** Logged when the embedded cluster shuts down after the job ended: nothing is lost. */
    static final String SHUTDOWN_RACE = "The scheduled executor service is shutdown and ignores the command";

    private BenignCheckpointRaces() {
        super(Filter.Result.DENY, Filter.Result.NEUTRAL);
    }

    /** The properties configuration passes onMatch and onMismatch to every filter; this one denies what matches. */
    @PluginFactory
    public static BenignCheckpointRaces createFilter(@PluginAttribute("onMatch") String onMatch,
            @PluginAttribute("onMismatch") String onMismatch) {
        return new BenignCheckpointRaces();
    }

    @Override
    public Filter.Result filter(LogEvent event) {
        if (ConsoleLogging.verbose()) {
            return onMismatch;
        }
        String message = event.getMessage() == null ? null : event.getMessage().getFormattedMessage();
        boolean shutdown = message != null && message.startsWith(SHUTDOWN_RACE);
        return shutdown || isBenign(event.getThrown()) ? onMatch : onMismatch;
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
