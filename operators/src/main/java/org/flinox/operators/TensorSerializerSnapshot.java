package org.flinox.operators;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinox.nn.Tensor;

/**
 * What a checkpoint of the first, per-entry layout records about {@link TensorSerializer}: the
 * format the state was written in (the snapshot's version; only 1 exists).
 */
public final class TensorSerializerSnapshot implements TypeSerializerSnapshot<Tensor> {

    /** For Flink, which instantiates snapshots reflectively before reading them. */
    public TensorSerializerSnapshot() {}

    @Override
    public int getCurrentVersion() {
        return TensorSerializer.CURRENT_FORMAT;
    }

    @Override
    public void writeSnapshot(DataOutputView out) throws IOException {
        // nothing beyond the version Flink writes in front of this snapshot
    }

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) throws IOException {
        if (readVersion < 1 || readVersion > TensorSerializer.CURRENT_FORMAT) {
            throw new IOException("state was written with tensor format " + readVersion
                    + ", newer than this build reads (1.." + TensorSerializer.CURRENT_FORMAT + ")");
        }
    }

    @Override
    public TypeSerializer<Tensor> restoreSerializer() {
        return new TensorSerializer();
    }

    @Override
    public TypeSerializerSchemaCompatibility<Tensor> resolveSchemaCompatibility(TypeSerializerSnapshot<Tensor> old) {
        return old instanceof TensorSerializerSnapshot
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.incompatible();
    }
}
