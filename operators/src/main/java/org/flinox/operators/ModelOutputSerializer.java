package org.flinox.operators;

import java.io.IOException;
import org.apache.flink.api.common.typeutils.CompositeTypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.api.common.typeutils.base.array.DoublePrimitiveArraySerializer;
import org.apache.flink.api.java.typeutils.runtime.NullableSerializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;

/**
 * Writes a {@link ModelOutput}: the input with its own serializer, then the output as Flink
 * writes a {@code double[]} (its length, then the values), then the model version as a nullable
 * string (one byte when there is none). Its {@link Snapshot} holds the input
 * serializer's, so a change of the input type is resolved by that type's own compatibility.
 */
public final class ModelOutputSerializer<T> extends TypeSerializer<ModelOutput<T>> {
    private static final long serialVersionUID = 1L;
    private static final DoublePrimitiveArraySerializer OUTPUT = DoublePrimitiveArraySerializer.INSTANCE;
    private static final TypeSerializer<String> MODEL_VERSION = NullableSerializer.wrap(StringSerializer.INSTANCE, true);

    private final TypeSerializer<T> input;

    public ModelOutputSerializer(TypeSerializer<T> input) {
        this.input = input;
    }

    TypeSerializer<T> inputSerializer() {
        return input;
    }

    @Override
    public boolean isImmutableType() {
        return false; // the output array is not
    }

    @Override
    public TypeSerializer<ModelOutput<T>> duplicate() {
        TypeSerializer<T> copy = input.duplicate();
        return copy == input ? this : new ModelOutputSerializer<>(copy);
    }

    @Override
    public ModelOutput<T> createInstance() {
        return new ModelOutput<>(input.createInstance(), new double[0]);
    }

    @Override
    public ModelOutput<T> copy(ModelOutput<T> from) {
        return new ModelOutput<>(input.copy(from.input()), from.output().clone(), from.modelVersion());
    }

    @Override
    public ModelOutput<T> copy(ModelOutput<T> from, ModelOutput<T> reuse) {
        return copy(from);
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(ModelOutput<T> record, DataOutputView target) throws IOException {
        input.serialize(record.input(), target);
        OUTPUT.serialize(record.output(), target);
        MODEL_VERSION.serialize(record.modelVersion(), target);
    }

    @Override
    public ModelOutput<T> deserialize(DataInputView source) throws IOException {
        T in = input.deserialize(source);
        double[] out = OUTPUT.deserialize(source);
        return new ModelOutput<>(in, out, MODEL_VERSION.deserialize(source));
    }

    @Override
    public ModelOutput<T> deserialize(ModelOutput<T> reuse, DataInputView source) throws IOException {
        return deserialize(source);
    }

    @Override
    public void copy(DataInputView source, DataOutputView target) throws IOException {
        input.copy(source, target);
        OUTPUT.copy(source, target);
        MODEL_VERSION.copy(source, target);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ModelOutputSerializer<?> other && input.equals(other.input);
    }

    @Override
    public int hashCode() {
        return input.hashCode();
    }

    @Override
    public TypeSerializerSnapshot<ModelOutput<T>> snapshotConfiguration() {
        return new Snapshot<>(this);
    }

    /**
     * The input serializer's snapshot; the output's format is fixed (outer version 2: with the
     * model version). Outputs are records in flight, never state, so version 1 is not read.
     */
    public static final class Snapshot<T> extends CompositeTypeSerializerSnapshot<ModelOutput<T>, ModelOutputSerializer<T>> {
        private static final int VERSION = 2;

        /** For Flink, which instantiates snapshots reflectively before reading them. */
        public Snapshot() {}

        Snapshot(ModelOutputSerializer<T> serializer) {
            super(serializer);
        }

        @Override
        protected int getCurrentOuterSnapshotVersion() {
            return VERSION;
        }

        @Override
        protected TypeSerializer<?>[] getNestedSerializers(ModelOutputSerializer<T> outer) {
            return new TypeSerializer<?>[] {outer.input};
        }

        @Override
        @SuppressWarnings("unchecked")
        protected ModelOutputSerializer<T> createOuterSerializerWithNestedSerializers(TypeSerializer<?>[] nested) {
            return new ModelOutputSerializer<>((TypeSerializer<T>) nested[0]);
        }
    }
}
