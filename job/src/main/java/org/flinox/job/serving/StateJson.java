package org.flinox.job.serving;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flinox.job.state.StateRowJson;
import org.flinox.operators.FinalState;
import org.flinox.operators.StateChange;

/**
 * A key's state as the live sinks write it: {@code {".mean": ROW, ".m2": ROW, ...}}, each ROW
 * the line {@code inspect} prints for that entry ({@link StateRowJson}), and the changelog's
 * record value around it: {@code {"model": ..., "version": ..., "checkpoint_id": N, "state": {...}}}
 * ({@code version} only in a run with {@code --model-updates}; {@code checkpoint_id} is absent
 * for the changes of a bounded input's end, committed with the final checkpoint).
 */
public final class StateJson {
    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StateJson() {}

    /** The state object: every entry by its StateKey name; null for a tombstone. */
    public static String state(StateChange change) {
        return change.isTombstone() ? null : write(stateNode(change));
    }

    /** The changelog's record value; null (a Kafka tombstone) when the key's state expired. */
    public static String changelogValue(StateChange change) {
        if (change.isTombstone()) {
            return null;
        }
        ObjectNode n = MAPPER.createObjectNode();
        n.put("model", change.model());
        if (change.version() != null) {
            n.put("version", change.version());
        }
        if (change.checkpointId() != StateChange.END_OF_INPUT) {
            n.put("checkpoint_id", change.checkpointId());
        }
        n.set("state", stateNode(change));
        return write(n);
    }

    private static ObjectNode stateNode(StateChange change) {
        ObjectNode state = MAPPER.createObjectNode();
        for (FinalState.Row row : change.rows()) {
            state.set(row.stateKey(), StateRowJson.node(row.toStateRow()));
        }
        return state;
    }

    private static String write(ObjectNode n) {
        try {
            return MAPPER.writeValueAsString(n);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
