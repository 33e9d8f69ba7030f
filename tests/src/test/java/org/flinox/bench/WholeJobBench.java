package org.flinox.bench;

import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongUnaryOperator;
import java.util.function.ToDoubleFunction;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.execution.ExecutionState;
import org.apache.flink.runtime.executiongraph.AccessExecutionGraph;
import org.apache.flink.runtime.executiongraph.AccessExecutionVertex;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.flinox.job.JobRunner;
import org.flinox.job.JobSettings;
import org.flinox.job.JobStages;
import org.flinox.job.JobStages.Stage;

/**
 * B7: the whole job, a CSV file (10,000 keys, 16 features) to JSON-lines files, and where its
 * time goes. The job's own dataflow cut after each stage ({@link JobStages}: read; + each line's
 * key cell and the keyBy; + parse; + model; + JSON lines; the whole job with its file sinks) runs
 * in alternation with the whole job at the default checkpoint interval, at parallelism 2, the
 * dataflow up to JSON lines before and after the lines were keyed ahead of the parse, at
 * parallelism 1 and 2, and {@link PlainJob}, one thread doing the same work without Flink: the
 * compute limit. Each
 * stage's cost is the difference between consecutive cuts, in run time (the tasks' first
 * RUNNING to the job's end: start-up excluded, reported apart) and in process CPU time (which
 * load on the machine does not inflate the way it inflates wall time). The first run of the whole
 * job is checked to write the same lines as the plain reference.
 */
final class WholeJobBench {
    private static final int KEYS = 10_000;
    private static final int FEATURES = BenchModels.FEATURES;
    private static final int SKEW_KEYS = 1_000_000;
    private static final double ZIPF = 1.1;

    private final BenchCluster cluster;
    private final Report out;
    private final int repeats;
    private final long rows;

    /** One variant's measurements of one run. */
    private record Run(double runSeconds, double startSeconds, double cpuSeconds, Map<String, Double> threads) {}

    private static final String WHOLE_JOB = "+ checkpoints every 10 s (whole job, default flags)";

    /**
     * A variant: a cut of the job at a parallelism and checkpoint interval, or the plain reference
     * (stage null); {@code parseOnReader}: the dataflow before the lines were keyed ahead of the parse.
     */
    private record Variant(String name, Stage stage, int parallelism, String interval, boolean parseOnReader) {}

    WholeJobBench(BenchCluster cluster, Report out, int repeats, double scale) {
        this.cluster = cluster;
        this.out = out;
        this.repeats = repeats;
        this.rows = Math.max(20_000, Math.round(2_000_000 * scale));
    }

