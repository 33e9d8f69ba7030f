package org.flinox.operators;

import java.util.List;

/**
 * Restored state whose entries changed shape or dtype, which no value can be carried over
 * into: the job refuses to start and says how to go on.
 */
public final class StateLayoutException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String modelName;
    private final List<String> changed;
    private final String stored;
    private final String model;

    StateLayoutException(String modelName, List<String> changed, String stored, String model) {
        this(modelName, changed, stored, model, "a reset of those entries");
    }

    private StateLayoutException(String modelName, List<String> changed, String stored, String model, String reset) {
        super("model " + modelName + ": the restored state does not fit the model: " + String.join("; ", changed)
                + ". Start those entries over with " + reset + " (the stored values are dropped), "
                + "or restore with the model that wrote them. Stored layout " + stored + ", the model's " + model);
        this.modelName = modelName;
        this.changed = List.copyOf(changed);
        this.stored = stored;
        this.model = model;
    }

    /** The same refusal, saying how the user asks for a reset ({@code --reset-state NAME} in the job). */
    StateLayoutException advising(String reset) {
        return new StateLayoutException(modelName, changed, stored, model, reset);
    }
}
