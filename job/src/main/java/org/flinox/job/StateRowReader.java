package org.flinox.job;

import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.flinox.operators.ModuleFunction;
import org.flinox.operators.StateRow;

/**
 * Reads one stream key's entries out of the model operator's keyed state, with the same
 * descriptors {@link ModuleFunction} registers, and emits {@code (key, stateKey, JSON line)}
 * for each entry the key has stored. An entry the key never wrote is absent: the job would
 * use the model's initial value for it, which {@code describe} shows.
 */
final class StateRowReader extends KeyedStateReaderFunction<String, Tuple3<String, String, String>> {
    private static final long serialVersionUID = 1L;

    /** The stateKey and line of the placeholder {@link #readKey} emits for a key with nothing to print. */
    static final String NOTHING = "";

    private final List<String> stateKeys;
    private final String onlyKey;
    private transient ValueState<Tensor>[] entries;

    /**
     * @param stateKeys the model's state key names
     * @param onlyKey the one stream key to read, or null for every key
     */
    StateRowReader(List<String> stateKeys, String onlyKey) {
        this.stateKeys = List.copyOf(stateKeys);
        this.onlyKey = onlyKey;
    }

    @Override
    @SuppressWarnings("unchecked")
    public void open(OpenContext openContext) {
        entries = new ValueState[stateKeys.size()];
        for (int i = 0; i < entries.length; i++) {
            entries[i] = getRuntimeContext().getState(ModuleFunction.descriptor(new StateKey(stateKeys.get(i))));
        }
    }

    @Override
    public void readKey(String key, Context ctx, Collector<Tuple3<String, String, String>> out) throws Exception {
        boolean emitted = false;
        if (onlyKey == null || onlyKey.equals(key)) {
            for (int i = 0; i < entries.length; i++) {
                Tensor value = entries[i].value();
                if (value != null) {
                    String stateKey = stateKeys.get(i);
                    out.collect(Tuple3.of(key, stateKey, StateRowJson.write(new StateRow(key, stateKey, value))));
                    emitted = true;
                }
            }
        }
        if (!emitted) {
            // Flink 2.3's KeyedStateInputFormat hands the source a null record for a key that
            // emits nothing (an NPE in the serializer); emit a placeholder instead
            out.collect(Tuple3.of(key, NOTHING, NOTHING));
        }
    }

    /** True for a real row, false for the placeholder of a key with nothing to print. */
    static boolean isRow(Tuple3<String, String, String> row) {
        return !row.f2.isEmpty();
    }
}
