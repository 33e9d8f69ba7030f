package org.flinox.operators;

import org.flinox.nn.State;

/**
 * Where the model operator reads and writes each key's {@link State}: straight in the keyed
 * state ({@link ValueStateStore}), or through a write-back cache in front of it
 * ({@link StateCache}). Either way, one read and at most one write per key per record (or per
 * bundle), and {@link #flush} makes the keyed state complete.
 *
 * @param <K> the stream's key type
 */
interface StateStore<K> {

    /** The key's state as last written, or null when it has none. The key is the keyed backend's current key. */
    State get(K key) throws Exception;

    /**
     * Stores {@code value} as the key's state; {@code changed}: it differs from what {@link #get}
     * returned (unchanged states are not written). The key is the keyed backend's current key;
     * a cache may set another one while it writes an evicted key back.
     */
    void put(K key, State value, boolean changed) throws Exception;

    /** Writes whatever is only in memory into the keyed state: before a barrier, at the end of the input. */
    void flush() throws Exception;

    /**
     * The key's state as {@link #get} returns it, but not counted as an access (a cache's hit
     * ratio stays the records'): for reading back what a checkpoint holds after {@link #flush}.
     * The key is the keyed backend's current key.
     */
    State peek(K key) throws Exception;

    /** The store of a model without state: nothing to read or write. */
    static <K> StateStore<K> none() {
        return new StateStore<>() {
            @Override
            public State get(K key) {
                return null;
            }

            @Override
            public void put(K key, State value, boolean changed) {}

            @Override
            public void flush() {}

            @Override
            public State peek(K key) {
                return null;
            }
        };
    }
}
