package org.flinox.operators;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
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
import org.apache.flink.streaming.api.operators.BoundedOneInput;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.flinox.nn.Module;
import org.flinox.nn.State;
import org.flinox.nn.StateExport;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The keyed operator of a module tree: {@link ModuleFunction} per record, plus what only an
 * operator can do.
 *
 * <ul>
 *   <li><b>Model evolution.</b> Every checkpoint records the state layout of the model that
 *       wrote it. On restore, entries the new model adds start from their initial values;
 *       entries it no longer has are dropped (cleared for every key) and logged; an entry
 *       whose shape or dtype changed stops the job at start, naming the entry, the old and
 *       new layout, and {@code --reset-state}, which clears that entry instead.
 *   <li><b>Final state.</b> When a bounded input ends, every key's entries go to
 *       {@link FinalState#TAG}, so a backfill can warm a streaming run.
 * </ul>
 */
public final class ModelOperator extends KeyedProcessOperator<String, FeatureRecord, ModelOutput>
        implements BoundedOneInput {
    private static final long serialVersionUID = 1L;
    private static final Logger LOG = LoggerFactory.getLogger(ModelOperator.class);
    private static final ListStateDescriptor<String> LAYOUT =
            new ListStateDescriptor<>("flinox-state-layout", StringSerializer.INSTANCE);

    private final ModelFactory factory;
    private final Duration stateTtl;
    private final Set<String> resetState;
    private final boolean emitFinalState;

    private transient State initial;

    /**
     * @param factory the model
     * @param stateTtl idle-state time to live, or null
     * @param resetState names of entries to clear on restore, even when their layout changed
     * @param emitFinalState whether to emit every key's state when the input ends
     */
    public ModelOperator(ModelFactory factory, Duration stateTtl, Set<String> resetState, boolean emitFinalState) {
        super(new ModuleFunction(factory, stateTtl));
        this.factory = factory;
        this.stateTtl = stateTtl;
        this.resetState = Set.copyOf(resetState);
        this.emitFinalState = emitFinalState;
    }

    @Override
    public void initializeState(StateInitializationContext context) throws Exception {
        super.initializeState(context);
        StateExport.Exported<Module> exported = StateExport.exportState(factory.create());
        initial = exported.state();
        StateLayout current = StateLayout.of(initial);
        ListState<String> layout = context.getOperatorStateStore().getUnionListState(LAYOUT);
        if (context.isRestored()) {
            StateLayout previous = StateLayout.parse(layout.get());
            if (!previous.isEmpty()) {
                evolve(previous, current);
            }
        }
        layout.update(current.lines());
    }

    private void evolve(StateLayout previous, StateLayout current) throws Exception {
        for (String name : resetState) {
            if (!previous.entries().containsKey(name) && !current.entries().containsKey(name)) {
                throw new SuppressRestartsException(new IllegalArgumentException("--reset-state " + name
                        + ": the model has no such state entry; its entries are " + current.entries().keySet()));
            }
        }
        List<String> changed = new ArrayList<>();
        for (Map.Entry<String, String> e : previous.entries().entrySet()) {
            String name = e.getKey();
            String now = current.entries().get(name);
            if (now == null) {
                LOG.info("model {}: dropping state entry {} ({}), which the model no longer has",
                        factory.name(), name, e.getValue());
                clearEverywhere(name);
            } else if (resetState.contains(name)) {
                LOG.info("model {}: resetting state entry {} ({} -> {}) as --reset-state asks",
                        factory.name(), name, e.getValue(), now);
                clearEverywhere(name);
            } else if (!now.equals(e.getValue())) {
                changed.add(name + " was " + e.getValue() + ", the model now has " + now);
            }
        }
        if (!changed.isEmpty()) {
            throw new SuppressRestartsException(new IllegalStateException("model " + factory.name()
                    + ": the restored state does not fit the model: " + String.join("; ", changed)
                    + ". Start those entries over with --reset-state NAME (the stored values are dropped), "
                    + "or restore with the model that wrote them."));
        }
        for (String name : current.entries().keySet()) {
            if (!previous.entries().containsKey(name)) {
                LOG.info("model {}: new state entry {} starts from its initial value", factory.name(), name);
            }
        }
    }

    /** Clears one entry for every key of this subtask. */
    private void clearEverywhere(String name) throws Exception {
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        List<String> keys;
        try (Stream<String> stream = backend.getKeys(name, VoidNamespace.INSTANCE)) {
            keys = stream.toList();
        }
        ValueState<Tensor> state = backend.getPartitionedState(VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE, ModuleFunction.descriptor(new StateKey(name), stateTtl));
        for (String key : keys) {
            backend.setCurrentKey(key);
            state.clear();
        }
    }

    @Override
    public void endInput() throws Exception {
        if (!emitFinalState) {
            return;
        }
        KeyedStateBackend<String> backend = getKeyedStateBackend();
        List<String> names = new ArrayList<>();
        List<ValueState<Tensor>> entries = new ArrayList<>();
        for (int i = 0; i < initial.size(); i++) {
            StateKey key = initial.keyAt(i);
            names.add(key.name());
            entries.add(backend.getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE,
                    ModuleFunction.descriptor(key, stateTtl)));
        }
        Set<String> keys = new TreeSet<>();
        try (Stream<String> stream = backend.getKeys(names, VoidNamespace.INSTANCE)) {
            stream.forEach(keys::add);
        }
        for (String key : keys) {
            backend.setCurrentKey(key);
            for (int i = 0; i < entries.size(); i++) {
                Tensor stored = entries.get(i).value();
                Tensor value = stored != null ? stored : initial.valueAt(i);
                output.collect(FinalState.TAG, new StreamRecord<>(FinalState.Row.of(key, names.get(i), value)));
            }
        }
    }
}
