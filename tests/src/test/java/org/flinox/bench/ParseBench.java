package org.flinox.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.flinox.job.input.InputFormat;
import org.flinox.job.input.RawLine;
import org.flinox.job.input.RecordParser;
import org.flinox.job.input.TaggedLineFormat;
import org.flinox.operators.FeatureRecord;

/**
 * B6: the parse stage alone, in this JVM (no Flink job): records/s of the job's {@link
 * RecordParser} (what {@code ParseFunction} calls per line) over generated CSV and JSON-lines rows,
 * and of {@link TaggedLineFormat}'s reader plus the parser over many small CSV files, each against
 * what a user would write by hand over the same rows, measured in alternation.
 *
 * <p>Rows are 20 columns wide: a key, a timestamp, a label and 17 numbers, of which 16 are the
 * features, requested in an order that is not the header's. The hand-written baselines: CSV is
 * {@code split(",")} with column indices found once and {@code Double.parseDouble}; JSON is
 * Jackson's {@code readTree} and {@code get(name).asDouble()}; files are a {@code BufferedReader}
 * per file with the CSV baseline per line.
 */
final class ParseBench {
    private static final int FEATURES = 16;
    private static final List<String> COLUMNS = columns();
    private static final List<String> FEATURE_NAMES = featureNames();

    private final Report out;
    private final int repeats;
    private final int rows;
    private double sink; // consumed results, so the JIT cannot drop the work

    ParseBench(Report out, int repeats, double scale) {
        this.out = out;
        this.repeats = repeats;
        this.rows = (int) Math.max(10_000, 2_000_000 * scale);
    }

    void run() throws Exception {
        String header = String.join(",", COLUMNS);
        List<RawLine> csv = new ArrayList<>(rows);
        List<RawLine> json = new ArrayList<>(rows);
        for (int i = 0; i < rows; i++) {
            csv.add(new RawLine("bench.csv", i, csvRow(i), header));
            json.add(new RawLine("bench.jsonl", i, jsonRow(i), null));
        }
        int files = Math.max(10, rows / 1_000);
        Path dir = Files.createTempDirectory("flinox-parse-bench");
        try {
            for (int f = 0; f < files; f++) {
                StringBuilder text = new StringBuilder(header).append('\n');
                for (int i = 0; i < 200; i++) {
                    text.append(csvRow(f * 200 + i)).append('\n');
                }
                Files.writeString(dir.resolve("part-" + f + ".csv"), text, StandardCharsets.UTF_8);
            }
            List<Path> paths;
            try (Stream<Path> s = Files.list(dir)) {
                paths = s.sorted(Comparator.naturalOrder()).toList();
            }
            measure(csv, json, paths);
        } finally {
            try (Stream<Path> s = Files.list(dir)) {
                for (Path p : s.toList()) {
                    Files.delete(p);
                }
            }
            Files.delete(dir);
        }
    }

    private void measure(List<RawLine> csv, List<RawLine> json, List<Path> files) throws Exception {
        RecordParser csvParser = new RecordParser(InputFormat.CSV, "user", FEATURE_NAMES);
        RecordParser jsonParser = new RecordParser(InputFormat.JSONL, "user", FEATURE_NAMES);
        ObjectMapper mapper = new ObjectMapper();
        int fileRows = files.size() * 200;

        System.err.println("B6 parse stage: warming up");
        List<RawLine> warm = csv.subList(0, Math.min(csv.size(), 200_000));
        List<RawLine> warmJson = json.subList(0, Math.min(json.size(), 200_000));
        for (int w = 0; w < 2; w++) {
            handCsv(warm);
            flinox(csvParser, warm);
            handJson(mapper, warmJson);
            flinox(jsonParser, warmJson);
            handFiles(files.subList(0, Math.min(files.size(), 200)));
            flinoxFiles(csvParser, files.subList(0, Math.min(files.size(), 200)));
        }

        Alternating a = new Alternating()
                .add("hand CSV", () -> rate(csv.size(), () -> handCsv(csv)))
                .add("flinox CSV", () -> rate(csv.size(), () -> flinox(csvParser, csv)))
                .add("hand JSON", () -> rate(json.size(), () -> handJson(mapper, json)))
                .add("flinox JSON", () -> rate(json.size(), () -> flinox(jsonParser, json)))
                .add("hand files", () -> rate(fileRows, () -> handFiles(files)))
                .add("flinox files", () -> rate(fileRows, () -> flinoxFiles(csvParser, files)))
                .run(repeats);

        out.line("## B6 parse stage: records/s, in-process, one thread (median of " + repeats
                + " alternating runs)");
        out.line("");
        out.line("- " + rows + " rows of 20 columns (key, timestamp, label, 17 numbers), 16 features; "
                + files.size() + " CSV files of 200 rows for the file case");
        out.line("");
        out.row("input", "hand-written (rec/s)", "Flinox (rec/s)", "Flinox / hand-written", "Flinox runs");
        out.row("---", "---", "---", "---", "---");
        row(a, "CSV rows, `RecordParser.parse` vs `split(\",\")` + `Double.parseDouble`", "hand CSV",
                "flinox CSV");
        row(a, "JSON lines, `RecordParser.parse` vs Jackson `readTree`", "hand JSON", "flinox JSON");
        row(a, "CSV files, `TaggedLineFormat` reader + `RecordParser` vs `BufferedReader` + split",
                "hand files", "flinox files");
        out.line("");
    }

