package org.flinox.operators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

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
    private final long parameterCount;

    private KeyedModel(String name, int inputWidth, Module module, State initial) {
        this.name = name;
        this.inputWidth = inputWidth;
        this.module = module;
        this.initial = initial;
        this.parameterCount = org.flinox.nn.Parameters.of(module).values().stream().mapToLong(t -> t.size()).sum();
    }

    /**
     * Parameters per record at or above which a batched ND4J forward over a round of keys beats
     * the per-record loops, and the fewest keys a round needs for it: measured on 2 cores
     * (BENCHMARKS.md, B4 batching): an MLP of hidden width 256 (70k parameters) runs at 0.61 of
     * the per-record cost batched over 256 keys and at 3.3× over 64; width 64 (5k parameters)
     * never pays (5–6×).
     */
    static final long BATCH_MIN_PARAMETERS = 65_536;
    static final int BATCH_MIN_KEYS = 256;

    /** Whether a batched forward over {@code keys} keys' records pays, by the measured rule. */
    boolean batchPays(int keys) {
        return parameterCount >= BATCH_MIN_PARAMETERS && keys >= BATCH_MIN_KEYS;
    }

    /** The number of parameters of the model: about its multiply-adds per record. */
    long parameterCount() {
        return parameterCount;
    }

    /** Builds and exports the factory's model. */
    public static KeyedModel build(ModelFactory factory) {
        StateExport.Exported<Module> exported = factory.createExported();
        return new KeyedModel(factory.name(), factory.inputWidth(), exported.module(), exported.state());
    }

    public String name() {
        return name;
    }

    public State initial() {
        return initial;
    }

    /** A key's stored state (null: never written) in this model's layout. */
    State current(State stored) {
        if (stored == null) {
            return initial;
        }
        return StateLayout.sameLayout(stored, initial)
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

    /**
     * One record of each of several keys through one batched forward (their states stacked,
     * the ND4J path): the same function as {@link #step} on each, up to float rounding.
     * Every record must have the model's input width. Falls back to {@link #step} per record
     * when the batched pass fails.
     */
    List<Outcome> stepBatch(List<State> states, List<FeatureRecord> records) {
        int b = records.size();
        double[][] rows = new double[b][];
        for (int i = 0; i < b; i++) {
            rows[i] = records.get(i).features();
        }
        List<State> next;
        INDArray y;
        try {
            Result<INDArray> result = module.forward(Nd4j.create(rows), initial.size() == 0 ? initial : State.stack(states));
            y = result.output();
            next = initial.size() == 0 ? states : result.state().unstack();
        } catch (RuntimeException e) {
            List<Outcome> out = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                out.add(step(states.get(i), records.get(i)));
            }
            return out;
        }
        double[] flat = y.dup('c').reshape(y.length()).toDoubleVector(); // one copy out, not one per row
        int width = flat.length / b;
        List<Outcome> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            double[] output = Arrays.copyOfRange(flat, i * width, (i + 1) * width);
            Result<double[]> row = new Result<>(output, next.get(i));
            String nonFinite = firstNonFinite(row, states.get(i));
            out.add(nonFinite == null ? new Accepted(output, next.get(i))
                    : new Rejected(DeadLetterReason.FORWARD_FAILED, nonFinite + " would not be finite; state kept"));
        }
        return out;
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
