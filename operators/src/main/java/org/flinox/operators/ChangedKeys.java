package org.flinox.operators;

import java.util.Set;
import org.flinox.nn.State;

/**
 * A {@link StateStore} that notes which keys' states changed, for the live changelog
 * ({@link StateChange}): the model operator reads and clears the set before every barrier.
 *
 * <p>The set is not state: after a restore from checkpoint N the replay changes again exactly the
 * keys that changed after N, so they are noted again before the next checkpoint.
 *
 * @param store where the states are
 * @param changed the keys whose state changed since the set was last cleared
 */
record ChangedKeys<K>(StateStore<K> store, Set<K> changed) implements StateStore<K> {

    @Override
    public State get(K key) throws Exception {
        return store.get(key);
    }

    @Override
    public void put(K key, State value, boolean changed) throws Exception {
        if (changed) {
            this.changed.add(key);
        }
        store.put(key, value, changed);
    }

    @Override
    public void flush() throws Exception {
        store.flush();
    }

    @Override
    public State peek(K key) throws Exception {
        return store.peek(key);
    }
}
