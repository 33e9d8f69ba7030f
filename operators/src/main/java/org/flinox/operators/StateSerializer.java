package org.flinox.operators;

import java.io.IOException;
import java.util.Set;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinox.nn.DType;
import org.flinox.nn.State;
import org.flinox.nn.Tensor;

/**
 * Writes a stream key's whole {@link State} as one value: every entry's values in layout
 * order, nothing else (packed format 1):
 *
 * <pre>for each entry of the layout, in state-key order:
 *     f32 or f64 × size   (big-endian, as DataOutput writes them)</pre>
 *
 * <p>Names, dtypes and shapes are not repeated per value: they are the {@link StateLayout}
 * in this serializer's {@link StateSerializerSnapshot}, which every checkpoint and savepoint
 * stores once per state. Restoring state of another layout is Flink's schema-compatibility
 * path: the snapshot says as is, after migration (entries added or dropped, shapes changed
 * of entries the model resets) or refuses. A value of another layout handed to
 * {@link #serialize} (a migration, or a heap backend's restored object) is first carried into
 * this layout by name ({@link StateLayout#fit}).
 */
public final class StateSerializer extends TypeSerializer<State> {
    private static final long serialVersionUID = 1L;

    private final String modelName;
    private final State initial;
    private final Set<String> reset;
    private final StateLayout layout;

    /**
     * @param modelName the model, for messages
     * @param initial the model's initial state: its layout is this serializer's, and its values
     *     fill entries a restored value lacks
     * @param reset entries the model resets on restore ({@link ModelSettings#resetState}): their layout may change
     */
    public StateSerializer(String modelName, State initial, Set<String> reset) {
        this.modelName = modelName;
        this.initial = initial;
        this.reset = Set.copyOf(reset);
        this.layout = StateLayout.of(initial);
    }

    String modelName() {
        return modelName;
    }

    State initial() {
        return initial;
    }

    Set<String> reset() {
        return reset;
    }

    /** The entries this serializer writes. */
    public StateLayout layout() {
        return layout;
    }

    @Override
    public boolean isImmutableType() {
        return true; // State and Tensor are immutable
    }

    @Override
    public TypeSerializer<State> duplicate() {
        return this;
    }

    @Override
    public State createInstance() {
        return initial;
    }

    @Override
    public State copy(State from) {
        return from;
    }

    @Override
    public State copy(State from, State reuse) {
        return from;
    }

    @Override
    public int getLength() {
        return -1;
    }

    @Override
    public void serialize(State value, DataOutputView out) throws IOException {
        State s = StateLayout.sameLayout(value, initial) ? value : StateLayout.fit(value, initial, Set.of());
        for (int i = 0; i < s.size(); i++) {
            Tensor t = s.valueAt(i);
            int n = t.size();
            if (t.dtype() == DType.FLOAT32) {
                for (int j = 0; j < n; j++) {
                    out.writeFloat((float) t.get(j));
                }
            } else {
                for (int j = 0; j < n; j++) {
                    out.writeDouble(t.get(j));
                }
            }
        }
    }

    @Override
    public State deserialize(DataInputView in) throws IOException {
        Tensor[] values = new Tensor[initial.size()];
        for (int i = 0; i < values.length; i++) {
            Tensor template = initial.valueAt(i);
            double[] data = new double[template.size()];
            if (template.dtype() == DType.FLOAT32) {
                for (int j = 0; j < data.length; j++) {
                    data[j] = in.readFloat();
                }
            } else {
                for (int j = 0; j < data.length; j++) {
                    data[j] = in.readDouble();
                }
            }
            values[i] = template.like(data); // read as doubles or floats: already of the dtype
        }
        return initial.withValues(values);
    }

    @Override
    public State deserialize(State reuse, DataInputView in) throws IOException {
        return deserialize(in);
    }

    @Override
    public void copy(DataInputView in, DataOutputView out) throws IOException {
        serialize(deserialize(in), out);
    }

    @Override
    public boolean equals(Object obj) {
        return obj instanceof StateSerializer s && s.layout.equals(layout) && s.initial.equals(initial)
                && s.reset.equals(reset);
    }

    @Override
    public int hashCode() {
        return layout.hashCode();
    }

    @Override
    public String toString() {
        return "StateSerializer" + layout;
    }

    @Override
    public TypeSerializerSnapshot<State> snapshotConfiguration() {
        return new StateSerializerSnapshot(this);
    }
}
