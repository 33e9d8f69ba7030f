package org.flinox.operators;

import java.util.Arrays;
import java.util.Set;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;

/**
 * A model as the operator runs it: the exported module tree, built once per operator
 * instance, and its initial state, which a stream key seen for the first time starts from.
 * {@link #step} is one record's work between reading and writing the key's state.
 */
public final class KeyedModel {
    private final String name;
    private final int inputWidth;
    private final Module module;
    private final State initial;
    private final StateLayout layout;

    private KeyedModel(String name, int inputWidth, Module module, State initial) {
        this.name = name;
        this.inputWidth = inputWidth;
        this.module = module;
        this.initial = initial;
        this.layout = StateLayout.of(initial);
    }

    /** Builds and exports the factory's model. */
    public static KeyedModel build(ModelFactory factory) {
        StateExport.Exported<Module> exported = StateExport.exportState(factory.create());
        return new KeyedModel(factory.name(), factory.inputWidth(), exported.module(), exported.state());
    }

    public String name() {
        return name;
    }

    public State initial() {
        return initial;
    }

    /** The module tree with its state entries replaced by keys. */
    public Module module() {
        return module;
    }

    /** A key's stored state (null: never written) in this model's layout. */
    State current(State stored) {
        if (stored == null) {
            return initial;
        }
        return layout.matches(stored)
                ? stored : StateLayout.fit(stored, initial, Set.of());
    }

    /** What one record does: an output and the key's next state, or a dead letter's reason. */
    sealed interface Outcome {}

    record Accepted(double[] output, State next) implements Outcome {}

    record Rejected(DeadLetterReason reason, String detail) implements Outcome {}

    /** Forward pass of one record on {@code state}; a rejected record leaves the state as it was. */
    Outcome step(State state, FeatureRecord record) {
        if (record.features().length != inputWidth) {
            return new Rejected(DeadLetterReason.WRONG_FEATURE_COUNT, "the model takes " + inputWidth
                    + " features, the record has " + record.features().length);
        }
        Result<double[]> result;
        try {
            result = module.forward(record.features(), state);
        } catch (RuntimeException e) {
            return new Rejected(DeadLetterReason.FORWARD_FAILED, String.valueOf(e.getMessage()));
        }
        String nonFinite = firstNonFinite(result, state);
        if (nonFinite != null) {
            return new Rejected(DeadLetterReason.FORWARD_FAILED, nonFinite + " would not be finite; state kept");
        }
        return new Accepted(result.output(), result.state());
    }

    private static String firstNonFinite(Result<double[]> result, State before) {
        for (double v : result.output()) {
            if (!Double.isFinite(v)) {
                return "the output " + Arrays.toString(result.output());
            }
        }
        State next = result.state();
        for (int i = 0; i < next.size(); i++) {
            org.flinox.nn.Tensor t = next.valueAt(i);
            if (t != before.valueAt(i)) {
                for (int j = 0; j < t.size(); j++) {
                    if (!Double.isFinite(t.get(j))) {
                        return "state entry " + next.keyAt(i).name();
                    }
                }
            }
        }
        return null;
    }
}
