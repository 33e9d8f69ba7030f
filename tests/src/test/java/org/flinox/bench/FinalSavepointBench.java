package org.flinox.bench;

import java.io.BufferedWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinox.job.JobPipeline;
import org.flinox.job.JobRunner;
import org.flinox.job.JobSettings;

/**
 * B8: what {@code --final-savepoint} costs. The real job (CSV file → parse → Standardize →
 * file sink) over one record per key reads its input to the end and is held open; then, on the
 * same state, a checkpoint of the kind the job takes periodically (incremental RocksDB) is
 * triggered, then the job is stopped with the canonical savepoint that {@code --final-savepoint}
 * is. Both are end-to-end durations from Flink's checkpoint statistics, and wall-clock times of
 * the trigger calls, divided by the keys.
 */
final class FinalSavepointBench {
    private final BenchCluster cluster;
    private final Report out;
    private final int repeats;
    private final int keys;

    FinalSavepointBench(BenchCluster cluster, Report out, int repeats, double scale) {
        this.cluster = cluster;
        this.out = out;
        this.repeats = repeats;
        this.keys = (int) Math.max(10_000, Math.round(400_000 * scale));
    }

    void run() throws Exception {
        out.line(String.format("## B8 --final-savepoint vs a periodic checkpoint, Standardize (2 features), %,d keys, "
                + "1 record per key", keys));
        out.line("");
        out.row("repeat", "checkpoint (ms, Flink)", "checkpoint (ms, wall)", "final savepoint (ms, Flink)",
                "final savepoint (ms, wall)", "checkpoint µs/key", "final savepoint µs/key", "savepoint / checkpoint");
        out.row("---", "---", "---", "---", "---", "---", "---", "---");
        Path dir = Files.createTempDirectory("flinox-bench-final");
        try {
            Path input = Files.createDirectories(dir.resolve("in")).resolve("keys.csv");
            try (BufferedWriter w = Files.newBufferedWriter(input)) {
                w.write("id,x,y\n");
                for (int i = 0; i < keys; i++) {
                    w.write("k" + i + "," + (i % 97) + "," + (i % 13) + "\n");
                }
            }
            for (int r = 1; r <= repeats; r++) {
                measure(r, input, dir.resolve("run-" + r));
            }
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        out.line("");
    }

    private void measure(int repeat, Path input, Path dir) throws Exception {
        JobSettings s = JobRunner.settings("--input", input.toString(), "--key", "id", "--features", "x,y",
                "--output", dir.resolve("out").toString(), "--final-savepoint", dir.resolve("warm").toString(),
                "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(),
                "--checkpoint-interval", "1h", "--parallelism", "1");
        StreamExecutionEnvironment env = JobRunner.environment(s);
        JobPipeline.build(env, s);
        JobClient client = env.executeAsync("bench final savepoint");
        JobID job = client.getJobID();
        while (!drained(client)) {
            Thread.sleep(50);
        }
        long t0 = System.nanoTime();
        cluster.checkpoint(job);
        double checkpointWall = (System.nanoTime() - t0) / 1e6;
        t0 = System.nanoTime();
        client.stopWithSavepoint(false, dir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
                .get(10, TimeUnit.MINUTES);
        double savepointWall = (System.nanoTime() - t0) / 1e6;
        client.getJobExecutionResult().get();
        List<AbstractCheckpointStats> done = new ArrayList<>();
        for (AbstractCheckpointStats c : cluster.graph(job).getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
            if (c.getStatus() == CheckpointStatsStatus.COMPLETED) {
                done.add(c);
            }
        }
        done.sort(Comparator.comparingLong(AbstractCheckpointStats::getCheckpointId));
        double checkpoint = done.get(0).getEndToEndDuration();
        double savepoint = done.get(done.size() - 1).getEndToEndDuration();
        out.row(repeat, String.format("%.0f", checkpoint), String.format("%.0f", checkpointWall),
                String.format("%.0f", savepoint), String.format("%.0f", savepointWall),
                String.format("%.1f", checkpointWall * 1000 / keys), String.format("%.1f", savepointWall * 1000 / keys),
                String.format("%.2f", savepointWall / checkpointWall));
    }

    private static boolean drained(JobClient client) throws Exception {
        Map<String, Object> acc = client.getAccumulators().get();
        Object drained = acc.get("flinox.readersDrained");
        return drained instanceof Number n && n.longValue() >= 1;
    }
}
