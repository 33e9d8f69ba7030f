package org.flinox.operators;

import org.apache.flink.api.common.functions.Function;

/**
 * The features of a stream element, in the order the model takes them ({@code Reading::values},
 * {@code r -> new double[] {r.temperature(), r.humidity()}}). Serializable, as every Flink
 * function is: it ships with the job.
 *
 * <p>An element whose function throws, or returns null, is a dead letter
 * ({@link DeadLetterReason#NO_FEATURES}); one whose features are not finite is one too
 * ({@link DeadLetterReason#NOT_FINITE}). Neither touches the key's state.
 *
 * @param <T> the stream's element type
 */
@FunctionalInterface
public interface FeatureFunction<T> extends Function {

    /** The element's features; the array is not modified. */
    double[] features(T element) throws Exception;
}