    void run() throws Exception {
        Path dir = Files.createTempDirectory("flinox-bench-whole");
        try {
            Path input = Files.createDirectories(dir.resolve("in")).resolve("rows.csv");
            writeInput(input, i -> i % KEYS);
            List<Variant> variants = List.of(
                    new Variant("plain Java, 1 thread", null, 1, null, false),
                    new Variant("read", Stage.READ, 1, "1h", false),
                    new Variant("+ key cell, keyBy", Stage.KEY, 1, "1h", false),
                    new Variant("+ parse", Stage.PARSE, 1, "1h", false),
                    new Variant("+ model", Stage.MODEL, 1, "1h", false),
                    new Variant("+ JSON lines", Stage.FORMAT, 1, "1h", false),
                    new Variant("+ file sinks (whole job, no periodic checkpoint)", Stage.SINK, 1, "1h", false),
                    new Variant(WHOLE_JOB, Stage.SINK, 1, "10s", false),
                    new Variant("whole job, default flags, --parallelism 2", Stage.SINK, 2, "10s", false),
                    new Variant("up to JSON lines, --parallelism 2", Stage.FORMAT, 2, "1h", false),
                    new Variant("up to JSON lines, parse on the reader (before)", Stage.FORMAT, 1, "1h", true),
                    new Variant("up to JSON lines, parse on the reader (before), --parallelism 2", Stage.FORMAT, 2, "1h",
                            true));
            Map<Variant, List<Run>> runs = new LinkedHashMap<>();
            variants.forEach(v -> runs.put(v, new ArrayList<>()));
            Path reference = dir.resolve("reference.jsonl");
            // one unrecorded run of the whole job and of the reference first: class loading and JIT
            plain(input, dir.resolve("warm-up.jsonl"));
            flink(variants.get(7), input, dir.resolve("warm-up"));
            flink(variants.get(variants.size() - 1), input, dir.resolve("warm-up-before"));
            deleteRecursively(dir.resolve("warm-up-before"));
            deleteRecursively(dir.resolve("warm-up"));
            for (int r = 0; r < repeats; r++) {
                for (Variant v : variants) {
                    Path runDir = Files.createDirectories(dir.resolve("run-" + r + "-" + variants.indexOf(v)));
                    Run run = v.stage() == null ? plain(input, r == 0 ? reference : runDir.resolve("plain.jsonl"))
                            : flink(v, input, runDir);
                    if (r == 0 && v.name().equals(WHOLE_JOB)) {
                        requireSameLines(reference, runDir.resolve("out"));
                    }
                    runs.get(v).add(run);
                    System.err.printf("  B7 %-55s run %d: %.2f s (start-up %.2f s), CPU %.2f s%n", v.name(), r + 1,
                            run.runSeconds(), run.startSeconds(), run.cpuSeconds());
                    deleteRecursively(runDir);
                }
            }
            report(runs);
        } finally {
            deleteRecursively(dir);
        }
    }

    /**
     * B7-skew: the whole job (default flags, and with key bundles of 1,000) against {@link
     * HandWrittenJob}, the Flink job a user would write for the same lines, at parallelism 1 with
     * checkpoints every 10 s, on keys in turn and on keys drawn Zipf(1.1) over 1M keys; the plain
     * reference beside them. Each variant's first run is checked to write the reference's lines.
     */
    void againstHandWritten() throws Exception {
        Path dir = Files.createTempDirectory("flinox-bench-skew");
        try {
            Map<String, LongUnaryOperator> inputs = new LinkedHashMap<>();
            inputs.put(String.format("%,d keys in turn", KEYS), i -> i % KEYS);
            inputs.put(String.format("Zipf(%.1f) over %,d keys", ZIPF, SKEW_KEYS),
                    i -> Workload.zipfRank(SKEW_KEYS, ZIPF, (Workload.unit(~i) + 1) / 2));
            out.line(String.format("## B7-skew the whole job against a hand-written Flink job: a CSV file (%,d rows, "
                    + "%d features) to JSON-lines files, parallelism 1, checkpoints every 10 s, RocksDB", rows, FEATURES));
            out.line("");
            out.row("keys", "variant", "records/s", "ratio to the hand-written job", "run ms (median; all)",
                    "ratio to plain Java");
            out.row("---", "---", "---", "---", "---", "---");
            int n = 0;
            for (Map.Entry<String, LongUnaryOperator> in : inputs.entrySet()) {
                Path input = Files.createDirectories(dir.resolve("in-" + n++)).resolve("rows.csv");
                writeInput(input, in.getValue());
                Path reference = dir.resolve("reference.jsonl");
                plain(input, reference);
                Map<String, Integer> runsSoFar = new HashMap<>();
                Alternating a = new Alternating()
                        .add("plain Java, 1 thread", () -> 1e3 * plain(input, dir.resolve("plain.jsonl")).runSeconds())
                        .add("hand-written Flink job", () -> checked(runsSoFar, "hand-written", reference, dir, d -> {
                            JobSettings s = settings(input, d, "10s", 1);
                            StreamExecutionEnvironment env = environment(s, 1);
                            HandWrittenJob.build(env, input, d.resolve("out"));
                            return env;
                        }))
                        .add("Flinox, default flags", () -> checked(runsSoFar, "default", reference, dir,
                                wholeJob(input)))
                        .add("Flinox, --bundle-size 1000", () -> checked(runsSoFar, "bundles", reference, dir,
                                wholeJob(input, "--bundle-size", "1000")));
                a.run(repeats);
                double handWritten = a.median("hand-written Flink job");
                double plain = a.median("plain Java, 1 thread");
                for (String v : a.names()) {
                    double ms = a.median(v);
                    out.row(in.getKey(), v, Report.rate(rows * 1e3 / ms), Report.ratio(handWritten / ms),
                            String.format("%.0f; %s", ms, a.all(v)), Report.ratio(plain / ms));
                }
                deleteRecursively(input.getParent());
            }
            out.line("");
        } finally {
            deleteRecursively(dir);
        }
    }

