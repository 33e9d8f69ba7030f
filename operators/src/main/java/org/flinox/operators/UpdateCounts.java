package org.flinox.operators;

import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.RuntimeContext;

/**
 * The model versions as accumulators, for a run's summary and progress line: the version
 * running, the updates applied and refused. Every parallel instance decides alike, so the first
 * one alone reports (summed over instances, the counts would be multiplied). The values are the
 * ones kept in the broadcast state, set rather than added to, so a restarted task reports the
 * counts of the whole job, not of its own attempt.
 */
public final class UpdateCounts {
    public static final String VERSION = "flinox.modelVersion";
    public static final String APPLIED = "flinox.modelUpdatesApplied";
    public static final String REFUSED = "flinox.modelUpdatesRefused";

    private final LongCounter applied = new LongCounter();
    private final LongCounter refused = new LongCounter();
    private final ListAccumulator<String> version = new ListAccumulator<>();

    private UpdateCounts() {}

    /** The accumulators of subtask 0; the others report nothing. */
    static UpdateCounts register(RuntimeContext context, ModelVersions versions) {
        UpdateCounts c = new UpdateCounts();
        if (context.getTaskInfo().getIndexOfThisSubtask() == 0) {
            context.addAccumulator(VERSION, c.version);
            context.addAccumulator(APPLIED, c.applied);
            context.addAccumulator(REFUSED, c.refused);
        }
        c.update(versions);
        return c;
    }

    void update(ModelVersions versions) {
        applied.resetLocal();
        applied.add(versions.appliedCount());
        refused.resetLocal();
        refused.add(versions.refusedCount());
        version.resetLocal();
        version.add(versions.version());
    }
}
