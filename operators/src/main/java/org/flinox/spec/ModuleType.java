package org.flinox.spec;

import java.util.List;

/**
 * A module type of the model spec, {@code {"type": "smooth", "alpha": 0.3}}: found through
 * {@link java.util.ServiceLoader}, so a type in a user's own jar reaches the spec, the job's
 * command line, Flink SQL, {@code describe}, {@code inspect} and {@code bootstrap} like a
 * built-in one. Register it in the jar's {@code META-INF/services/org.flinox.spec.ModuleType}
 * (one class name a line); the class needs a public constructor without arguments. The
 * built-in types are registered the same way ({@link BuiltInTypes}).
 *
 * <p>A type is read in two steps. {@link #read} takes what does not depend on the width
 * coming in (field names, JSON types, ranges: {@link SpecNode} refuses a bad value naming its
 * path, {@code module.layers[1].alpha: ...}); the {@link ModuleSpec} it returns then resolves
 * the width, counts the node's size for the memory check and builds the module
 * ({@link SpecTree#node}). Exponential smoothing, complete:
 *
 * <pre>{@code
 * public final class SmoothType implements ModuleType {
 *     public String name() { return "smooth"; }
 *
 *     public List<String> fields() { return List.of("features", "alpha"); }
 *
 *     public ModuleSpec read(SpecNode node) {
 *         Integer features = node.size("features");        // null: the width coming in
 *         double alpha = node.fraction("alpha", 0.5);
 *         return (tree, path, in) -> {
 *             int n = SpecTree.inWidth(features, in, path + ".features");
 *             return tree.node(path, Size.of(n), n, () -> Smooth.create(n, alpha));  // state: one [n] array
 *         };
 *     }
 * }
 * }</pre>
 */
public interface ModuleType {

    /** The {@code type} of a spec node: lower case, letters, digits, {@code -} and {@code _}. */
    String name();

    /** The fields a node of this type may have besides {@code type}; any other is refused. */
    List<String> fields();

    /**
     * Reads a node of this type. Throws {@link ModelSpecException} (which {@code node}'s
     * getters do) for a value that cannot be used, at its path.
     */
    ModuleSpec read(SpecNode node);
}