    /** How many files B7-p2's directory holds ({@code -Dbench.files}, default 8). */
    private static final int FILES = Integer.getInteger("bench.files", 8);

    /**
     * B7-p2: the whole job (default flags, checkpoints every 10 s) at parallelism 1 and 2, over one
     * large file and over a directory of {@link #FILES} files holding the same rows in turn, in
     * alternation. Each input's first parallelism-2 run is checked to write its parallelism-1 run's
     * lines (and the file's, the plain reference's).
     */
    void parallelInput() throws Exception {
        Path dir = Files.createTempDirectory("flinox-bench-p2");
        try {
            Path file = Files.createDirectories(dir.resolve("file")).resolve("rows.csv");
            writeInput(file, i -> i % KEYS);
            Path files = Files.createDirectories(dir.resolve("files"));
            split(file, files);
            Path reference = dir.resolve("reference.jsonl");
            plain(file, reference);
            out.line(String.format("## B7-p2 the whole job at parallelism 2 against 1: %,d CSV rows (%,d keys in turn, "
                    + "%d features) in one file or in %d files, default flags, checkpoints every 10 s", rows, KEYS, FEATURES,
                    FILES));
            out.line("");
            out.row("input", "parallelism", "records/s", "p2 / p1", "run ms (median; all)");
            out.row("---", "---", "---", "---", "---");
            for (Path input : List.of(file, files)) {
                String name = input == file ? "one file" : FILES + " files";
                Map<String, Integer> runsSoFar = new HashMap<>();
                Path p1Lines = dir.resolve("p1-lines");
                Alternating a = new Alternating()
                        .add("1", () -> keptOnce(runsSoFar, "p1", dir, wholeJob(input, 1), p1Lines))
                        .add("2", () -> checked(runsSoFar, "p2", input == file ? reference : p1Lines, dir,
                                wholeJob(input, 2)));
                a.run(repeats);
                for (String v : a.names()) {
                    double ms = a.median(v);
                    out.row(name, v, Report.rate(rows * 1e3 / ms), Report.ratio(a.median("1") / ms),
                            String.format("%.0f; %s", ms, a.all(v)));
                }
                deleteRecursively(p1Lines);
            }
            out.line("");
        } finally {
            deleteRecursively(dir);
        }
    }

    /** As {@link #checked}, but its first run's output is kept at {@code keep} as the next variant's reference. */
    private double keptOnce(Map<String, Integer> runsSoFar, String variant, Path dir, JobBuilder build, Path keep)
            throws Exception {
        return timed(runsSoFar, variant, dir, build, out -> {
            try (BufferedWriter w = Files.newBufferedWriter(keep, StandardCharsets.UTF_8);
                    Stream<Path> parts = Files.list(out)) {
                for (Path part : (Iterable<Path>) parts.filter(p -> !p.getFileName().toString().startsWith("."))
                        .sorted()::iterator) {
                    for (String line : Files.readAllLines(part, StandardCharsets.UTF_8)) {
                        w.write(line);
                        w.write('\n');
                    }
                }
            }
        });
    }

