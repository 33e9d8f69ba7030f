package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.flinox.nn.DType;
import org.flinox.nn.State;
import org.flinox.nn.StateKey;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;

class StateSerializerTest {

    private static State state(Object... nameAndTensor) {
        Map<StateKey, Tensor> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndTensor.length; i += 2) {
            m.put(new StateKey((String) nameAndTensor[i]), (Tensor) nameAndTensor[i + 1]);
        }
        return State.of(m);
    }

    private static final State STANDARDIZE = state(
            ".count", Tensor.vector(DType.FLOAT64, 3, 3),
            ".mean", Tensor.vector(DType.FLOAT64, 0.5, -1.25),
            ".m2", Tensor.vector(DType.FLOAT64, 2.0, 0.125));

    private static byte[] write(StateSerializer s, State value) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        s.serialize(value, out);
        return out.getCopyOfBuffer();
    }

    /** The snapshot as a checkpoint stores it and a later job reads it back. */
    private static TypeSerializerSnapshot<State> stored(StateSerializer s) throws Exception {
        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, s.snapshotConfiguration());
        return TypeSerializerSnapshot.readVersionedSnapshot(new DataInputDeserializer(out.getCopyOfBuffer()),
                StateSerializerTest.class.getClassLoader());
    }

    private static TypeSerializerSchemaCompatibility<State> restoring(StateSerializer old, StateSerializer now)
            throws Exception {
        return now.snapshotConfiguration().resolveSchemaCompatibility(stored(old));
    }

    @Test
    void aValueIsItsEntriesValuesAndNothingElse() throws Exception {
        StateSerializer s = new StateSerializer("m", STANDARDIZE, Set.of());
        byte[] bytes = write(s, STANDARDIZE);
        assertThat(bytes).hasSize(3 * 2 * 8); // three float64[2], no names, no shapes
        DataInputDeserializer in = new DataInputDeserializer(bytes);
        // state-key order: .count, .m2, .mean
        assertThat(new double[] {in.readDouble(), in.readDouble(), in.readDouble(), in.readDouble(),
                in.readDouble(), in.readDouble()}).containsExactly(3, 3, 2.0, 0.125, 0.5, -1.25);
        assertThat(s.deserialize(new DataInputDeserializer(bytes))).isEqualTo(STANDARDIZE);
    }

    @Test
    void float32EntriesTakeFourBytesEach() throws Exception {
        State moments = state(".first", Tensor.vector(DType.FLOAT32, 0.25f, 1.5f), ".second", Tensor.vector(DType.FLOAT32, 1, 2));
        StateSerializer s = new StateSerializer("m", moments, Set.of());
        byte[] bytes = write(s, moments);
        assertThat(bytes).hasSize(4 * 4);
        assertThat(s.deserialize(new DataInputDeserializer(bytes))).isEqualTo(moments);
    }

    @Test
    void theSnapshotCarriesTheLayoutAndItsRestoreSerializerReadsOldValues() throws Exception {
        StateSerializer s = new StateSerializer("m", STANDARDIZE, Set.of());
        TypeSerializerSnapshot<State> snapshot = stored(s);
        assertThat(((StateSerializerSnapshot) snapshot).layout().entries().keySet()).containsExactly(".count", ".m2", ".mean");
        State read = snapshot.restoreSerializer().deserialize(new DataInputDeserializer(write(s, STANDARDIZE)));
        assertThat(read).isEqualTo(STANDARDIZE);
    }

    @Test
    void theSameLayoutIsCompatibleAsIs() throws Exception {
        StateSerializer s = new StateSerializer("m", STANDARDIZE, Set.of());
        assertThat(restoring(s, new StateSerializer("m", STANDARDIZE, Set.of())).isCompatibleAsIs()).isTrue();
    }

    @Test
    void anAddedOrDroppedEntryIsCompatibleAfterMigration() throws Exception {
        State withExtra = state(".count", Tensor.vector(DType.FLOAT64, 0, 0), ".mean", Tensor.vector(DType.FLOAT64, 0, 0),
                ".m2", Tensor.vector(DType.FLOAT64, 0, 0), ".extra", Tensor.vector(DType.FLOAT32, 7));
        StateSerializer now = new StateSerializer("m", withExtra, Set.of());
        StateSerializer old = new StateSerializer("m", STANDARDIZE, Set.of());
        assertThat(restoring(old, now).isCompatibleAfterMigration()).isTrue();
        assertThat(restoring(now, old).isCompatibleAfterMigration()).isTrue();
    }

    @Test
    void migrationKeepsEntriesByNameAndStartsAddedOnesFromTheirInitialValue() throws Exception {
        StateSerializer old = new StateSerializer("m", STANDARDIZE, Set.of());
        State initialNow = state(".count", Tensor.vector(DType.FLOAT64, 0, 0), ".mean", Tensor.vector(DType.FLOAT64, 0, 0),
                ".extra", Tensor.vector(DType.FLOAT32, 7));
        StateSerializer now = new StateSerializer("m", initialNow, Set.of());
        // what RocksDB's migration does: read with the old serializer, write with the new one
        State oldValue = stored(old).restoreSerializer().deserialize(new DataInputDeserializer(write(old, STANDARDIZE)));
        State migrated = now.deserialize(new DataInputDeserializer(write(now, oldValue)));
        assertThat(migrated).isEqualTo(state(".count", Tensor.vector(DType.FLOAT64, 3, 3),
                ".mean", Tensor.vector(DType.FLOAT64, 0.5, -1.25), ".extra", Tensor.vector(DType.FLOAT32, 7)));
    }

    @Test
    void aChangedShapeIsRefusedNamingTheEntryBothLayoutsAndAReset() throws Exception {
        State wider = state(".count", Tensor.vector(DType.FLOAT64, 0, 0, 0), ".mean", Tensor.vector(DType.FLOAT64, 0, 0),
                ".m2", Tensor.vector(DType.FLOAT64, 0, 0));
        StateSerializer old = new StateSerializer("zscore", STANDARDIZE, Set.of());
        assertThatThrownBy(() -> restoring(old, new StateSerializer("zscore", wider, Set.of())))
                .isInstanceOf(StateLayoutException.class)
                .hasMessageContaining("model zscore")
                .hasMessageContaining(".count was float64[2], the model now has float64[3]")
                .hasMessageContaining("Start their modules over with a reset of . (every entry of a module starts over")
                .hasMessageNotContaining("--");
        // where the settings come from, the message says how to reset (the job: its flag)
        StateLayoutException e = org.assertj.core.api.Assertions.catchThrowableOfType(StateLayoutException.class,
                () -> restoring(old, new StateSerializer("zscore", wider, Set.of())));
        assertThat(e.advising("--reset-state NAME"))
                .hasMessageContaining(".count was float64[2], the model now has float64[3]")
                .hasMessageContaining("Start their modules over with --reset-state . (every entry of a module starts over");
    }

    @Test
    void aChangedDtypeIsRefused() throws Exception {
        State f32 = state(".count", Tensor.vector(DType.FLOAT32, 0, 0), ".mean", Tensor.vector(DType.FLOAT64, 0, 0),
                ".m2", Tensor.vector(DType.FLOAT64, 0, 0));
        StateSerializer old = new StateSerializer("m", STANDARDIZE, Set.of());
        assertThatThrownBy(() -> restoring(old, new StateSerializer("m", f32, Set.of())))
                .isInstanceOf(StateLayoutException.class)
                .hasMessageContaining(".count was float64[2], the model now has float32[2]");
    }

    @Test
    void aChangedShapeUnderResetStateMigratesToTheInitialValue() throws Exception {
        State wider = state(".count", Tensor.vector(DType.FLOAT64, 9, 9, 9), ".mean", Tensor.vector(DType.FLOAT64, 0, 0),
                ".m2", Tensor.vector(DType.FLOAT64, 0, 0));
        StateSerializer old = new StateSerializer("m", STANDARDIZE, Set.of());
        StateSerializer now = new StateSerializer("m", wider, Set.of(".count"));
        assertThat(restoring(old, now).isCompatibleAfterMigration()).isTrue();
        State oldValue = stored(old).restoreSerializer().deserialize(new DataInputDeserializer(write(old, STANDARDIZE)));
        State migrated = now.deserialize(new DataInputDeserializer(write(now, oldValue)));
        assertThat(migrated.get(new StateKey(".count"))).isEqualTo(Tensor.vector(DType.FLOAT64, 9, 9, 9));
        assertThat(migrated.get(new StateKey(".mean"))).isEqualTo(Tensor.vector(DType.FLOAT64, 0.5, -1.25));
    }
}
