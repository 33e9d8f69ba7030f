package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinox.nn.DType;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;

class TensorSerializerTest {
    private final TensorSerializer serializer = new TensorSerializer();

    private Tensor roundTrip(Tensor t) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(t, out);
        return serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void roundTripsFloat32AndFloat64OfAnyRank() throws IOException {
        Tensor f32 = Tensor.of(DType.FLOAT32, new int[] {2, 3}, 1.5, -2, 3.25, 0, 1e-3, 7);
        Tensor f64 = Tensor.vector(DType.FLOAT64, Math.PI, -1e300, 4.9e-324);
        Tensor scalar = Tensor.of(DType.FLOAT64, new int[] {}, 42);
        assertThat(roundTrip(f32)).isEqualTo(f32);
        assertThat(roundTrip(f64)).isEqualTo(f64);
        assertThat(roundTrip(scalar)).isEqualTo(scalar);
    }

    @Test
    void float32ValuesTakeFourBytesEach() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        serializer.serialize(Tensor.zeros(DType.FLOAT32, 16), out);
        // dtype byte + rank byte + one int dimension + 16 floats
        assertThat(out.length()).isEqualTo(1 + 1 + 4 + 16 * 4);
    }

    @Test
    void readsStateWrittenInFormatVersionOne() throws IOException {
        // Format 1 as documented, written by hand: float64, rank 1, [2], then 2 doubles.
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream v1 = new DataOutputStream(bytes);
        v1.writeByte(1);
        v1.writeByte(1);
        v1.writeInt(2);
        v1.writeDouble(0.5);
        v1.writeDouble(-8);
        TensorSerializer v1Reader = (TensorSerializer) snapshotOfFormat(1).restoreSerializer();
        Tensor read = v1Reader.deserialize(new DataInputDeserializer(bytes.toByteArray()));
        assertThat(read).isEqualTo(Tensor.vector(DType.FLOAT64, 0.5, -8));
    }

    @Test
    void snapshotRoundTripsThroughFlinksVersionedFormat() throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, serializer.snapshotConfiguration());
        TypeSerializerSnapshot<Tensor> read = TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), getClass().getClassLoader());
        assertThat(read).isInstanceOf(TensorSerializerSnapshot.class);
        assertThat(read.restoreSerializer()).isEqualTo(serializer);
        TypeSerializerSchemaCompatibility<Tensor> compat =
                serializer.snapshotConfiguration().resolveSchemaCompatibility(read);
        assertThat(compat.isCompatibleAsIs()).isTrue();
    }

    @Test
    void refusesAFormatNewerThanThisBuild() {
        assertThatThrownBy(() -> snapshotOfFormat(TensorSerializer.CURRENT_FORMAT + 1))
                .hasMessageContaining("newer than this build reads");
    }

    @Test
    void refusesCorruptDtype() {
        byte[] bad = {9, 1, 0, 0, 0, 1, 0, 0, 0, 0};
        assertThatThrownBy(() -> serializer.deserialize(new DataInputDeserializer(bad)))
                .hasMessageContaining("unknown dtype code 9");
    }

    private static TypeSerializerSnapshot<Tensor> snapshotOfFormat(int format) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(16);
        out.writeUTF(TensorSerializerSnapshot.class.getName());
        out.writeInt(format);
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(out.getCopyOfBuffer()), TensorSerializerTest.class.getClassLoader());
    }
}
