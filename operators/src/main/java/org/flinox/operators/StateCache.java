package org.flinox.operators;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.flinox.nn.State;

/**
 * A per-subtask write-back cache of keys' {@link State}s in front of the keyed state, bounded
 * by bytes: a hot key's records then cost no state-backend access at all.
 *
 * <p>Not state: a pure accelerator. Its owner flushes it ({@link #flush}: every dirty entry
 * written back) before every checkpoint barrier and when the input ends, and an evicted dirty
 * entry is written back on its way out, so the keyed state is always what a run without the
 * cache would hold at those points, and a restore starts with an empty cache.
 *
 * <p>Eviction is least recently used (an access-ordered {@link LinkedHashMap}): under a skewed
 * key distribution the hot keys are touched all the time and never reach the old end, and
 * under uniform keys a miss only moves a write that would have happened anyway to the
 * eviction, so LRU never costs a state access the uncached path would not make. Simple and
 * O(1); frequency admission would only matter for scans, which keyed streams rarely are.
 *
 * @param <K> the stream's key type
 */
final class StateCache<K> implements StateStore<K> {
    /** The map entry, the key's string and the state's own estimate. */
    private static final long ENTRY_OVERHEAD_BYTES = 96;
    /** What a key that is not a string is taken to take. */
    private static final long OTHER_KEY_BYTES = 32;

    private static final class Entry {
        State value;
        boolean dirty; // newer than the keyed state

        Entry(State value, boolean dirty) {
            this.value = value;
            this.dirty = dirty;
        }
    }

    private final LinkedHashMap<K, Entry> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private final long maxBytes;
    private final long stateBytes;
    private final ValueStateStore<K> keyed;
    private long bytes;
    private long hits;
    private long misses;

    /**
     * @param maxBytes the cache's memory bound
     * @param stateBytes what one key's state takes in memory (all keys of a model have the same layout)
     * @param keyed the keyed state: read on a miss, written when a dirty entry is evicted or flushed
     */
    StateCache(long maxBytes, long stateBytes, ValueStateStore<K> keyed) {
        this.maxBytes = maxBytes;
        this.stateBytes = stateBytes;
        this.keyed = keyed;
    }

    /** The key's state: the cached one (most recently used from now on), else the keyed state's. */
    @Override
    public State get(K key) throws Exception {
        Entry e = entries.get(key);
        if (e == null) {
            misses++;
            return keyed.get(key);
        }
        hits++;
        return e.value;
    }

    /**
     * Caches the key's state; {@code changed}: it differs from what {@link #get} returned. May
     * evict the least recently used keys, writing back the dirty ones (under their own key).
     */
    @Override
    public void put(K key, State value, boolean changed) throws Exception {
        Entry e = entries.get(key);
        if (e != null) {
            e.value = value;
            e.dirty |= changed;
            return;
        }
        entries.put(key, new Entry(value, changed));
        bytes += bytesOf(key);
        Iterator<Map.Entry<K, Entry>> oldest = entries.entrySet().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            Map.Entry<K, Entry> victim = oldest.next();
            oldest.remove();
            bytes -= bytesOf(victim.getKey());
            if (victim.getValue().dirty) {
                keyed.write(victim.getKey(), victim.getValue().value);
            }
        }
    }

    /** Writes every dirty entry back; the entries stay cached, clean. */
    @Override
    public void flush() throws Exception {
        for (Map.Entry<K, Entry> e : entries.entrySet()) {
            if (e.getValue().dirty) {
                keyed.write(e.getKey(), e.getValue().value);
                e.getValue().dirty = false;
            }
        }
    }

    /**
     * The cached state, else the keyed state's; counted as neither hit nor miss. (The map's get
     * moves the key to the recent end, as a use would: the keys peeked at were just changed.)
     */
    @Override
    public State peek(K key) throws Exception {
        Entry e = entries.get(key);
        return e != null ? e.value : keyed.get(key);
    }

    private long bytesOf(K key) {
        return ENTRY_OVERHEAD_BYTES + (key instanceof String s ? 2L * s.length() : OTHER_KEY_BYTES) + stateBytes;
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
