package org.flinox.operators;

/**
 * A validated input record: the stream key and the finite feature values, in the order of
 * the job's features, with where the record came from.
 *
 * @param key the stream key (a user, a sensor, a symbol)
 * @param source the input's name: a file name, or {@code TOPIC-PARTITION}
 * @param seq the record's position among that source's data rows, from 0
 * @param raw the record as it was read, for dead letters further down
 * @param features the feature values, all finite
 */
public record FeatureRecord(String key, String source, long seq, String raw, double[] features) implements SizedElement {

    /** The strings' characters (the features are counted by the bundle). */
    @Override
    public long estimatedBytes() {
        return 2L * (length(raw) + length(key) + length(source));
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
    }
}
