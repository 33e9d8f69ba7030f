package org.flinox.operators;

import org.apache.flink.streaming.runtime.tasks.ProcessingTimeService;

/**
 * Finishes a key bundle when it holds {@link KeyBundles#maxRecords} records, when its records
 * and the states it will read are estimated at {@link KeyBundles#maxBytes} or more, or
 * {@link KeyBundles#maxLatency} after a record arrived in an empty bundle (a processing-time
 * timer; a bundle finished earlier leaves the timer to finish the next one early, never late).
 */
final class KeyBundleTrigger implements BundleTrigger {
    private static final long serialVersionUID = 1L;

    private final KeyBundles bundles;
    private transient Callback callback;
    private transient ProcessingTimeService time;
    private transient boolean timerPending;

    KeyBundleTrigger(KeyBundles bundles) {
        this.bundles = bundles;
    }

    @Override
    public void open(Callback callback, ProcessingTimeService time) {
        this.callback = callback;
        this.time = time;
    }

    @Override
    public void onElement(KeyBundle<?, ?> bundle) throws Exception {
        if (bundle.records() == 1 && !timerPending) {
            timerPending = true;
            time.registerTimer(time.getCurrentProcessingTime() + bundles.maxLatency().toMillis(), at -> {
                timerPending = false;
                callback.finishBundle();
            });
        }
        if (bundle.records() >= bundles.maxRecords() || bundle.bytes() >= bundles.maxBytes()) {
            callback.finishBundle();
        }
    }

    @Override
    public void reset() {
        // counts live in the bundle; a pending timer stays (see the class comment)
    }

    @Override
    public String explain() {
        return "key bundles of up to " + bundles.maxRecords() + " records or " + bundles.maxBytes()
                + " bytes, finished at the latest " + bundles.maxLatency() + " after their first record";
    }
}
