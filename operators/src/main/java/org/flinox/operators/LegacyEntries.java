package org.flinox.operators;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.flinox.nn.State;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Savepoints of the first layout (up to 2026-11-26): one {@code ValueState<Tensor>} per
 * state entry, named after it ({@code .mean}), written by {@link TensorSerializer}, and the
 * entries' layout in the operator state {@value #LAYOUT_NAME}. Restoring one moves every
 * key's entries into the packed {@link ModelState} (with the same evolution rules: added
 * entries start from their initial value, dropped ones are let go, a changed shape or dtype
 * is refused unless {@code --reset-state} names it) and empties the old states.
 */
final class LegacyEntries {
    private static final Logger LOG = LoggerFactory.getLogger(LegacyEntries.class);

    /** The operator state in which the first layout recorded its entries ({@code name \t float64[2]}). */
    static final String LAYOUT_NAME = "flinox-state-layout";

    private LegacyEntries() {}

    /**
     * Moves every legacy entry of this subtask's keys into {@code packed}.
     *
     * @param recorded the legacy layout lines, if the savepoint has them ({@code bootstrap}'s did not)
     * @return the number of keys moved
     */
    static int upgrade(KeyedStateBackend<String> backend, KeyedModel model, ValueState<State> packed,
            Iterable<String> recorded, Set<String> reset) throws Exception {
        State initial = model.initial();
        Set<String> names = new LinkedHashSet<>();
        for (String line : recorded) {
            int tab = line.indexOf('\t');
            if (tab > 0) {
                names.add(line.substring(0, tab));
            }
        }
        for (int i = 0; i < initial.size(); i++) {
            names.add(initial.keyAt(i).name());
        }
        Map<String, List<String>> keysByEntry = new LinkedHashMap<>();
        for (String name : names) {
            try (Stream<String> keys = backend.getKeys(name, VoidNamespace.INSTANCE)) { // a probe: registers nothing
                List<String> list = keys.toList();
                if (!list.isEmpty()) {
                    keysByEntry.put(name, list);
                }
            }
        }
        if (keysByEntry.isEmpty()) {
            return 0;
        }
        Set<String> moved = new LinkedHashSet<>();
        List<String> refused = new ArrayList<>();
        for (Map.Entry<String, List<String>> e : keysByEntry.entrySet()) {
            String name = e.getKey();
            ValueState<Tensor> old = backend.getPartitionedState(VoidNamespace.INSTANCE,
                    VoidNamespaceSerializer.INSTANCE, ModelState.legacyEntryDescriptor(name));
            int index = indexOf(initial, name);
            if (index < 0) {
                LOG.info("model {}: dropping state entry {}, which the model no longer has", model.name(), name);
            }
            for (String key : e.getValue()) {
                backend.setCurrentKey(key);
                Tensor value = old.value();
                old.clear();
                if (value == null || index < 0) {
                    continue;
                }
                Tensor init = initial.valueAt(index);
                if (reset.contains(name)) {
                    continue;
                }
                if (!value.sameLayout(init)) {
                    refused.add(name + " was " + value.layout() + ", the model now has " + init.layout());
                    break;
                }
                packed.update(model.current(packed.value()).with(initial.keyAt(index), value));
                moved.add(key);
            }
            if (!refused.isEmpty()) {
                throw new StateLayoutException(model.name(), refused, "(per-entry) " + keysByEntry.keySet(),
                        StateLayout.of(initial).toString());
            }
        }
        LOG.info("model {}: moved {} keys' state from the per-entry layout into {}", model.name(), moved.size(),
                ModelState.NAME);
        return moved.size();
    }

    private static int indexOf(State state, String name) {
        for (int i = 0; i < state.size(); i++) {
            if (state.keyAt(i).name().equals(name)) {
                return i;
            }
        }
        return -1;
    }
}
