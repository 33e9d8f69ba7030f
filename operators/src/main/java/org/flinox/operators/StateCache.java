package org.flinox.operators;

import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.function.BooleanSupplier;
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
 * <p>The dirty entries have a bound of their own, a fraction of the cache's, which holds while
 * the task has time to spare: past it the least recently changed entry is written back and
 * stays cached, clean. The flush before a barrier holds the barrier back while it writes, so
 * its length is the dirty entries', not the cache's: a 64 MiB cache full of dirty keys held the
 * barrier 190–350 ms on 2 cores, its dirty eighth 36–44 ms (BENCHMARKS.md, B10-pause). Writing
 * early is not free: a key written back and changed again before the barrier is written twice,
 * which under skewed keys at full speed cost ~10% of a whole job (B7-skew). So a saturated
 * task, whose records wait in queues anyway, leaves its dirty entries to the flush, and a task
 * that keeps up with its input pays the early writes out of the time it would wait.
 *
 * @param <K> the stream's key type
 */
final class StateCache<K> implements StateStore<K> {
    /** The share of the cache's bound that may be dirty: 1/8. */
    static final int DIRTY_SHARE = 8;
    /** How many puts between two questions whether the task has time to spare. */
    private static final int ASK_SPARE_EVERY = 256;
    /** The most entries one put writes back past the dirty bound: a backlog drains, a little at a time. */
    private static final int WRITE_BACKS_PER_PUT = 2;
    /** The map entry, its links in the dirty list, the key's string and the state's own estimate. */
    private static final long ENTRY_OVERHEAD_BYTES = 112;
    /** What a key that is not a string is taken to take. */
    private static final long OTHER_KEY_BYTES = 32;

    /** A cached state; while dirty, also a link in the list of dirty entries, least recently changed first. */
    private static final class Entry<K> {
        final K key;
        State value;
        boolean dirty; // newer than the keyed state
        Entry<K> older;
        Entry<K> newer;

        Entry(K key, State value) {
            this.key = key;
            this.value = value;
        }
    }

    private final LinkedHashMap<K, Entry<K>> entries = new LinkedHashMap<>(1024, 0.75f, true);
    private final long maxBytes;
    private final long maxDirtyBytes;
    private final long stateBytes;
    private final ValueStateStore<K> keyed;
    private final BooleanSupplier spareTime;
    private boolean writeBackEarly = true;
    private int putsSinceAsked;
    private Entry<K> leastRecentlyChanged; // the dirty list's ends
    private Entry<K> mostRecentlyChanged;
    private long bytes;
    private long dirtyBytes;
    private int dirtyCount;
    private long hits;
    private long misses;

    /**
     * @param maxBytes the cache's memory bound
     * @param maxDirtyBytes the bound of its dirty entries, which a flush writes back (at most {@code maxBytes})
     * @param stateBytes what one key's state takes in memory (all keys of a model have the same layout)
     * @param keyed the keyed state: read on a miss, written when a dirty entry is evicted, flushed
     *     or past the dirty bound
     * @param spareTime whether the task has time to spare, for the dirty bound (asked now and then)
     */
    StateCache(long maxBytes, long maxDirtyBytes, long stateBytes, ValueStateStore<K> keyed, BooleanSupplier spareTime) {
        if (maxDirtyBytes <= 0 || maxDirtyBytes > maxBytes) {
            throw new IllegalArgumentException("the dirty bound must be in (0, " + maxBytes + "]; got " + maxDirtyBytes);
        }
        this.maxBytes = maxBytes;
        this.maxDirtyBytes = maxDirtyBytes;
        this.stateBytes = stateBytes;
        this.keyed = keyed;
        this.spareTime = spareTime;
    }

    /** The key's state: the cached one (most recently used from now on), else the keyed state's. */
    @Override
    public State get(K key) throws Exception {
        Entry<K> e = entries.get(key);
        if (e == null) {
            misses++;
            return keyed.get(key);
        }
        hits++;
        return e.value;
    }

    /**
     * Caches the key's state; {@code changed}: it differs from what {@link #get} returned. May
     * evict the least recently used keys and write back the least recently changed ones (each
     * under its own key).
     */
    @Override
    public void put(K key, State value, boolean changed) throws Exception {
        Entry<K> e = entries.get(key);
        if (e == null) {
            e = new Entry<>(key, value);
            entries.put(key, e);
            bytes += bytesOf(key);
        }
        e.value = value;
        if (changed) {
            markChanged(e);
        }
        evictPastTheBound();
        if (++putsSinceAsked == ASK_SPARE_EVERY) {
            putsSinceAsked = 0;
            writeBackEarly = spareTime.getAsBoolean();
        }
        if (writeBackEarly) {
            writeBackPastTheDirtyBound();
        }
    }

    /** Writes every dirty entry back; the entries stay cached, clean. */
    @Override
    public void flush() throws Exception {
        while (leastRecentlyChanged != null) {
            writeBack(leastRecentlyChanged);
        }
    }

    /**
     * The cached state, else the keyed state's; counted as neither hit nor miss. (The map's get
     * moves the key to the recent end, as a use would: the keys peeked at were just changed.)
     */
    @Override
    public State peek(K key) throws Exception {
        Entry<K> e = entries.get(key);
        return e != null ? e.value : keyed.get(key);
    }

    private void evictPastTheBound() throws Exception {
        Iterator<Entry<K>> oldest = entries.values().iterator();
        while (bytes > maxBytes && oldest.hasNext()) {
            Entry<K> victim = oldest.next();
            if (victim.dirty) {
                writeBack(victim);
            }
            oldest.remove();
            bytes -= bytesOf(victim.key);
        }
    }

    private void writeBackPastTheDirtyBound() throws Exception {
        for (int i = 0; i < WRITE_BACKS_PER_PUT && dirtyBytes > maxDirtyBytes; i++) {
            writeBack(leastRecentlyChanged);
        }
    }

    /** Moves the entry to the dirty list's recent end, adding it when it was clean. */
    private void markChanged(Entry<K> e) {
        if (e.dirty) {
            if (e == mostRecentlyChanged) {
                return;
            }
            unlink(e);
        } else {
            e.dirty = true;
            dirtyCount++;
            dirtyBytes += bytesOf(e.key);
        }
        e.older = mostRecentlyChanged;
        if (mostRecentlyChanged != null) {
            mostRecentlyChanged.newer = e;
        } else {
            leastRecentlyChanged = e;
        }
        mostRecentlyChanged = e;
    }

    /** Writes a dirty entry back to the keyed state; it stays cached, clean. */
    private void writeBack(Entry<K> e) throws Exception {
        keyed.write(e.key, e.value);
        unlink(e);
        e.dirty = false;
        dirtyCount--;
        dirtyBytes -= bytesOf(e.key);
    }

    private void unlink(Entry<K> e) {
        if (e.older != null) {
            e.older.newer = e.newer;
        } else {
            leastRecentlyChanged = e.newer;
        }
        if (e.newer != null) {
            e.newer.older = e.older;
        } else {
            mostRecentlyChanged = e.older;
        }
        e.older = null;
        e.newer = null;
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

    int dirtyCount() {
        return dirtyCount;
    }

    long dirtyBytes() {
        return dirtyBytes;
    }

    long hits() {
        return hits;
    }

    long misses() {
        return misses;
    }
}
