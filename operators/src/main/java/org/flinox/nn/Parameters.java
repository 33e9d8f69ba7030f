package org.flinox.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The parameters of a module tree by path: every {@link Tensor} in the tree, named the way
 * {@link StateKey}s are ({@code .l1.weight}, {@code .layers[0].bias}, {@code ['b']}).
 * {@link StateRef} nodes are state, not parameters, and are left alone.
 *
 * <p>{@link #load} replaces parameter values by arrays of the same paths, as from an
 * {@code .npz} file written by numpy or by {@link #save}. It returns a new tree; the tree
 * passed in is not changed. inox's spelling of a path names the same parameter as the Java
 * one ({@code .lin_h.weight} or {@code .lin_h.weight.value} for {@code .linH.weight}; see
 * {@link ParameterNames}); an archive holding two spellings of one path is refused. An array
 * named by a state entry's path ({@code .stats.mean}) replaces that entry's initial value,
 * the value every stream key starts from; state arrays are optional.
 */
public final class Parameters {

    /**
     * A tree with loaded parameters.
     *
     * @param module the new tree
     * @param skipped what lenient loading ignored, one human-readable note per parameter or
     *     array, sorted by path; always empty after a strict load
     */
    public record Loaded<T>(T module, List<String> skipped) {
        public Loaded {
            skipped = List.copyOf(skipped);
        }
    }

    private Parameters() {}

    /** Every parameter of the tree by path, in sorted path order. */
    public static SortedMap<String, Tensor> of(Object tree) {
        TreeMap<String, Tensor> params = new TreeMap<>();
        TreeWalk.map(tree, new ParameterVisitor() {
            @Override
            Object visitParameter(String path, Tensor value) {
                if (params.put(path, value) != null) {
                    throw new IllegalArgumentException("two parameters have the path " + path);
                }
                return value;
            }
        });
        return Collections.unmodifiableSortedMap(params);
    }

    /**
     * The tree with each parameter replaced by the array of the same path, converted to the
     * parameter's dtype (a float64 array loads into a float32 parameter, rounded).
     *
     * <p>Strict ({@code lenient = false}): an array missing for a parameter, an array that
     * is no parameter's, an array of another shape than its parameter, or one holding a NaN
     * or infinite value is an error; all such problems are reported together. Lenient: a
     * parameter without an array, or with an array of the wrong shape or with a non-finite
     * value, keeps its current value, and an unknown array is ignored; {@link
     * Loaded#skipped()} lists each.
     *
     * @throws IllegalArgumentException in strict mode, naming every path at fault (with the
     *     expected and actual shape for a shape mismatch)
     */
    public static <T> Loaded<T> load(T tree, Map<String, Tensor> arrays, boolean lenient) {
        Map<String, Npz.Member> members = new TreeMap<>();
        arrays.forEach((name, array) -> members.put(name, Npz.Member.of(array)));
        return load(tree, members, lenient, "the given arrays");
    }

    /** {@link #load(Object, Map, boolean)} with the arrays of an {@code .npz} file. */
    public static <T> Loaded<T> load(T tree, Path npz, boolean lenient) throws IOException {
        return load(tree, npz, npz.toString(), lenient);
    }

    /**
     * {@link #load(Object, Map, boolean)} with the arrays of an {@code .npz} file, naming it
     * {@code name} in every error (the user's file, when {@code npz} is a copy). A member is
     * inflated only when its declared shape is its parameter's, and no further than that.
     */
    public static <T> Loaded<T> load(T tree, Path npz, String name, boolean lenient) throws IOException {
        try (Npz.Archive archive = Npz.open(npz, name)) {
            return load(tree, archive.members(), lenient, name);
        } catch (UncheckedIOException e) {
            throw e.getCause();
        }
    }

    /** Writes the tree's parameters to an {@code .npz} file, one array per path. */
    public static void save(Object tree, Path npz) throws IOException {
        Npz.write(npz, of(tree));
    }

    @SuppressWarnings("unchecked")
    private static <T> Loaded<T> load(T tree, Map<String, Npz.Member> arrays, boolean lenient, String source) {
        TreeMap<String, String> problems = new TreeMap<>(); // path -> what is wrong
        TreeSet<String> seen = new TreeSet<>();
        TreeSet<String> used = new TreeSet<>(); // canonical paths of the arrays that found their node
        Map<String, Map.Entry<String, Npz.Member>> named = ParameterNames.byCanonical(arrays, source);
        Object loaded = TreeWalk.map(tree, new ParameterVisitor() {
            @Override
            Object visitParameter(String path, Tensor current) {
                if (!seen.add(path)) {
                    throw new IllegalArgumentException("two parameters have the path " + path);
                }
                String key = ParameterNames.canonical(path);
                Map.Entry<String, Npz.Member> entry = named.get(key);
                if (entry == null) {
                    problems.put(path, path + ": no array for this parameter (" + current.layout() + ")"
                            + (lenient ? "; kept the initial value" : ""));
                    return current;
                }
                used.add(key);
                Npz.Member array = entry.getValue();
                if (!Arrays.equals(array.shape(), current.shape())) {
                    problems.put(path, spelled(path, entry.getKey()) + ": expected shape " + Arrays.toString(current.shape())
                            + ", got " + Arrays.toString(array.shape())
                            + (lenient ? "; kept the initial value" : ""));
                    return current;
                }
                Tensor loaded = readFinite(array, current.dtype(), path, problems);
                if (loaded == null) {
                    problems.put(path, problems.get(path) + (lenient ? "; kept the initial value" : ""));
                    return current;
                }
                return loaded;
            }

            @Override
            Object visitStateEntry(String path, StateEntry entry) {
                // optional: an array named by a state entry's path is every key's initial value
                String key = ParameterNames.canonical(path);
                Map.Entry<String, Npz.Member> stateArray = named.get(key);
                if (stateArray == null) {
                    return entry;
                }
                used.add(key);
                Tensor initial = entry.initial();
                if (!Arrays.equals(stateArray.getValue().shape(), initial.shape())) {
                    problems.put(path, spelled(path, stateArray.getKey()) + ": expected shape " + Arrays.toString(initial.shape())
                            + " for the initial state, got " + Arrays.toString(stateArray.getValue().shape())
                            + (lenient ? "; kept the initial value" : ""));
                    return entry;
                }
                Tensor loaded = readFinite(stateArray.getValue(), initial.dtype(), path, problems);
                if (loaded == null) {
                    problems.put(path, problems.get(path) + (lenient ? "; kept the initial value" : ""));
                    return entry;
                }
                return new StateEntry(loaded);
            }
        });
        named.forEach((key, entry) -> {
            if (!used.contains(key)) {
                problems.put(entry.getKey(), entry.getKey() + ": no parameter or state entry has this path"
                        + (lenient ? "; ignored" : ""));
            }
        });
        if (!lenient && !problems.isEmpty()) {
            throw new IllegalArgumentException("cannot load parameters from " + source + " ("
                    + problems.size() + (problems.size() == 1 ? " problem" : " problems") + "):\n  "
                    + String.join("\n  ", problems.values()) + "\nparameters are " + seen
                    + " (inox's snake_case spelling, .lin_h.weight for .linH.weight, and a trailing .value"
                    + " are accepted too)");
        }
        return new Loaded<>((T) loaded, new ArrayList<>(problems.values()));
    }

    /** A path, with the archive's name for it when the archive spells it otherwise. */
    private static String spelled(String path, String arrayName) {
        return path.equals(arrayName) ? path : path + " (array " + arrayName + ")";
    }

    /**
     * The member's array in {@code dtype}, or null after noting in {@code problems} that a
     * value is NaN or infinite, or becomes infinite in {@code dtype} (a float64 {@code 1e300}
     * for a float32 parameter): every record's forward pass would fail on it. Data that does
     * not match its header fails the load as an {@link IOException}, wrapped here for the
     * tree walk.
     */
    private static Tensor readFinite(Npz.Member member, DType dtype, String path, Map<String, String> problems) {
        Tensor array;
        try {
            array = member.read();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Tensor cast = array.cast(dtype);
        for (int i = 0; i < array.size(); i++) {
            double v = array.get(i);
            if (!Double.isFinite(v)) {
                problems.put(path, path + ": value " + i + " is " + v + "; parameters must be finite");
                return null;
            }
            if (!Double.isFinite(cast.get(i))) {
                problems.put(path, path + ": value " + i + " is " + v + ", beyond the range of " + dtype.numpyName()
                        + " (±" + Float.MAX_VALUE + "); parameters must be finite");
                return null;
            }
        }
        return cast;
    }

    /** Visits tensors as parameters; passes {@link StateRef}s (state) through untouched. */
    private abstract static class ParameterVisitor implements TreeWalk.Visitor {
        @Override
        public final boolean isLeaf(Object node) {
            // A StateEntry is a record holding a Tensor: stop there, it is state.
            return node instanceof Tensor || node instanceof StateRef;
        }

        @Override
        public final Object visit(String path, Object leaf) {
            if (leaf instanceof StateEntry entry) {
                return visitStateEntry(path, entry);
            }
            if (leaf instanceof StateRef) {
                return leaf;
            }
            return visitParameter(path.isEmpty() ? "." : path, (Tensor) leaf);
        }

        abstract Object visitParameter(String path, Tensor value);

        /** A state entry of a tree not yet exported; kept as it is unless a subclass says otherwise. */
        Object visitStateEntry(String path, StateEntry entry) {
            return entry;
        }
    }
}
