package org.flinox.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.CoreOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.table.api.EnvironmentSettings;
import org.apache.flink.table.api.TableEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.types.Row;
import org.apache.flink.util.CloseableIterator;
import org.flinox.job.spec.SpecModelFactory;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOperator;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelSettings;
import org.flinox.operators.Rejected;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The DataStream model operator and the SQL function run one step rule: on a record whose
 * state would go non-finite, both refuse it, keep the key's state, and go on alike.
 */
class StepRuleAgreementTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension(
            new MiniClusterResourceConfiguration.Builder().setNumberSlotsPerTaskManager(1).build());

    private static final String SPEC = "{\"name\":\"z\",\"module\":{\"type\":\"standardize\"}}";

    /**
     * One key: (1, 5), then (1e300, 6), whose squared deviation overflows: m2 would be +inf while
     * the output is finite (z = 5e299 / sqrt(inf) = 0), so only the state check refuses it; then
     * (3, 7). Worked by hand over the accepted records (1, 5), (3, 7): z = 0, 0, then (3 − 2)/1 = 1
     * and (7 − 6)/1 = 1.
     */
    private static final double[][] X = {{1, 5}, {1e300, 6}, {3, 7}};
    private static final String[] STATUS = {"ok", "FORWARD_FAILED", "ok"};
    private static final double[][] Z = {{0, 0}, null, {1, 1}};

    @TempDir
    Path dir;

    @Test
    void theDataStreamOperatorRefusesARecordWhoseStateWouldNotBeFiniteAndGoesOn() throws Exception {
        TypeInformation<FeatureRecord> type = TypeInformation.of(FeatureRecord.class);
        SpecModelFactory model = SpecModelFactory.of(Files.writeString(dir.resolve("z.json"), SPEC), 2, null);
        var h = new KeyedOneInputStreamOperatorTestHarness<>(new ModelOperator<String, FeatureRecord>(model,
                FeatureRecord::features, Rejected.tag(type), ModelSettings.defaults()), FeatureRecord::key, Types.STRING);
        h.setup(ModelOutput.typeInfo(type).createSerializer(new ExecutionConfig().getSerializerConfig()));
        h.open();
        for (int i = 0; i < X.length; i++) {
            h.processElement(new FeatureRecord("k", "in", i, "", X[i]), 0);
        }
        List<String> statuses = new ArrayList<>();
        List<double[]> outputs = new ArrayList<>();
        for (Object o : h.getOutput()) {
            if (o instanceof StreamRecord<?> r && r.getValue() instanceof ModelOutput<?> m) {
                outputs.add(m.output());
                statuses.add("ok");
            }
        }
        var rejected = h.getSideOutput(Rejected.tag(type));
        assertThat(rejected).hasSize(1);
        Rejected<FeatureRecord> refused = rejected.peek().getValue();
        assertThat(refused.input().seq()).isEqualTo(1);
        assertThat(refused.detail()).contains("state entry .m2 would be Infinity");
        statuses.add(1, refused.reason().name());
        h.close();

        assertThat(statuses).containsExactly(STATUS);
        assertThat(outputs).hasSize(2);
        assertThat(outputs.get(0)).containsExactly(Z[0]);
        assertThat(outputs.get(1)).containsExactly(Z[2]);
    }

    @Test
    void theSqlFunctionRefusesTheSameRecordAndGoesOnAlike() throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        conf.set(CoreOptions.DEFAULT_PARALLELISM, 1);
        TableEnvironment tEnv = TableEnvironment.create(
                EnvironmentSettings.newInstance().inStreamingMode().withConfiguration(conf).build());
        tEnv.executeSql("CREATE TEMPORARY FUNCTION flinox AS '" + ModelFunction.class.getName() + "'");
        tEnv.executeSql("CREATE TEMPORARY VIEW readings AS SELECT * FROM (VALUES (0, 'k', 1E0, 5E0), "
                + "(1, 'k', 1E300, 6E0), (2, 'k', 3E0, 7E0)) AS T(id, sensor, a, b)");
        List<Row> rows = new ArrayList<>();
        try (CloseableIterator<Row> it = tEnv.executeSql("SELECT * FROM flinox(input => TABLE readings PARTITION BY "
                + "sensor, features => DESCRIPTOR(a, b), model => '" + SPEC + "', uid => 'z')").collect()) {
            it.forEachRemaining(rows::add);
        }
        rows.sort(java.util.Comparator.comparing(r -> (Integer) r.getField(1)));
        assertThat(rows).extracting(r -> r.getField(6)).containsExactly((Object[]) STATUS);
        for (int i = 0; i < X.length; i++) {
            if (Z[i] == null) {
                assertThat(rows.get(i).getField(4)).isNull();
            } else {
                assertThat(new double[] {(Double) rows.get(i).getField(4), (Double) rows.get(i).getField(5)})
                        .as("row %d", i).containsExactly(Z[i]);
            }
        }
    }
}
