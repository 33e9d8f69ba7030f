package org.flinox.operators;

import java.io.Serializable;
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
}