    private void row(Alternating a, String name, String hand, String flinox) {
        out.row(name, Report.rate(a.median(hand)), Report.rate(a.median(flinox)),
                Report.ratio(a.median(flinox) / a.median(hand)), a.all(flinox));
    }

    private interface Work {
        void run() throws Exception;
    }

    private static double rate(int records, Work work) throws Exception {
        long start = System.nanoTime();
        work.run();
        return records / ((System.nanoTime() - start) / 1e9);
    }

    // ------------------------------------------------------------ Flinox

    private void flinox(RecordParser parser, List<RawLine> lines) {
        for (RawLine line : lines) {
            consume(parser.parse(line));
        }
    }

    private void consume(RecordParser.Parsed parsed) {
        if (parsed instanceof RecordParser.Accepted a) {
            sink += a.record().features()[0];
        } else {
            throw new IllegalStateException("the bench's own row was rejected: " + parsed);
        }
    }

    private void flinoxFiles(RecordParser parser, List<Path> files) throws IOException {
        TaggedLineFormat format = new TaggedLineFormat(InputFormat.CSV);
        Configuration config = new Configuration();
        for (Path file : files) {
            long size = Files.size(file);
            FileSourceSplit split = new FileSourceSplit("0", new org.apache.flink.core.fs.Path(file.toUri()),
                    0, size, Files.getLastModifiedTime(file).toMillis(), size);
            try (BulkFormat.Reader<RawLine> reader = format.createReader(config, split)) {
                BulkFormat.RecordIterator<RawLine> batch;
                while ((batch = reader.readBatch()) != null) {
                    RecordAndPosition<RawLine> r;
                    while ((r = batch.next()) != null) {
                        consume(parser.parse(r.getRecord()));
                    }
                    batch.releaseBatch();
                }
            }
        }
    }

    // ------------------------------------------------------------ by hand

    private void handCsv(List<RawLine> lines) {
        String[] header = lines.get(0).header().split(",");
        int key = List.of(header).indexOf("user");
        int[] columns = FEATURE_NAMES.stream().mapToInt(List.of(header)::indexOf).toArray();
        for (RawLine line : lines) {
            handRow(line, key, columns);
        }
    }

    private void handRow(RawLine line, int key, int[] columns) {
        String[] cells = line.text().split(",");
        double[] values = new double[columns.length];
        for (int i = 0; i < columns.length; i++) {
            values[i] = Double.parseDouble(cells[columns[i]]);
        }
        FeatureRecord r = new FeatureRecord(cells[key], line.source(), line.seq(), line.text(), values);
        sink += r.features()[0];
    }

    private void handJson(ObjectMapper mapper, List<RawLine> lines) throws IOException {
        for (RawLine line : lines) {
            JsonNode node = mapper.readTree(line.text());
            double[] values = new double[FEATURE_NAMES.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = node.get(FEATURE_NAMES.get(i)).asDouble();
            }
            FeatureRecord r = new FeatureRecord(node.get("user").asText(), line.source(), line.seq(),
                    line.text(), values);
            sink += r.features()[0];
        }
    }

    private void handFiles(List<Path> files) throws IOException {
        for (Path file : files) {
            try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
                String header = in.readLine();
                List<String> names = List.of(header.split(","));
                int key = names.indexOf("user");
                int[] columns = FEATURE_NAMES.stream().mapToInt(names::indexOf).toArray();
                String name = file.getFileName().toString();
                String text;
                long seq = 0;
                while ((text = in.readLine()) != null) {
                    handRow(new RawLine(name, seq++, text, header), key, columns);
                }
            }
        }
    }

    // ------------------------------------------------------------ the rows

    /** user, ts, label, x0..x16: the features are x16..x1 (not the header's order); x0 is unused. */
    private static List<String> columns() {
        List<String> c = new ArrayList<>(List.of("user", "ts", "label"));
        for (int i = 0; i <= FEATURES; i++) {
            c.add("x" + i);
        }
        return List.copyOf(c);
    }

    private static List<String> featureNames() {
        List<String> f = new ArrayList<>();
        for (int i = FEATURES; i >= 1; i--) {
            f.add("x" + i);
        }
        return List.copyOf(f);
    }

    private static String value(int row, int column) {
        double[] x = Workload.features(row * 31 + column / FEATURES);
        return String.format(Locale.ROOT, "%.6f", x[column % FEATURES] * 100);
    }

    private static String csvRow(int i) {
        StringBuilder b = new StringBuilder("u").append(i % 10_000).append(',')
                .append(1_700_000_000_000L + i).append(",label-").append(i % 7);
        for (int c = 0; c <= FEATURES; c++) {
            b.append(',').append(value(i, c));
        }
        return b.toString();
    }

    private static String jsonRow(int i) {
        StringBuilder b = new StringBuilder("{\"user\":\"u").append(i % 10_000).append("\",\"ts\":")
                .append(1_700_000_000_000L + i).append(",\"label\":\"label-").append(i % 7).append('"');
        for (int c = 0; c <= FEATURES; c++) {
            b.append(",\"x").append(c).append("\":").append(value(i, c));
        }
        return b.append('}').toString();
    }
}
