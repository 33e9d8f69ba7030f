package org.flinox.operators;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Restored state whose entries changed shape or dtype, which no value can be carried over
 * into: the job refuses to start and says how to go on.
 */
public final class StateLayoutException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final String modelName;
    private final List<String> changes;
    private final String stored;
    private final String model;

    StateLayoutException(String modelName, List<String> changed, String stored, String model) {
        this(modelName, changed, stored, model, "a reset of NAME");
    }

    /**
     * @param reset how a reset of one module is asked for, {@code NAME} standing for the module's
     *     path ({@code --reset-state NAME} in the job)
     */
    private StateLayoutException(String modelName, List<String> changed, String stored, String model, String reset) {
        super("model " + modelName + ": the restored state does not fit the model: " + String.join("; ", changed)
                + ". Start their modules over with " + resets(changed, reset) + " (every entry of a module starts "
                + "over together; the stored values are dropped), or restore with the model that wrote them. Stored "
                + "layout " + stored + ", the model's " + model);
        this.modelName = modelName;
        this.changes = List.copyOf(changed);
        this.stored = stored;
        this.model = model;
    }

    /** Each entry that does not fit: its name, its stored layout and the model's. */
    public List<String> changes() {
        return changes;
    }

    /** The same refusal, saying how the user asks for a reset ({@code --reset-state NAME} in the job). */
    StateLayoutException advising(String reset) {
        return new StateLayoutException(modelName, changes, stored, model, reset);
    }

    /**
     * A reset of each changed entry's module: the entry's path without its last component
     * ({@code .layers[2].first} → {@code .layers[2]}, {@code .mean} → {@code .}, the root).
     */
    private static String resets(List<String> changed, String reset) {
        Set<String> modules = new TreeSet<>();
        for (String c : changed) {
            String entry = c.contains(" ") ? c.substring(0, c.indexOf(' ')) : c;
            int dot = entry.lastIndexOf('.');
            modules.add(dot <= 0 ? "." : entry.substring(0, dot));
        }
        return modules.stream().map(m -> reset.replace("NAME", m)).collect(Collectors.joining(" "));
    }
}
