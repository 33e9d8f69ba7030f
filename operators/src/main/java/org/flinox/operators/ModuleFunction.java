package org.flinox.operators;

import java.time.Duration;
import java.util.Arrays;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.flinox.nn.Module;
import org.flinox.nn.Result;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one module tree per stream key: the tree's state lives in Flink keyed state, one
 * {@link ValueState} per {@link StateKey}, named after the key.
 *
 * <p>Per record: read the key's entries (a key seen for the first time starts from the
 * exported initial state) → forward → write back only the entries that changed → emit the
 * output. A record the module cannot use goes to {@link DeadLetters#TAG} with its reason, and
 * the key's state is left as it was.
 */
public class ModuleFunction extends KeyedProcessFunction<String, FeatureRecord, ModelOutput> {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModuleFunction.class);
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();

    private final ModelFactory factory;
    private final Duration stateTtl;

    private transient Module module;
    private transient State initial;
    private transient ValueState<Tensor>[] entries;
    private transient Tensor[] current;
    private transient Counter recordsIn;
    private transient Counter recordsOut;
    private transient Counter deadLetters;
    private transient Counter entriesWritten;
    private transient Histogram forwardNanos;
    private transient long lastProgressNanos;
    private transient long recordsAtLastProgress;

    /**
     * @param factory builds the module tree in every parallel instance
     * @param stateTtl drop a key's state after this long without an update, or null to keep it
     */
    public ModuleFunction(ModelFactory factory, Duration stateTtl) {
        this.factory = factory;
        this.stateTtl = stateTtl;
    }

    /** The state descriptor of one entry: named after the StateKey, never Kryo. */
    public static ValueStateDescriptor<Tensor> descriptor(StateKey key) {
        return new ValueStateDescriptor<>(key.name(), new TensorSerializer());
    }

    /**
     * The descriptor of one entry with the job's TTL. Every registration of an entry must use
     * it: Flink caches a state by name, so the first registration decides whether it expires.
     */
    public static ValueStateDescriptor<Tensor> descriptor(StateKey key, Duration stateTtl) {
        ValueStateDescriptor<Tensor> d = descriptor(key);
        if (stateTtl != null) {
            d.enableTimeToLive(StateTtlConfig.newBuilder(stateTtl).build());
        }
        return d;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        StateExport.Exported<Module> exported = StateExport.exportState(factory.create());
        module = exported.module();
        initial = exported.state();
        entries = new ValueState[initial.size()];
        current = new Tensor[initial.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = getRuntimeContext().getState(descriptor(initial.keyAt(i), stateTtl));
        }
        MetricGroup metrics = getRuntimeContext().getMetricGroup().addGroup("flinox");
        recordsIn = metrics.counter("recordsIn");
        recordsOut = metrics.counter("recordsOut");
        deadLetters = metrics.counter("deadLetters");
        entriesWritten = metrics.counter("stateEntriesWritten");
        forwardNanos = metrics.histogram("forwardNanos", new DescriptiveStatisticsHistogram(1000));
        lastProgressNanos = System.nanoTime();
    }

    @Override
    public void processElement(FeatureRecord record, Context ctx, Collector<ModelOutput> out) throws Exception {
        recordsIn.inc();
        logProgress();
        if (record.features().length != factory.inputWidth()) {
            reject(ctx, record, DeadLetterReason.WRONG_FEATURE_COUNT, "the model takes "
                    + factory.inputWidth() + " features, the record has " + record.features().length);
            return;
        }
        for (int i = 0; i < entries.length; i++) {
            Tensor stored = entries[i].value();
            current[i] = stored != null ? stored : initial.valueAt(i);
        }
        State state = initial.withValues(current);

        long start = System.nanoTime();
        Result<double[]> result;
        try {
            result = module.forward(record.features(), state);
        } catch (RuntimeException e) {
            reject(ctx, record, DeadLetterReason.FORWARD_FAILED, String.valueOf(e.getMessage()));
            return;
        }
        forwardNanos.update(System.nanoTime() - start);
        String nonFinite = firstNonFinite(result);
        if (nonFinite != null) {
            reject(ctx, record, DeadLetterReason.FORWARD_FAILED, nonFinite + " would not be finite; state kept");
            return;
        }

        State next = result.state();
        for (int i = 0; i < entries.length; i++) {
            Tensor value = next.valueAt(i);
            if (value != current[i]) {
                entries[i].update(value);
                entriesWritten.inc();
            }
        }
        recordsOut.inc();
        out.collect(new ModelOutput(record.key(), record.source(), record.seq(), result.output()));
    }

    private String firstNonFinite(Result<double[]> result) {
        for (double v : result.output()) {
            if (!Double.isFinite(v)) {
                return "the output " + Arrays.toString(result.output());
            }
        }
        State next = result.state();
        for (int i = 0; i < current.length; i++) {
            Tensor t = next.valueAt(i);
            if (t != current[i]) {
                for (int j = 0; j < t.size(); j++) {
                    if (!Double.isFinite(t.get(j))) {
                        return "state entry " + next.keyAt(i).name();
                    }
                }
            }
        }
        return null;
    }

    private void reject(Context ctx, FeatureRecord r, DeadLetterReason reason, String detail) {
        deadLetters.inc();
        ctx.output(DeadLetters.TAG, new DeadLetter(r.source(), r.seq(), r.key(), r.raw(), reason, detail));
    }

    private void logProgress() {
        long now = System.nanoTime();
        if (now - lastProgressNanos >= PROGRESS_EVERY_NANOS) {
            long n = recordsIn.getCount();
            double perSecond = (n - recordsAtLastProgress) * 1e9 / (now - lastProgressNanos);
            LOG.info("model {} subtask {}: {} records, {} records/s, {} dead letters",
                    factory.name(), getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(), n,
                    Math.round(perSecond), deadLetters.getCount());
            lastProgressNanos = now;
            recordsAtLastProgress = n;
        }
    }
}
