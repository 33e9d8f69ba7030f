package org.flinox.operators;

import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.execution.SuppressRestartsException;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.StateInitializationContext;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.api.operators.AbstractStreamOperator;
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.InternalTimer;
import org.apache.flink.streaming.api.operators.InternalTimerService;
import org.apache.flink.streaming.api.operators.OneInputStreamOperator;
import org.apache.flink.streaming.api.operators.Triggerable;
import org.apache.flink.streaming.api.operators.TwoInputStreamOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.util.OutputTag;
import org.flinox.nn.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed operator of a model: its records go to a front ({@link ModelRunner} per record,
 * or a {@link BundleFront}), and it keeps what only an operator can do.
 *
 * <ul>
 *   <li><b>Registration.</b> The model is built and exported once per operator instance; each
 *       key's whole state is one value of one keyed {@code ValueState} ({@link ModelState}).
 *   <li><b>Restore and evolution</b> are Flink's schema-compatibility path on the state's
 *       serializer ({@link StateSerializerSnapshot}): added entries start from their initial
 *       values, dropped ones are let go, a changed shape or dtype stops the job at start (no
 *       restarts) saying how to reset them. The {@link ModelSettings#resetState} entries start
 *       over for every key, once: when the job starts from a savepoint of another job, not again
 *       when it recovers from its own checkpoints.
 *   <li><b>Barriers, watermarks and the end of the input.</b> A bundle is finished before every
 *       checkpoint barrier, at every watermark and at the end of the input, and the state cache
 *       ({@link StateCache}) is written back before every barrier and at the end, so the keyed
 *       state a checkpoint takes holds every record before its barrier.
 *   <li><b>Final state.</b> When a bounded input ends, every key's entries go to
 *       {@link FinalState#TAG}, so a backfill can warm a streaming run.
 *   <li><b>State changes</b> ({@link ModelSettings#emitStateChanges}): the keys whose state
 *       changed since the previous barrier ({@link ChangedKeys}) go to {@link StateChange#TAG}
 *       with the state the checkpoint holds, before the barrier (and the last ones when a
 *       bounded input ends); O(keys changed) per checkpoint. Under a state TTL, each such key
 *       gets a processing-time timer at its expiry (rounded up to the second, so a key has one
 *       per checkpoint at most): a key whose state is gone when it fires is emitted as a
 *       tombstone at the next barrier. Flink's own expiry is lazy and silent, hence the timer.
 *   <li><b>Model updates</b> (with a {@link ModelUpdates} initial version): a second input,
 *       broadcast, of new weights ({@link ModelVersions}). An update is taken between two
 *       records, after the open bundle is finished, so each record runs under exactly one
 *       version; the version in force is broadcast state. This is Flink's
 *       {@code KeyedBroadcastProcessFunction} pattern on this operator rather than a process
 *       function: the lifecycle above (bundles before barriers, restore, final state) is an
 *       operator's, and one operator with an optional second input keeps a single path for
 *       records. The update side has no watermarks: it is idle for the combined watermark.
 * </ul>
 *
 * <p>Build it with {@link Flinox#apply}, which also names it and gives it its uid.
 *
 * @param <K> the stream's key type
 * @param <T> the stream's element type
 */
public final class ModelOperator<K, T> extends AbstractStreamOperator<ModelOutput<T>>
        implements OneInputStreamOperator<T, ModelOutput<T>>, TwoInputStreamOperator<T, ModelUpdate, ModelOutput<T>>,
        BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelOperator.class);
    /** The job that wrote the state: a restore from another job's savepoint applies the resets. */
    private static final ListStateDescriptor<String> WRITER_JOB =
            new ListStateDescriptor<>("flinox-writer-job", StringSerializer.INSTANCE);

    private final ModelFactory factory;
    private final FeatureFunction<T> features;
    private final OutputTag<Rejected<T>> rejected;
    private final ModelSettings settings;
    private final String initialVersion; // null: no updates, one input

    private transient KeyedModel model;
    private transient ModelVersions versions; // null: no updates
    private transient ModelMetrics metrics;
    private transient int inputsEnded;
    private transient UpdateCounts versionCounts;
    private transient ValueState<State> state;
    private transient StateStore<K> store;
    private transient ModelRunner<K, T> runner;
    private transient BundleFront<K, T> bundles; // null: off
    private transient Set<K> changedKeys; // null: no state changes emitted
    private transient InternalTimerService<VoidNamespace> expiry; // null: no state TTL or no state changes

    /**
     * @param factory the model
     * @param features the elements' features
     * @param rejected where elements the model cannot use go ({@link Rejected#tag})
     * @param settings state TTL, resets, bundles, cache, final state
     */
    public ModelOperator(ModelFactory factory, FeatureFunction<T> features, OutputTag<Rejected<T>> rejected,
            ModelSettings settings) {
        this(factory, features, rejected, settings, null);
    }

    /**
     * @param initialVersion the version of the factory's weights, for a model that takes
     *     updates on a second input ({@link ModelUpdates}); null for none
     */
    public ModelOperator(ModelFactory factory, FeatureFunction<T> features, OutputTag<Rejected<T>> rejected,
            ModelSettings settings, String initialVersion) {
        this.factory = factory;
        this.features = features;
        this.rejected = rejected;
        this.settings = settings;
        this.initialVersion = initialVersion;
    }

    // ---- registration, restore and evolution ----

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        model = KeyedModel.build(factory);
        changedKeys = settings.emitStateChanges() ? new HashSet<>() : null;
        checkResetNames();
        state = registerState();
        ListState<String> writerJob = context.getOperatorStateStore().getUnionListState(WRITER_JOB);
        String thisJob = getRuntimeContext().getJobInfo().getJobId().toString();
        if (context.isRestored() && !settings.resetState().isEmpty() && !contains(writerJob.get(), thisJob)) {
            resetEverywhere();
        }
        writerJob.update(List.of(thisJob));
        if (initialVersion != null) {
            versions = ModelVersions.of(context.getOperatorStateStore().getBroadcastState(ModelVersions.STATE),
                    initialVersion);
            try {
                model = versions.running(model);
            } catch (IllegalStateException e) {
                throw new SuppressRestartsException(e);
            }
        }
    }

    private void checkResetNames() {
        Set<String> names = StateLayout.of(model.initial()).entries().keySet();
        for (String name : settings.resetState()) {
            if (!names.contains(name)) {
                throw new SuppressRestartsException(new IllegalArgumentException("model " + model.name()
                        + ": no state entry " + name + " to reset; its entries are " + names));
            }
        }
    }

    /** Registers the packed state; a restored layout that cannot fit stops the job without restarts. */
    private ValueState<State> registerState() throws Exception {
        try {
            return getKeyedStateBackend().getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    ModelState.descriptor(model.name(), model.initial(), settings.resetState(), settings.stateTtl()));
        } catch (Exception e) {
            for (Throwable t = e; t != null; t = t.getCause()) {
                if (t instanceof StateLayoutException layout) {
                    throw new SuppressRestartsException(layout.advising(settings.resetAdvice()));
                }
            }
            throw e;
        }
    }

    /** Starts the reset entries over for every key of this subtask. */
    private void resetEverywhere() throws Exception {
        KeyedStateBackend<K> backend = getKeyedStateBackend();
        List<K> keys;
        try (Stream<K> stream = backend.getKeys(ModelState.NAME, VoidNamespace.INSTANCE)) {
            keys = stream.toList();
        }
        for (K key : keys) {
            backend.setCurrentKey(key);
            State stored = state.value();
            if (stored != null) {
                state.update(StateLayout.fit(stored, model.initial(), settings.resetState()));
                if (changedKeys != null) {
                    changedKeys.add(key);
                }
            }
        }
        LOG.info("model {}: reset state entries {} of {} keys", model.name(), settings.resetState(), keys.size());
    }

    // ---- the fronts ----

    @Override
    public void open() throws Exception {
        super.open();
        metrics = new ModelMetrics(getMetricGroup(), model.name(), model.initial(),
                getRuntimeContext().getTaskInfo().getIndexOfThisSubtask());
        long stateBytes = stateBytes(model.initial());
        ValueStateStore<K> keyed = new ValueStateStore<>(state, this::setCurrentKey);
        if (model.initial().size() == 0) {
            store = StateStore.none();
        } else if (settings.stateCacheBytes() > 0) {
            long cacheBytes = settings.stateCacheBytes();
            SpareTime spare = new SpareTime(getContainingTask().getEnvironment().getMetricGroup().getIOMetricGroup(),
                    getProcessingTimeService()::getCurrentProcessingTime);
            StateCache<K> cache = new StateCache<>(cacheBytes, Math.max(1, cacheBytes / StateCache.DIRTY_SHARE), stateBytes,
                    keyed, spare);
            metrics.cache(cache);
            store = cache;
        } else {
            store = keyed;
        }
        if (changedKeys != null) {
            store = new ChangedKeys<>(store, changedKeys);
            if (settings.stateTtl() != null) {
                expiry = getInternalTimerService("flinox-state-expiry", VoidNamespaceSerializer.INSTANCE,
                        new ExpiryCheck());
            }
        }
        KeyBundles b = settings.bundles();
        runner = new ModelRunner<>(model, features, store, output, rejected, metrics, b.forward(), this::setCurrentKey);
        if (b.enabled()) {
            BundleTrigger trigger = new KeyBundleTrigger(b);
            bundles = new BundleFront<>(new KeyBundle<>(stateBytes), trigger, runner);
            trigger.open(bundles::finishBundle, getProcessingTimeService());
            LOG.info("model {}: {}", model.name(), trigger.explain());
        }
        if (versions != null) {
            combinedWatermark.updateStatus(1, true); // the update side never holds the watermark back
            runner.use(model, versions.version());
            metrics.modelVersion(versions.appliedCount(), versions.version());
            versionCounts = UpdateCounts.register(getRuntimeContext(), versions);
        }
    }

    @Override
    @SuppressWarnings("unchecked")
    public void processElement(StreamRecord<T> element) throws Exception {
        K key = (K) getCurrentKey();
        if (bundles == null) {
            runner.run(key, element);
        } else {
            bundles.add(key, element);
        }
    }

    @Override
    public void processElement1(StreamRecord<T> element) throws Exception {
        processElement(element);
    }

    /** An update: the open bundle runs under the version it was opened with, then the update applies or is refused. */
    @Override
    public void processElement2(StreamRecord<ModelUpdate> element) throws Exception {
        finishBundle();
        ModelUpdate update = element.getValue();
        ModelVersions.Outcome outcome = versions.offer(update, model);
        boolean reports = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0; // every instance decides alike
        if (outcome instanceof ModelVersions.Applied applied) {
            model = applied.model();
            runner.use(model, versions.version());
            if (reports) {
                LOG.info("model {}: version {} applied ({})", model.name(), versions.version(), update.source());
            }
        } else if (reports) {
            String detail = ((ModelVersions.Refused) outcome).detail();
            LOG.warn("{}", detail);
            output.collect(ModelVersions.REFUSED, new StreamRecord<>(
                    new Rejected<>(update.withoutBytes(), DeadLetterReason.MODEL_UPDATE_REFUSED, detail)));
        }
        metrics.modelVersion(versions.appliedCount(), versions.version());
        versionCounts.update(versions);
    }

    @Override
    public void processWatermark2(Watermark mark) {
        // the update side's watermarks (its end of input's) say nothing about the records' time
    }

    /** The state cache, or null when off; for tests. */
    StateCache<K> stateCache() {
        return store instanceof StateCache<K> cache ? cache : null;
    }

    /** What one key's state takes in memory, about: for the bundle's and the cache's bounds. */
    private static long stateBytes(State initial) {
        long bytes = 64;
        for (int i = 0; i < initial.size(); i++) {
            bytes += 48 + 8L * initial.valueAt(i).size();
        }
        return bytes;
    }

    // ---- barriers, watermarks, the end of the input ----

    @Override
    public void prepareSnapshotPreBarrier(long checkpointId) throws Exception {
        finishAll(); // the checkpoint's state must include every record before its barrier
        emitStateChanges(checkpointId);
        super.prepareSnapshotPreBarrier(checkpointId);
    }

    @Override
    public void processWatermark(Watermark mark) throws Exception {
        finishBundle(); // outputs of records before a watermark must not arrive after it
        super.processWatermark(mark);
    }

    /**
     * The end of the input (with updates: of both inputs; Flink calls this once per input of an
     * operator that is {@code BoundedOneInput}).
     */
    @Override
    public void endInput() throws Exception {
        if (++inputsEnded < (versions == null ? 1 : 2)) {
            return;
        }
        finishAll(); // the final state below reads the keyed state
        emitStateChanges(StateChange.END_OF_INPUT); // committed with the final checkpoint
        if (settings.emitFinalState()) {
            emitFinalState();
        }
    }

    @Override
    public void finish() throws Exception {
        finishAll();
        super.finish();
    }

    private void finishBundle() throws Exception {
        if (bundles != null) {
            bundles.finishBundle();
        }
    }

    /** Finishes the bundle and flushes the state cache: the keyed state is then complete. */
    private void finishAll() throws Exception {
        finishBundle();
        store.flush();
    }

    /**
     * Each changed key's state, as the keyed state holds it after {@link #finishAll} (what the
     * checkpoint takes), to {@link StateChange#TAG}; a key whose state expired, a tombstone.
     */
    private void emitStateChanges(long checkpointId) throws Exception {
        if (changedKeys == null || changedKeys.isEmpty()) {
            return;
        }
        long expiresAt = expiry == null ? 0
                : (getProcessingTimeService().getCurrentProcessingTime() + settings.stateTtl().toMillis() + 999)
                        / 1000 * 1000;
        for (K key : changedKeys) {
            setCurrentKey(key);
            State stored = store.peek(key); // the state cache's copy when it has one: flushed, so the same
            FinalState.Row[] rows = null;
            if (stored != null) {
                State value = model.current(stored);
                rows = new FinalState.Row[value.size()];
                for (int i = 0; i < value.size(); i++) {
                    rows[i] = FinalState.Row.of(String.valueOf(key), value.keyAt(i).name(), value.valueAt(i));
                }
                if (expiry != null) {
                    expiry.registerProcessingTimeTimer(VoidNamespace.INSTANCE, expiresAt);
                }
            }
            output.collect(StateChange.TAG, new StreamRecord<>(
                    new StateChange(String.valueOf(key), model.name(), versions == null ? null : versions.version(), checkpointId, rows)));
        }
        changedKeys.clear();
    }

    /** A key's expiry timer: a state gone by then is a change (a tombstone) for the next barrier. */
    private final class ExpiryCheck implements Triggerable<K, VoidNamespace> {
        @Override
        public void onProcessingTime(InternalTimer<K, VoidNamespace> timer) throws Exception {
            if (state.value() == null) {
                changedKeys.add(timer.getKey());
            }
        }

        @Override
        public void onEventTime(InternalTimer<K, VoidNamespace> timer) {}
    }

    /** Every key's state, entry by entry, to {@link FinalState#TAG}, in key order. */
    private void emitFinalState() throws Exception {
        KeyedStateBackend<K> backend = getKeyedStateBackend();
        List<K> keys;
        try (Stream<K> stream = backend.getKeys(ModelState.NAME, VoidNamespace.INSTANCE)) {
            keys = stream.sorted(Comparator.comparing(String::valueOf)).toList();
        }
        for (K key : keys) {
            backend.setCurrentKey(key);
            State stored = state.value();
            if (stored == null) {
                continue; // expired under a state TTL
            }
            State value = model.current(stored);
            for (int i = 0; i < value.size(); i++) {
                output.collect(FinalState.TAG, new StreamRecord<>(
                        FinalState.Row.of(String.valueOf(key), value.keyAt(i).name(), value.valueAt(i))));
            }
        }
    }

    private static boolean contains(Iterable<String> values, String value) {
        for (String v : values) {
            if (v.equals(value)) {
                return true;
            }
        }
        return false;
    }
}
