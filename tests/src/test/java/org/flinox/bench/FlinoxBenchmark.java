package org.flinox.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.util.List;

/**
 * The performance benchmarks of issue #6, run side by side in one JVM and reported as ratios
 * against baselines measured in the same run (see BENCHMARKS.md):
 *
 * <ul>
 *   <li>B1 Standardize through the job's {@code ModelOperator} (per record, and with key bundles; uniform
 *       and Zipf-skewed keys) vs a hand-written {@code ValueState<double[]>} function, RocksDB;
 *   <li>B2 inox's example MLP through the operator vs the same math hand-written, and vs B1;
 *   <li>B5 Standardize as the Flink SQL function vs the DataStream job's function (only on request);
 *   <li>B3 incremental RocksDB checkpoints at 1M keys: duration, size, restore time;
 *   <li>B4 micro: forward passes vs plain loops, the state serializer;
 *   <li>B8 the job's --final-savepoint (stop-with-savepoint) vs a periodic checkpoint of the same state (only on request);
 *   <li>B6 the parse stage in-process: the job's parser vs a hand-written split/parse (only on request);
 *   <li>B7 the whole job, a CSV file to JSON-lines files, stage by stage, vs plain single-threaded Java (only on request);
 *   <li>B7-skew the whole job vs the Flink job a user would write by hand, keys in turn and Zipf(1.1) (only on request);
 *   <li>B7-p2 the whole job at parallelism 2 vs 1, one file and a directory of files (only on request);
 *   <li>B7-lines the output stage in-process: streamed JSON and one write per line vs what they replaced (only on request);
 *   <li>B9 the live state changelog: the same job without and with state changes (only on request);
 *   <li>B10-heap the operator's heap (state cache, key bundle) measured vs its bounds' estimates (only on request);
 *   <li>B10-pause what a checkpoint barrier holds up at a steady input rate, with and without the state cache (only on request).
 * </ul>
 *
 * System properties: {@code bench.only} (e.g. {@code B1,B4}), {@code bench.repeats} (3),
 * {@code bench.scale} (0.5, multiplies record counts).
 */
public final class FlinoxBenchmark {

    public static void main(String[] args) throws Exception {
        List<String> only = List.of(System.getProperty("bench.only", "B4,B1,B2,B3").split(","));
        int repeats = Integer.getInteger("bench.repeats", 3);
        double scale = Double.parseDouble(System.getProperty("bench.scale", "0.5"));
        Report out = new Report();
        out.line("# Flinox benchmarks, " + ZonedDateTime.now().withNano(0));
        out.line("");
        out.line("- cores: " + Runtime.getRuntime().availableProcessors() + ", max heap: "
                + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB, Java " + System.getProperty("java.version"));
        out.line("- load average at start: " + Files.readString(Path.of("/proc/loadavg")).trim());
        out.line("- repeats: " + repeats + " (alternating), scale: " + scale);
        out.line("");

        if (only.contains("B4")) {
            new MicroBench(out).run();
        }
        if (only.contains("B6")) {
            new ParseBench(out, repeats, scale).run();
        }
        if (only.contains("B10-heap")) {
            new HeapPerKeyBench(out, repeats, scale).run();
        }
        if (only.contains("B7-lines")) {
            new org.flinox.job.LineOutputBench(out::line, repeats, scale).run();
        }
        if (only.contains("B1") || only.contains("B2") || only.contains("B2-updates") || only.contains("B3")
                || only.contains("B5") || only.contains("B7") || only.contains("B7-skew") || only.contains("B7-p2")
                || only.contains("B8") || only.contains("B9") || only.contains("B10-pause")) {
            try (BenchCluster cluster = new BenchCluster()) {
                ThroughputBench throughput = new ThroughputBench(cluster, out, repeats, scale);
                if (!List.of("B7", "B7-skew", "B7-p2", "B10-heap", "B10-pause").containsAll(only)) {
                    throughput.warmUp();
                }
                if (only.contains("B1")) {
                    throughput.b1();
                    throughput.b1Skew();
                }
                if (only.contains("B2")) {
                    throughput.b2();
                }
                if (only.contains("B2-updates")) {
                    throughput.b2Updates();
                }
                if (only.contains("B3")) {
                    new CheckpointBench(cluster, out, scale).run();
                }
                if (only.contains("B5")) {
                    new SqlBench(cluster, out, repeats, scale).run();
                }
                if (only.contains("B7")) {
                    new WholeJobBench(cluster, out, repeats, scale).run();
                }
                if (only.contains("B7-skew")) {
                    new WholeJobBench(cluster, out, repeats, scale).againstHandWritten();
                }
                if (only.contains("B7-p2")) {
                    new WholeJobBench(cluster, out, repeats, scale).parallelInput();
                }
                if (only.contains("B8")) {
                    new FinalSavepointBench(cluster, out, repeats, scale).run();
                }
                if (only.contains("B9")) {
                    new ChangelogBench(cluster, out, repeats, scale).run();
                }
                if (only.contains("B10-pause")) {
                    new BarrierPauseBench(cluster, out, repeats, scale).run();
                }
            }
        }
        out.line("- load average at end: " + Files.readString(Path.of("/proc/loadavg")).trim());
        System.out.println(out);
        System.exit(0); // ND4J and Flink leave non-daemon threads behind
    }
}
