package org.flinox.operators;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.flink.streaming.api.operators.Output;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.flinox.nn.State;

/**
 * The keyed function of the model operator, one path for every front: a key's records, in
 * arrival order, against that key's state: one read from the {@link StateStore}, the step rule
 * ({@link KeyedModel#step}) per record with its output or dead letter, and one write if the
 * state changed. Per record that is one record; for a finished key bundle
 * ({@link #finishBundle}, the bundle's {@code MapBundleFunction}) it is each key's records, or
 * rounds of one record per key through one batched forward when that pays.
 */
final class ModelRunner<K, T> {
    private KeyedModel model;
    private String version; // null: the model takes no updates
    private final FeatureFunction<T> features;
    private final StateStore<K> states;
    private final Output<StreamRecord<ModelOutput<T>>> output;
    private final OutputTag<Rejected<T>> rejected;
    private final ModelMetrics metrics;
    private final KeyBundles.Forward forward;
    private final Consumer<K> keyContext;
    private final StreamRecord<ModelOutput<T>> reuse = new StreamRecord<>(null);

    /**
     * @param keyContext sets the keyed backend's current key, for the keys of a bundle
     * @param forward how a finished bundle goes through the model
     */
    ModelRunner(KeyedModel model, FeatureFunction<T> features, StateStore<K> states,
            Output<StreamRecord<ModelOutput<T>>> output, OutputTag<Rejected<T>> rejected, ModelMetrics metrics,
            KeyBundles.Forward forward, Consumer<K> keyContext) {
        this.model = model;
        this.features = features;
        this.states = states;
        this.output = output;
        this.rejected = rejected;
        this.metrics = metrics;
        this.forward = forward;
        this.keyContext = keyContext;
    }

    /**
     * Runs {@code model} as {@code version} from the next record on: the caller calls it between
     * two records, with no key bundle open, so each record runs under exactly one version.
     */
    void use(KeyedModel model, String version) {
        this.model = model;
        this.version = version;
    }

    /** The record with its features read. */
    Pending<T> pending(StreamRecord<T> record) {
        return Pending.of(record, features);
    }

    /** One record of {@code key}, the keyed backend's current key. */
    void run(K key, StreamRecord<T> record) throws Exception {
        State stored = states.get(key);
        store(key, stored, apply(model.current(stored), pending(record)));
    }

    /** {@code key}'s records, in arrival order: one read, one write. The key is the current key. */
    void run(K key, List<Pending<T>> records) throws Exception {
        State stored = states.get(key);
        State current = model.current(stored);
        for (Pending<T> p : records) {
            current = apply(current, p);
        }
        store(key, stored, current);
    }

    /** "Write the state back if it changed": a state read and left as it was is not written. */
    private void store(K key, State stored, State next) throws Exception {
        boolean changed = next != stored && (stored != null || next != model.initial());
        if (changed && stored == null) {
            metrics.keySeen();
        }
        states.put(key, next, changed);
    }

    /** One record on {@code current}: emits its output or dead letter; returns the key's next state. */
    private State apply(State current, Pending<T> p) {
        KeyedModel.Outcome outcome;
        if (p.features() == null) {
            outcome = new KeyedModel.Refused(DeadLetterReason.NO_FEATURES, p.noFeatures());
        } else if (metrics.timeNext()) {
            long start = System.nanoTime();
            outcome = model.step(current, p.features());
            if (outcome instanceof KeyedModel.Accepted) {
                metrics.forwardNanos(System.nanoTime() - start);
            }
        } else {
            outcome = model.step(current, p.features());
        }
        return emit(current, p, outcome);
    }

    /** Emits one record's outcome with the record's timestamp; returns the key's next state. */
    private State emit(State current, Pending<T> p, KeyedModel.Outcome outcome) {
        if (outcome instanceof KeyedModel.Refused r) {
            metrics.rejected(r.reason());
            Rejected<T> d = new Rejected<>(p.element(), r.reason(), r.detail());
            output.collect(rejected, p.timestamp() == Pending.NO_TIMESTAMP ? new StreamRecord<>(d)
                    : new StreamRecord<>(d, p.timestamp()));
            return current;
        }
        KeyedModel.Accepted a = (KeyedModel.Accepted) outcome;
        metrics.accepted(current, a.next());
        ModelOutput<T> out = new ModelOutput<>(p.element(), a.output(), version);
        if (p.timestamp() == Pending.NO_TIMESTAMP) {
            reuse.eraseTimestamp();
            output.collect(reuse.replace(out));
        } else {
            output.collect(reuse.replace(out, p.timestamp()));
        }
        return a.next();
    }

    // ---- a finished key bundle ----

    /** Runs a bundle: per key one read, its records in arrival order, one write. */
    void finishBundle(Map<K, List<Pending<T>>> bundle) throws Exception {
        int bundled = 0;
        for (List<Pending<T>> r : bundle.values()) {
            bundled += r.size();
        }
        metrics.bundleFinished(bundled, bundle.size());
        boolean batched = switch (forward) {
            case BATCHED -> true;
            case PER_RECORD -> false;
            case AUTO -> model.batchPays(bundle.size());
        };
        if (!batched) {
            for (Map.Entry<K, List<Pending<T>>> e : bundle.entrySet()) {
                keyContext.accept(e.getKey());
                run(e.getKey(), e.getValue());
            }
            return;
        }
        List<K> keys = new ArrayList<>(bundle.keySet());
        List<List<Pending<T>>> records = new ArrayList<>(bundle.values());
        State[] stored = new State[keys.size()];
        State[] current = new State[keys.size()];
        int rounds = 0;
        for (int k = 0; k < keys.size(); k++) {
            keyContext.accept(keys.get(k));
            stored[k] = states.get(keys.get(k));
            current[k] = model.current(stored[k]);
            rounds = Math.max(rounds, records.get(k).size());
        }
        for (int r = 0; r < rounds; r++) {
            runRound(records, r, current);
        }
        for (int k = 0; k < keys.size(); k++) {
            keyContext.accept(keys.get(k));
            store(keys.get(k), stored[k], current[k]);
        }
    }

    /**
     * Round {@code r} of a batched bundle: the r-th record of every key that has one, in one
     * batched forward; a record the rule refuses before the forward pass (its width, its
     * features) is run alone. Each key's records thus still run in arrival order.
     */
    private void runRound(List<List<Pending<T>>> records, int r, State[] current) {
        List<Integer> batch = new ArrayList<>();
        for (int k = 0; k < records.size(); k++) {
            if (r < records.get(k).size()) {
                Pending<T> p = records.get(k).get(r);
                if (p.features() != null && model.checkInput(p.features()) == null) {
                    batch.add(k);
                } else {
                    current[k] = apply(current[k], p);
                }
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        List<State> states = new ArrayList<>(batch.size());
        List<double[]> rows = new ArrayList<>(batch.size());
        for (int k : batch) {
            states.add(current[k]);
            rows.add(records.get(k).get(r).features());
        }
        List<KeyedModel.Outcome> outcomes = model.stepBatch(states, rows);
        for (int i = 0; i < batch.size(); i++) {
            int k = batch.get(i);
            current[k] = emit(current[k], records.get(k).get(r), outcomes.get(i));
        }
    }
}
