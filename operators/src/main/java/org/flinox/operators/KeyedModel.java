package org.flinox.operators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.flinox.nn.Module;
import org.flinox.nn.Parameters;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.Tensor;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * A model as a keyed stream runs it, and the one rule for a record: the exported module tree
 * (built once per operator instance), its initial state (which a key seen for the first time
 * starts from) and {@link #step}, which decides for one key's state and one record whether the
 * record is accepted, and what the key's state becomes. The DataStream operator (per record,
 * in key bundles, batched) and the SQL function both call it, so they accept and refuse alike.
 *
 * <p>The rule, in order: a record of the wrong width is refused
 * ({@link DeadLetterReason#WRONG_FEATURE_COUNT}), so is a feature that is not finite
 * ({@link DeadLetterReason#NOT_FINITE}); then the forward pass runs, and the record is refused
 * ({@link DeadLetterReason#FORWARD_FAILED}) when it throws, when its output is not finite, or
 * when a state entry it <em>changed</em> is not finite. Entries it left as they were are not
 * looked at: they passed this rule when they were written (or are initial values, checked at
 * start), so checking them again would cost a pass over the whole state per record and refuse
 * records for what they did not do. A refused record leaves the state as it was.
 */
public final class KeyedModel {
    /**
     * Parameters per record at or above which a batched ND4J forward over a round of keys beats
     * the per-record loops, and the fewest keys a round needs for it: measured on 2 cores
     * (BENCHMARKS.md, B4 batching): an MLP of hidden width 256 (70k parameters) runs at 0.61 of
     * the per-record cost batched over 256 keys and at 3.3× over 64; width 64 (5k parameters)
     * never pays (5–6×).
     */
    static final long BATCH_MIN_PARAMETERS = 65_536;
    static final int BATCH_MIN_KEYS = 256;

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
        this.parameterCount = Parameters.of(module).values().stream().mapToLong(Tensor::size).sum();
    }

    /** Builds and exports the factory's model. */
    public static KeyedModel build(ModelFactory factory) {
        StateExport.Exported<Module> exported = factory.createExported();
        return new KeyedModel(factory.name(), factory.inputWidth(), exported.module(), exported.state());
    }

    public String name() {
        return name;
    }

    /**
     * This model with the parameters of an {@code .npz} file, loaded strictly as
     * {@code --weights} are ({@link Parameters#load}): the same state keys and initial state, so
     * every key's state fits it as it is.
     *
     * @throws IllegalArgumentException naming every array at fault
     */
    KeyedModel withParameters(java.nio.file.Path npz, String source) throws java.io.IOException {
        return new KeyedModel(name, inputWidth, Parameters.load(module, npz, source, false).module(), initial);
    }

    /** The number of features a record must have. */
    public int inputWidth() {
        return inputWidth;
    }

    /** The state a key seen for the first time starts from; its keys name the state's entries. */
    public State initial() {
        return initial;
    }

    /** A key's stored state (null: never written) in this model's layout. */
    public State current(State stored) {
        if (stored == null) {
            return initial;
        }
        return StateLayout.sameLayout(stored, initial) ? stored : StateLayout.fit(stored, initial, Set.of());
    }

    /** What one record does to one key: an output and the key's next state, or why it was refused. */
    public sealed interface Outcome {}

    /**
     * @param output the model's output
     * @param next the key's state after the record; its entries that did not change are those of
     *     the state the record ran on, the same objects
     */
    public record Accepted(double[] output, State next) implements Outcome {}

    /** The record is a dead letter; the key's state stays as it was. */
    public record Refused(DeadLetterReason reason, String detail) implements Outcome {}

    /** One record on one key's {@code state} (in this model's layout), by the rule above. */
    public Outcome step(State state, double[] features) {
        Refused bad = checkInput(features);
        if (bad != null) {
            return bad;
        }
        Result<double[]> result;
        try {
            result = module.forward(features, state);
        } catch (RuntimeException e) {
            return new Refused(DeadLetterReason.FORWARD_FAILED, "model " + name + ": " + e.getMessage());
        }
        return judge(result.output(), result.state(), state);
    }

    /** The part of the rule that needs no forward pass: the width, and finite features. Null: fine. */
    Refused checkInput(double[] features) {
        if (features.length != inputWidth) {
            return new Refused(DeadLetterReason.WRONG_FEATURE_COUNT, "model " + name + " takes " + inputWidth
                    + " features, the record has " + features.length);
        }
        for (int i = 0; i < features.length; i++) {
            if (!Double.isFinite(features[i])) {
                return new Refused(DeadLetterReason.NOT_FINITE, "model " + name + ": feature " + i
                        + " is not finite: " + features[i]);
            }
        }
        return null;
    }

    /** The part of the rule after the forward pass: a finite output, and finite changed entries. */
    private Outcome judge(double[] output, State next, State before) {
        for (double v : output) {
            if (!Double.isFinite(v)) {
                return new Refused(DeadLetterReason.FORWARD_FAILED, "model " + name + ": the output "
                        + Arrays.toString(output) + " would not be finite; the state is kept");
            }
        }
        for (int i = 0; i < next.size(); i++) {
            Tensor t = next.valueAt(i);
            if (t != before.valueAt(i)) {
                for (int j = 0; j < t.size(); j++) {
                    if (!Double.isFinite(t.get(j))) {
                        return new Refused(DeadLetterReason.FORWARD_FAILED, "model " + name + ": state entry "
                                + next.keyAt(i).name() + " would be " + t.get(j) + " at [" + j
                                + "]; the state is kept");
                    }
                }
            }
        }
        return new Accepted(output, next);
    }

    /** Whether a batched forward over {@code keys} keys' records pays, by the measured rule. */
    boolean batchPays(int keys) {
        return parameterCount >= BATCH_MIN_PARAMETERS && keys >= BATCH_MIN_KEYS;
    }

    /** The number of parameters of the model: about its multiply-adds per record. */
    long parameterCount() {
        return parameterCount;
    }

    /**
     * One record of each of several keys through one batched forward (their states stacked,
     * the ND4J path): {@link #step} on each, up to float rounding. Every record must have passed
     * {@link #checkInput}. Falls back to {@link #step} per record when the batched pass fails.
     */
    List<Outcome> stepBatch(List<State> states, List<double[]> features) {
        int b = features.size();
        List<State> next;
        INDArray y;
        try {
            Result<INDArray> result = module.forward(Nd4j.create(features.toArray(double[][]::new)),
                    initial.size() == 0 ? initial : State.stack(states));
            y = result.output();
            next = initial.size() == 0 ? states : result.state().unstack();
        } catch (RuntimeException e) {
            List<Outcome> out = new ArrayList<>(b);
            for (int i = 0; i < b; i++) {
                out.add(step(states.get(i), features.get(i)));
            }
            return out;
        }
        double[] flat = y.dup('c').reshape(y.length()).toDoubleVector(); // one copy out, not one per row
        int width = flat.length / b;
        List<Outcome> out = new ArrayList<>(b);
        for (int i = 0; i < b; i++) {
            out.add(judge(Arrays.copyOfRange(flat, i * width, (i + 1) * width), next.get(i), states.get(i)));
        }
        return out;
    }
}
