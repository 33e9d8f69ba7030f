package org.flinox.nn;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a module tree the way JAX walks a pytree: records by component, lists by index,
 * maps by key, naming each node by its path ({@code .l1.weight}, {@code .layers[2]},
 * {@code ['b']}). {@link #map} replaces leaves, rebuilding records through their canonical
 * constructor only where something changed, so the tree stays immutable; {@link #fold}
 * turns the tree into something else bottom-up (what {@code describe} prints).
 */
public final class TreeWalk {

    /** Sees every leaf of interest and returns its replacement (or the leaf itself). */
    interface Visitor {
        /** True for the nodes this walk is about (they are not descended into). */
        boolean isLeaf(Object node);

        Object visit(String path, Object leaf);
    }

    /**
     * What a tree folds into, bottom-up: each record, list and map is given its children
     * already folded; everything else (arrays, numbers, enums, strings, null) is a leaf.
     */
    public interface Fold<R> {
        /** True for nodes taken whole, not descended into (none by default). */
        default boolean isLeaf(Object node) {
            return false;
        }

        R leaf(String path, Object leaf);

        /** {@code components} by name, in declaration order. */
        R record(String path, Record record, Map<String, R> components);

        R list(String path, List<?> list, List<R> items);

        R map(String path, Map<?, ?> map, Map<Object, R> entries);
    }

    private TreeWalk() {}

    /** The tree with every leaf replaced by what the visitor returns. */
    static Object map(Object node, Visitor visitor) {
        return fold(node, new Fold<>() {
            @Override
            public boolean isLeaf(Object n) {
                return visitor.isLeaf(n);
            }

            @Override
            public Object leaf(String path, Object leaf) {
                return leaf != null && visitor.isLeaf(leaf) ? visitor.visit(path, leaf) : leaf;
            }

            @Override
            public Object record(String path, Record record, Map<String, Object> components) {
                return rebuild(record, path, components);
            }

            @Override
            public Object list(String path, List<?> list, List<Object> items) {
                for (int i = 0; i < items.size(); i++) {
                    if (items.get(i) != list.get(i)) {
                        return List.copyOf(items);
                    }
                }
                return list;
            }

            @Override
            public Object map(String path, Map<?, ?> map, Map<Object, Object> entries) {
                for (Map.Entry<?, ?> e : map.entrySet()) {
                    if (entries.get(e.getKey()) != e.getValue()) {
                        return Collections.unmodifiableMap(entries);
                    }
                }
                return map;
            }
        });
    }

    /** The tree folded bottom-up, from the root's path {@code ""}. */
    public static <R> R fold(Object node, Fold<R> fold) {
        return fold(node, "", fold);
    }

    private static <R> R fold(Object node, String path, Fold<R> fold) {
        if (node == null || fold.isLeaf(node)) {
            return fold.leaf(path, node);
        }
        if (node instanceof Record record) {
            Map<String, R> components = new LinkedHashMap<>();
            for (RecordComponent c : record.getClass().getRecordComponents()) {
                components.put(c.getName(), fold(read(record, c), path + "." + c.getName(), fold));
            }
            return fold.record(path, record, components);
        }
        if (node instanceof List<?> list) {
            List<R> items = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                items.add(fold(list.get(i), path + "[" + i + "]", fold));
            }
            return fold.list(path, list, items);
        }
        if (node instanceof Map<?, ?> map) {
            Map<Object, R> entries = new LinkedHashMap<>();
            for (Map.Entry<?, ?> e : map.entrySet()) {
                entries.put(e.getKey(), fold(e.getValue(), path + "['" + e.getKey() + "']", fold));
            }
            return fold.map(path, map, entries);
        }
        return fold.leaf(path, node); // numbers, enums, strings: configuration, not tree nodes
    }

    /** The record with {@code components} (folded from its own), the same record when none changed. */
    private static Object rebuild(Record record, String path, Map<String, Object> components) {
        RecordComponent[] declared = record.getClass().getRecordComponents();
        Object[] args = new Object[declared.length];
        Class<?>[] types = new Class<?>[declared.length];
        boolean changed = false;
        for (int i = 0; i < declared.length; i++) {
            types[i] = declared[i].getType();
            args[i] = components.get(declared[i].getName());
            changed |= args[i] != read(record, declared[i]);
        }
        if (!changed) {
            return record;
        }
        try {
            Constructor<?> canonical = record.getClass().getDeclaredConstructor(types);
            canonical.setAccessible(true);
            return canonical.newInstance(args);
        } catch (InvocationTargetException e) {
            Throwable cause = e.getCause();
            if (cause instanceof RuntimeException re) {
                throw re;
            }
            throw new IllegalStateException("cannot rebuild " + describe(record, path), cause);
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("cannot rebuild " + describe(record, path) + ": a component's declared "
                    + "type does not accept its replacement (declare state components as StateRef, not StateEntry)", e);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot rebuild " + describe(record, path), e);
        }
    }

    private static Object read(Record record, RecordComponent c) {
        try {
            var accessor = c.getAccessor();
            accessor.setAccessible(true);
            return accessor.invoke(record);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot read " + c.getName() + " of " + record.getClass().getName(), e);
        }
    }

    private static String describe(Record record, String path) {
        return record.getClass().getSimpleName() + " at " + (path.isEmpty() ? "the root" : path);
    }
}
