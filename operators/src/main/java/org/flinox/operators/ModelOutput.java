package org.flinox.operators;

import org.apache.flink.api.common.typeinfo.TypeInformation;

/**
 * The model's output for one accepted element, with the element itself.
 *
 * @param input the stream element the output is for, as it came in
 * @param output the forward pass's output (z-scores for {@code standardize}, in feature order)
 * @param modelVersion the version of the weights that computed it, when the model takes updates
 *     ({@link Flinox#apply} with a {@link ModelUpdates}); null otherwise
 * @param <T> the stream's element type
 */
public record ModelOutput<T>(T input, double[] output, String modelVersion) {

    /** The output of a model that takes no updates. */
    public ModelOutput(T input, double[] output) {
        this(input, output, null);
    }

    /** Flink's type of the outputs of a stream of {@code inputType}: {@code T}'s serializer and a {@code double[]}, no Kryo. */
    public static <T> TypeInformation<ModelOutput<T>> typeInfo(TypeInformation<T> inputType) {
        return new ModelOutputTypeInfo<>(inputType);
    }
}
