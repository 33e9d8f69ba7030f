package org.flinox.operators;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.flinox.nn.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed operator of a module tree: {@link ModuleFunction} per record, plus what only an
 * operator can do.
 *
 * <ul>
 *   <li><b>One build.</b> The model is built and exported once per operator instance and
 *       handed to the function with its registered {@link ModelState}.
 *   <li><b>Model evolution</b> is Flink's schema-compatibility path on the state's
 *       serializer ({@link StateSerializerSnapshot}): added entries start from their initial
 *       values, dropped ones are let go, a changed shape or dtype stops the job at start
 *       (no restarts) with what to do. {@code --reset-state} entries start over for every
 *       key, once: when the job starts from a savepoint of another job, not again when it
 *       recovers from its own checkpoints.
 *   <li><b>Final state.</b> When a bounded input ends, every key's entries go to
 *       {@link FinalState#TAG}, so a backfill can warm a streaming run.
 *   <li><b>State cache</b> ({@link StateCache}): hot keys' states stay in memory across
 *       records and bundles, written back before every barrier, when evicted and when the
 *       input ends. Off under a state TTL: a cached read would not see an expiry, and the
 *       delayed write would move the TTL's clock.
 * </ul>
 */
public final class ModelOperator extends KeyedProcessOperator<String, FeatureRecord, ModelOutput>
        implements BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelOperator.class);
    /** The job that wrote the state: a restore from another job's savepoint applies --reset-state. */
    private static final ListStateDescriptor<String> WRITER_JOB =
            new ListStateDescriptor<>("flinox-writer-job", StringSerializer.INSTANCE);

    private final ModelFactory factory;
    private final Duration stateTtl;
    private final Set<String> resetState;
    private final boolean emitFinalState;
    private final KeyBundles bundles;
    private final long stateCacheBytes;

    private transient KeyedModel model;
    private transient ValueState<State> state;
    private transient KeyBundle bundle;
    private transient boolean flushTimerPending;
    private transient StateCache cache; // null: off

    /**
     * @param factory the model
     * @param stateTtl idle-state time to live, or null
     * @param resetState names of entries to start over on restore, even when their layout changed
     * @param emitFinalState whether to emit every key's state when the input ends
     * @param bundles key bundles, or {@link KeyBundles#OFF}
     */
    public ModelOperator(ModelFactory factory, Duration stateTtl, Set<String> resetState, boolean emitFinalState,
            KeyBundles bundles) {
        this(factory, stateTtl, resetState, emitFinalState, bundles, 0);
    }

    /**
     * @param stateCacheBytes the memory bound of the per-subtask {@link StateCache}; 0: no cache
     * @throws IllegalArgumentException for a cache under a state TTL (see the class comment)
     */
    public ModelOperator(ModelFactory factory, Duration stateTtl, Set<String> resetState, boolean emitFinalState,
            KeyBundles bundles, long stateCacheBytes) {
        super(new ModuleFunction(factory, stateTtl));
        if (stateCacheBytes < 0 || (stateCacheBytes > 0 && stateTtl != null)) {
            throw new IllegalArgumentException("a state cache must be 0 (off) or positive, and off under a state TTL; "
                    + "got " + stateCacheBytes + " bytes with TTL " + stateTtl);
        }
        this.stateCacheBytes = stateCacheBytes;
        this.factory = factory;
        this.stateTtl = stateTtl;
        this.resetState = Set.copyOf(resetState);
        this.emitFinalState = emitFinalState;
        this.bundles = bundles;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        model = KeyedModel.build(factory);
        checkResetNames();
        state = registerState();
        ListState<String> writerJob = context.getOperatorStateStore().getUnionListState(WRITER_JOB);
        String thisJob = getRuntimeContext().getJobInfo().getJobId().toString();
        if (context.isRestored()) {
            if (!resetState.isEmpty() && !toList(writerJob.get()).contains(thisJob)) {
                resetEverywhere();
            }
        }
        writerJob.update(List.of(thisJob));
        function().bind(model, state);
        bundle = new KeyBundle(stateBytes(model.initial()));
        if (stateCacheBytes > 0 && model.initial().size() > 0) {
            cache = new StateCache(stateCacheBytes, stateBytes(model.initial()), (key, value) -> {
                setCurrentKey(key);
                state.update(value);
            });
            // beside ModuleFunction's metrics: how often a key's state was served from memory
            MetricGroup metrics = getMetricGroup().addGroup("flinox");
            metrics.gauge("stateCacheHits", (Gauge<Long>) cache::hits);
            metrics.gauge("stateCacheMisses", (Gauge<Long>) cache::misses);
        }
    }

    /** The state cache, or null when off; for tests. */
    StateCache stateCache() {
        return cache;
    }

    private ModuleFunction function() {
        return (ModuleFunction) userFunction;
    }

    private static long stateBytes(State initial) {
        long bytes = 64;
        for (int i = 0; i < initial.size(); i++) {
            bytes += 48 + 8L * initial.valueAt(i).size();
        }
        return bytes;
    }

    // ---- key bundles: buffer, then one state read and write per key ----

    @Override
    public void processElement(StreamRecord<FeatureRecord> element) throws Exception {
        if (!bundles.enabled()) {
            if (cache == null) {
                super.processElement(element);
            } else {
                processCached(element);
            }
            return;
        }
        if (bundle.isEmpty() && !flushTimerPending) {
            flushTimerPending = true;
            long at = getProcessingTimeService().getCurrentProcessingTime() + bundles.maxLatency().toMillis();
            getProcessingTimeService().registerTimer(at, time -> {
                flushTimerPending = false;
                flushBundle();
            });
        }
        bundle.add(element.getValue(), element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE);
        if (bundle.records() >= bundles.maxRecords() || bundle.bytes() >= bundles.maxBytes()) {
            flushBundle();
        }
    }

    /** One record without bundles, through the cache (Flink has set the record's key). */
    private void processCached(StreamRecord<FeatureRecord> element) throws Exception {
        String key = (String) getCurrentKey();
        State stored = read(key);
        State next = function().apply(model.current(stored), element.getValue(),
                new BundleOutput(element.hasTimestamp() ? element.getTimestamp() : Long.MIN_VALUE),
                d -> output.collect(DeadLetters.TAG, new StreamRecord<>(d)));
        write(key, stored, next);
    }

    /** Runs every buffered record: per key, one state read, its records in arrival order, one write. */
    private void flushBundle() throws Exception {
        if (bundle.isEmpty()) {
            return;
        }
        List<Map.Entry<String, List<KeyBundle.Buffered>>> keys = new java.util.ArrayList<>(bundle.drain().entrySet());
        boolean batched = switch (bundles.forward()) {
            case BATCHED -> true;
            case PER_RECORD -> false;
            case AUTO -> model.batchPays(keys.size());
        };
        ModuleFunction function = function();
        java.util.function.Consumer<DeadLetter> deadLetter = d -> output.collect(DeadLetters.TAG, new StreamRecord<>(d));
        if (!batched) {
            for (Map.Entry<String, List<KeyBundle.Buffered>> e : keys) {
                setCurrentKey(e.getKey());
                State stored = read(e.getKey());
                State current = model.current(stored);
                for (KeyBundle.Buffered b : e.getValue()) {
                    current = function.apply(current, b.record(), new BundleOutput(b.timestamp()), deadLetter);
                }
                write(e.getKey(), stored, current);
            }
            return;
        }
        State[] stored = new State[keys.size()];
        State[] current = new State[keys.size()];
        int rounds = 0;
        for (int k = 0; k < keys.size(); k++) {
            setCurrentKey(keys.get(k).getKey());
            stored[k] = read(keys.get(k).getKey());
            current[k] = model.current(stored[k]);
            rounds = Math.max(rounds, keys.get(k).getValue().size());
        }
        for (int r = 0; r < rounds; r++) {
            runRound(keys, r, current, function, deadLetter);
        }
        for (int k = 0; k < keys.size(); k++) {
            setCurrentKey(keys.get(k).getKey());
            write(keys.get(k).getKey(), stored[k], current[k]);
        }
    }

    /**
     * Round {@code r} of a batched bundle: the r-th record of every key that has one, in one
     * batched forward (records of the wrong width are rejected one by one). Each key's records
     * thus still run in arrival order.
     */
    private void runRound(List<Map.Entry<String, List<KeyBundle.Buffered>>> keys, int r, State[] current,
            ModuleFunction function, java.util.function.Consumer<DeadLetter> deadLetter) {
        List<Integer> batch = new java.util.ArrayList<>();
        for (int k = 0; k < keys.size(); k++) {
            List<KeyBundle.Buffered> records = keys.get(k).getValue();
            if (r < records.size()) {
                KeyBundle.Buffered b = records.get(r);
                if (b.record().features().length == factory.inputWidth()) {
                    batch.add(k);
                } else {
                    current[k] = function.apply(current[k], b.record(), new BundleOutput(b.timestamp()), deadLetter);
                }
            }
        }
        if (batch.isEmpty()) {
            return;
        }
        List<State> states = new java.util.ArrayList<>(batch.size());
        List<FeatureRecord> records = new java.util.ArrayList<>(batch.size());
        for (int k : batch) {
            states.add(current[k]);
            records.add(keys.get(k).getValue().get(r).record());
        }
        List<KeyedModel.Outcome> outcomes = model.stepBatch(states, records);
        for (int i = 0; i < batch.size(); i++) {
            int k = batch.get(i);
            KeyBundle.Buffered b = keys.get(k).getValue().get(r);
            current[k] = function.emit(current[k], b.record(), outcomes.get(i), new BundleOutput(b.timestamp()), deadLetter);
        }
    }

    /** The current key's state as last written: the cached one, else the keyed state's (null: none). */
    private State read(String key) throws Exception {
        State cached = cache == null ? null : cache.get(key);
        return cached != null ? cached : state.value();
    }

    /** Writes the current key's state once, if its records changed it; to the cache when there is one. */
    private void write(String key, State stored, State current) throws Exception {
        boolean changed = current != stored && current.size() > 0 && (stored != null || current != model.initial());
        if (cache != null) {
            cache.put(key, current, changed);
        } else if (changed) {
            state.update(current);
        }
    }

    /** Flushes the bundle and writes the cache's dirty states back: the keyed state is then complete. */
    private void flushAll() throws Exception {
        flushBundle();
        if (cache != null) {
            cache.writeBackAll();
        }
    }

    /** Emits a bundled record's output with the timestamp the record came with. */
    private final class BundleOutput implements org.apache.flink.util.Collector<ModelOutput> {
        private final long timestamp;

        BundleOutput(long timestamp) {
            this.timestamp = timestamp;
        }

        @Override
        public void collect(ModelOutput value) {
            output.collect(timestamp == Long.MIN_VALUE ? new StreamRecord<>(value) : new StreamRecord<>(value, timestamp));
        }

        @Override
        public void close() {}
    }

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        flushAll(); // the checkpoint's state must include every record before its barrier
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void processWatermark(org.apache.flink.streaming.api.watermark.Watermark mark) throws Exception {
        flushBundle(); // outputs of records before a watermark must not arrive after it
        super.processWatermark(mark);
    }

    @Override
    public void finish() throws Exception {
        flushAll();
        super.finish();
    }

    private void checkResetNames() {
        Set<String> names = StateLayout.of(model.initial()).entries().keySet();
        for (String name : resetState) {
            if (!names.contains(name)) {
                throw new SuppressRestartsException(new IllegalArgumentException("--reset-state " + name
                        + ": the model has no such state entry; its entries are " + names));
            }
        }
    }

    /** Registers the packed state; a restored layout that cannot fit stops the job without restarts. */
    private ValueState<State> registerState() throws Exception {
        try {
            return getKeyedStateBackend().getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    ModelState.descriptor(model.name(), model.initial(), resetState, stateTtl));
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StateLayoutException layout) {
                    throw new SuppressRestartsException(layout);
                }
            }
            throw e;
        }
    }

    /** Starts the {@code --reset-state} entries over for every key of this subtask. */
    private void resetEverywhere() throws Exception {
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        List<String> keys;
        try (Stream<String> stream = backend.getKeys(ModelState.NAME, VoidNamespace.INSTANCE)) {
            keys = stream.toList();
        }
        for (String key : keys) {
            backend.setCurrentKey(key);
            State stored = state.value();
            if (stored != null) {
                state.update(StateLayout.fit(stored, model.initial(), resetState));
            }
        }
        LOG.info("model {}: reset state entries {} of {} keys as --reset-state asks", model.name(), resetState,
                keys.size());
    }

    @Override
    public void endInput() throws Exception {
        flushAll(); // the final state below reads the keyed state
        if (!emitFinalState) {
            return;
        }
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        Set<String> keys = new TreeSet<>();
        try (Stream<String> stream = backend.getKeys(ModelState.NAME, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        for (String key : keys) {
            backend.setCurrentKey(key);
            State stored = state.value();
            if (stored == null) {
                continue; // expired under --state-ttl
            }
            State value = model.current(stored);
            for (int i = 0; i < value.size(); i++) {
                output.collect(FinalState.TAG, new StreamRecord<>(
                        FinalState.Row.of(key, value.keyAt(i).name(), value.valueAt(i))));
            }
        }
    }

    private static List<String> toList(Iterable<String> it) {
        List<String> l = new java.util.ArrayList<>();
        it.forEach(l::add);
        return l;
    }
}
