package org.flinox.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.functions.FilterFunction;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.connector.source.util.ratelimit.RateLimiterStrategy;
import org.apache.flink.connector.datagen.source.DataGeneratorSource;
import org.apache.flink.connector.datagen.source.GeneratorFunction;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.SubtaskStateStats;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.jobgraph.JobVertexID;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelSettings;

/**
 * B10-pause: what a checkpoint barrier holds up in a job that keeps up with its input. A
 * source at a fixed rate (far below what the job can take) stamps each record with the time it
 * was made; Standardize (16 features) on RocksDB with many keys; a checkpoint every 5 s. From
 * Flink's checkpoint statistics, per checkpoint, the keyed task's time from the trigger to its
 * acknowledgement, split into what Flink reports (the barrier's start delay and alignment, the
 * snapshot's sync and async parts) and the rest, which is the operator's work before it
 * forwards the barrier (the state cache's write-back, the open bundle); and every record's
 * latency from its making to the end of the keyed task.
 */
final class BarrierPauseBench {
    private static final int KEYS = 200_000;
    private static final double RATE = 40_000;
    private static final long CACHE = 64L << 20;

    /** Each record's make time (ns, in its seq) and latency; one job at a time, parallelism 1. */
    static long[] made;
    static long[] latency;
    static int seen;

    private final BenchCluster cluster;
    private final Report out;
    private final int repeats;
    private final double scale;

    BarrierPauseBench(BenchCluster cluster, Report out, int repeats, double scale) {
        this.cluster = cluster;
        this.out = out;
        this.repeats = repeats;
        this.scale = scale;
    }

    /** What one run measured: per checkpoint of the keyed task, and per record. */
    private record Run(List<SubtaskStateStats> checkpoints, List<Long> triggeredAt, long[] made, long[] latency) {}

    void run() throws Exception {
        long n = Math.max(400_000, Math.round(3_200_000 * scale));
        out.line(String.format("## B10-pause the checkpoint barrier at a steady %,.0f records/s: Standardize "
                + "(16 features), %,d keys in turn, RocksDB, %,d records, a checkpoint every 5 s, parallelism 1",
                RATE, KEYS, n));
        out.line("");
        out.row("variant", "checkpoints", "keyed task: trigger → ack, median / max (ms)",
                "barrier start delay + alignment, median (ms)", "sync + async, median (ms)",
                "before the barrier: the rest, median / max (ms)", "latency p50 / p99 / p99.9 / max (ms)",
                "slowest record made within 1 s of a trigger, median (ms)");
        out.row("---", "---", "---", "---", "---", "---", "---", "---");
        Map<String, ModelSettings> variants = new LinkedHashMap<>();
        variants.put("state cache " + (CACHE >> 20) + " MiB (the default)", ModelSettings.defaults().withStateCache(CACHE));
        variants.put("no state cache", ModelSettings.defaults().withStateCache(0));
        Map<String, List<Run>> runs = new LinkedHashMap<>();
        for (int r = 0; r < repeats; r++) {
            for (Map.Entry<String, ModelSettings> v : variants.entrySet()) {
                Run run = measure(v.getValue(), n);
                runs.computeIfAbsent(v.getKey(), k -> new ArrayList<>()).add(run);
                System.err.printf("  B10-pause %s run %d: %d checkpoints%n", v.getKey(), r + 1, run.checkpoints().size());
            }
        }
        runs.forEach(this::report);
        out.line("");
    }

    private void report(String variant, List<Run> runs) {
        List<Double> ack = new ArrayList<>();
        List<Double> delay = new ArrayList<>();
        List<Double> snapshot = new ArrayList<>();
        List<Double> rest = new ArrayList<>();
        List<Double> behind = new ArrayList<>();
        List<Long> latencies = new ArrayList<>();
        for (Run run : runs) {
            for (int c = 0; c < run.checkpoints().size(); c++) {
                SubtaskStateStats s = run.checkpoints().get(c);
                long trigger = run.triggeredAt().get(c);
                double toAck = s.getAckTimestamp() - trigger;
                double flink = s.getCheckpointStartDelay() + s.getAlignmentDuration() + s.getSyncCheckpointDuration()
                        + s.getAsyncCheckpointDuration();
                ack.add(toAck);
                delay.add((double) s.getCheckpointStartDelay() + s.getAlignmentDuration());
                snapshot.add((double) s.getSyncCheckpointDuration() + s.getAsyncCheckpointDuration());
                rest.add(Math.max(0, toAck - flink));
                behind.add(slowestMadeWithin(run, trigger) / 1e6);
            }
            Arrays.stream(run.latency()).forEach(latencies::add);
        }
        long[] l = latencies.stream().mapToLong(Long::longValue).sorted().toArray();
        out.row(variant, ack.size(), String.format("%.0f / %.0f", median(ack), max(ack)),
                String.format("%.0f", median(delay)), String.format("%.0f", median(snapshot)),
                String.format("%.0f / %.0f", median(rest), max(rest)),
                String.format("%.1f / %.1f / %.1f / %.1f", quantile(l, 0.5) / 1e6, quantile(l, 0.99) / 1e6,
                        quantile(l, 0.999) / 1e6, l[l.length - 1] / 1e6),
                String.format("%.0f", median(behind)));
    }

