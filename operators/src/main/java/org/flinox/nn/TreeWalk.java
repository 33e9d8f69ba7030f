package org.flinox.nn;

import java.lang.reflect.Constructor;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Walks a module tree the way JAX walks a pytree: records by component, lists by index,
 * maps by key, naming each node by its path ({@code .l1.weight}, {@code .layers[2]},
 * {@code ['b']}). A visitor may replace leaves; records are rebuilt through their
 * canonical constructor only where something changed, so the tree stays immutable.
 */
final class TreeWalk {

    /** Sees every leaf of interest and returns its replacement (or the leaf itself). */
    interface Visitor {
        /** True for the nodes this walk is about (they are not descended into). */
        boolean isLeaf(Object node);

        Object visit(String path, Object leaf);
    }

    private TreeWalk() {}

    /** The tree with every leaf replaced by what the visitor returns. */
    static Object map(Object node, Visitor visitor) {
        return map(node, "", visitor);
    }

    private static Object map(Object node, String path, Visitor visitor) {
        if (node == null) {
            return null;
        }
        if (visitor.isLeaf(node)) {
            return visitor.visit(path, node);
        }
        if (node instanceof Record record) {
            return mapRecord(record, path, visitor);
        }
        if (node instanceof List<?> list) {
            List<Object> out = new ArrayList<>(list.size());
            boolean changed = false;
            for (int i = 0; i < list.size(); i++) {
                Object child = list.get(i);
                Object mapped = map(child, path + "[" + i + "]", visitor);
                changed |= mapped != child;
                out.add(mapped);
            }
            return changed ? List.copyOf(out) : list;
        }
        if (node instanceof Map<?, ?> map) {
            Map<Object, Object> out = new LinkedHashMap<>();
            boolean changed = false;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                Object mapped = map(e.getValue(), path + "['" + e.getKey() + "']", visitor);
                changed |= mapped != e.getValue();
                out.put(e.getKey(), mapped);
            }
            return changed ? java.util.Collections.unmodifiableMap(out) : map;
        }
        return node; // numbers, enums, strings: configuration, not tree nodes
    }

    private static Object mapRecord(Record record, String path, Visitor visitor) {
        RecordComponent[] components = record.getClass().getRecordComponents();
        Object[] args = new Object[components.length];
        Class<?>[] types = new Class<?>[components.length];
        boolean changed = false;
        for (int i = 0; i < components.length; i++) {
            RecordComponent c = components[i];
            types[i] = c.getType();
            Object child = read(record, c);
            args[i] = map(child, path + "." + c.getName(), visitor);
            changed |= args[i] != child;
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
