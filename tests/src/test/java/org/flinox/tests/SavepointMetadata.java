package org.flinox.tests;

import java.io.DataInputStream;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.IncrementalKeyedStateHandle;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;

/**
 * What Flink's own metadata of a savepoint or checkpoint says about one operator: at what
 * parallelism it ran and how many of its subtasks stored keyed state. Independent of how
 * Flinox lays out its state inside.
 */
final class SavepointMetadata {

    private SavepointMetadata() {}

    /** The operator with this uid, as the savepoint at {@code path} recorded it. */
    static OperatorState operator(String path, String uid) throws Exception {
        CompletedCheckpointStorageLocation location = AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(path);
        CheckpointMetadata metadata;
        try (DataInputStream in = new DataInputStream(location.getMetadataHandle().openInputStream())) {
            metadata = Checkpoints.loadCheckpointMetadata(in, SavepointMetadata.class.getClassLoader(), path);
        }
        OperatorID id = new OperatorID(StreamGraphHasherV2.generateUserSpecifiedHash(uid));
        return metadata.getOperatorStates().stream().filter(o -> o.getOperatorID().equals(id)).findFirst()
                .orElseThrow(() -> new AssertionError(path + " holds no operator " + uid));
    }

    /** Whether every subtask's keyed state is an incremental RocksDB snapshot (shared files, not a full copy). */
    static boolean keyedStateIsIncremental(OperatorState operator) {
        var handles = operator.getSubtaskStates().values().stream().flatMap(s -> s.getManagedKeyedState().stream()).toList();
        return !handles.isEmpty() && handles.stream().allMatch(h -> h instanceof IncrementalKeyedStateHandle);
    }

    /** How many subtasks of the operator stored managed keyed state. */
    static long subtasksWithKeyedState(OperatorState operator) {
        return operator.getSubtaskStates().values().stream().filter(OperatorSubtaskState::hasState)
                .filter(s -> !s.getManagedKeyedState().isEmpty()).count();
    }
}
