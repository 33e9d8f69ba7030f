package org.flinox.operators;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputView;
import org.flinox.nn.DType;
import org.flinox.nn.State;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;

/**
 * The names, dtypes and shapes of a model's state entries, in the order a packed value holds
 * them ({@code .count float64[2], .m2 float64[2], .mean float64[2]}). It travels in the
 * state serializer's snapshot, so every checkpoint and savepoint says what its values are.
 *
 * @param entries entry name → layout ({@code float64[2]}), in state-key order
 */
public record StateLayout(Map<String, Entry> entries) {

    /** One entry's dtype and shape. */
    public record Entry(DType dtype, int[] shape) {
        /** {@code float64[2]}, as {@link Tensor#layout()} spells it. */
        @Override
        public String toString() {
            return Tensor.zeros(dtype, shape).layout();
        }

        boolean sameAs(Entry other) {
            return dtype == other.dtype && java.util.Arrays.equals(shape, other.shape);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Entry e && sameAs(e);
        }

        @Override
        public int hashCode() {
            return 31 * dtype.hashCode() + java.util.Arrays.hashCode(shape);
        }
    }

    public StateLayout {
        entries = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(entries));
    }

    /** The layout of a state. */
    public static StateLayout of(State state) {
        Map<String, Entry> m = new LinkedHashMap<>();
        for (int i = 0; i < state.size(); i++) {
            Tensor t = state.valueAt(i);
            m.put(state.keyAt(i).name(), new Entry(t.dtype(), t.shape()));
        }
        return new StateLayout(m);
    }

    /** A state of this layout holding zeros: a template to deserialize values into. */
    State zeros() {
        Map<StateKey, Tensor> m = new LinkedHashMap<>();
        entries.forEach((name, e) -> m.put(new StateKey(name), Tensor.zeros(e.dtype(), e.shape())));
        return State.of(m);
    }

    /**
     * Whether two states hold the same entries, names, dtypes and shapes: the per-record check
     * that a stored value is in the model's layout, so it allocates nothing.
     */
    static boolean sameLayout(State a, State b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (int i = 0; i < a.size(); i++) {
            if (!a.keyAt(i).equals(b.keyAt(i)) || !a.valueAt(i).sameLayout(b.valueAt(i))) {
                return false;
            }
        }
        return true;
    }

    void write(DataOutputView out) throws IOException {
        out.writeInt(entries.size());
        for (Map.Entry<String, Entry> e : entries.entrySet()) {
            out.writeUTF(e.getKey());
            out.writeByte(e.getValue().dtype() == DType.FLOAT32 ? 0 : 1);
            int[] shape = e.getValue().shape();
            out.writeByte(shape.length);
            for (int d : shape) {
                out.writeInt(d);
            }
        }
    }

    static StateLayout read(DataInputView in) throws IOException {
        int n = in.readInt();
        Map<String, Entry> m = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String name = in.readUTF();
            int code = in.readByte();
            DType dtype = switch (code) {
                case 0 -> DType.FLOAT32;
                case 1 -> DType.FLOAT64;
                default -> throw new IOException("corrupt state layout: unknown dtype code " + code + " for " + name);
            };
            int[] shape = new int[in.readByte()];
            for (int j = 0; j < shape.length; j++) {
                shape[j] = in.readInt();
            }
            m.put(name, new Entry(dtype, shape));
        }
        return new StateLayout(m);
    }

    /**
     * What restoring state of layout {@code previous} into this one means.
     *
     * @param reset entries to start over whatever their stored layout ({@link ModelSettings#resetState})
     */
    public Change changeFrom(StateLayout previous, Set<String> reset) {
        List<String> added = new ArrayList<>();
        List<String> dropped = new ArrayList<>();
        List<String> refused = new ArrayList<>();
        entries.forEach((name, now) -> {
            Entry before = previous.entries.get(name);
            if (before == null) {
                added.add(name);
            } else if (!now.sameAs(before) && !reset.contains(name)) {
                refused.add(name + " was " + before + ", the model now has " + now);
            }
        });
        previous.entries.forEach((name, before) -> {
            if (!entries.containsKey(name)) {
                dropped.add(name + " (" + before + ")");
            }
        });
        return new Change(added, dropped, refused);
    }

    /**
     * The difference between a stored layout and the model's.
     *
     * @param added entries the model has and the state does not: they start from their initial value
     * @param dropped entries the state has and the model does not: they are let go
     * @param refused entries whose shape or dtype changed and that are not reset
     */
    public record Change(List<String> added, List<String> dropped, List<String> refused) {}

    /**
     * {@code stored} (of any layout) carried into the layout of {@code initial}: an entry with
     * the same name, dtype and shape keeps its value unless it is in {@code reset}; every other
     * entry takes its initial value; entries {@code initial} lacks are let go.
     */
    static State fit(State stored, State initial, Set<String> reset) {
        Map<String, Tensor> byName = new LinkedHashMap<>();
        for (int i = 0; i < stored.size(); i++) {
            byName.put(stored.keyAt(i).name(), stored.valueAt(i));
        }
        Tensor[] values = new Tensor[initial.size()];
        for (int i = 0; i < values.length; i++) {
            Tensor init = initial.valueAt(i);
            String name = initial.keyAt(i).name();
            Tensor old = byName.get(name);
            values[i] = old != null && old.sameLayout(init) && !reset.contains(name) ? old : init;
        }
        return initial.withValues(values);
    }

    @Override
    public String toString() {
        List<String> parts = new ArrayList<>();
        entries.forEach((name, e) -> parts.add(name + " " + e));
        return "[" + String.join(", ", parts) + "]";
    }
}
