package org.flinox.bench;

import org.flinox.operators.ModuleFunction;

/** B1 and B2: records per second through the keyed function on RocksDB, parallelism 1. */
final class ThroughputBench {
    private final BenchCluster cluster;
    private final Report out;
    private final int repeats;
    private final double scale;

    ThroughputBench(BenchCluster cluster, Report out, int repeats, double scale) {
        this.cluster = cluster;
        this.out = out;
        this.repeats = repeats;
        this.scale = scale;
    }

    private long records(long n) {
        return Math.max(10_000, Math.round(n * scale));
    }

    /** One short run of each function, so class loading and JIT do not land on the first measurement. */
    void warmUp() throws Exception {
        cluster.throughput(new HandWrittenStandardize(), 1000, 200_000);
        cluster.throughput(new ModuleFunction(new BenchModels.StandardizeModel(), null), 1000, 200_000);
        cluster.throughput(new HandWrittenMlp(64), 1000, 200_000);
        cluster.throughput(new ModuleFunction(new BenchModels.MlpModel(64), null), 1000, 200_000);
    }

    void b1() throws Exception {
        out.line("## B1 Standardize (16 features, cumulative), RocksDB, parallelism 1");
        out.line("");
        out.row("keys", "records", "hand-written ValueState<double[]> (rec/s)", "Flinox ModuleFunction (rec/s)",
                "ratio (target ≥ 0.90)", "what-if: packed in one ValueState (rec/s)", "ratio");
        out.row("---", "---", "---", "---", "---", "---", "---");
        for (int keys : java.util.Arrays.stream(System.getProperty("bench.keys", "10000,1000000").split(","))
                .mapToInt(Integer::parseInt).toArray()) {
            long n = records(keys == 10_000 ? 2_000_000 : 3_000_000);
            Alternating a = new Alternating()
                    .add("hand-written", () -> cluster.throughput(new HandWrittenStandardize(), keys, n))
                    .add("flinox", () -> cluster.throughput(
                            new ModuleFunction(new BenchModels.StandardizeModel(), null), keys, n))
                    .add("packed", () -> cluster.throughput(
                            new PackedModuleFunction(new BenchModels.StandardizeModel()), keys, n))
                    .run(repeats);
            double hw = a.median("hand-written");
            out.row(String.format("%,d", keys), String.format("%,d", n), Report.rate(hw),
                    Report.rate(a.median("flinox")), Report.ratio(a.median("flinox") / hw),
                    Report.rate(a.median("packed")), Report.ratio(a.median("packed") / hw));
        }
        out.line("");
    }

    void b2() throws Exception {
        int keys = 10_000;
        long n = records(2_000_000);
        out.line("## B2 seed MLP (16 → 64 → 64 → 3, Moments in and out), RocksDB, parallelism 1, "
                + String.format("%,d keys, %,d records", keys, n));
        out.line("");
        Alternating a = new Alternating()
                .add("B1 Flinox Standardize", () -> cluster.throughput(
                        new ModuleFunction(new BenchModels.StandardizeModel(), null), keys, n))
                .add("hand-written MLP", () -> cluster.throughput(new HandWrittenMlp(64), keys, n))
                .add("Flinox MLP", () -> cluster.throughput(
                        new ModuleFunction(new BenchModels.MlpModel(64), null), keys, n))
                .add("what-if: Flinox MLP packed in one ValueState", () -> cluster.throughput(
                        new PackedModuleFunction(new BenchModels.MlpModel(64)), keys, n))
                .run(repeats);
        double b1 = a.median("B1 Flinox Standardize");
        out.row("variant", "rec/s (median)", "ratio to B1 (target ≥ 0.50)", "ratio to hand-written MLP");
        out.row("---", "---", "---", "---");
        for (String v : a.names()) {
            out.row(v, Report.rate(a.median(v)), Report.ratio(a.median(v) / b1),
                    Report.ratio(a.median(v) / a.median("hand-written MLP")));
        }
        out.line("");

        long n256 = records(300_000);
        out.line(String.format("### B2 at hidden width 256, %,d keys, %,d records", keys, n256));
        out.line("");
        Alternating w = new Alternating()
                .add("hand-written MLP-256", () -> cluster.throughput(new HandWrittenMlp(256), keys, n256))
                .add("Flinox MLP-256", () -> cluster.throughput(
                        new ModuleFunction(new BenchModels.MlpModel(256), null), keys, n256))
                .run(repeats);
        out.row("variant", "rec/s (median)", "ratio to hand-written");
        out.row("---", "---", "---");
        for (String v : w.names()) {
            out.row(v, Report.rate(w.median(v)), Report.ratio(w.median(v) / w.median("hand-written MLP-256")));
        }
        out.line("");
    }
}
