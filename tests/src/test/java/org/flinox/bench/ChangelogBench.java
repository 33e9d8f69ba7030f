package org.flinox.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CheckpointStatsStatus;
import org.apache.flink.streaming.api.functions.sink.v2.DiscardingSink;
import org.flinox.job.serving.StateJson;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.Flinox;
import org.flinox.operators.ModelSettings;
import org.flinox.operators.ModelStream;
import org.flinox.operators.StateChange;

/**
 * B9: what the live state changelog ({@code --state-changelog}, {@code --state-sink}) costs in
 * the model operator: the same B1 job (Standardize over 16 features, RocksDB, the job's default
 * state cache, a checkpoint every second) without and with the state changes, which are made
 * into the changelog's JSON value ({@link StateJson#changelogValue}) and discarded, so what is
 * measured is the operator's part (noting keys, reading and emitting each changed key before the
 * barrier, the JSON), not a store's I/O.
 */
final class ChangelogBench {
    static final AtomicLong CHANGES = new AtomicLong();

    private final BenchCluster cluster;
    private final Report out;
    private final int repeats;
    private final double scale;

    ChangelogBench(BenchCluster cluster, Report out, int repeats, double scale) {
        this.cluster = cluster;
        this.out = out;
        this.repeats = repeats;
        this.scale = scale;
    }

    private record Run(double rate, int checkpoints, double medianCheckpointMs, long changes) {}

    void run() throws Exception {
        out.line("## B9 the live state changelog: Standardize (16 features), RocksDB, state cache 64 MiB, "
                + "checkpoints every 1 s, parallelism 1");
        out.line("");
        out.row("keys", "records", "variant", "rec/s (median)", "ratio", "ns per record added", "checkpoints",
                "median checkpoint (ms)", "changes per checkpoint", "µs per change");
        out.row("---", "---", "---", "---", "---", "---", "---", "---", "---", "---");
        for (int keys : Arrays.stream(System.getProperty("bench.keys", "10000").split(","))
                .mapToInt(Integer::parseInt).toArray()) {
            long n = Math.max(10_000, Math.round((keys <= 10_000 ? 2_000_000 : 3_000_000) * scale));
            List<Run> without = new ArrayList<>();
            List<Run> bare = new ArrayList<>();
            List<Run> with = new ArrayList<>();
            for (int r = 0; r < repeats; r++) {
                without.add(measure(keys, n, false, false));
                bare.add(measure(keys, n, true, false));
                with.add(measure(keys, n, true, true));
                System.err.printf("  B9 %,d keys run %d: %,.0f vs %,.0f vs %,.0f rec/s%n", keys, r + 1,
                        without.get(r).rate(), bare.get(r).rate(), with.get(r).rate());
            }
            Run b = median(without);
            out.row(String.format("%,d", keys), String.format("%,d", n), "Flinox", Report.rate(b.rate()), "1.00", "-",
                    b.checkpoints(), String.format("%.0f", b.medianCheckpointMs()), "-", "-");
            row(keys, n, "Flinox + state changes (discarded as they are)", b, median(bare));
            row(keys, n, "Flinox + state changes (changelog JSON, discarded)", b, median(with));
        }
        out.line("");
    }

    private void row(int keys, long n, String variant, Run b, Run c) {
        double addedNs = 1e9 / c.rate() - 1e9 / b.rate();
        out.row(String.format("%,d", keys), String.format("%,d", n), variant,
                Report.rate(c.rate()), Report.ratio(c.rate() / b.rate()), String.format("%.0f", addedNs),
                c.checkpoints(), String.format("%.0f", c.medianCheckpointMs()),
                String.format("%,.0f", c.changes() / (double) (c.checkpoints() + 1)), // + the end of the input
                c.changes() == 0 ? "-" : String.format("%.2f", addedNs * n / 1000 / c.changes()));
    }

    /** Medians of each column over the repeats. */
    private static Run median(List<Run> runs) {
        return new Run(med(runs.stream().mapToDouble(Run::rate).toArray()),
                (int) med(runs.stream().mapToDouble(Run::checkpoints).toArray()),
                med(runs.stream().mapToDouble(Run::medianCheckpointMs).toArray()),
                (long) med(runs.stream().mapToDouble(Run::changes).toArray()));
    }

    private Run measure(int keys, long n, boolean changes, boolean json) throws Exception {
        Path dir = Files.createTempDirectory("flinox-bench-changelog");
        try {
            ThroughputProbe.reset();
            CHANGES.set(0);
            ModelSettings settings = ModelSettings.defaults().withStateChanges(changes);
            BenchCluster.Keyed keyed = records -> {
                ModelStream<FeatureRecord> m = Flinox.apply(records, new BenchModels.StandardizeModel(),
                        FeatureRecord::features, settings);
                if (changes) {
                    if (json) {
                        m.stateChanges().map(new ToJson()).returns(Types.STRING).sinkTo(new DiscardingSink<>());
                    } else {
                        m.stateChanges().filter(new Count()).sinkTo(new DiscardingSink<>());
                    }
                }
                return m.outputs().name(BenchCluster.KEYED_NAME);
            };
            JobID job = cluster.submit(keyed, new Workload(keys), n, "source", Map.of(
                    "execution.checkpointing.interval", "1 s",
                    "execution.checkpointing.dir", dir.toUri().toString())).getJobID();
            while (!cluster.graph(job).getState().isGloballyTerminalState()) {
                Thread.sleep(100);
            }
            if (ThroughputProbe.count != n) {
                throw new IllegalStateException("expected " + n + " outputs, saw " + ThroughputProbe.count);
            }
            List<Double> durations = new ArrayList<>();
            for (AbstractCheckpointStats s : cluster.graph(job).getCheckpointStatsSnapshot().getHistory().getCheckpoints()) {
                if (s.getStatus() == CheckpointStatsStatus.COMPLETED) {
                    durations.add((double) s.getEndToEndDuration());
                }
            }
            return new Run(ThroughputProbe.perSecond(), durations.size(),
                    durations.isEmpty() ? 0 : med(durations.stream().mapToDouble(d -> d).toArray()), CHANGES.get());
        } finally {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    private static double med(double[] xs) {
        double[] s = xs.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    /** Counts the changes, passing them on as they are. */
    static final class Count implements org.apache.flink.api.common.functions.FilterFunction<StateChange> {
        @Override
        public boolean filter(StateChange c) {
            CHANGES.incrementAndGet();
            return true;
        }
    }

    /** The changelog's value of a change, counted. */
    static final class ToJson implements MapFunction<StateChange, String> {
        @Override
        public String map(StateChange c) {
            CHANGES.incrementAndGet();
            return StateJson.changelogValue(c);
        }
    }
}
