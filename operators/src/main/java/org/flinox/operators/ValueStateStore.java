package org.flinox.operators;

import java.util.function.Consumer;
import org.apache.flink.api.common.state.ValueState;
import org.flinox.nn.State;

/**
 * Keys' states straight in the model's keyed {@link ValueState} ({@link ModelState}): a read is
 * a {@code value()}, a changed state one {@code update}.
 *
 * @param state the model's keyed state
 * @param keyContext sets the keyed backend's current key, for {@link #write}
 */
record ValueStateStore<K>(ValueState<State> state, Consumer<K> keyContext) implements StateStore<K> {

    @Override
    public State get(K key) throws Exception {
        return state.value();
    }

    @Override
    public void put(K key, State value, boolean changed) throws Exception {
        if (changed) {
            state.update(value);
        }
    }

    /** Writes the state of {@code key}, which need not be the current key (it is afterwards). */
    void write(K key, State value) throws Exception {
        keyContext.accept(key);
        state.update(value);
    }

    @Override
    public void flush() {}

    @Override
    public State peek(K key) throws Exception {
        return state.value();
    }
}
