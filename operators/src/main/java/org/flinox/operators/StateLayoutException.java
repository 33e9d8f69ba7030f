package org.flinox.operators;

import java.util.List;

/**
 * Restored state whose entries changed shape or dtype, which no value can be carried over
 * into: the job refuses to start and says how to go on.
 */
public final class StateLayoutException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    private final List<String> changes;

    StateLayoutException(String modelName, List<String> changed, String stored, String model) {
        super("model " + modelName + ": the restored state does not fit the model: " + String.join("; ", changed)
                + ". Start their modules over with " + resetFlags(changed) + " (every entry of a module starts over "
                + "together; the stored values are dropped), or restore with the model that wrote them. Stored layout "
                + stored + ", the model's " + model);
        this.changes = List.copyOf(changed);
    }

    /** Each entry that does not fit: its name, its stored layout and the model's. */
    public List<String> changes() {
        return changes;
    }

    /**
     * {@code --reset-state} of each changed entry's module: the entry's path without its last
     * component ({@code .layers[2].first} → {@code .layers[2]}, {@code .mean} → {@code .}, the root).
     */
    private static String resetFlags(List<String> changed) {
        java.util.Set<String> modules = new java.util.TreeSet<>();
        for (String c : changed) {
            String entry = c.contains(" ") ? c.substring(0, c.indexOf(' ')) : c;
            int dot = entry.lastIndexOf('.');
            modules.add(dot <= 0 ? "." : entry.substring(0, dot));
        }
        return modules.stream().map(m -> "--reset-state " + m).collect(java.util.stream.Collectors.joining(" "));
    }
}
