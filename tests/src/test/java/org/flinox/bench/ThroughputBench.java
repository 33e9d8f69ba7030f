package org.flinox.bench;

import java.time.Duration;
import org.flinox.operators.KeyBundles;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelSettings;

/** B1 and B2: records per second through the keyed operator on RocksDB, parallelism 1. */
final class ThroughputBench {
    private static final int BUNDLE = 1000;
    /** The state cache measured: {@code -Dbench.cache} (given through {@code -Dbench.jvm}), the job's default 64mb. */
    private static final String CACHE_SIZE = System.getProperty("bench.cache", "64mb");
    private static final long CACHE = org.apache.flink.configuration.MemorySize.parse(CACHE_SIZE).getBytes();

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

    /** Flinox through its public API without a state cache (as the job runs with {@code --state-cache 0}). */
    private static BenchCluster.Keyed flinox(ModelFactory model, KeyBundles bundles) {
        return flinox(model, bundles, 0);
    }

    /** Flinox through its public API with a state cache of {@code cacheBytes}. */
    private static BenchCluster.Keyed flinox(ModelFactory model, KeyBundles bundles, long cacheBytes) {
        return BenchCluster.flinox(model, ModelSettings.defaults().withBundles(bundles).withStateCache(cacheBytes));
    }

    private static KeyBundles bundles(KeyBundles.Forward forward) {
        return KeyBundles.of(BUNDLE, Duration.ofMillis(100), forward);
    }

    /** One short run of each function, so class loading and JIT do not land on the first measurement. */
    void warmUp() throws Exception {
        cluster.throughput(new HandWrittenStandardize(), 1000, 200_000);
        cluster.throughput(flinox(new BenchModels.StandardizeModel(), KeyBundles.OFF), new Workload(1000), 200_000);
        cluster.throughput(flinox(new BenchModels.StandardizeModel(), bundles(KeyBundles.Forward.AUTO)),
                new Workload(1000), 200_000);
        cluster.throughput(new HandWrittenMlp(64), 1000, 200_000);
        cluster.throughput(flinox(new BenchModels.MlpModel(64), KeyBundles.OFF), new Workload(1000), 200_000);
    }

    void b1() throws Exception {
        out.line("## B1 Standardize (16 features, cumulative), RocksDB, parallelism 1");
        out.line("");
        out.row("keys", "records", "hand-written ValueState<double[]> (rec/s)", "Flinox ModelOperator (rec/s)",
                "ratio (target ≥ 1.0)", "Flinox, key bundles of " + BUNDLE + " (rec/s)", "ratio",
                "Flinox + state cache " + CACHE_SIZE + " (rec/s)", "ratio", "Flinox, bundles + state cache (rec/s)", "ratio");
        out.row("---", "---", "---", "---", "---", "---", "---", "---", "---", "---", "---");
        for (int keys : java.util.Arrays.stream(System.getProperty("bench.keys", "10000,1000000").split(","))
                .mapToInt(Integer::parseInt).toArray()) {
            long n = records(keys == 10_000 ? 2_000_000 : 3_000_000);
            Workload w = new Workload(keys);
            Alternating a = new Alternating()
                    .add("hand-written", () -> cluster.throughput(new HandWrittenStandardize(), keys, n))
                    .add("flinox", () -> cluster.throughput(flinox(new BenchModels.StandardizeModel(), KeyBundles.OFF), w, n))
                    .add("bundled", () -> cluster.throughput(
                            flinox(new BenchModels.StandardizeModel(), bundles(KeyBundles.Forward.AUTO)), w, n))
                    .add("cached", () -> cluster.throughput(
                            flinox(new BenchModels.StandardizeModel(), KeyBundles.OFF, CACHE), w, n))
                    .add("bundled+cached", () -> cluster.throughput(
                            flinox(new BenchModels.StandardizeModel(), bundles(KeyBundles.Forward.AUTO), CACHE), w, n))
                    .run(repeats);
            double hw = a.median("hand-written");
            out.row(String.format("%,d", keys), String.format("%,d", n), Report.rate(hw),
                    Report.rate(a.median("flinox")), Report.ratio(a.median("flinox") / hw),
                    Report.rate(a.median("bundled")), Report.ratio(a.median("bundled") / hw),
                    Report.rate(a.median("cached")), Report.ratio(a.median("cached") / hw),
                    Report.rate(a.median("bundled+cached")), Report.ratio(a.median("bundled+cached") / hw));
        }
        out.line("");
    }

