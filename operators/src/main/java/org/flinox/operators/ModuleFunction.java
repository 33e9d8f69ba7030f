package org.flinox.operators;

import java.time.Duration;
import java.util.Set;
import java.util.function.Consumer;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinox.nn.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one module tree per stream key: the key's whole {@link State} is one value of the
 * model's {@link ModelState} (one read and at most one write per record).
 *
 * <p>Per record: read the key's state (a key seen for the first time starts from the
 * exported initial state) → forward → write it back if it changed → emit the output. A
 * record the module cannot use goes to {@link DeadLetters#TAG} with its reason, and the
 * key's state is left as it was.
 *
 * <p>Inside {@link ModelOperator} the model is built once and handed in ({@link #bind});
 * used on its own (tests, benchmarks) the function builds it in {@link #open}.
 */
public class ModuleFunction extends KeyedProcessFunction<String, FeatureRecord, ModelOutput> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModuleFunction.class);
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    /** One record in this many is timed for {@code forwardNanos}: two clock reads a record showed in B1. */
    static final int TIME_ONE_IN = 32;

    private final ModelFactory factory;
    private final Duration stateTtl;

    private transient KeyedModel model;
    private transient ValueState<State> state;
    private transient Counter recordsIn;
    private transient Counter recordsOut;
    private transient ModelMetrics.DeadLetterCounters deadLetters;
    private transient Counter entriesWritten;
    private transient Counter keysSeen;
    private transient ModelMetrics metrics;
    private transient Histogram forwardNanos;
    private transient long lastProgressNanos;
    private transient long recordsAtLastProgress;
    private transient Context context; // the current record's, for dead letters
    private transient Consumer<DeadLetter> toDeadLetters;

    /**
     * @param factory builds the module tree in every parallel instance
     * @param stateTtl drop a key's state after this long without an update, or null to keep it
     */
    public ModuleFunction(ModelFactory factory, Duration stateTtl) {
        this.factory = factory;
        this.stateTtl = stateTtl;
    }

    /** Hands in the model, its registered state and its metrics, so none is built twice. */
    void bind(KeyedModel model, ValueState<State> state, ModelMetrics metrics) {
        this.model = model;
        this.state = state;
        this.metrics = metrics;
    }

    @Override
    public void open(OpenContext openContext) {
        if (model == null) {
            model = KeyedModel.build(factory);
            state = getRuntimeContext().getState(ModelState.descriptor(model.name(), model.initial(), Set.of(), stateTtl));
        }
        if (metrics == null) {
            metrics = new ModelMetrics(getRuntimeContext().getMetricGroup(), model.name(), model.initial());
        }
        recordsIn = metrics.recordsIn;
        recordsOut = metrics.recordsOut;
        deadLetters = metrics.deadLetters;
        entriesWritten = metrics.entriesWritten;
        keysSeen = metrics.keysSeen;
        forwardNanos = metrics.forwardNanos;
        lastProgressNanos = System.nanoTime();
        toDeadLetters = d -> context.output(DeadLetters.TAG, d);
    }

    KeyedModel model() {
        return model;
    }

    ModelMetrics metrics() {
        return metrics;
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<ModelOutput> out) throws Exception {
        context = ctx;
        if (model.initial().size() == 0) { // a stateless model: no state to read or write
            apply(model.initial(), record, out, toDeadLetters);
            return;
        }
        State stored = state.value();
        State before = model.current(stored);
        State after = apply(before, record, out, toDeadLetters);
        if (after != before) {
            if (stored == null) {
                keysSeen.inc();
            }
            state.update(after);
        }
    }

    /**
     * One record on {@code current}: emits its output or dead letter and returns the key's
     * next state ({@code current} itself when nothing changed).
     */
    State apply(State current, FeatureRecord record, Collector<ModelOutput> out, Consumer<DeadLetter> deadLetter) {
        if (recordsIn.getCount() % TIME_ONE_IN != 0) {
            return emit(current, record, model.step(current, record), out, deadLetter);
        }
        long start = System.nanoTime();
        KeyedModel.Outcome outcome = model.step(current, record);
        if (outcome instanceof KeyedModel.Accepted) {
            forwardNanos.update(System.nanoTime() - start);
        }
        return emit(current, record, outcome, out, deadLetter);
    }

    /** Counts and emits one record's outcome; returns the key's next state. */
    State emit(State current, FeatureRecord record, KeyedModel.Outcome outcome, Collector<ModelOutput> out,
            Consumer<DeadLetter> deadLetter) {
        recordsIn.inc();
        if ((recordsIn.getCount() & 1023) == 0) {
            logProgress();
        }
        if (outcome instanceof KeyedModel.Rejected r) {
            deadLetters.count(r.reason());
            deadLetter.accept(new DeadLetter(record.source(), record.seq(), record.key(), record.raw(),
                    r.reason(), r.detail()));
            return current;
        }
        KeyedModel.Accepted a = (KeyedModel.Accepted) outcome;
        State next = a.next();
        for (int i = 0; i < next.size(); i++) {
            if (next.valueAt(i) != current.valueAt(i)) {
                entriesWritten.inc();
            }
        }
        recordsOut.inc();
        out.collect(new ModelOutput(record.key(), record.source(), record.seq(), a.output()));
        return next;
    }

    private void logProgress() {
        long now = System.nanoTime();
        if (now - lastProgressNanos >= PROGRESS_EVERY_NANOS) {
            long n = recordsIn.getCount();
            double perSecond = (n - recordsAtLastProgress) * 1e9 / (now - lastProgressNanos);
            LOG.info("model {} subtask {}: {} records, {} records/s, {} dead letters",
                    factory.name(), getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), n,
                    Math.round(perSecond), deadLetters.total());
            lastProgressNanos = now;
            recordsAtLastProgress = n;
        }
    }
}
