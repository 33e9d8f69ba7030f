package org.flinox.operators;

import java.io.IOException;
import java.util.Set;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinox.nn.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a checkpoint records about {@link StateSerializer}: the model's name and its
 * {@link StateLayout}. Restoring decides from the two layouts: the same → compatible as is;
 * entries added or dropped, or a changed entry that is reset ({@link ModelSettings#resetState}) → compatible
 * after migration (added and reset entries start from their initial values for every key);
 * a changed shape or dtype otherwise → a {@link StateLayoutException} naming the entry, both
 * layouts and how to reset it.
 */
public final class StateSerializerSnapshot implements TypeSerializerSnapshot<State> {
    private static final Logger LOG = LoggerFactory.getLogger(StateSerializerSnapshot.class);
    private static final int VERSION = 1;

    private String modelName;
    private StateLayout layout;
    private StateSerializer serializer; // the serializer this snapshot was taken of; null once read back

    /** For Flink, which instantiates snapshots reflectively before reading them. */
    public StateSerializerSnapshot() {}

    StateSerializerSnapshot(StateSerializer serializer) {
        this.modelName = serializer.modelName();
        this.layout = serializer.layout();
        this.serializer = serializer;
    }

    /** The layout of the state this snapshot describes. */
    public StateLayout layout() {
        return layout;
    }

    @Override
    public int getCurrentVersion() {
        return VERSION;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        out.writeUTF(modelName);
        layout.write(out);
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        if (readVersion != VERSION) {
            throw new IOException("the state was written in packed state format " + readVersion
                    + "; this build reads format " + VERSION);
        }
        modelName = in.readUTF();
        layout = StateLayout.read(in);
    }

    @Override
    public TypeSerializer<State> restoreSerializer() {
        return serializer != null ? serializer : new StateSerializer(modelName, layout.zeros(), Set.of());
    }

    @Override
    public TypeSerializerSchemaCompatibility<State> resolveSchemaCompatibility(TypeSerializerSnapshot<State> old) {
        if (!(old instanceof StateSerializerSnapshot previous)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        Set<String> reset = serializer != null ? serializer.reset() : Set.of();
        StateLayout.Change change = layout.changeFrom(previous.layout, reset);
        if (!change.refused().isEmpty()) {
            throw new StateLayoutException(modelName, change.refused(), previous.layout.toString(), layout.toString());
        }
        if (previous.layout.equals(layout)) {
            return TypeSerializerSchemaCompatibility.compatibleAsIs();
        }
        change.added().forEach(e -> LOG.info("model {}: new state entry {} starts from its initial value", modelName, e));
        change.dropped().forEach(e -> LOG.info("model {}: dropping state entry {}, which the model no longer has",
                modelName, e));
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
}