    /** B1-skew: keys drawn Zipf(1.1) over 1M keys, where key bundles read and write a hot key once per bundle. */
    void b1Skew() throws Exception {
        int keys = 1_000_000;
        double s = 1.1;
        long n = records(3_000_000);
        Workload w = new Workload(keys, s);
        out.line(String.format("## B1-skew Standardize, keys Zipf(s = %.1f) over %,d keys, %,d records, RocksDB, "
                + "parallelism 1", s, keys, n));
        out.line("");
        Alternating a = new Alternating()
                .add("ceiling: a keyed operator that only emits (no state)", () -> cluster.throughput(
                        BenchCluster.process(new EmitOnly()), w, n))
                .add("hand-written ValueState<double[]>, per record", () -> cluster.throughput(
                        BenchCluster.process(new HandWrittenStandardize()), w, n))
                .add("Flinox, per record", () -> cluster.throughput(
                        flinox(new BenchModels.StandardizeModel(), KeyBundles.OFF), w, n))
                .add("Flinox, key bundles of " + BUNDLE, () -> cluster.throughput(
                        flinox(new BenchModels.StandardizeModel(), bundles(KeyBundles.Forward.AUTO)), w, n))
                .add("Flinox, key bundles of " + 10 * BUNDLE, () -> cluster.throughput(
                        flinox(new BenchModels.StandardizeModel(),
                                KeyBundles.of(10 * BUNDLE, Duration.ofMillis(100), KeyBundles.Forward.AUTO)), w, n))
                .add("Flinox, per record + state cache " + CACHE_SIZE, () -> cluster.throughput(
                        flinox(new BenchModels.StandardizeModel(), KeyBundles.OFF, CACHE), w, n))
                .add("Flinox, key bundles of " + BUNDLE + " + state cache " + CACHE_SIZE, () -> cluster.throughput(
                        flinox(new BenchModels.StandardizeModel(), bundles(KeyBundles.Forward.AUTO), CACHE), w, n))
                .run(repeats);
        double hw = a.median("hand-written ValueState<double[]>, per record");
        out.row("variant", "rec/s (median)", "ratio to hand-written (bundles: target ≥ 2.0)");
        out.row("---", "---", "---");
        for (String v : a.names()) {
            out.row(v, Report.rate(a.median(v)), Report.ratio(a.median(v) / hw));
        }
        out.line("");
    }

