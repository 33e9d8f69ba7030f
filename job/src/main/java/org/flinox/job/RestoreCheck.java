package org.flinox.job;

import java.io.DataInputStream;
import java.io.IOException;
import java.util.Collection;
import org.apache.flink.runtime.checkpoint.Checkpoints;
import org.apache.flink.runtime.checkpoint.OperatorState;
import org.apache.flink.runtime.checkpoint.metadata.CheckpointMetadata;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.state.CompletedCheckpointStorageLocation;
import org.apache.flink.runtime.state.filesystem.AbstractFsCheckpointStorageAccess;
import org.apache.flink.streaming.api.graph.StreamGraphHasherV2;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Checks, before a job starts from {@code --restore}, that the savepoint holds the model's
 * state. A restore lets go of state nobody claims (a new input's source starts afresh), so a
 * renamed model would otherwise start from nothing without a word.
 */
final class RestoreCheck {
    private static final Logger LOG = LoggerFactory.getLogger(RestoreCheck.class);

    private RestoreCheck() {}

    /**
     * @param maxParallelism the job's {@code --max-parallelism}, which must be the one the state
     *     was written with (Flink would refuse it only after the job was submitted, with a message
     *     that does not say which flag to change)
     */
    static void requireOperatorState(String restorePath, String uid, int maxParallelism) {
        Collection<OperatorState> operators;
        try {
            CompletedCheckpointStorageLocation location =
                    AbstractFsCheckpointStorageAccess.resolveCheckpointPointer(restorePath);
            try (DataInputStream in = new DataInputStream(location.getMetadataHandle().openInputStream())) {
                CheckpointMetadata metadata =
                        Checkpoints.loadCheckpointMetadata(in, RestoreCheck.class.getClassLoader(), restorePath);
                operators = metadata.getOperatorStates();
            }
        } catch (IOException e) {
            if (OutputLocations.localPath(restorePath) != null) {
                // a local file that is not a savepoint: the job would fail the same way, later and louder
                throw new IllegalArgumentException("--restore " + restorePath + " is not a savepoint or checkpoint "
                        + "Flink can read: " + e.getMessage(), e);
            }
            // e.g. a file system this client has no plugin for: the cluster will still try
            LOG.warn("cannot read {} to check it holds the state of {}: {}", restorePath, uid, e.getMessage());
            return;
        }
        OperatorID wanted = new OperatorID(StreamGraphHasherV2.generateUserSpecifiedHash(uid));
        OperatorState model = operators.stream().filter(o -> o.getOperatorID().equals(wanted)).findFirst().orElse(null);
        if (model == null) {
            throw new IllegalArgumentException("--restore " + restorePath + " holds no state of operator " + uid
                    + ": was it written by a model with another name? The model's \"name\" must stay the same "
                    + "across savepoints.");
        }
        if (model.getMaxParallelism() != maxParallelism) {
            throw new IllegalArgumentException("--restore " + restorePath + " was written with --max-parallelism "
                    + model.getMaxParallelism() + ", the job has --max-parallelism " + maxParallelism
                    + ": the key groups are fixed for the life of the state; run with --max-parallelism "
                    + model.getMaxParallelism());
        }
    }
}
