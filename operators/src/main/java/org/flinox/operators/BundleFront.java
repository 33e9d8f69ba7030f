package org.flinox.operators;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * Key bundles as a front of the model operator, in the shape of Flink SQL's
 * {@code AbstractMapBundleOperator}: records are buffered by key ({@link KeyBundle}), a
 * {@link BundleTrigger} decides when the bundle is finished, and finishing hands it to the
 * keyed function ({@link ModelRunner#finishBundle}): per key one state read, the key's records
 * in arrival order, one write. The operator also finishes it before every checkpoint barrier,
 * at every watermark and at the end of the input.
 */
final class BundleFront<K, T> {
    private final KeyBundle<K, T> bundle;
    private final BundleTrigger trigger;
    private final ModelRunner<K, T> runner;

    BundleFront(KeyBundle<K, T> bundle, BundleTrigger trigger, ModelRunner<K, T> runner) {
        this.bundle = bundle;
        this.trigger = trigger;
        this.runner = runner;
    }

    /** Buffers one record of {@code key}; the trigger may finish the bundle. */
    void add(K key, StreamRecord<T> record) throws Exception {
        bundle.add(key, runner.pending(record));
        trigger.onElement(bundle);
    }

    /** Runs every buffered record and empties the bundle. */
    void finishBundle() throws Exception {
        if (!bundle.isEmpty()) {
            runner.finishBundle(bundle.drain());
        }
        trigger.reset();
    }
}
