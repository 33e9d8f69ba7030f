package org.flinox.spec;

import java.util.function.Supplier;
import org.flinox.nn.Module;
import org.flinox.nn.Rng;

/**
 * Walks a spec's module tree resolving every width: each {@link ModuleSpec#build} asks it for
 * its generator and its node, and a container for its children's nodes. The tree is walked
 * twice: first only counting what each node would take ({@link #node} calls no supplier; the
 * memory check before anything is allocated), then building.
 */
public final class SpecTree {

    private final Rng rng;
    private final ModelFootprint footprint;

    SpecTree(long seed, ModelFootprint footprint) {
        this.rng = new Rng(seed);
        this.footprint = footprint;
    }

    /**
     * The node at {@code path} for the width coming in (a container builds its layers so). A
     * node's {@link IllegalArgumentException} without a path gets the node's.
     */
    public ModelSpec.Built build(ModuleSpec node, String path, Width in) {
        try {
            return node.build(this, path, in);
        } catch (ModelSpecException e) {
            throw e;
        } catch (IllegalArgumentException e) {
            throw new ModelSpecException(path, e.getMessage(), e);
        }
    }

    /** The generator of the node at {@code path}: parameters depend on the seed and the path only. */
    public Rng rng(String path) {
        return rng.child(path);
    }

    /**
     * The node at {@code path}: {@code size} counted on the first walk, {@code module} built
     * on the second. {@code size} must be what {@code module} allocates (parameters plus
     * initial state; children's sizes are counted by their own nodes).
     */
    public ModelSpec.Built node(String path, Size size, int outputWidth, Supplier<Module> module) {
        if (footprint != null) {
            footprint.add(path, size);
            return new ModelSpec.Built(null, outputWidth);
        }
        return new ModelSpec.Built(module.get(), outputWidth);
    }

    /**
     * The width coming in, refusing an explicit size at {@code path} that contradicts it.
     *
     * @param explicit the size the node gives ({@link SpecNode#size}), or null when left out
     */
    public static int inWidth(Integer explicit, Width in, String path) {
        if (explicit != null && explicit != in.value()) {
            throw new ModelSpecException(path, "is " + explicit + ", but the width coming in is " + in.value()
                    + " (" + in.origin() + "); leave it out to take the width coming in");
        }
        return in.value();
    }
}