    void b2() throws Exception {
        int keys = 10_000;
        long n = records(2_000_000);
        out.line("## B2 inox's example MLP (16 → 64 → 64 → 3, Moments in and out), RocksDB, parallelism 1, "
                + String.format("%,d keys, %,d records", keys, n));
        out.line("");
        Workload w = new Workload(keys);
        Alternating a = new Alternating()
                .add("B1 Flinox Standardize", () -> cluster.throughput(
                        flinox(new BenchModels.StandardizeModel(), KeyBundles.OFF), w, n))
                .add("hand-written MLP", () -> cluster.throughput(new HandWrittenMlp(64), keys, n))
                .add("Flinox MLP", () -> cluster.throughput(flinox(new BenchModels.MlpModel(64), KeyBundles.OFF), w, n))
                .add("Flinox MLP + state cache " + CACHE_SIZE, () -> cluster.throughput(
                        flinox(new BenchModels.MlpModel(64), KeyBundles.OFF, CACHE), w, n))
                .add("Flinox MLP + update side (one update)", () -> cluster.throughput(BenchCluster.flinoxWithUpdates(
                        new BenchModels.MlpModel(64), ModelSettings.defaults().withStateCache(0), mlpWeights(64)), w, n))
                .run(repeats);
        double b1 = a.median("B1 Flinox Standardize");
        out.row("variant", "rec/s (median)", "ratio to B1", "ratio to hand-written MLP (target ≥ 0.95)");
        out.row("---", "---", "---", "---");
        for (String v : a.names()) {
            out.row(v, Report.rate(a.median(v)), Report.ratio(a.median(v) / b1),
                    Report.ratio(a.median(v) / a.median("hand-written MLP")));
        }
        out.line("");

        long n256 = records(300_000);
        out.line(String.format("### B2 at hidden width 256, %,d keys, %,d records; key bundles of %d", keys, n256, BUNDLE));
        out.line("");
        Alternating wide = new Alternating()
                .add("hand-written MLP-256", () -> cluster.throughput(new HandWrittenMlp(256), keys, n256))
                .add("Flinox MLP-256, per record", () -> cluster.throughput(
                        flinox(new BenchModels.MlpModel(256), KeyBundles.OFF), w, n256))
                .add("Flinox MLP-256, bundles, per-record forward", () -> cluster.throughput(
                        flinox(new BenchModels.MlpModel(256), bundles(KeyBundles.Forward.PER_RECORD)), w, n256))
                .add("Flinox MLP-256, bundles, batched ND4J forward", () -> cluster.throughput(
                        flinox(new BenchModels.MlpModel(256), bundles(KeyBundles.Forward.BATCHED)), w, n256))
                .run(repeats);
        out.row("variant", "rec/s (median)", "ratio to hand-written", "ratio to bundles, per-record forward");
        out.row("---", "---", "---", "---");
        for (String v : wide.names()) {
            out.row(v, Report.rate(wide.median(v)), Report.ratio(wide.median(v) / wide.median("hand-written MLP-256")),
                    Report.ratio(wide.median(v) / wide.median("Flinox MLP-256, bundles, per-record forward")));
        }
        out.line("");
    }

    /**
     * B2-updates: what the update side of {@code --model-updates} costs per record: B2's MLP
     * through the same operator with and without a broadcast second input (one update, the
     * model's own weights, applied at the start, so the outputs are the same).
     */
    void b2Updates() throws Exception {
        int keys = 10_000;
        long n = records(2_000_000);
        out.line(String.format("## B2-updates: B2's MLP with and without an update side, RocksDB, parallelism 1, "
                + "%,d keys, %,d records", keys, n));
        out.line("");
        Workload w = new Workload(keys);
        ModelSettings plain = ModelSettings.defaults().withStateCache(0);
        byte[] npz = mlpWeights(64);
        Alternating a = new Alternating()
                .add("Flinox MLP", () -> cluster.throughput(flinox(new BenchModels.MlpModel(64), KeyBundles.OFF), w, n))
                .add("Flinox MLP + update side (one update)", () -> cluster.throughput(
                        BenchCluster.flinoxWithUpdates(new BenchModels.MlpModel(64), plain, npz), w, n))
                .run(repeats);
        out.row("variant", "rec/s (median)", "ratio to Flinox MLP (expected: 1.0)");
        out.row("---", "---", "---");
        for (String v : a.names()) {
            out.row(v, Report.rate(a.median(v)), Report.ratio(a.median(v) / a.median("Flinox MLP")));
        }
        out.line("");
    }

    /** The MLP's own parameters as an {@code .npz} file's bytes: an update that changes no output. */
    private static byte[] mlpWeights(int hidden) throws Exception {
        java.nio.file.Path file = java.nio.file.Files.createTempFile("bench-mlp", ".npz");
        try {
            org.flinox.nn.Parameters.save(new BenchModels.MlpModel(hidden).createExported().module(), file); // parameters only
            return java.nio.file.Files.readAllBytes(file);
        } finally {
            java.nio.file.Files.deleteIfExists(file);
        }
    }

    /** The pipeline's ceiling: what the same job does when the keyed step costs nothing. */
    static final class EmitOnly extends org.apache.flink.streaming.api.functions.KeyedProcessFunction<String,
            org.flinox.operators.FeatureRecord, org.flinox.operators.ModelOutput<org.flinox.operators.FeatureRecord>> {
        private static final double[] NOTHING = new double[0];

        @Override
        public void processElement(org.flinox.operators.FeatureRecord r, Context ctx,
                org.apache.flink.util.Collector<org.flinox.operators.ModelOutput<org.flinox.operators.FeatureRecord>> out) {
            out.collect(new org.flinox.operators.ModelOutput<>(r, NOTHING));
        }
    }
}
