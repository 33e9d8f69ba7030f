package org.flinox.operators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The records of one bundle, grouped by key in the order keys first arrived; each key's
 * records in arrival order. Not state: {@link ModelOperator} empties it before every
 * checkpoint barrier, so a checkpoint never holds a half-processed bundle.
 */
final class KeyBundle {
    /** A buffered record and the timestamp it came with (or {@code Long.MIN_VALUE}: none). */
    record Buffered(FeatureRecord record, long timestamp) {}

    private static final int RECORD_OVERHEAD_BYTES = 96;

    private final Map<String, List<Buffered>> byKey = new LinkedHashMap<>();
    private final long stateBytesPerKey;
    private int records;
    private long recordBytes;

    /** @param stateBytesPerKey what one key's state takes in memory while the bundle is flushed */
    KeyBundle(long stateBytesPerKey) {
        this.stateBytesPerKey = stateBytesPerKey;
    }

    void add(FeatureRecord record, long timestamp) {
        byKey.computeIfAbsent(record.key(), k -> new ArrayList<>()).add(new Buffered(record, timestamp));
        records++;
        recordBytes += RECORD_OVERHEAD_BYTES + 8L * record.features().length
                + 2L * (length(record.raw()) + length(record.key()) + length(record.source()));
    }

    private static int length(String s) {
        return s == null ? 0 : s.length();
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
    Map<String, List<Buffered>> drain() {
        Map<String, List<Buffered>> out = new LinkedHashMap<>(byKey);
        byKey.clear();
        records = 0;
        recordBytes = 0;
        return out;
    }
}
