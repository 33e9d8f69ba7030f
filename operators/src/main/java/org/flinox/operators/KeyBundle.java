package org.flinox.operators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The buffer of a key bundle: records grouped by key in the order keys first arrived, each
 * key's records in arrival order. Not state: the operator finishes the bundle before every
 * checkpoint barrier, so a checkpoint never holds a half-processed one.
 *
 * @param <K> the stream's key type
 * @param <T> the stream's element type
 */
final class KeyBundle<K, T> {
    /** The estimated bytes of a buffered record besides its features: the record, its list slot, the element. */
    private static final int RECORD_OVERHEAD_BYTES = 96;

    private final Map<K, List<Pending<T>>> byKey = new LinkedHashMap<>();
    private final long stateBytesPerKey;
    private int records;
    private long recordBytes;

    /** @param stateBytesPerKey what one key's state takes in memory while the bundle is finished */
    KeyBundle(long stateBytesPerKey) {
        this.stateBytesPerKey = stateBytesPerKey;
    }

    void add(K key, Pending<T> record) {
        byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(record);
        records++;
        recordBytes += RECORD_OVERHEAD_BYTES + (record.features() == null ? 0 : 8L * record.features().length)
                + (record.element() instanceof SizedElement sized ? sized.estimatedBytes() : 0);
    }

    int records() {
        return records;
    }

    boolean isEmpty() {
        return records == 0;
    }

    /** Estimated bytes of the buffered records and of the states their keys will read. */
    long bytes() {
        return recordBytes + stateBytesPerKey * byKey.size();
    }

    /** The records by key, and empties the bundle. */
    Map<K, List<Pending<T>>> drain() {
        Map<K, List<Pending<T>>> out = new LinkedHashMap<>(byKey);
        byKey.clear();
        records = 0;
        recordBytes = 0;
        return out;
    }
}
