package org.flinox.job;

import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.function.Consumer;
import org.apache.flink.api.common.serialization.BulkWriter;
import org.apache.flink.core.fs.local.LocalDataOutputStream;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;

/**
 * B7-lines: the output stage's two steps in this JVM, each against what it replaced, in
 * alternation, in this thread's CPU time: a record's JSON line ({@link JsonLines#output},
 * appended, against Jackson's generator, {@link JsonLines#generated}, which wrote every line
 * before), and the line into a local file ({@link BufferedLines}, through a buffer, against one
 * write per line on the same unbuffered stream a part file has, as the job's row encoder wrote
 * them before). Both pairs write the same bytes (checked).
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
            if (!JsonLines.generated(o).equals(JsonLines.output(o))) {
                throw new IllegalStateException("appended and generated JSON differ: " + JsonLines.generated(o));
            }
        }
        Path dir = Files.createTempDirectory("b7-lines");
        out.accept("");
        out.accept("## B7-lines: the output stage in-process, " + records + " records × 16 features (ns per record, thread CPU)");
        out.accept("");
        out.accept("| repeat | JSON generator | JSON appended | ratio | one write per line | buffered | ratio |");
        out.accept("|---|---|---|---|---|---|---|");
        long sink = 0;
        List<String> lines = new ArrayList<>(records);
        for (int r = 0; r < repeats + 1; r++) { // the first round warms up, unreported
            ThreadMXBean cpu = ManagementFactory.getThreadMXBean();
            long t0 = cpu.getCurrentThreadCpuTime();
            for (ModelOutput<FeatureRecord> o : outputs) {
                sink += JsonLines.generated(o).length();
            }
            long t1 = cpu.getCurrentThreadCpuTime();
            lines.clear();
            for (ModelOutput<FeatureRecord> o : outputs) {
                lines.add(JsonLines.output(o));
            }
            long t2 = cpu.getCurrentThreadCpuTime();
            Path unbuffered = dir.resolve("unbuffered");
            Path buffered = dir.resolve("buffered");
            try (OutputStream s = new FileOutputStream(unbuffered.toFile())) {
                for (String line : lines) {
                    s.write((line + "\n").getBytes(StandardCharsets.UTF_8));
                }
            }
            long t3 = cpu.getCurrentThreadCpuTime();
            try (LocalDataOutputStream s = new LocalDataOutputStream(buffered.toFile())) {
                BulkWriter<String> ours = BufferedLines.factory().create(s);
                for (String line : lines) {
                    ours.addElement(line);
                }
                ours.finish();
            }
            long t4 = cpu.getCurrentThreadCpuTime();
            if (Files.mismatch(unbuffered, buffered) != -1) {
                throw new IllegalStateException("the writers wrote different bytes");
            }
            if (r > 0) {
                double n = records;
                out.accept(String.format(Locale.ROOT, "| %d | %.0f | %.0f | %.2f | %.0f | %.0f | %.2f |", r,
                        (t1 - t0) / n, (t2 - t1) / n, (double) (t2 - t1) / (t1 - t0), (t3 - t2) / n, (t4 - t3) / n,
                        (double) (t4 - t3) / (t3 - t2)));
            }
            Files.delete(unbuffered);
            Files.delete(buffered);
        }
        Files.delete(dir);
        out.accept("");
        out.accept("(" + sink + " characters of generated JSON)");
    }
}
