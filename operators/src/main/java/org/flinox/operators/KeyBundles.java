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
 */
public record KeyBundles(int maxRecords, Duration maxLatency, long maxBytes) implements Serializable {

    /** No bundles: every record reads and writes its key's state. */
    public static final KeyBundles OFF = new KeyBundles(0, Duration.ofMillis(100), 0);

    /** The default memory bound of a bundle. */
    public static final long DEFAULT_MAX_BYTES = 64L << 20;

    public KeyBundles {
        if (maxRecords < 0) {
            throw new IllegalArgumentException("--bundle-size must be 0 (off) or positive, got " + maxRecords);
        }
        if (maxRecords > 0 && (maxLatency == null || maxLatency.isNegative() || maxLatency.isZero())) {
            throw new IllegalArgumentException("--bundle-latency must be positive, got " + maxLatency);
        }
    }

    /** Bundles of up to {@code maxRecords} records, flushed at least every {@code maxLatency}. */
    public static KeyBundles of(int maxRecords, Duration maxLatency) {
        return maxRecords == 0 ? OFF : new KeyBundles(maxRecords, maxLatency, DEFAULT_MAX_BYTES);
    }

    public boolean enabled() {
        return maxRecords > 0;
    }
}
