package org.flinox.operators;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinox.nn.DType;
import org.flinox.nn.Tensor;

/**
 * Reads (and writes) a {@link Tensor} as dtype, shape and raw values: the value format of the
 * first state layout, one {@code ValueState<Tensor>} per entry, which savepoints up to
 * 2026-11-26 hold ({@link LegacyEntries} moves them into the packed {@link ModelState}).
 * Format version 1, the layout of every value:
 *
 * <pre>byte  dtype   0 = float32, 1 = float64
 * byte  rank
 * int   dim × rank
 * f32 or f64 × size   (big-endian, as DataOutput writes them)</pre>
 *
 * The version is recorded in the {@link TensorSerializerSnapshot} of those savepoints.
 */
public final class TensorSerializer extends TypeSerializer<Tensor> {
    private static final long serialVersionUID = 1L;

    /** The format this class writes. */
    public static final int CURRENT_FORMAT = 1;


    @Override
    public boolean isImmutableType() {
        return true; // Tensor is immutable, so copies can be the same instance
    }

    @Override
    public TypeSerializer<Tensor> duplicate() {
        return this; // stateless
    }

    @Override
    public Tensor createInstance() {
        return Tensor.zeros(DType.FLOAT32, 0);
    }

    @Override
    public Tensor copy(Tensor from) {
        return from;
    }

    @Override
    public Tensor copy(Tensor from, Tensor reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(Tensor t, DataOutputView out) throws IOException {
        out.writeByte(t.dtype() == DType.FLOAT32 ? 0 : 1);
        out.writeByte(t.rank());
        for (int i = 0; i < t.rank(); i++) {
            out.writeInt(t.dim(i));
        }
        int n = t.size();
        if (t.dtype() == DType.FLOAT32) {
            for (int i = 0; i < n; i++) {
                out.writeFloat((float) t.get(i));
            }
        } else {
            for (int i = 0; i < n; i++) {
                out.writeDouble(t.get(i));
            }
        }
    }

    @Override
    public Tensor deserialize(DataInputView in) throws IOException {
        int code = in.readByte();
        DType dtype = switch (code) {
            case 0 -> DType.FLOAT32;
            case 1 -> DType.FLOAT64;
            default -> throw new IOException("corrupt tensor state: unknown dtype code " + code);
        };
        int rank = in.readByte();
        int[] shape = new int[rank];
        long size = 1;
        for (int i = 0; i < rank; i++) {
            shape[i] = in.readInt();
            size *= shape[i];
        }
        double[] data = new double[Math.toIntExact(size)];
        if (dtype == DType.FLOAT32) {
            for (int i = 0; i < data.length; i++) {
                data[i] = in.readFloat();
            }
        } else {
            for (int i = 0; i < data.length; i++) {
                data[i] = in.readDouble();
            }
        }
        return Tensor.adopt(dtype, shape, data);
    }

    @Override
    public Tensor deserialize(Tensor reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof TensorSerializer;
    }

    @Override
    public int hashCode() {
        return TensorSerializer.class.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<Tensor> snapshotConfiguration() {
        return new TensorSerializerSnapshot();
    }
}
