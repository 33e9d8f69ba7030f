package org.flinox.operators;

import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;

/**
 * A record on its way through the model: the element, its features (read once, when it
 * arrives) and the timestamp it came with, which its output keeps.
 *
 * @param element the stream element
 * @param features its features, or null when the {@link FeatureFunction} failed on it
 * @param noFeatures why there are none (the function's exception), or null
 * @param timestamp the record's timestamp, or {@link #NO_TIMESTAMP}
 */
record Pending<T>(T element, double[] features, String noFeatures, long timestamp) {
    static final long NO_TIMESTAMP = Long.MIN_VALUE;

    /** The record with its features read by {@code function}; a failure is kept, not thrown. */
    static <T> Pending<T> of(StreamRecord<T> record, FeatureFunction<T> function) {
        T element = record.getValue();
        long timestamp = record.hasTimestamp() ? record.getTimestamp() : NO_TIMESTAMP;
        try {
            double[] x = function.features(element);
            return x != null ? new Pending<>(element, x, null, timestamp)
                    : new Pending<>(element, null, "the features function returned null", timestamp);
        } catch (Exception e) {
            return new Pending<>(element, null, "the features function failed: " + e, timestamp);
        }
    }
}
