package org.flinox.job;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.flink.api.common.serialization.SimpleStringEncoder;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;

/**
 * B7-lines: the output stage's two steps in this JVM, each against what it replaced, in
 * alternation, in this thread's CPU time: a record's JSON line ({@link JsonLines#output},
 * streamed, against Jackson's tree of the same fields), and the line into a local file
 * ({@link LineEncoder}, one write, against Flink's {@code SimpleStringEncoder}, two writes on the
 * same unbuffered stream a part file has). Both pairs write the same bytes (checked).
 */
public final class LineOutputBench {
    private final Consumer<String> out;
    private final int repeats;
    private final int records;

    public LineOutputBench(Consumer<String> out, int repeats, double scale) {
        this.out = out;
        this.repeats = repeats;
        this.records = (int) Math.max(20_000, 1_000_000 * scale);
    }

    public void run() throws IOException {
        Random random = new Random(7);
        List<ModelOutput<FeatureRecord>> outputs = new ArrayList<>(records);
        for (int i = 0; i < records; i++) {
            double[] y = new double[16];
            for (int j = 0; j < y.length; j++) {
                y[j] = random.nextGaussian();
            }
            outputs.add(new ModelOutput<>(new FeatureRecord("sensor-" + i % 10_000, "bench.csv", i, "", y), y));
        }
        for (ModelOutput<FeatureRecord> o : outputs.subList(0, 100)) {
            if (!tree(o).equals(JsonLines.output(o))) {
                throw new IllegalStateException("streamed and tree JSON differ: " + tree(o));
            }
        }
        Path dir = Files.createTempDirectory("b7-lines");
        out.accept("");
        out.accept("## B7-lines: the output stage in-process, " + records + " records × 16 features (ns per record, thread CPU)");
        out.accept("");
        out.accept("| repeat | JSON tree | JSON streamed | ratio | two writes | one write | ratio |");
        out.accept("|---|---|---|---|---|---|---|");
        long sink = 0;
        List<String> lines = new ArrayList<>(records);
        for (int r = 0; r < repeats + 1; r++) { // the first round warms up, unreported
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            long t0 = cpu.getCurrentThreadCpuTime();
            for (ModelOutput<FeatureRecord> o : outputs) {
                sink += tree(o).length();
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            lines.clear();
            for (ModelOutput<FeatureRecord> o : outputs) {
                lines.add(JsonLines.output(o));
            }
            long t2 = cpu.getCurrentThreadCpuTime();
            Path two = dir.resolve("two");
            Path one = dir.resolve("one");
            SimpleStringEncoder<String> flinks = new SimpleStringEncoder<>("UTF-8");
            try (OutputStream s = new FileOutputStream(two.toFile())) {
                for (String line : lines) {
                    flinks.encode(line, s);
                }
            }
            long t3 = cpu.getCurrentThreadCpuTime();
            LineEncoder ours = new LineEncoder();
            try (OutputStream s = new FileOutputStream(one.toFile())) {
                for (String line : lines) {
                    ours.encode(line, s);
                }
            }
            long t4 = cpu.getCurrentThreadCpuTime();
            if (Files.mismatch(one, two) != -1) {
                throw new IllegalStateException("the encoders wrote different bytes");
            }
            if (r > 0) {
                double n = records;
                out.accept(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |", r,
                        (t1 - t0) / n, (t2 - t1) / n, (double) (t2 - t1) / (t1 - t0), (t3 - t2) / n, (t4 - t3) / n,
                        (double) (t4 - t3) / (t3 - t2)));
            }
            Files.delete(one);
            Files.delete(two);
        }
        Files.delete(dir);
        out.accept("");
        out.accept("(" + sink + " characters of tree JSON)");
    }

    /** The line as the job wrote it before: Jackson's tree of the fields. */
    private static String tree(ModelOutput<FeatureRecord> o) {
        var n = JsonLines.MAPPER.createObjectNode();
        n.put("key", o.input().key()).put("source", o.input().source()).put("seq", o.input().seq());
        var values = n.putArray("output");
        for (double v : o.output()) {
            values.add(v);
        }
        try {
            return JsonLines.escapeLoneSurrogates(JsonLines.MAPPER.writeValueAsString(n));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
