package org.flinox.bench;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionJobVertex;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.flinox.operators.ModelSettings;

/**
 * B3: incremental RocksDB checkpoints of Standardize at 1M keys, Flinox vs hand-written:
 * checkpoint duration (end to end, from Flink's checkpoint statistics), size (full and
 * incremental), and restore time (the keyed task's INITIALIZING → RUNNING, which is where
 * the RocksDB state is restored).
 */
final class CheckpointBench {
    private static final int KEYS = 1_000_000;

    private final BenchCluster cluster;
    private final Report out;
    private final double scale;

    CheckpointBench(BenchCluster cluster, Report out, double scale) {
        this.cluster = cluster;
        this.out = out;
        this.scale = scale;
    }

    void run() throws Exception {
        long n = Math.max(KEYS + 500_000, Math.round(3_000_000 * scale));
        out.line(String.format("## B3 incremental RocksDB checkpoints, Standardize, %,d keys, %,d records, "
                + "interval 2 s", KEYS, n));
        out.line("");
        out.row("function", "completed checkpoints", "median duration (ms)", "median incremental size (MiB)",
                "full state size (MiB)", "restore: init time (ms)", "fresh start: init time (ms)", "rec/s while checkpointing");
        out.row("---", "---", "---", "---", "---", "---", "---", "---");
        measure("hand-written ValueState<double[]>", BenchCluster.process(new HandWrittenStandardize()), n);
        measure("Flinox, per record (packed state, no cache)", BenchCluster.flinox(new BenchModels.StandardizeModel(),
                ModelSettings.defaults().withStateCache(0)), n);
        out.line("");
    }

    private void measure(String name, BenchCluster.Keyed fn, long n) throws Exception {
        Path dir = Files.createTempDirectory("flinox-bench-chk");
        try {
            ThroughputProbe.reset();
            // A finished job discards its checkpoints, so run on past n records and cancel once
            // a checkpoint completed after the n-th record: that one is retained and restored.
            JobClient client = cluster.submit(fn, new Workload(KEYS), 100 * n, "source", Map.of(
                    "execution.checkpointing.interval", "2 s",
                    "execution.checkpointing.dir", dir.toUri().toString(),
                    "execution.checkpointing.externalized-checkpoint-retention", "RETAIN_ON_CANCELLATION"));
            JobID job = client.getJobID();
            while (ThroughputProbe.count < n) {
                Thread.sleep(50);
            }
            long completedAtN = completed(job);
            while (completed(job) <= completedAtN) {
                Thread.sleep(50);
            }
            client.cancel().get();
            waitFor(job);
            double rate = ThroughputProbe.perSecond();
            List<CompletedCheckpointStats> done = new ArrayList<>();
            for (AbstractCheckpointStats c : cluster.graph(job).getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
                if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                    done.add((CompletedCheckpointStats) c);
                }
            }
            done.sort(Comparator.comparingLong(AbstractCheckpointStats::getCheckpointId));
            if (done.isEmpty()) {
                out.row(name, 0, "-", "-", "-", "-", "-", Report.rate(rate));
                return;
            }
            CompletedCheckpointStats last = done.get(done.size() - 1);
            double restoreMs = initMillis(restoreJob(fn, Map.of(
                    "execution.state-recovery.path", last.getExternalPath(),
                    "execution.state-recovery.ignore-unclaimed-state", "true")));
            double freshMs = initMillis(restoreJob(fn, Map.of()));
            out.row(name, done.size(),
                    median(done.stream().mapToDouble(AbstractCheckpointStats::getEndToEndDuration).toArray()),
                    String.format("%.1f", median(done.stream().mapToDouble(c -> c.getCheckpointedSize()).toArray())
                            / (1 << 20)),
                    String.format("%.1f", last.getStateSize() / (double) (1 << 20)),
                    String.format("%.0f", restoreMs), String.format("%.0f", freshMs), Report.rate(rate));
        } finally {
            deleteRecursively(dir);
        }
    }

    /** A tiny job with the same keyed function, optionally restoring its state; its source is new. */
    private JobID restoreJob(BenchCluster.Keyed fn, Map<String, String> conf) throws Exception {
        ThroughputProbe.reset();
        JobID job = cluster.submit(fn, new Workload(KEYS), 1000, "restore-source", conf).getJobID();
        waitFor(job);
        return job;
    }

    private long completed(JobID job) throws Exception {
        return cluster.graph(job).getCheckpointStatsSnapshot().getCounts().getNumberOfCompletedCheckpoints();
    }

    private void waitFor(JobID job) throws Exception {
        while (!cluster.graph(job).getState().isGloballyTerminalState()) {
            Thread.sleep(100);
        }
    }

    /** The keyed task's state initialisation: INITIALIZING → RUNNING of its one subtask. */
    private double initMillis(JobID job) throws Exception {
        AccessExecutionGraph g = cluster.graph(job);
        List<String> names = new ArrayList<>();
        for (AccessExecutionJobVertex v : g.getVerticesTopologically()) {
            names.add(v.getName());
            if (v.getName().contains(BenchCluster.KEYED_NAME)) {
                AccessExecutionVertex task = v.getTaskVertices()[0];
                return task.getStateTimestamp(ExecutionState.RUNNING) - task.getStateTimestamp(ExecutionState.INITIALIZING);
            }
        }
        throw new IllegalStateException("no keyed task in " + g.getJobName() + " (" + g.getState() + "): " + names
                + (g.getFailureInfo() != null ? "; " + g.getFailureInfo().getExceptionAsString() : ""));
    }

    static double median(double[] xs) {
        double[] s = xs.clone();
        java.util.Arrays.sort(s);
        int n = s.length;
        return n % 2 == 1 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
    }

    static void deleteRecursively(Path dir) throws IOException {
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }
}
