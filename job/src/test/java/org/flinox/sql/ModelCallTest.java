package org.flinox.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.table.api.DataTypes;
import org.apache.flink.table.api.ValidationException;
import org.apache.flink.table.types.DataType;
import org.apache.flink.types.Row;
import org.flinox.nn.State;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the planner derives from a call: output columns, the state's type, and the errors. */
class ModelCallTest {

    private static final DataType SENSORS = DataTypes.ROW(
            DataTypes.FIELD("sensor", DataTypes.STRING()),
            DataTypes.FIELD("ts", DataTypes.TIMESTAMP(3)),
            DataTypes.FIELD("temperature", DataTypes.DOUBLE()),
            DataTypes.FIELD("humidity", DataTypes.INT()));

    private static ModelCall call(String model) {
        return ModelCall.resolve(SENSORS, new int[] {0}, List.of("temperature", "humidity"), model, null);
    }

    @Test
    void standardizeKeepsTheOtherColumnsAndAddsAZColumnPerFeatureAndAStatus() {
        assertThat(call("{\"module\":{\"type\":\"standardize\"}}").outputType().toString())
                .isEqualTo("ROW<`ts` TIMESTAMP(3), `temperature` DOUBLE, `humidity` INT, `temperature_z` DOUBLE,"
                        + " `humidity_z` DOUBLE, `status` STRING NOT NULL> NOT NULL");
    }

    @Test
    void theStateTypeNamesEveryStateKeyTheWayDescribeDoes() {
        assertThat(call("{\"module\":{\"type\":\"standardize\"}}").state().dataType().toString())
                .isEqualTo("ROW<`.count` ARRAY<DOUBLE>, `.m2` ARRAY<DOUBLE>, `.mean` ARRAY<DOUBLE>>");
        assertThat(call("{\"module\":{\"type\":\"mlp\",\"out\":1,\"hidden\":4}}").state().dataType().toString())
                .isEqualTo("ROW<`.inStats.first` ARRAY<FLOAT>, `.inStats.second` ARRAY<FLOAT>,"
                        + " `.outStats.first` ARRAY<FLOAT>, `.outStats.second` ARRAY<FLOAT>>");
    }

    @Test
    void aStateRowReadsAsTheInitialStateUntilWrittenAndThenAsWritten() {
        StateRowType type = call("{\"module\":{\"type\":\"standardize\",\"mode\":\"ema\"}}").state();
        Row row = new Row(2); // .first, .second: NULL for a key never seen
        State fresh = type.read(row);
        assertThat(fresh.valueAt(0).toArray()).containsExactly(0, 0);
        assertThat(fresh.valueAt(1).toArray()).containsExactly(1, 1);
        State next = fresh.withValues(new org.flinox.nn.Tensor[] {
            org.flinox.nn.Tensor.vector(org.flinox.nn.DType.FLOAT64, 2.5, -1), fresh.valueAt(1)});
        type.write(row, fresh, next);
        assertThat(((org.apache.flink.table.data.ArrayData) row.getField(0)).toDoubleArray()).containsExactly(2.5, -1.0);
        assertThat(row.getField(1)).as("an unchanged entry is not written").isNull();
        assertThat(type.read(row).valueAt(0).toArray()).containsExactly(2.5, -1);
    }

    @Test
    void aFloat32EntryIsStoredAsFloatsAndReadBackWidened() {
        StateRowType type = call("{\"module\":{\"type\":\"mlp\",\"out\":1,\"hidden\":4}}").state();
        Row row = new Row(4);
        State fresh = type.read(row);
        org.flinox.nn.Tensor[] values = new org.flinox.nn.Tensor[4];
        for (int i = 0; i < 4; i++) {
            values[i] = fresh.valueAt(i);
        }
        int n = fresh.valueAt(0).size();
        double[] written = new double[n];
        for (int i = 0; i < n; i++) {
            written[i] = 0.1 * (i + 1); // not exact in float32: stored as the nearest float
        }
        values[0] = fresh.valueAt(0).like(written.clone());
        type.write(row, fresh, fresh.withValues(values));
        float[] stored = ((org.apache.flink.table.data.ArrayData) row.getField(0)).toFloatArray();
        double[] back = type.read(row).valueAt(0).toArray();
        for (int i = 0; i < n; i++) {
            assertThat(stored[i]).isEqualTo((float) (0.1 * (i + 1)));
            assertThat(back[i]).isEqualTo((double) (float) (0.1 * (i + 1)));
        }
    }

    @Test
    void anotherModelEmitsOneOutputArray() {
        assertThat(call("{\"module\":{\"type\":\"linear\",\"out\":3}}").outputType().toString())
                .endsWith("`humidity` INT, `output` ARRAY<DOUBLE NOT NULL>, `status` STRING NOT NULL> NOT NULL");
    }

    @Test
    void aSpecFileIsReadAndItsErrorsNameTheFile(@TempDir Path dir) throws Exception {
        Path spec = dir.resolve("bad.json");
        Files.writeString(spec, "{\"module\":{\"type\":\"standardise\"}}");
        assertThatThrownBy(() -> call(spec.toString()))
                .isInstanceOf(ValidationException.class)
                .hasMessageStartingWith(spec + ": module.type: ");
        Files.writeString(spec, "{\"name\":\"ok\",\"module\":{\"type\":\"standardize\",\"mode\":\"ema\"}}");
        assertThat(call(spec.toString()).state().dataType().toString())
                .isEqualTo("ROW<`.first` ARRAY<DOUBLE>, `.second` ARRAY<DOUBLE>>");
    }

    @Test
    void anOutputColumnThatClashesWithAnInputColumnIsRefused() {
        DataType clash = DataTypes.ROW(DataTypes.FIELD("k", DataTypes.STRING()),
                DataTypes.FIELD("x", DataTypes.DOUBLE()), DataTypes.FIELD("status", DataTypes.STRING()));
        assertThatThrownBy(() -> ModelCall.resolve(clash, new int[] {0}, List.of("x"),
                "{\"module\":{\"type\":\"standardize\"}}", null))
                .hasMessage("the input table has a column 'status', which is also an output column of the model;"
                        + " rename it in a view (SELECT ... AS ...)");
    }
}
