package org.flinox.nn;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Pulls the state out of a module tree (inox's {@code export_state}).
 *
 * <pre>{@code
 * var exported = StateExport.exportState(MLP.create(16, 3, new Rng(0)));
 * MLP model = exported.module();      // StateEntry fields replaced by StateKeys
 * State state = exported.state();     // .inStats.first, .inStats.second, ...
 * Result<double[]> r = model.forward(x, state);   // r.output(), r.state()
 * }</pre>
 */
public final class StateExport {

    /** A stateless tree and the initial state its keys index. */
    public record Exported<T>(T module, State state) {}

    private StateExport() {}

    /**
     * Replaces every {@link StateEntry} in the tree by a {@link StateKey} named after its path
     * and collects the entries' initial values. Exporting equal trees gives equal keys.
     */
    @SuppressWarnings("unchecked")
    public static <T> Exported<T> exportState(T tree) {
        Map<StateKey, Tensor> initial = new LinkedHashMap<>();
        Object stateless = TreeWalk.map(tree, new TreeWalk.Visitor() {
            @Override
            public boolean isLeaf(Object node) {
                return node instanceof StateEntry;
            }

            @Override
            public Object visit(String path, Object leaf) {
                StateKey key = new StateKey(path.isEmpty() ? "." : path);
                initial.put(key, ((StateEntry) leaf).initial());
                return key;
            }
        });
        return new Exported<>((T) stateless, State.of(initial));
    }
}
