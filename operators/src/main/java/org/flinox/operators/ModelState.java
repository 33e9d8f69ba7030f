package org.flinox.operators;

import java.time.Duration;
import java.util.Set;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.flinox.nn.State;

/**
 * The one keyed state of a model operator: each stream key's whole {@link State} as one
 * value, under the fixed name {@value #NAME}. One read and at most one write per record,
 * whatever the number of entries; the entries' names stay the user-facing interface (the
 * value is a {@code State}, the layout is in the serializer's snapshot).
 */
public final class ModelState {

    /** The descriptor's name, the same for every model (the operator's uid tells models apart). */
    public static final String NAME = "flinox-model-state";

    private ModelState() {}

    /**
     * The descriptor every reader and writer of a model's state uses: the job, {@code inspect}
     * and {@code bootstrap}.
     *
     * @param modelName the model, for messages
     * @param initial the model's exported initial state
     * @param reset entries to start over on restore ({@link ModelSettings#resetState})
     * @param ttl idle-state time to live, or null to keep state until it is dropped
     */
    public static ValueStateDescriptor<State> descriptor(String modelName, State initial, Set<String> reset, Duration ttl) {
        ValueStateDescriptor<State> d = new ValueStateDescriptor<>(NAME, new StateSerializer(modelName, initial, reset));
        if (ttl != null) {
            d.enableTimeToLive(StateTtlConfig.newBuilder(ttl).build());
        }
        return d;
    }
}
