package org.flinox.job;

import java.util.concurrent.atomic.AtomicReference;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.flinox.operators.StateLayoutException;
import org.apache.logging.log4j.core.Filter;
import org.apache.logging.log4j.core.LogEvent;
import org.apache.logging.log4j.core.Core;
import org.apache.logging.log4j.core.config.plugins.Plugin;
import org.apache.logging.log4j.core.config.plugins.PluginAttribute;
import org.apache.logging.log4j.core.config.plugins.PluginFactory;
import org.apache.logging.log4j.core.filter.AbstractFilter;

/**
 * A log4j filter on the root logger of a stand-alone run ({@code log4j2.properties}) that sees
 * every task failure Flink logs ("... switched from RUNNING to FAILED with failure cause"):
 *
 * <ul>
 *   <li>it keeps the first one's cause, for the summary of a run that restarted ({@link RunSummary});
 *   <li>it drops the stack traces (per subtask, and the state backend's) of a failure that stops
 *       the job without restarts, or of a restored state that does not fit the model: the
 *       command's one line names the cause already. With {@code --verbose} or {@code -Dflinox.stacktrace=true} it drops nothing.
 * </ul>
 *
 * The embedded Flink runs in this JVM, so its tasks log here; under {@code flink run} the
 * cluster's logs hold them and none of this applies.
 */
@Plugin(name = "TaskFailures", category = Core.CATEGORY_NAME, elementType = Filter.ELEMENT_TYPE)
public final class TaskFailures extends AbstractFilter {
    private static final AtomicReference<String> FIRST = new AtomicReference<>();

    private TaskFailures() {
        super(Filter.Result.DENY, Filter.Result.NEUTRAL);
    }

    @PluginFactory
    public static TaskFailures createFilter(@PluginAttribute("onMatch") String onMatch,
            @PluginAttribute("onMismatch") String onMismatch) {
        return new TaskFailures();
    }

    /** Forgets what an earlier run in this JVM saw. */
    static void reset() {
        FIRST.set(null);
    }

    /** The first task failure's root cause since {@link #reset}, in one line, or null. */
    static String firstCause() {
        return FIRST.get();
    }

    @Override
    public Filter.Result filter(LogEvent event) {
        String message = event.getMessage() == null ? null : event.getMessage().getFormattedMessage();
        Throwable thrown = event.getThrown();
        if (thrown == null) {
            return onMismatch;
        }
        Throwable root = thrown;
        boolean suppressed = false;
        for (Throwable t = thrown; t != null; t = t.getCause() == t ? null : t.getCause()) {
            suppressed |= t instanceof SuppressRestartsException || t instanceof StateLayoutException;
            root = t;
        }
        if (message != null && message.contains(" to FAILED")) {
            String m = root.getMessage() == null ? "" : root.getMessage().strip();
            int newline = m.indexOf('\n');
            FIRST.compareAndSet(null, root.getClass().getSimpleName() + (m.isEmpty() ? ""
                    : ": " + (newline < 0 ? m : m.substring(0, newline))));
        }
        boolean quiet = !ConsoleLogging.verbose() && !Boolean.getBoolean("flinox.stacktrace");
        return suppressed && quiet ? onMatch : onMismatch;
    }
}
