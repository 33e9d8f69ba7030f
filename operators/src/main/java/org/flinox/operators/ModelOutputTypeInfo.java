package org.flinox.operators;

import java.util.Map;
import java.util.Objects;
import org.apache.flink.api.common.serialization.SerializerConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeutils.TypeSerializer;

/**
 * The type of {@link ModelOutput}{@code <T>}, built from {@code T}'s: a composite of the input's
 * type and {@code double[]}, serialized by {@link ModelOutputSerializer}. A type of its own
 * rather than a POJO or a tuple: the outputs are the hot path, and chained operators copy every
 * record, which a generic POJO serializer does reflectively.
 */
public final class ModelOutputTypeInfo<T> extends TypeInformation<ModelOutput<T>> {
    private static final long serialVersionUID = 1L;

    private final TypeInformation<T> inputType;

    public ModelOutputTypeInfo(TypeInformation<T> inputType) {
        this.inputType = Objects.requireNonNull(inputType, "inputType");
    }

    public TypeInformation<T> inputType() {
        return inputType;
    }

    @Override
    public boolean isBasicType() {
        return false;
    }

    @Override
    public boolean isTupleType() {
        return false;
    }

    @Override
    public int getArity() {
        return 2;
    }

    @Override
    public int getTotalFields() {
        return inputType.getTotalFields() + 1;
    }

    @Override
    @SuppressWarnings("unchecked")
    public Class<ModelOutput<T>> getTypeClass() {
        return (Class<ModelOutput<T>>) (Class<?>) ModelOutput.class;
    }

    @Override
    public Map<String, TypeInformation<?>> getGenericParameters() {
        return Map.of("T", inputType);
    }

    @Override
    public boolean isKeyType() {
        return false;
    }

    @Override
    public TypeSerializer<ModelOutput<T>> createSerializer(SerializerConfig config) {
        return new ModelOutputSerializer<>(inputType.createSerializer(config));
    }

    @Override
    public String toString() {
        return "ModelOutput<" + inputType + ">";
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof ModelOutputTypeInfo<?> other && other.canEqual(this) && inputType.equals(other.inputType);
    }

    @Override
    public int hashCode() {
        return 31 * ModelOutputTypeInfo.class.hashCode() + inputType.hashCode();
    }

    @Override
    public boolean canEqual(Object obj) {
        return obj instanceof ModelOutputTypeInfo;
    }
}
