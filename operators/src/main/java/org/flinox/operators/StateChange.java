package org.flinox.operators;

import org.apache.flink.util.OutputTag;

/**
 * One key's state as a checkpoint holds it, for a live changelog: emitted by {@link ModelOperator}
 * (with {@link ModelSettings#withStateChanges}) for each key whose state changed since the
 * previous checkpoint, just before that checkpoint's barrier, so an exactly-once sink commits it
 * with the checkpoint. Plain fields, so Flink serializes it without Kryo.
 *
 * @param key the stream key, as {@code String.valueOf} writes it
 * @param model the model's name
 * @param version the model version in force (a run with model updates), or null
 * @param checkpointId the checkpoint whose state this is, or {@link #END_OF_INPUT}
 * @param rows every entry of the key's state, in layout order; null: a tombstone (the key's
 *     state expired under the state TTL)
 */
public record StateChange(String key, String model, String version, long checkpointId, FinalState.Row[] rows) {

    /**
     * The checkpoint id of the changes emitted when a bounded input ends: they are committed with
     * the job's final checkpoint, whose id the operator cannot know before its barrier.
     */
    public static final long END_OF_INPUT = -1;

    /** The side output of state changes. */
    public static final OutputTag<StateChange> TAG = new OutputTag<>("state-changes") {};

    public boolean isTombstone() {
        return rows == null;
    }
}