    /** The rows of {@code file} in {@link #FILES} files, each with the header, in contiguous blocks. */
    private void split(Path file, Path into) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        int perFile = (lines.size() - 1 + FILES - 1) / FILES;
        for (int f = 0; f < FILES; f++) {
            try (BufferedWriter w = Files.newBufferedWriter(into.resolve(String.format("rows-%d.csv", f)),
                    StandardCharsets.UTF_8)) {
                w.write(lines.get(0));
                w.write('\n');
                for (int i = 1 + f * perFile; i < Math.min(lines.size(), 1 + (f + 1) * perFile); i++) {
                    w.write(lines.get(i));
                    w.write('\n');
                }
            }
        }
    }

    /** A job that {@code build} makes for a run directory: its run in ms; its first run's lines are the reference's. */
    private double checked(Map<String, Integer> runsSoFar, String variant, Path reference, Path dir,
            JobBuilder build) throws Exception {
        return timed(runsSoFar, variant, dir, build, out -> requireSameLines(reference, out));
    }

    /** A job that {@code build} makes for a run directory: its run in ms; {@code firstRun} is given its first run's output. */
    private double timed(Map<String, Integer> runsSoFar, String variant, Path dir, JobBuilder build,
            OutputCheck firstRun) throws Exception {
        int run = runsSoFar.merge(variant, 1, Integer::sum);
        Path runDir = Files.createDirectories(dir.resolve(variant + "-" + run));
        try {
            Run r = execute(build.environment(runDir), "bench " + variant);
            if (run == 1) {
                firstRun.accept(runDir.resolve("out"));
            }
            return 1e3 * r.runSeconds();
        } finally {
            deleteRecursively(runDir);
        }
    }

    /** What is done with a run's output directory. */
    private interface OutputCheck {
        void accept(Path out) throws IOException;
    }

    /** The whole job from {@code input} with {@code flags}, parallelism 1, checkpoints every 10 s. */
    private static JobBuilder wholeJob(Path input, String... flags) {
        return wholeJob(input, 1, flags);
    }

    /** The whole job from {@code input} with {@code flags} at {@code parallelism}, checkpoints every 10 s. */
    private static JobBuilder wholeJob(Path input, int parallelism, String... flags) {
        return runDir -> {
            JobSettings s = settings(input, runDir, "10s", parallelism, flags);
            StreamExecutionEnvironment env = environment(s, parallelism);
            JobStages.build(env, s, Stage.SINK);
            return env;
        };
    }

    /** A job built in the environment it returns, writing under a run directory. */
    private interface JobBuilder {
        StreamExecutionEnvironment environment(Path runDir) throws Exception;
    }

    /** {@code key,f0..f15}: row i of key {@code k<keyOf(i)>}, features with 6 decimals from a hash of (i, j). */
    private void writeInput(Path input, LongUnaryOperator keyOf) throws IOException {
        try (BufferedWriter w = Files.newBufferedWriter(input, StandardCharsets.UTF_8)) {
            w.write("key" + IntStream.range(0, FEATURES).mapToObj(j -> ",f" + j).collect(Collectors.joining()) + "\n");
            StringBuilder b = new StringBuilder(256);
            for (long i = 0; i < rows; i++) {
                b.setLength(0);
                b.append('k').append(keyOf.applyAsLong(i));
                for (int j = 0; j < FEATURES; j++) {
                    long micros = Math.round((j + Workload.unit(i * 31 + j)) * 1e6);
                    b.append(',').append(micros < 0 ? "-" : "").append(Math.abs(micros) / 1_000_000).append('.')
                            .append(String.format("%06d", Math.abs(micros) % 1_000_000));
                }
                w.append(b).append('\n');
            }
        }
    }

    private Run plain(Path input, Path output) throws Exception {
        try (ThreadCpu cpu = new ThreadCpu()) {
            long t0 = System.nanoTime();
            long n = PlainJob.run(input, output);
            double seconds = (System.nanoTime() - t0) / 1e9;
            if (n != rows) {
                throw new IllegalStateException("the plain reference read " + n + " rows of " + rows);
            }
            cpu.close();
            return new Run(seconds, 0, cpu.processSeconds(), cpu.byGroup());
        }
    }

    private Run flink(Variant v, Path input, Path dir) throws Exception {
        JobSettings s = settings(input, dir, v.interval(), v.parallelism());
        StreamExecutionEnvironment env = environment(s, v.parallelism());
        if (v.parseOnReader()) {
            JobStages.parsingOnTheReader(env, s);
        } else {
            JobStages.build(env, s, v.stage());
        }
        return execute(env, "bench whole job " + v.name());
    }

    /** The job's settings for a run from {@code input} to {@code dir/out}, plus {@code flags}. */
    private static JobSettings settings(Path input, Path dir, String interval, int parallelism, String... flags) {
        String features = IntStream.range(0, FEATURES).mapToObj(j -> "f" + j).collect(Collectors.joining(","));
        List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--key", "key", "--features", features,
                "--output", dir.resolve("out").toString(), "--checkpoint-dir", dir.resolve("checkpoints").toUri().toString(),
                "--checkpoint-interval", interval, "--parallelism", Integer.toString(parallelism)));
        args.addAll(List.of(flags));
        return JobRunner.settings(args.toArray(String[]::new));
    }

    private static StreamExecutionEnvironment environment(JobSettings s, int parallelism) {
        StreamExecutionEnvironment env = JobRunner.environment(s);
        env.setParallelism(parallelism); // what java -jar gives on a machine of that many cores
        return env;
    }

    /** Runs the job built in {@code env} to its end; its run time is the tasks' first RUNNING to FINISHED. */
    private Run execute(StreamExecutionEnvironment env, String name) throws Exception {
        ThreadCpu cpu = new ThreadCpu();
        JobClient client = env.executeAsync(name);
        client.getJobExecutionResult().get();
        cpu.close();
        AccessExecutionGraph graph = cluster.graph(client.getJobID());
        long running = Long.MAX_VALUE;
        for (AccessExecutionVertex vertex : graph.getAllExecutionVertices()) {
            running = Math.min(running, vertex.getStateTimestamp(ExecutionState.RUNNING));
        }
        long created = graph.getStatusTimestamp(JobStatus.INITIALIZING);
        long finished = graph.getStatusTimestamp(JobStatus.FINISHED);
        return new Run((finished - running) / 1e3, (running - created) / 1e3, cpu.processSeconds(), cpu.byGroup());
    }

    /** The job's committed output lines are the reference's, as a multiset (files and key order aside). */
    private void requireSameLines(Path reference, Path outputDir) throws IOException {
        long[] expected = digest(Stream.of(reference));
        List<Path> parts;
        try (Stream<Path> files = Files.list(outputDir)) {
            parts = files.filter(p -> !p.getFileName().toString().startsWith(".")).sorted().toList();
        }
        long[] actual = digest(parts.stream());
        if (!Arrays.equals(expected, actual)) {
            throw new IllegalStateException("the job's " + actual[0] + " output lines are not the plain reference's "
                    + expected[0] + " (sum of line hashes " + actual[1] + " vs " + expected[1] + ")");
        }
        System.err.println("  B7 the whole job wrote the plain reference's " + expected[0] + " lines");
    }

    /** Line count and an order-free sum of 64-bit line hashes. */
    private static long[] digest(Stream<Path> files) throws IOException {
        long count = 0;
        long sum = 0;
        for (Path f : (Iterable<Path>) files::iterator) {
            try (BufferedReader in = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                for (String line = in.readLine(); line != null; line = in.readLine()) {
                    count++;
                    long h = 1125899906842597L;
                    for (int i = 0; i < line.length(); i++) {
                        h = 31 * h + line.charAt(i);
                    }
                    sum += h * 0x9E3779B97F4A7C15L ^ (h >>> 29);
                }
            }
        }
        return new long[] {count, sum};
    }

    private void report(Map<Variant, List<Run>> runs) {
        out.line(String.format("## B7 the whole job: a CSV file (%,d rows, %,d keys, %d features) to JSON-lines files, "
                + "Standardize, RocksDB", rows, KEYS, FEATURES));
        out.line("");
        out.row("cut after", "records/s", "ratio to plain Java", "run s (median; all)", "stage's run s", "process CPU s",
                "stage's CPU s", "start-up s");
        out.row("---", "---", "---", "---", "---", "---", "---", "---");
        double plain = median(runs.values().iterator().next(), Run::runSeconds);
        double previousRun = 0;
        double previousCpu = 0;
        for (Map.Entry<Variant, List<Run>> e : runs.entrySet()) {
            Variant v = e.getKey();
            double run = median(e.getValue(), Run::runSeconds);
            double cpu = median(e.getValue(), Run::cpuSeconds);
            boolean chain = v.stage() != null && v.parallelism() == 1 && !v.parseOnReader();
            out.row(v.name(), Report.rate(rows / run), Report.ratio(plain / run),
                    String.format("%.2f; %s", run, all(e.getValue(), Run::runSeconds)),
                    chain ? String.format("%+.2f", run - previousRun) : "",
                    String.format("%.2f", cpu), chain ? String.format("%+.2f", cpu - previousCpu) : "",
                    v.stage() == null ? "" : String.format("%.2f", median(e.getValue(), Run::startSeconds)));
            if (chain) {
                previousRun = run;
                previousCpu = cpu;
            }
        }
        out.line("");
        out.line("CPU seconds by thread (medians; threads with ≥ 0.1 s in one of the columns):");
        out.line("");
        List<Variant> shown = runs.keySet().stream().filter(v -> v.stage() == null || v.stage() == Stage.SINK
                || v.parallelism() == 2).toList();
        Map<String, List<Double>> table = new TreeMap<>();
        for (int c = 0; c < shown.size(); c++) {
            for (Run r : runs.get(shown.get(c))) {
                for (Map.Entry<String, Double> t : r.threads().entrySet()) {
                    table.computeIfAbsent(t.getKey(), k -> new ArrayList<>());
                }
            }
        }
        List<Object> header = new ArrayList<>(List.of("thread"));
        shown.forEach(v -> header.add(v.name()));
        out.row(header.toArray());
        out.row(header.stream().map(h -> "---").toArray());
        List<Map.Entry<String, double[]>> rowsByCpu = new ArrayList<>();
        for (String thread : table.keySet()) {
            double[] cells = new double[shown.size()];
            for (int c = 0; c < shown.size(); c++) {
                List<Run> rs = runs.get(shown.get(c));
                cells[c] = median(rs, r -> r.threads().getOrDefault(thread, 0.0));
            }
            if (Arrays.stream(cells).max().orElse(0) >= 0.1) {
                rowsByCpu.add(Map.entry(thread, cells));
            }
        }
        rowsByCpu.sort(Comparator.comparingDouble(e -> -Arrays.stream(e.getValue()).max().orElse(0)));
        for (Map.Entry<String, double[]> e : rowsByCpu) {
            List<Object> cells = new ArrayList<>(List.of(e.getKey().length() > 90 ? e.getKey().substring(0, 90) + "…" : e.getKey()));
            Arrays.stream(e.getValue()).forEach(x -> cells.add(String.format("%.2f", x)));
            out.row(cells.toArray());
        }
        out.line("");
    }

    private static double median(List<Run> runs, ToDoubleFunction<Run> f) {
        double[] xs = runs.stream().mapToDouble(f).sorted().toArray();
        int n = xs.length;
        return n % 2 == 1 ? xs[n / 2] : (xs[n / 2 - 1] + xs[n / 2]) / 2;
    }

    private static String all(List<Run> runs, ToDoubleFunction<Run> f) {
        return runs.stream().map(r -> String.format("%.2f", f.applyAsDouble(r))).collect(Collectors.joining(", "));
    }

    private static void deleteRecursively(Path dir) throws IOException {
        for (int attempt = 0; attempt < 5 && Files.exists(dir); attempt++) {
            try (Stream<Path> walk = Files.walk(dir)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            } catch (java.io.UncheckedIOException e) {
                // a checkpoint that Flink's cleanup removed while the walk went through it: walk again
            }
        }
    }
}
