package org.flinox.operators;

import java.io.Serializable;
import java.time.Duration;

/**
 * Key bundles (Flink SQL's mini-batch idea applied to keyed modules): records are buffered
 * per subtask and, per distinct key, the state is read once, that key's records go through
 * the forward pass in arrival order, and the state is written once. A bundle is flushed when
 * it holds {@code maxRecords} records, when its records and the states it will read would
 * take more than {@code maxBytes}, {@code maxLatency} after its first record, before every
 * checkpoint barrier and at the end of the input.
 *
 * @param maxRecords records per bundle; 0 turns bundles off (one read and write per record)
 * @param maxLatency the longest a record waits in a bundle
 * @param maxBytes the bundle's memory bound: records' estimated size plus one state per distinct key
 * @param forward per record, batched over keys, or chosen by the measured rule
 */
public record KeyBundles(int maxRecords, Duration maxLatency, long maxBytes, Forward forward) implements Serializable {

    /**
     * How a bundle's records go through the model: {@code AUTO} batches a round of distinct
     * keys into one ND4J forward when the measured rule says it pays
     * (BENCHMARKS.md, B4), {@code PER_RECORD} never does, {@code BATCHED} always does.
     */
    public enum Forward { AUTO, PER_RECORD, BATCHED }

    /** No bundles: every record reads and writes its key's state. */
    public static final KeyBundles OFF = new KeyBundles(0, Duration.ofMillis(100), 0, Forward.PER_RECORD);

    /** The default memory bound of a bundle. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;

    public KeyBundles {
        if (forward == null) {
            throw new IllegalArgumentException("a key bundle's forward must be AUTO, PER_RECORD or BATCHED, got null");
        }
        if (maxRecords < 0) {
            throw new IllegalArgumentException("a key bundle's size must be 0 (off) or positive, got " + maxRecords);
        }
        if (maxRecords > 0 && (maxLatency == null || maxLatency.isNegative() || maxLatency.isZero())) {
            throw new IllegalArgumentException("a key bundle's latency must be positive, got " + maxLatency);
        }
    }

    /** Bundles of up to {@code maxRecords} records, flushed at least every {@code maxLatency}. */
    public static KeyBundles of(int maxRecords, Duration maxLatency) {
        return of(maxRecords, maxLatency, Forward.AUTO);
    }

    /** Bundles whose records go through the model as {@code forward} says. */
    public static KeyBundles of(int maxRecords, Duration maxLatency, Forward forward) {
        return maxRecords == 0 ? OFF : new KeyBundles(maxRecords, maxLatency, DEFAULT_MAX_BYTES, forward);
    }

    public boolean enabled() {
        return maxRecords > 0;
    }
}
