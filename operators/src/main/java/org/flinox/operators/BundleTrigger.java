package org.flinox.operators;

import java.io.Serializable;
import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * Decides when a key bundle is finished, in the shape of Flink SQL's {@code BundleTrigger}
 * ({@code org.apache.flink.table.runtime.operators.bundle.trigger}): told of every record
 * added, it calls back {@link Callback#finishBundle} when the bundle should be run.
 */
interface BundleTrigger extends Serializable {

    /** What the trigger calls when the bundle is to be finished. */
    @FunctionalInterface
    interface Callback {
        void finishBundle() throws Exception;
    }

    /** Registers the callback; {@code time} for triggers on latency. */
    void open(Callback callback, ProcessingTimeService time);

    /** Called after every record added to {@code bundle}. */
    void onElement(KeyBundle<?, ?> bundle) throws Exception;

    /** Back to the state of an empty bundle; called when a bundle was finished. */
    void reset();

    /** What the trigger fires on, for the log. */
    String explain();
}