    /** The largest latency of the records made in the second after a trigger (ms since the epoch → the records' ns clock). */
    private static double slowestMadeWithin(Run run, long triggerMillis) {
        long from = triggerMillis * 1_000_000L - WALL_MINUS_NANO;
        long to = from + 1_000_000_000L;
        long worst = 0;
        for (int i = 0; i < run.made().length; i++) {
            if (run.made()[i] >= from && run.made()[i] < to) {
                worst = Math.max(worst, run.latency()[i]);
            }
        }
        return worst;
    }

    /** The wall clock (ns) minus the monotonic clock, once: checkpoint statistics are wall-clock, the records' stamps monotonic. */
    private static final long WALL_MINUS_NANO = System.currentTimeMillis() * 1_000_000L - System.nanoTime();

    private Run measure(ModelSettings settings, long n) throws Exception {
        Path dir = Files.createTempDirectory("flinox-bench-pause");
        try {
            made = new long[(int) n];
            latency = new long[(int) n];
            seen = 0;
            StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(BenchCluster.jobConfig(Map.of(
                    "execution.checkpointing.interval", "5 s",
                    "execution.checkpointing.dir", dir.toUri().toString())));
            env.setParallelism(1);
            Workload w = new Workload(KEYS);
            GeneratorFunction<Long, FeatureRecord> stamped = i -> {
                FeatureRecord r = w.map(i);
                return new FeatureRecord(r.key(), r.source(), System.nanoTime(), null, r.features());
            };
            BenchCluster.flinox(new BenchModels.StandardizeModel(), settings)
                    .apply(env.fromSource(new DataGeneratorSource<>(stamped, n, RateLimiterStrategy.perSecond(RATE),
                                    TypeInformation.of(FeatureRecord.class)), WatermarkStrategy.noWatermarks(), "steady")
                            .uid("steady").keyBy(FeatureRecord::key, Types.STRING))
                    .filter(new LatencyProbe<>()).uid("latency")
                    .sinkTo(new DiscardingSink<>()).uid("sink");
            JobID job = env.executeAsync("bench B10-pause").getJobID();
            waitFor(job);
            if (seen != n) {
                throw new IllegalStateException("expected " + n + " outputs, saw " + seen);
            }
            AccessExecutionGraph g = cluster.graph(job);
            JobVertexID keyed = null;
            for (AccessExecutionJobVertex v : g.getVerticesTopologically()) {
                if (v.getName().contains(BenchCluster.KEYED_NAME)) {
                    keyed = v.getJobVertexId();
                }
            }
            List<AbstractCheckpointStats> done = new ArrayList<>();
            for (AbstractCheckpointStats c : g.getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
                if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                    done.add(c);
                }
            }
            done.sort(java.util.Comparator.comparingLong(AbstractCheckpointStats::getCheckpointId));
            List<SubtaskStateStats> stats = new ArrayList<>();
            List<Long> triggers = new ArrayList<>();
            for (AbstractCheckpointStats c : done) {
                stats.add(c.getTaskStateStats(keyed).getSubtaskStats()[0]);
                triggers.add(c.getTriggerTimestamp());
            }
            return new Run(stats, triggers, made, latency);
        } finally {
            CheckpointBench.deleteRecursively(dir);
        }
    }

    private void waitFor(JobID job) throws Exception {
        while (!cluster.graph(job).getState().isGloballyTerminalState()) {
            Thread.sleep(200);
        }
        AccessExecutionGraph g = cluster.graph(job);
        if (g.getFailureInfo() != null) {
            throw new IllegalStateException("B10-pause job " + g.getState() + ": " + g.getFailureInfo().getExceptionAsString());
        }
    }

    /** Notes each output's latency: now minus the time its record was made (its seq). */
    private static final class LatencyProbe<T> implements FilterFunction<T> {
        @Override
        public boolean filter(T o) {
            long now = System.nanoTime();
            long stamp = ((FeatureRecord) ((ModelOutput<?>) o).input()).seq();
            made[seen] = stamp;
            latency[seen] = now - stamp;
            seen++;
            return false;
        }
    }

    private static double median(List<Double> xs) {
        return quantile(xs.stream().mapToDouble(Double::doubleValue).sorted().toArray(), 0.5);
    }

    private static double max(List<Double> xs) {
        return xs.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    private static double quantile(double[] sorted, double q) {
        return sorted.length == 0 ? Double.NaN : sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }

    private static double quantile(long[] sorted, double q) {
        return sorted[(int) Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
    }
}
