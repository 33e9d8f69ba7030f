package org.flinox.job.state;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.java.tuple.Tuple2;
import org.apache.flink.state.api.functions.KeyedStateBootstrapFunction;
import org.flinox.nn.State;
import org.flinox.nn.StateKey;
import org.flinox.operators.KeyedModel;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelState;
import org.flinox.operators.StateRow;

/**
 * Writes state rows into the model operator's keyed state, with the descriptor the job
 * registers ({@link ModelState}): each row replaces one entry of its key's state, whose other
 * entries keep their initial values. Input elements are {@code (key, JSON line)}: plain
 * strings, so the bootstrap stream never needs Kryo; the line is parsed here. The rows were
 * validated against the model on the client ({@link StateSavepointWriter#validate}).
 */
final class StateRowWriter extends KeyedStateBootstrapFunction<String, Tuple2<String, String>> {
    private static final long serialVersionUID = 1L;

    private final ModelFactory factory;
    private transient State initial;
    private transient ValueState<State> state;

    StateRowWriter(ModelFactory factory) {
        this.factory = factory;
    }

    @Override
    public void open(OpenContext openContext) {
        KeyedModel model = KeyedModel.build(factory);
        initial = model.initial();
        state = getRuntimeContext().getState(ModelState.descriptor(model.name(), initial, java.util.Set.of(), null));
    }

    @Override
    public void processElement(Tuple2<String, String> keyAndLine, Context ctx) throws Exception {
        StateRow row = StateRowJson.read(keyAndLine.f1);
        State current = state.value();
        state.update((current != null ? current : initial).with(new StateKey(row.stateKey()), row.value()));
    }
}
