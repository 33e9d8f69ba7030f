package org.flinox.job;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.flinox.operators.ModuleFunction;
import org.flinox.operators.StateRow;

/**
 * Writes state rows into the model operator's keyed state, with the same descriptors
 * {@link ModuleFunction} registers. Input elements are {@code (key, JSON line)}: plain
 * strings, so the bootstrap stream never needs Kryo; the line is parsed here. The rows were
 * validated against the model on the client ({@link BootstrapCommand#validate}).
 */
final class StateRowWriter extends KeyedStateBootstrapFunction<String, Tuple2<String, String>> {
    private static final long serialVersionUID = 1L;

    private final List<String> stateKeys;
    private transient Map<String, ValueState<Tensor>> entries;

    /** @param stateKeys the model's state key names */
    StateRowWriter(List<String> stateKeys) {
        this.stateKeys = List.copyOf(stateKeys);
    }

    @Override
    public void open(OpenContext openContext) {
        entries = new HashMap<>();
        for (String name : stateKeys) {
            entries.put(name, getRuntimeContext().getState(ModuleFunction.descriptor(new StateKey(name))));
        }
    }

    @Override
    public void processElement(Tuple2<String, String> keyAndLine, Context ctx) throws Exception {
        StateRow row = StateRowJson.read(keyAndLine.f1);
        ValueState<Tensor> entry = entries.get(row.stateKey());
        if (entry == null) {
            throw new IllegalArgumentException("key " + row.key() + ": unknown stateKey " + row.stateKey()
                    + "; the model's state keys are " + stateKeys);
        }
        entry.update(row.value());
    }
}
