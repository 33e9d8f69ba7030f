package org.flinox.job;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.flinox.nn.Module;
import org.flinox.nn.StateKey;
import org.flinox.nn.TreeWalk;

/**
 * {@code --reset-state}: module paths and entry names, expanded at start into the state entries
 * to start over. A module's own entries only make sense together (a standardize's
 * {@code .count}, {@code .mean} and {@code .m2}; a moments' {@code .first} and {@code .second};
 * an LSTM's {@code .hidden} and {@code .cell}), so they are reset together or not at all:
 *
 * <ul>
 *   <li>a module path ({@code .layers[0]}, {@code .inStats}, or {@code .} for the root) resets
 *       every entry under it;
 *   <li>an entry name resets that entry, and is refused unless every other entry of its module
 *       is named too;
 *   <li>a name that is neither, or a module without state, is refused.
 * </ul>
 *
 * Which entries belong to which module comes from the model's exported tree: an entry belongs to
 * the nearest module record it is a component of.
 */
final class ResetState {

    private ResetState() {}

    /** The tree's modules by path ({@code .} for the root), each with every entry under it and its own entries. */
    private record Node(String type, List<String> under, List<String> own) {}

    /**
     * @param tree the model's stateless tree (state entries replaced by their keys)
     * @param names what {@code --reset-state} gives
     * @return the entry names to start over, for the model operator
     * @throws IllegalArgumentException for a name the model does not have, or only part of a module's entries
     */
    static Set<String> expand(Module tree, List<String> names) {
        Set<String> entries = new TreeSet<>();
        Map<String, Node> modules = modules(tree, entries);
        Set<String> reset = new TreeSet<>();
        for (String name : names) {
            String path = name.isEmpty() ? "." : name;
            Node module = modules.get(path);
            if (module != null) {
                if (module.under().isEmpty()) {
                    throw new IllegalArgumentException("--reset-state " + name + ": the " + module.type()
                            + " at " + path + " holds no state; the model's state entries are " + entries);
                }
                reset.addAll(module.under());
            } else if (entries.contains(path)) {
                reset.add(path);
            } else {
                throw new IllegalArgumentException("--reset-state " + name + ": the model has no such state entry or "
                        + "module; its state entries are " + entries + ", its modules with state "
                        + withState(modules));
            }
        }
        for (Map.Entry<String, Node> m : modules.entrySet()) {
            List<String> own = m.getValue().own();
            List<String> missing = own.stream().filter(e -> !reset.contains(e)).toList();
            if (!missing.isEmpty() && missing.size() < own.size()) {
                throw new IllegalArgumentException("--reset-state names only part of the entries of the "
                        + m.getValue().type() + " at " + m.getKey() + ": " + String.join(", ", own)
                        + " only make sense together. Reset them all with --reset-state " + m.getKey()
                        + ", or none of them");
            }
        }
        return Set.copyOf(reset);
    }

    private static List<String> withState(Map<String, Node> modules) {
        List<String> paths = new ArrayList<>();
        modules.forEach((path, m) -> {
            if (!m.under().isEmpty()) {
                paths.add(path);
            }
        });
        return paths;
    }

    /** Every module of the tree by path, inner ones first; every entry's name into {@code entries}. */
    private static Map<String, Node> modules(Module tree, Set<String> entries) {
        Map<String, Node> modules = new LinkedHashMap<>();
        TreeWalk.fold(tree, new TreeWalk.Fold<List<String>>() {
            @Override
            public boolean isLeaf(Object node) {
                return node instanceof StateKey;
            }

            @Override
            public List<String> leaf(String path, Object leaf) {
                if (leaf instanceof StateKey key) {
                    entries.add(key.name());
                    return List.of(key.name());
                }
                return List.of();
            }

            @Override
            public List<String> record(String path, Record record, Map<String, List<String>> components) {
                List<String> under = new ArrayList<>();
                components.values().forEach(under::addAll);
                if (record instanceof Module) {
                    List<String> own = new ArrayList<>();
                    for (String entry : under) {
                        if (modules.values().stream().noneMatch(m -> m.under().contains(entry))) {
                            own.add(entry); // not under a module inside this one (folded before it)
                        }
                    }
                    modules.put(path.isEmpty() ? "." : path, new Node(type(record), List.copyOf(under), own));
                }
                return under;
            }

            @Override
            public List<String> list(String path, List<?> list, List<List<String>> items) {
                List<String> under = new ArrayList<>();
                items.forEach(under::addAll);
                return under;
            }

            @Override
            public List<String> map(String path, Map<?, ?> map, Map<Object, List<String>> entries) {
                List<String> under = new ArrayList<>();
                entries.values().forEach(under::addAll);
                return under;
            }
        });
        return modules;
    }

    /** A module's name for a person: its class, as the spec's types mostly spell it. */
    private static String type(Record module) {
        Class<?> c = module.getClass();
        String name = c.getEnclosingClass() != null && Module.class.isAssignableFrom(c.getEnclosingClass())
                ? c.getEnclosingClass().getSimpleName() : c.getSimpleName();
        return name.toLowerCase(java.util.Locale.ROOT);
    }
}
