package org.flinox.bench;

import java.util.Map;
import java.util.StringJoiner;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.table.api.Table;
import org.apache.flink.table.api.bridge.java.StreamTableEnvironment;
import org.apache.flink.types.Row;
import org.flinox.operators.ModelSettings;
import org.flinox.sql.ModelFunction;

/**
 * B5: the same Standardize over the same records (B1's workload) as a Flink SQL Process Table
 * Function ({@link ModelFunction}) and as the DataStream job's model operator (no cache), RocksDB,
 * parallelism 1, on the same MiniCluster. The SQL job's rows come from the same sequence through
 * {@code fromDataStream} and leave through {@code toDataStream}, so the difference is the PTF
 * operator: row conversion in and out, the state as a ROW of arrays, the framework's own state
 * handling per call.
 */
final class SqlBench {
    private final BenchCluster cluster;
    private final Report out;
    private final int repeats;
    private final double scale;

    SqlBench(BenchCluster cluster, Report out, int repeats, double scale) {
        this.cluster = cluster;
        this.out = out;
        this.repeats = repeats;
        this.scale = scale;
    }

    void run() throws Exception {
        int keys = 10_000;
        long n = Math.max(10_000, Math.round(1_000_000 * scale));
        sql(keys, 100_000); // warm-up: the planner and the generated code
        out.line("## B5 Standardize (16 features, cumulative) in Flink SQL vs the DataStream job, RocksDB, parallelism 1, "
                + String.format("%,d keys, %,d records", keys, n));
        out.line("");
        Alternating a = new Alternating()
                .add("hand-written", () -> cluster.throughput(new HandWrittenStandardize(), keys, n))
                .add("datastream", () -> cluster.throughput(BenchCluster.flinox(new BenchModels.StandardizeModel(),
                        ModelSettings.defaults().withStateCache(0)), new Workload(keys), n))
                .add("sql", () -> sql(keys, n))
                .run(repeats);
        double hw = a.median("hand-written");
        out.row("hand-written ValueState<double[]> (rec/s)", "DataStream Flinox, no cache (rec/s)",
                "SQL ModelFunction PTF (rec/s)", "ratio SQL / DataStream", "ratio SQL / hand-written");
        out.row("---", "---", "---", "---", "---");
        out.row(Report.rate(hw), Report.rate(a.median("datastream")), Report.rate(a.median("sql")),
                Report.ratio(a.median("sql") / a.median("datastream")), Report.ratio(a.median("sql") / hw));
        out.line("");
    }

    /** One SQL run to the end; records per second between the first and the last output. */
    double sql(int keys, long records) throws Exception {
        ThroughputProbe.reset();
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(BenchCluster.jobConfig(Map.of()));
        env.setParallelism(1);
        StreamTableEnvironment tEnv = StreamTableEnvironment.create(env);
        String[] names = new String[BenchModels.FEATURES + 1];
        TypeInformation<?>[] types = new TypeInformation<?>[names.length];
        names[0] = "k";
        types[0] = Types.STRING;
        StringJoiner features = new StringJoiner(", ");
        for (int j = 1; j < names.length; j++) {
            names[j] = "x" + (j - 1);
            types[j] = Types.DOUBLE;
            features.add(names[j]);
        }
        DataStream<Row> rows = env.fromSource(new NumberSequenceSource(0, records - 1), WatermarkStrategy.noWatermarks(),
                        "sequence")
                .map(new Rows(keys)).returns(Types.ROW_NAMED(names, types));
        tEnv.createTemporaryView("records", rows);
        tEnv.createTemporarySystemFunction("flinox", ModelFunction.class);
        Table z = tEnv.sqlQuery("SELECT * FROM flinox(input => TABLE records PARTITION BY k, features => DESCRIPTOR("
                + features + "), model => '{\"name\":\"bench\",\"module\":{\"type\":\"standardize\"}}')");
        tEnv.toDataStream(z).filter(new ThroughputProbe<>()).sinkTo(new DiscardingSink<>());
        env.execute("bench sql keys=" + keys);
        if (ThroughputProbe.count != records) {
            throw new IllegalStateException("expected " + records + " outputs, saw " + ThroughputProbe.count);
        }
        return ThroughputProbe.perSecond();
    }

    /** B1's records ({@link Workload}) as rows: key {@code k}, features {@code x0..x15}. */
    record Rows(int keys) implements MapFunction<Long, Row> {
        @Override
        public Row map(Long i) {
            double[] x = Workload.features(i);
            Row r = new Row(x.length + 1);
            r.setField(0, "k" + (i % keys));
            for (int j = 0; j < x.length; j++) {
                r.setField(j + 1, x[j]);
            }
            return r;
        }
    }
}
