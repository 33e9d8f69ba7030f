package org.flinox.tests;

import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.state.CheckpointListener;
import org.flinox.operators.FeatureRecord;

/**
 * Passes records through and throws once per pending failure, each time only after a
 * checkpoint has completed in the current attempt and {@code afterRecords} records have gone
 * by since it started (the shape of Flink's own failure ITCases). The count of pending
 * failures is static: it survives the restart, so each failure happens exactly once.
 */
final class InjectedFailure implements MapFunction<FeatureRecord, FeatureRecord>, CheckpointListener {
    static final AtomicInteger PENDING = new AtomicInteger();

    private final long afterRecords;
    private transient long seen;
    private transient volatile boolean checkpointCompleted;

    InjectedFailure(long afterRecords) {
        this.afterRecords = afterRecords;
    }

    @Override
    public FeatureRecord map(FeatureRecord record) {
        seen++;
        if (checkpointCompleted && seen >= afterRecords && PENDING.get() > 0 && PENDING.getAndDecrement() > 0) {
            throw new IllegalStateException("injected failure at record " + record.source() + "#" + record.seq());
        }
        return record;
    }

    @Override
    public void notifyCheckpointComplete(long checkpointId) {
        checkpointCompleted = true;
    }
}
