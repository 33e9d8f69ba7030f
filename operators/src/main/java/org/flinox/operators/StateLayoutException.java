package org.flinox.operators;

import java.util.List;

/**
 * Restored state whose entries changed shape or dtype, which no value can be carried over
 * into: the job refuses to start and says how to go on.
 */
public final class StateLayoutException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    StateLayoutException(String modelName, List<String> changed, String stored, String model) {
        super("model " + modelName + ": the restored state does not fit the model: " + String.join("; ", changed)
                + ". Start those entries over with --reset-state NAME (the stored values are dropped), "
                + "or restore with the model that wrote them. Stored layout " + stored + ", the model's " + model);
    }
}
