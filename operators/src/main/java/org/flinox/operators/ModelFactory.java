package org.flinox.operators;

import java.io.Serializable;
import org.apache.flink.util.function.SerializableSupplier;
import org.flinox.nn.Module;
import org.flinox.nn.StateExport;

/**
 * Builds the module tree inside each parallel instance of the operator. Modules hold
 * parameters as arrays, which Flink does not ship; a factory ships the recipe instead
 * (a model spec and its seed, weights as bytes), and must build equal trees every time.
 */
public interface ModelFactory extends Serializable {

    /** The model's name; the operator's uid is derived from it, so keep it stable. */
    String name();

    /** The number of features each record must have. */
    int inputWidth();

    /** A fresh, not yet exported module tree; equal on every call and every machine. */
    Module create();

    /**
     * A fresh tree, exported: the module with its state keys, and the initial state a key
     * seen for the first time starts from (its keys name the operator's state entries).
     */
    default StateExport.Exported<Module> createExported() {
        return StateExport.exportState(create());
    }

    /**
     * A factory from a serializable recipe:
     * {@code ModelFactory.of("sensors", 2, () -> MLP.create(2, 3, new Rng(0)))}. The recipe runs
     * in every parallel instance, so it must build the same tree every time (a fixed seed).
     */
    static ModelFactory of(String name, int inputWidth, SerializableSupplier<Module> recipe) {
        return new Recipe(name, inputWidth, recipe);
    }

    /** The factory {@link #of} makes. */
    record Recipe(String name, int inputWidth, SerializableSupplier<Module> recipe) implements ModelFactory {
        @Override
        public Module create() {
            return recipe.get();
        }
    }
}
