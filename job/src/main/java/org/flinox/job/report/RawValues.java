package org.flinox.job.report;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;
import org.flinox.job.input.HiddenFiles;
import org.flinox.job.input.InputFormat;
import org.flinox.job.input.RawLine;
import org.flinox.job.input.RecordParser;

/**
 * The feature values of chosen records, read again from the input the run read, with the job's
 * own parser: the outputs hold only each record's {@code source} and {@code seq}, so those name
 * the line. Also how many data rows each source has, in arrival order (modification time, then
 * path), which places every record on one axis.
 *
 * @param values the features of each wanted record found, by {@code source + "\n" + seq}
 * @param rows data rows per source, in arrival order
 * @param changed wanted records whose line now holds another key or no usable record: the
 *     input changed since the run (their values are not kept)
 * @param problem why the input could not be read (then both maps are empty), or null
 */
record RawValues(Map<String, double[]> values, Map<String, Long> rows, long changed, String problem) {

    static String id(String source, long seq) {
        return source + "\n" + seq;
    }

    static RawValues unavailable(String why) {
        return new RawValues(Map.of(), Map.of(), 0, why);
    }

    /**
     * @param input the run's {@code --input} (a local file or directory)
     * @param format the run's {@code --format}, or null for each file's extension
     * @param wanted the key of each record ({@link #id}) whose features to keep
     */
    static RawValues read(String input, String format, String keyField, List<String> features, Map<String, String> wanted) {
        Path root = RunFiles.localPath(input);
        if (root == null || !Files.exists(root)) {
            return unavailable("the input " + input + " is not there to read");
        }
        Map<String, double[]> values = new HashMap<>();
        Map<String, Long> rows = new LinkedHashMap<>();
        long[] changed = {0};
        try {
            for (Path file : files(root)) {
                String source = Files.isDirectory(root) ? root.relativize(file).toString().replace('\\', '/')
                        : file.getFileName().toString();
                InputFormat fileFormat = format != null ? InputFormat.fromName(format) : InputFormat.fromPath(file.toString());
                RecordParser parser = new RecordParser(fileFormat, keyField, features);
                rows.put(source, readFile(file, source, fileFormat == InputFormat.CSV, parser, wanted, values, changed));
            }
        } catch (IOException | RuntimeException e) {
            return unavailable("the input " + input + " could not be read again (" + e.getMessage() + ")");
        }
        return new RawValues(values, rows, changed[0], null);
    }

    /** The input's data files, hidden names skipped at every level, in arrival order. */
    private static List<Path> files(Path root) throws IOException {
        if (Files.isRegularFile(root)) {
            return List.of(root);
        }
        List<Path> files = new ArrayList<>();
        try (Stream<Path> all = Files.walk(root)) {
            for (Path p : all.filter(Files::isRegularFile).toList()) {
                boolean hidden = false;
                for (Path part : root.relativize(p)) {
                    hidden |= HiddenFiles.isHidden(part.toString());
                }
                if (!hidden) {
                    files.add(p);
                }
            }
        }
        Map<Path, Long> modified = new HashMap<>();
        for (Path f : files) {
            modified.put(f, Files.getLastModifiedTime(f).toMillis());
        }
        files.sort(Comparator.<Path>comparingLong(modified::get).thenComparing(Path::toString));
        return files;
    }

    /** Reads one file's data rows; returns how many it has. */
    private static long readFile(Path file, String source, boolean csv, RecordParser parser, Map<String, String> wanted,
            Map<String, double[]> values, long[] changed) throws IOException {
        var decoder = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPLACE)
                .onUnmappableCharacter(CodingErrorAction.REPLACE);
        try (InputStream in = open(file); BufferedReader r = new BufferedReader(new InputStreamReader(in, decoder))) {
            String header = null;
            if (csv) {
                header = r.readLine();
                if (header == null) {
                    return 0;
                }
                header = header.startsWith("\uFEFF") ? header.substring(1) : header;
            }
            long seq = 0;
            for (String line; (line = r.readLine()) != null; seq++) {
                if (seq == 0 && !csv && line.startsWith("\uFEFF")) {
                    line = line.substring(1);
                }
                String key = wanted.get(id(source, seq));
                if (key != null) {
                    if (parser.parse(new RawLine(source, seq, line, header)) instanceof RecordParser.Accepted a
                            && a.record().key().equals(key)) {
                        values.put(id(source, seq), a.record().features());
                    } else {
                        changed[0]++;
                    }
                }
            }
            return seq;
        }
    }

    /** The file, decompressed by its extension as the job's source does. */
    private static InputStream open(Path file) throws IOException {
        InputStream raw = Files.newInputStream(file);
        var decompressor = StandardDeCompressors.getDecompressorForFileName(file.getFileName().toString());
        try {
            return decompressor == null ? raw : decompressor.create(raw);
        } catch (IOException | RuntimeException e) {
            raw.close();
            throw e;
        }
    }
}
