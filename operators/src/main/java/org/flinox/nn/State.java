package org.flinox.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.TreeMap;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The state of a module tree: an immutable map from {@link StateKey} to {@link Tensor},
 * iterated in sorted key order (inox's state dictionary). {@link #get} returns the tensor
 * itself (the per-record path's type), {@link #copyAsINDArray} an ND4J copy.
 *
 * <p>{@link #with(StateRef, Tensor)} and {@link #with(Map)} are the one way to write it
 * (inox's {@code update_state}): they return a new {@code State} and leave this one as it
 * was. They refuse keys this state does not hold and values whose shape or dtype differ from
 * the current ones, where inox would silently accept them: a typo or a broadcast slip would
 * otherwise become a new, silently diverging state entry.
 */
public final class State implements Iterable<Map.Entry<StateKey, Tensor>> {
    private final StateKey[] keys; // sorted, unique
    private final Tensor[] values;

    private State(StateKey[] keys, Tensor[] values) {
        this.keys = keys;
        this.values = values;
    }

    /** A state holding these entries. */
    public static State of(Map<StateKey, Tensor> entries) {
        TreeMap<StateKey, Tensor> sorted = new TreeMap<>(entries);
        StateKey[] k = sorted.keySet().toArray(new StateKey[0]);
        Tensor[] v = sorted.values().toArray(new Tensor[0]);
        for (int i = 0; i < v.length; i++) {
            if (v[i] == null) {
                throw new IllegalArgumentException("state entry " + k[i].name() + " has no value");
            }
        }
        return new State(k, v);
    }

    /** The state with no entries (a stateless tree's). */
    public static State empty() {
        return new State(new StateKey[0], new Tensor[0]);
    }

    public int size() {
        return keys.length;
    }

    /** The keys in sorted order. */
    public List<StateKey> keys() {
        return List.of(keys);
    }

    /** Key number {@code index} in sorted order. */
    public StateKey keyAt(int index) {
        return keys[index];
    }

    /** Value number {@code index} in sorted key order. */
    public Tensor valueAt(int index) {
        return values[index];
    }

    public boolean contains(StateKey key) {
        return indexOf(key) >= 0;
    }

    /**
     * The value of {@code ref}'s key as a new ND4J array (a copy: the state stays immutable).
     *
     * @throws NoSuchElementException naming the key and the keys that exist
     */
    public INDArray copyAsINDArray(StateRef ref) {
        return get(ref).toINDArray();
    }

    /**
     * The value of {@code ref}'s key: a module passes its own state entry ({@code state.get(first)}),
     * an operator a {@link StateKey}.
     *
     * @throws NoSuchElementException naming the key and the keys that exist
     * @throws IllegalStateException when {@code ref} is a {@link StateEntry} (the module's
     *     state was never exported)
     */
    public Tensor get(StateRef ref) {
        StateKey key = ref.key();
        int i = indexOf(key);
        if (i < 0) {
            throw missing(key);
        }
        return values[i];
    }

    /**
     * A new state with one entry replaced.
     *
     * @throws IllegalArgumentException for a key this state does not hold, or a value whose
     *     shape or dtype differs from the current one, naming the key
     */
    public State with(StateRef ref, Tensor value) {
        Tensor[] next = values.clone();
        replace(next, ref.key(), value);
        return new State(keys, next);
    }

    /**
     * A new state with the given entries replaced (inox's
     * {@code update_state(state, {self.first: ..., self.second: ...})}).
     *
     * @throws IllegalArgumentException as {@link #with(StateRef, Tensor)}
     */
    public State with(Map<? extends StateRef, ? extends Tensor> mutation) {
        Tensor[] next = values.clone();
        mutation.forEach((ref, value) -> replace(next, ref.key(), value));
        return new State(keys, next);
    }

    private void replace(Tensor[] next, StateKey key, Tensor value) {
        int i = indexOf(key);
        if (i < 0) {
            throw new IllegalArgumentException("cannot update " + key.name()
                    + ": not a key of this state; keys are " + names());
        }
        next[i] = checked(i, value);
    }

    /**
     * A state with this state's keys and the given values, in sorted key order, each of the
     * layout of the value it replaces. Not a module's writer ({@link #with} is): this is how
     * an operator's deserializer or a layout migration rebuilds a stored state from the
     * initial one, value by value, without a map.
     *
     * @throws IllegalArgumentException for a count or a layout that does not match
     */
    public State withValues(Tensor[] newValues) {
        if (newValues.length != values.length) {
            throw new IllegalArgumentException("expected " + values.length + " values for keys " + names()
                    + ", got " + newValues.length);
        }
        Tensor[] next = new Tensor[values.length];
        for (int i = 0; i < next.length; i++) {
            next[i] = checked(i, newValues[i]);
        }
        return new State(keys, next);
    }

    /**
     * Stacks the states of several stream keys into one whose every value has a leading
     * dimension, one row per state: the state for one batched forward pass over many keys
     * (what {@code jax.vmap} does over a state dictionary).
     */
    public static State stack(List<State> states) {
        if (states.isEmpty()) {
            throw new IllegalArgumentException("cannot stack zero states");
        }
        State first = states.get(0);
        Tensor[] stacked = new Tensor[first.values.length];
        for (int i = 0; i < stacked.length; i++) {
            Tensor t0 = first.values[i];
            int n = t0.size();
            double[] d = new double[n * states.size()];
            for (int b = 0; b < states.size(); b++) {
                State s = states.get(b);
                if (!Arrays.equals(s.keys, first.keys)) {
                    throw new IllegalArgumentException("cannot stack states with different keys: "
                            + first.names() + " and " + s.names());
                }
                Tensor t = s.values[i];
                if (!t.sameLayout(t0)) {
                    throw new IllegalArgumentException("cannot stack " + first.keys[i].name() + ": "
                            + t0.layout() + " and " + t.layout());
                }
                for (int j = 0; j < n; j++) {
                    d[b * n + j] = t.get(j);
                }
            }
            int[] shape = new int[t0.rank() + 1];
            shape[0] = states.size();
            System.arraycopy(t0.shape(), 0, shape, 1, t0.rank());
            stacked[i] = Tensor.adopt(t0.dtype(), shape, d);
        }
        return new State(first.keys, stacked);
    }

    /** The inverse of {@link #stack}: one state per row of the leading dimension. */
    public List<State> unstack() {
        if (values.length == 0) {
            throw new IllegalStateException("an empty state has no rows to unstack");
        }
        int rows = values[0].dim(0);
        List<State> out = new ArrayList<>(rows);
        for (int b = 0; b < rows; b++) {
            Tensor[] v = new Tensor[values.length];
            for (int i = 0; i < v.length; i++) {
                Tensor t = values[i];
                if (t.rank() == 0 || t.dim(0) != rows) {
                    throw new IllegalStateException(keys[i].name() + " is " + t.layout() + ", not " + rows + " rows");
                }
                int n = t.size() / rows;
                int[] shape = Arrays.copyOfRange(t.shape(), 1, t.rank());
                double[] row = new double[n];
                for (int j = 0; j < n; j++) {
                    row[j] = t.get(b * n + j);
                }
                v[i] = Tensor.adopt(t.dtype(), shape, row);
            }
            out.add(new State(keys, v));
        }
        return out;
    }

    /** The entries as an unmodifiable sorted map. */
    public Map<StateKey, Tensor> asMap() {
        TreeMap<StateKey, Tensor> m = new TreeMap<>();
        for (int i = 0; i < keys.length; i++) {
            m.put(keys[i], values[i]);
        }
        return Collections.unmodifiableSortedMap(m);
    }

    @Override
    public Iterator<Map.Entry<StateKey, Tensor>> iterator() {
        return asMap().entrySet().iterator();
    }

    private int indexOf(StateKey key) {
        for (int i = 0; i < keys.length; i++) {
            if (keys[i] == key) {
                return i; // modules hold the very instances export created
            }
        }
        int i = Arrays.binarySearch(keys, key);
        return i >= 0 ? i : -1;
    }

    private Tensor checked(int i, Tensor value) {
        Tensor current = values[i];
        if (value == null) {
            throw new IllegalArgumentException("cannot update " + keys[i].name() + " to null");
        }
        if (!value.sameLayout(current)) {
            throw new IllegalArgumentException("cannot update " + keys[i].name() + ": it is " + current.layout()
                    + ", the new value is " + value.layout() + " (shape and dtype must not change)");
        }
        return value;
    }

    private NoSuchElementException missing(StateKey key) {
        return new NoSuchElementException("no state entry " + key.name() + "; the keys are " + names());
    }

    private List<String> names() {
        List<String> n = new ArrayList<>(keys.length);
        for (StateKey k : keys) {
            n.add(k.name());
        }
        return n;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof State s && Arrays.equals(keys, s.keys) && Arrays.equals(values, s.values);
    }

    @Override
    public int hashCode() {
        return 31 * Arrays.hashCode(keys) + Arrays.hashCode(values);
    }

    @Override
    public String toString() {
        return "State" + asMap();
    }
}
