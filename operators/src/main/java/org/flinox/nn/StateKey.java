package org.flinox.nn;

import java.util.Objects;

/**
 * The name of one state array: its path from the root of the module tree, spelled as inox
 * (JAX's {@code keystr}) spells it: {@code .inStats.first}, {@code .layers[2].stats},
 * {@code ['b']} for a map entry. Immutable, hashable and ordered by name.
 *
 * @param name the path; also the name of the Flink state descriptor holding this entry
 */
public record StateKey(String name) implements StateRef, Comparable<StateKey> {

    public StateKey {
        Objects.requireNonNull(name, "name");
        if (name.isEmpty()) {
            throw new IllegalArgumentException("a StateKey needs a non-empty name");
        }
    }

    @Override
    public StateKey key() {
        return this;
    }

    @Override
    public int compareTo(StateKey other) {
        return name.compareTo(other.name);
    }

    @Override
    public String toString() {
        return "StateKey(" + name + ")";
    }
}
