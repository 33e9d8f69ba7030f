package org.flinox.operators;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinox.nn.Tensor;

/**
 * What a checkpoint records about {@link TensorSerializer}: the format the state was written
 * in (the snapshot's version). A newer build restores older state by reading it with the
 * old format and rewriting it in the current one.
 */
public final class TensorSerializerSnapshot implements TypeSerializerSnapshot<Tensor> {
    private int format;

    /** For Flink, which instantiates snapshots reflectively before reading them. */
    public TensorSerializerSnapshot() {
        this(TensorSerializer.CURRENT_FORMAT);
    }

    TensorSerializerSnapshot(int format) {
        this.format = format;
    }

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
        format = readVersion;
    }

    /** The format of the state this snapshot describes. */
    int format() {
        return format;
    }

    @Override
    public TypeSerializer<Tensor> restoreSerializer() {
        return new TensorSerializer(format);
    }

    @Override
    public TypeSerializerSchemaCompatibility<Tensor> resolveSchemaCompatibility(TypeSerializerSnapshot<Tensor> old) {
        if (!(old instanceof TensorSerializerSnapshot previous)) {
            return TypeSerializerSchemaCompatibility.incompatible();
        }
        return previous.format == format
                ? TypeSerializerSchemaCompatibility.compatibleAsIs()
                : TypeSerializerSchemaCompatibility.compatibleAfterMigration();
    }
}
