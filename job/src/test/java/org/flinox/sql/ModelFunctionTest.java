package org.flinox.sql;

import static org.apache.flink.table.api.Expressions.$;
import static org.apache.flink.table.api.Expressions.descriptor;
import static org.apache.flink.table.api.Expressions.lit;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.table.api.TableResult;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.flinox.nn.DType;
import org.flinox.nn.Npz;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@link ModelFunction} in SQL on a MiniCluster, against the pinned math computed here in plain loops. */
class ModelFunctionTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberSlotsPerTaskManager(2).build());

    private static final String[] SENSORS = {"boiler-1", "boiler-2", "pump"};

    /** id, sensor, a, b; rows 13 (NULL) and 29 (NaN) are bad. */
    private static final List<Object[]> ROWS = rows();

    private TableEnvironment tEnv;

    @BeforeEach
    void setUp() {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // state and records without Kryo
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 2);
        tEnv = TableEnvironment.create(EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        tEnv.executeSql("CREATE TEMPORARY FUNCTION flinox AS '" + ModelFunction.class.getName() + "'");
        StringJoiner values = new StringJoiner(", ");
        for (Object[] r : ROWS) {
            values.add("(" + r[0] + ", '" + r[1] + "', " + literal((Double) r[2]) + ", " + literal((Double) r[3])
                    + ", " + (r[2] == null) + ", " + ((Double) r[3]).isNaN() + ")");
        }
        // Plain literals only: one Values source, so each key's rows arrive in id order (an
        // expression in a row would turn VALUES into a union of sources, in no particular order).
        // NULL and NaN have no literal there; the view puts them in.
        tEnv.executeSql("CREATE TEMPORARY VIEW readings AS SELECT id, sensor,"
                + " CASE WHEN a_null THEN CAST(NULL AS DOUBLE) ELSE a END AS a,"
                + " CASE WHEN b_nan THEN CAST('NaN' AS DOUBLE) ELSE b END AS b"
                + " FROM (VALUES " + values + ") AS T(id, sensor, a, b, a_null, b_nan)");
    }

    @Test
    void cumulativeZScoresEqualThePlainLoopReferenceAndBadRowsAreFlaggedNotAbsorbed() throws Exception {
        TableResult result = tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                + " features => DESCRIPTOR(a, b), model => '{\"name\":\"z\",\"module\":{\"type\":\"standardize\"}}',"
                + " uid => 'z')");
        assertThat(result.getResolvedSchema().getColumnNames())
                .containsExactly("sensor", "id", "a", "b", "a_z", "b_z", "status");
        Map<Integer, Row> out = byId(result);
        assertThat(out).hasSize(ROWS.size());

        Map<Integer, double[]> expected = cumulativeReference();
        for (Object[] r : ROWS) {
            int id = (Integer) r[0];
            Row row = out.get(id);
            assertThat(row.getField(0)).isEqualTo(r[1]);
            assertThat(row.getField(2)).isEqualTo(r[2]); // the input's columns, unchanged
            if (id == 13) {
                assertThat(row.getField(6)).isEqualTo("MISSING_FIELD");
                assertThat(row.getField(4)).isNull();
            } else if (id == 29) {
                assertThat(row.getField(6)).isEqualTo("NOT_FINITE");
                assertThat(row.getField(5)).isNull();
            } else {
                assertThat(row.getField(6)).as("row %d", id).isEqualTo("ok");
                assertThat((Double) row.getField(4)).as("a_z of row %d", id).isCloseTo(expected.get(id)[0], within(1e-12));
                assertThat((Double) row.getField(5)).as("b_z of row %d", id).isCloseTo(expected.get(id)[1], within(1e-12));
            }
        }
    }

    @Test
    void fromTheJavaTableApiTheFunctionGivesTheSameZScores() throws Exception {
        // the README's Table API call: partitionBy(...).process(ModelFunction.class, named arguments)
        Table scored = tEnv.from("readings").partitionBy($("sensor")).process(ModelFunction.class,
                descriptor("a", "b").asArgument("features"),
                lit("{\"name\":\"z\",\"module\":{\"type\":\"standardize\"}}").asArgument("model"),
                lit("z").asArgument("uid"));
        TableResult result = scored.execute();
        assertThat(result.getResolvedSchema().getColumnNames())
                .containsExactly("sensor", "id", "a", "b", "a_z", "b_z", "status");
        Map<Integer, Row> out = byId(result);
        assertThat(out).hasSize(ROWS.size());
        Map<Integer, double[]> expected = cumulativeReference();
        for (Object[] r : ROWS) {
            int id = (Integer) r[0];
            if (good(r)) {
                assertThat(out.get(id).getField(6)).isEqualTo("ok");
                assertThat((Double) out.get(id).getField(4)).as("a_z of row %d", id).isCloseTo(expected.get(id)[0], within(1e-12));
                assertThat((Double) out.get(id).getField(5)).as("b_z of row %d", id).isCloseTo(expected.get(id)[1], within(1e-12));
            } else {
                assertThat(out.get(id).getField(6)).isIn("MISSING_FIELD", "NOT_FINITE");
            }
        }
    }

    @Test
    void emaZScoresEqualThePlainLoopReference() throws Exception {
        double m = 0.8;
        double eps = 1e-5;
        TableResult result = tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                + " features => DESCRIPTOR(b, a), model => '{\"name\":\"e\",\"module\":{\"type\":\"standardize\","
                + "\"mode\":\"ema\",\"momentum\":" + m + "}}', uid => 'e')");
        assertThat(result.getResolvedSchema().getColumnNames())
                .containsExactly("sensor", "id", "a", "b", "b_z", "a_z", "status");
        Map<Integer, Row> out = byId(result);

        Map<String, double[][]> moments = new HashMap<>();
        int checked = 0;
        for (Object[] r : ROWS) {
            int id = (Integer) r[0];
            if (!good(r)) {
                assertThat(out.get(id).getField(6)).isNotEqualTo("ok");
                continue;
            }
            double[] x = {(Double) r[3], (Double) r[2]}; // features in DESCRIPTOR order: b, a
            double[][] s = moments.computeIfAbsent((String) r[1], k -> new double[][] {{0, 0}, {1, 1}});
            for (int j = 0; j < 2; j++) {
                s[0][j] = m * s[0][j] + (1 - m) * x[j];
                s[1][j] = m * s[1][j] + (1 - m) * x[j] * x[j];
                double z = (x[j] - s[0][j]) / Math.sqrt(Math.max(s[1][j] - s[0][j] * s[0][j], 0) + eps);
                assertThat((Double) out.get(id).getField(4 + j)).as("row %d feature %d", id, j)
                        .isCloseTo(z, within(1e-12));
                checked++;
            }
        }
        assertThat(checked).isEqualTo(2 * (ROWS.size() - 2));
    }

    @Test
    void aModelOtherThanStandardizeEmitsAnOutputArrayOfItsWidth() throws Exception {
        TableResult result = tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                + " features => DESCRIPTOR(a, b), model => '{\"name\":\"m\",\"seed\":3,\"module\":"
                + "{\"type\":\"sequential\",\"layers\":[{\"type\":\"standardize\"},{\"type\":\"linear\",\"out\":3}]}}')");
        assertThat(result.getResolvedSchema().getColumnNames())
                .containsExactly("sensor", "id", "a", "b", "output", "status");
        assertThat(result.getResolvedSchema().getColumnDataTypes().get(4).toString()).isEqualTo("ARRAY<DOUBLE NOT NULL>");
        Map<Integer, Row> out = byId(result);
        for (Object[] r : ROWS) {
            Row row = out.get((Integer) r[0]);
            if (good(r)) {
                assertThat((Double[]) row.getField(4)).hasSize(3).allSatisfy(v -> assertThat(v).isFinite());
            } else {
                assertThat(row.getField(4)).isNull();
            }
        }
    }

    @Test
    void aModelWithoutStateRunsWithAnEmptyStateRow() throws Exception {
        TableResult result = tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                + " features => DESCRIPTOR(a, b), model => '{\"name\":\"s\",\"module\":{\"type\":\"relu\"}}')");
        Map<Integer, Row> out = byId(result);
        for (Object[] r : ROWS) {
            Row row = out.get((Integer) r[0]);
            if (good(r)) { // relu of positive readings: the readings themselves
                assertThat((Double[]) row.getField(4)).containsExactly((Double) r[2], (Double) r[3]);
            } else {
                assertThat(row.getField(5)).isNotEqualTo("ok");
            }
        }
    }

    @Test
    void weightsFromAnNpzFileReplaceTheSeededParameters(@TempDir Path dir) throws Exception {
        Path npz = dir.resolve("w.npz");
        Npz.write(npz, Map.of(
                ".weight", Tensor.of(DType.FLOAT32, new int[] {2, 2}, 1, 0.5, 0, 2),
                ".bias", Tensor.vector(DType.FLOAT32, 1, -1)));
        TableResult result = tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                + " features => DESCRIPTOR(a, b), model => '{\"name\":\"w\",\"module\":{\"type\":\"linear\"}}',"
                + " weights => '" + npz + "')");
        Map<Integer, Row> out = byId(result);
        for (Object[] r : ROWS) {
            if (good(r)) { // y = x·W + b with W = [[1, 0.5], [0, 2]], b = [1, -1]
                double a = (Double) r[2];
                double b = (Double) r[3];
                assertThat((Double[]) out.get((Integer) r[0]).getField(4))
                        .containsExactly(a + 1, 0.5 * a + 2 * b - 1);
            }
        }
    }

    @Test
    void anUnknownFeatureColumnFailsAtPlanningTime() {
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                + " features => DESCRIPTOR(a, c), model => '{\"module\":{\"type\":\"standardize\"}}')"))
                .rootCause().hasMessage("features: field 'c' is not a column of the input table (id,sensor,a,b)");
    }

    @Test
    void aNonNumericFeatureColumnFailsAtPlanningTime() {
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY id,"
                + " features => DESCRIPTOR(a, sensor), model => '{\"module\":{\"type\":\"standardize\"}}')"))
                .rootCause().hasMessage("features: field 'sensor' is not a number: it is VARCHAR(8) NOT NULL;"
                        + " cast it to DOUBLE in a view, or leave it out of features");
    }

    @Test
    void aBadSpecFailsAtPlanningTimeWithTheJobsMessage() {
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                + " features => DESCRIPTOR(a, b), model => '{\"module\":{\"type\":\"linear\",\"in\":3}}')"))
                .rootCause().hasMessage("model: module.in: is 3, but the width coming in is 2 (the feature count);"
                        + " leave it out to take the width coming in");
    }

    @Test
    void aStateTtlThatIsNotADurationFailsAtPlanningTime() {
        assertThatThrownBy(() -> tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY sensor,"
                + " features => DESCRIPTOR(a, b), model => '{\"module\":{\"type\":\"standardize\"}}',"
                + " state_ttl => 'soon')"))
                .hasStackTraceContaining("state_ttl: 'soon' is not a duration (e.g. '7 d', '12 h', '30 min')");
    }

    // --- the reference and the data -------------------------------------------------------

    /** The reference's z-scores of the accepted rows (bad ones do not count). */
    private static Map<Integer, double[]> cumulativeReference() {
        List<CumulativeReference.Row> accepted = new ArrayList<>();
        for (Object[] r : ROWS) {
            if (good(r)) {
                accepted.add(new CumulativeReference.Row((Integer) r[0], (String) r[1],
                        new double[] {(Double) r[2], (Double) r[3]}));
            }
        }
        return CumulativeReference.zScores(accepted);
    }

    private static boolean good(Object[] r) {
        return r[2] != null && r[3] != null && Double.isFinite((Double) r[2]) && Double.isFinite((Double) r[3]);
    }

    private static List<Object[]> rows() {
        List<Object[]> rows = new ArrayList<>();
        for (int i = 0; i < 45; i++) {
            Double a = 20 + (i * 7 % 11) + 0.25 * (i % 4);
            Double b = 1000 + 3.5 * (i * 13 % 17);
            if (i == 13) {
                a = null;
            }
            if (i == 29) {
                b = Double.NaN;
            }
            rows.add(new Object[] {i, SENSORS[i * 5 % 7 % 3], a, b});
        }
        return rows;
    }

    /** A DOUBLE literal ({@code 20.25E0}); 0 for NULL and NaN (the view replaces them). */
    private static String literal(Double v) {
        return (v == null || Double.isNaN(v) ? 0.0 : v) + "E0";
    }

    private static Map<Integer, Row> byId(TableResult result) throws Exception {
        Map<Integer, Row> out = new HashMap<>();
        try (CloseableIterator<Row> it = result.collect()) {
            while (it.hasNext()) {
                Row r = it.next();
                assertThat(out.put((Integer) r.getField(1), r)).as("row %s once", r.getField(1)).isNull();
            }
        }
        return out;
    }
}
