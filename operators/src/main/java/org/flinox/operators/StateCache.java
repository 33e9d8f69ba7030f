package org.flinox.operators;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flinox.nn.State;

/**
 * A per-subtask write-back cache of keys' {@link State}s in front of the keyed state, bounded
 * by bytes: a hot key's records then cost no state-backend access at all.
 *
 * <p>Not state: a pure accelerator. Its owner writes every dirty entry back
 * ({@link #writeBackAll}) before every checkpoint barrier and when the input ends, and an
 * evicted dirty entry is written back on its way out, so the keyed state is always what a
 * run without the cache would hold at those points, and a restore starts with an empty cache.
 *
 * <p>Eviction is least recently used (an access-ordered {@link LinkedHashMap}): under a skewed
 * key distribution the hot keys are touched all the time and never reach the old end, and
 * under uniform keys a miss only moves a write that would have happened anyway to the
 * eviction, so LRU never costs a state access the uncached path would not make. Simple and
 * O(1); frequency admission would only matter for scans, which keyed streams rarely are.
 */
final class StateCache {
    /** Writes a key's state to the keyed state (under that key's context). */
    @FunctionalInterface
    interface WriteBack {
        void write(String key, State value) throws Exception;
    }

    /** The map entry, the key's string and the state's own estimate. */
    private static final long ENTRY_OVERHEAD_BYTES = 96;

    private static final class Entry {
        State value;
        boolean dirty; // newer than the keyed state

        Entry(State value, boolean dirty) {
            this.value = value;
            this.dirty = dirty;
        }
    }

    private final LinkedHashMap<String, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private final long maxBytes;
    private final long stateBytes;
    private final WriteBack writeBack;
    private long bytes;
    private long hits;
    private long misses;

    /**
     * @param maxBytes the cache's memory bound
     * @param stateBytes what one key's state takes in memory (all keys of a model have the same layout)
     * @param writeBack writes an evicted or flushed dirty state
     */
    StateCache(long maxBytes, long stateBytes, WriteBack writeBack) {
        this.maxBytes = maxBytes;
        this.stateBytes = stateBytes;
        this.writeBack = writeBack;
    }

    /** The key's cached state (most recently used from now on), or null when it is not cached. */
    State get(String key) {
        Entry e = entries.get(key);
        if (e == null) {
            misses++;
            return null;
        }
        hits++;
        return e.value;
    }

    /**
     * Caches the key's state; {@code changed}: it differs from what the keyed state holds.
     * May evict the least recently used keys, writing back the dirty ones.
     */
    void put(String key, State value, boolean changed) throws Exception {
        Entry e = entries.get(key);
        if (e != null) {
            e.value = value;
            e.dirty |= changed;
            return;
        }
        entries.put(key, new Entry(value, changed));
        bytes += bytesOf(key);
        Iterator<Map.Entry<String, Entry>> oldest = entries.entrySet().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            Map.Entry<String, Entry> victim = oldest.next();
            oldest.remove();
            bytes -= bytesOf(victim.getKey());
            if (victim.getValue().dirty) {
                writeBack.write(victim.getKey(), victim.getValue().value);
            }
        }
    }

    /** Writes every dirty entry back; the entries stay cached, clean. */
    void writeBackAll() throws Exception {
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            if (e.getValue().dirty) {
                writeBack.write(e.getKey(), e.getValue().value);
                e.getValue().dirty = false;
            }
        }
    }

    private long bytesOf(String key) {
        return ENTRY_OVERHEAD_BYTES + 2L * key.length() + stateBytes;
    }

    int size() {
        return entries.size();
    }

    long bytes() {
        return bytes;
    }

    long dirtyCount() {
        return entries.values().stream().filter(e -> e.dirty).count();
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }
}
