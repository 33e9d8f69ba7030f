package org.flinox.job.state;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.util.Collector;
import org.flinox.nn.State;
import org.flinox.operators.KeyedModel;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelState;
import org.flinox.operators.StateRow;

/**
 * Reads one stream key's state out of the model operator's keyed state, with the descriptor
 * the job registers ({@link ModelState}), and emits {@code (key, stateKey, JSON line)} for
 * each of its entries.
 */
final class StateRowReader extends KeyedStateReaderFunction<String, Tuple3<String, String, String>> {
    private static final long serialVersionUID = 1L;

    /** The stateKey and line of the placeholder {@link #readKey} emits for a key with nothing to print. */
    static final String NOTHING = "";

    private final ModelFactory factory;
    private final String onlyKey;
    private transient ValueState<State> state;

    /**
     * @param factory the model whose state to read
     * @param onlyKey the one stream key to read, or null for every key
     */
    StateRowReader(ModelFactory factory, String onlyKey) {
        this.factory = factory;
        this.onlyKey = onlyKey;
    }

    @Override
    public void open(OpenContext openContext) {
        KeyedModel model = KeyedModel.build(factory);
        state = getRuntimeContext().getState(ModelState.descriptor(model.name(), model.initial(), java.util.Set.of(), null));
    }

    @Override
    public void readKey(String key, Context ctx, Collector<Tuple3<String, String, String>> out) throws Exception {
        List<StateRow> rows = onlyKey == null || onlyKey.equals(key) ? rows(key) : List.of();
        if (rows.isEmpty()) {
            // Flink 2.3's KeyedStateInputFormat hands the source a null record for a key that
            // emits nothing (an NPE in the serializer); emit a placeholder instead
            out.collect(Tuple3.of(key, NOTHING, NOTHING));
            return;
        }
        for (StateRow row : rows) {
            out.collect(Tuple3.of(key, row.stateKey(), StateRowJson.write(row)));
        }
    }

    /** The key's stored entries. */
    private List<StateRow> rows(String key) throws Exception {
        List<StateRow> rows = new ArrayList<>();
        State value = state.value();
        if (value != null) {
            for (int i = 0; i < value.size(); i++) {
                rows.add(new StateRow(key, value.keyAt(i).name(), value.valueAt(i)));
            }
        }
        return rows;
    }

    /** True for a real row, false for the placeholder of a key with nothing to print. */
    static boolean isRow(Tuple3<String, String, String> row) {
        return !row.f2.isEmpty();
    }
}
