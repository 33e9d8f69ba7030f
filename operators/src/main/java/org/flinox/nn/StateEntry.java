package org.flinox.nn;

import java.util.Objects;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * Marks an array as state while a module is being built (inox's {@code StateEntry}).
 * {@link StateExport#exportState} replaces it by a {@link StateKey} and moves the array,
 * the entry's initial value, into the {@link State}.
 *
 * @param initial the value every stream key starts from
 */
public record StateEntry(Tensor initial) implements StateRef {

    public StateEntry {
        Objects.requireNonNull(initial, "initial");
    }

    /** An entry starting from a copy of an ND4J array. */
    public static StateEntry of(INDArray initial) {
        return new StateEntry(Tensor.of(initial));
    }

    @Override
    public StateKey key() {
        throw new IllegalStateException("this module's state was never exported: a StateEntry (initial "
                + initial.layout() + ") is where a StateKey should be; call StateExport.exportState(module) "
                + "and use the module it returns with its State");
    }
}
