package org.flinox.bench;

import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.lib.NumberSequenceSource;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.apache.flink.streaming.util.TestStreamEnvironment;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.Flinox;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelSettings;
import org.flinox.operators.ModelUpdate;
import org.flinox.operators.ModelUpdates;

/**
 * One MiniCluster for the whole run, so every job runs in the same JVM under the same
 * configuration. Each job is: sequence → records (chained) → keyBy → the keyed step under test
 * ({@link Keyed}: a hand-written function, or Flinox through its public API) →
 * {@link ThroughputProbe} → discarding sink, at parallelism 1.
 */
final class BenchCluster implements AutoCloseable {
    static final String KEYED_NAME = "bench-keyed";
    /** What every keyed step emits: the record with its output, as Flinox's outputs are. */
    static final TypeInformation<ModelOutput<FeatureRecord>> OUTPUT =
            ModelOutput.typeInfo(TypeInformation.of(FeatureRecord.class));

    /** The keyed step of a job, named {@link #KEYED_NAME}. */
    @FunctionalInterface
    interface Keyed {
        DataStream<?> apply(KeyedStream<FeatureRecord, String> records);
    }

    /** A hand-written keyed function as the step. */
    static Keyed process(KeyedProcessFunction<String, FeatureRecord, ModelOutput<FeatureRecord>> fn) {
        return records -> records.process(fn, OUTPUT).name(KEYED_NAME).uid("keyed");
    }

    /** Flinox as a Flink job applies it ({@link Flinox#apply}), with {@code settings}. */
    static Keyed flinox(ModelFactory model, ModelSettings settings) {
        return records -> {
            SingleOutputStreamOperator<ModelOutput<FeatureRecord>> out =
                    Flinox.apply(records, model, FeatureRecord::features, settings).outputs();
            return out.name(KEYED_NAME);
        };
    }

    /**
     * Flinox with an update side ({@code --model-updates}): one update, {@code npz}, broadcast to
     * the operator when the job starts; the records still run through the same operator.
     */
    static Keyed flinoxWithUpdates(ModelFactory model, ModelSettings settings, byte[] npz) {
        return records -> {
            DataStream<ModelUpdate> updates = records.getExecutionEnvironment()
                    .fromData(java.util.List.of(ModelUpdate.of("B", "B.npz", npz)), ModelUpdate.TYPE).uid("updates");
            SingleOutputStreamOperator<ModelOutput<FeatureRecord>> out = Flinox.apply(records, model,
                    FeatureRecord::features, settings, new ModelUpdates(updates, "A")).outputs();
            return out.name(KEYED_NAME);
        };
    }

    private final MiniCluster cluster;

    BenchCluster() throws Exception {
        Configuration conf = new Configuration();
        conf.setString("taskmanager.numberOfTaskSlots", "2");
        conf.setString("rest.bind-port", "0"); // any free port: another run may hold 8081
        cluster = new MiniCluster(new MiniClusterConfiguration.Builder().setConfiguration(conf)
                .setNumTaskManagers(1).setNumSlotsPerTaskManager(2).build());
        cluster.start();
        TestStreamEnvironment.setAsContext(cluster, 1);
    }

    /** The configuration every benchmark job runs with: the job's own (JobRunner.flinkConfig for RocksDB). */
    static Configuration jobConfig(Map<String, String> extra) {
        Configuration c = new Configuration();
        c.setString("state.backend.type", "rocksdb");
        c.setString("execution.checkpointing.incremental", "true");
        c.setString("state.backend.rocksdb.memory.partitioned-index-filters", "true"); // as JobRunner sets it
        c.setString("pipeline.generic-types", "false");
        c.setString("pipeline.max-parallelism", "128");
        // -Dbench.conf="key=value;key=value" overrides, for trying options on both variants alike
        for (String kv : System.getProperty("bench.conf", "").split(";")) {
            if (kv.contains("=")) {
                c.setString(kv.substring(0, kv.indexOf('=')).trim(), kv.substring(kv.indexOf('=') + 1).trim());
            }
        }
        extra.forEach(c::setString);
        return c;
    }

    /** Submits a job running {@code keyed} over {@code records} records of {@code workload}. */
    JobClient submit(Keyed keyed, Workload workload, long records, String sourceUid, Map<String, String> extra)
            throws Exception {
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(jobConfig(extra));
        env.setParallelism(1);
        keyed.apply(env.fromSource(new NumberSequenceSource(0, records - 1), WatermarkStrategy.noWatermarks(), "sequence")
                        .uid(sourceUid)
                        .map(workload).uid(sourceUid + "-records")
                        .keyBy(FeatureRecord::key, Types.STRING))
                .filter(new ThroughputProbe<>()).uid("probe")
                .sinkTo(new DiscardingSink<>()).uid("sink");
        return env.executeAsync("bench " + workload);
    }

    /** Runs a hand-written function to the end and returns its records per second (first to last output). */
    double throughput(KeyedProcessFunction<String, FeatureRecord, ModelOutput<FeatureRecord>> fn, int keys, long records)
            throws Exception {
        return throughput(process(fn), new Workload(keys), records);
    }

    /** The records per second of {@code keyed} over {@code records} records of {@code workload}. */
    double throughput(Keyed keyed, Workload workload, long records) throws Exception {
        ThroughputProbe.reset();
        submit(keyed, workload, records, "source", Map.of()).getJobExecutionResult().get();
        if (ThroughputProbe.count != records) {
            throw new IllegalStateException("expected " + records + " outputs, saw " + ThroughputProbe.count);
        }
        return ThroughputProbe.perSecond();
    }

    /** Triggers a checkpoint of the kind the job is configured for (incremental, for the job's RocksDB). */
    long checkpoint(JobID job) throws Exception {
        return cluster.triggerCheckpoint(job, org.apache.flink.core.execution.CheckpointType.CONFIGURED).get();
    }

    /** The finished (or running) job's execution graph: checkpoint stats, task timestamps. */
    AccessExecutionGraph graph(JobID job) throws Exception {
        return cluster.getExecutionGraph(job).get();
    }

    @Override
    public void close() throws Exception {
        TestStreamEnvironment.unsetAsContext();
        cluster.close();
    }
}
