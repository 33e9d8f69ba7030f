package org.flinox.spec;

import java.util.Map;
import org.flinox.nn.Module;

/**
 * One node of a model spec's module tree, read by its {@link ModuleType}: everything but the
 * width coming in, which {@link #build} resolves.
 */
@FunctionalInterface
public interface ModuleSpec {

    /**
     * This node for the width coming in: its input width resolved (an explicit size that
     * contradicts it is an error at its path, {@link SpecTree#inWidth}), its size counted and
     * its module built by {@link SpecTree#node}.
     *
     * @param path the node's place in the spec, {@code module.layers[1]}: errors and
     *     parameter seeds go by it
     */
    ModelSpec.Built build(SpecTree tree, String path, Width in);

    /**
     * What {@code describe} prints for the module this node built ({@code module} as
     * exported: state entries are their {@code StateKey}s): plain Java values (maps, lists,
     * strings, numbers, booleans). By default the module's record components, named by their
     * names, with its class's simple name as {@code type} ({@link Description#of}).
     */
    default Map<String, Object> describe(Module module) {
        return Description.of(module);
    }
}
