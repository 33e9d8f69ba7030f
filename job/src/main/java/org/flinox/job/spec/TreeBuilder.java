package org.flinox.job.spec;

import java.util.function.Supplier;
import org.flinox.nn.Module;
import org.flinox.nn.Rng;

/**
 * Walks a spec's module tree resolving every width: each {@link ModuleSpec#build} asks it
 * for its input width, its generator and its node. With a {@link ModelFootprint} it only
 * counts what each node would take and builds nothing (the check before anything is
 * allocated); without, it builds.
 */
final class TreeBuilder {

    /** The width coming into a node, and where it comes from, for error messages. */
    record Width(int value, String origin) {}

    private final Rng rng;
    private final ModelFootprint footprint;

    TreeBuilder(long seed, ModelFootprint footprint) {
        this.rng = new Rng(seed);
        this.footprint = footprint;
    }

    /** The node at {@code path} for the width coming in. */
    ModelSpec.Built build(ModuleSpec node, String path, Width in) {
        return node.build(this, path, in);
    }

    /** The generator of the node at {@code path}: parameters depend on the seed and the path only. */
    Rng rng(String path) {
        return rng.child(path);
    }

    /** A node of {@code size} and {@code outputWidth}: counted, or built by {@code module}. */
    ModelSpec.Built node(String path, ModelFootprint.Size size, int outputWidth, Supplier<Module> module) {
        if (footprint != null) {
            footprint.add(path, size);
            return new ModelSpec.Built(null, outputWidth);
        }
        return new ModelSpec.Built(module.get(), outputWidth);
    }

    /** The width coming in, refusing an explicit size at {@code path} that contradicts it. */
    static int inWidth(Integer explicit, Width in, String path) {
        if (explicit != null && explicit != in.value()) {
            throw new ModelSpecException(path, "is " + explicit + ", but the width coming in is " + in.value()
                    + " (" + in.origin() + "); leave it out to take the width coming in");
        }
        return in.value();
    }
}
