package org.flinox.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The model's output for one accepted element, with the element itself.
 *
 * @param input the stream element the output is for, as it came in
 * @param output the forward pass's output (z-scores for {@code standardize}, in feature order)
 * @param <T> the stream's element type
 */
public record ModelOutput<T>(T input, double[] output) {

    /** Flink's type of the outputs of a stream of {@code inputType}: {@code T}'s serializer and a {@code double[]}, no Kryo. */
    public static <T> TypeInformation<ModelOutput<T>> typeInfo(TypeInformation<T> inputType) {
        return new ModelOutputTypeInfo<>(inputType);
    }
}
