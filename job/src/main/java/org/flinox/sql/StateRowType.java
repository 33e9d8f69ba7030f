package org.flinox.sql;

import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.data.ArrayData;
import org.apache.flink.table.data.binary.BinaryArrayData;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.flinox.nn.DType;
import org.flinox.nn.State;
import org.flinox.nn.Tensor;

/**
 * A model's per-key {@link State} as the row a Process Table Function keeps in Flink state: one
 * field per {@code StateKey}, named as {@code describe} prints it ({@code .mean},
 * {@code .inStats.first}), in sorted key order, holding the entry's values flattened row-major
 * as {@code ARRAY<DOUBLE>} (float64 entries) or {@code ARRAY<FLOAT>} (float32). A proper ROW
 * type, so Flink serializes it with its own row serializer, never Kryo. A field is NULL until
 * the key's first accepted row; NULL reads as the entry's initial value. Each field is bridged
 * to Flink's internal {@link ArrayData}, so an entry goes between state and a {@code double[]}
 * in one copy, without a boxed {@code Double} per element (the logical type, and so the state's
 * serializer and savepoints, are the same as with boxed arrays).
 *
 * @param initial the exported initial state: its keys, dtypes and shapes are the layout
 */
record StateRowType(State initial) {

    static StateRowType of(State initial) {
        return new StateRowType(initial);
    }

    /** {@code ROW<`.count` ARRAY<DOUBLE>, `.mean` ARRAY<DOUBLE>, `.m2` ARRAY<DOUBLE>>}, say. */
    DataType dataType() {
        List<DataTypes.Field> fields = new ArrayList<>();
        for (int i = 0; i < initial.size(); i++) {
            DataType element = initial.valueAt(i).dtype() == DType.FLOAT32 ? DataTypes.FLOAT() : DataTypes.DOUBLE();
            fields.add(DataTypes.FIELD(initial.keyAt(i).name(), DataTypes.ARRAY(element).bridgedTo(ArrayData.class)));
        }
        return DataTypes.ROW(fields);
    }

    /** The key's state: the stored entries, and the initial value of any entry not stored yet. */
    State read(Row row) {
        Tensor[] values = new Tensor[initial.size()];
        for (int i = 0; i < values.length; i++) {
            Object stored = row.getField(i);
            Tensor init = initial.valueAt(i);
            values[i] = stored == null ? init : init.like(unbox((ArrayData) stored, init.dtype()));
        }
        return initial.withValues(values);
    }

    /** Writes the entries of {@code next} that differ from {@code previous} into the state row. */
    void write(Row row, State previous, State next) {
        for (int i = 0; i < initial.size(); i++) {
            Tensor t = next.valueAt(i);
            if (t != previous.valueAt(i)) {
                row.setField(i, box(t));
            }
        }
    }

    /** The stored elements as a new {@code double[]} (a float32 entry's floats widened). */
    private static double[] unbox(ArrayData stored, DType dtype) {
        if (dtype != DType.FLOAT32) {
            return stored.toDoubleArray();
        }
        float[] f = stored.toFloatArray();
        double[] out = new double[f.length];
        for (int i = 0; i < f.length; i++) {
            out[i] = f[i];
        }
        return out;
    }

    /** The entry as Flink's binary array: ARRAY&lt;FLOAT&gt; for float32, else ARRAY&lt;DOUBLE&gt;. */
    private static ArrayData box(Tensor t) {
        if (t.dtype() == DType.FLOAT32) {
            float[] out = new float[t.size()];
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) t.get(i);
            }
            return BinaryArrayData.fromPrimitiveArray(out);
        }
        return BinaryArrayData.fromPrimitiveArray(t.toArray());
    }
}
