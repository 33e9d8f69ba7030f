package org.flinox.job.input;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;

/**
 * What the job reads when the user does not say: the input files of a path, and the default
 * features ("every numeric field but the key").
 */
public final class FeatureInference {

    private FeatureInference() {}

    /**
     * Every numeric field but the key, in header (CSV) or field (JSON) order, decided from the
     * first data record of {@code firstFile} that parses: a CSV row with as many columns as the
     * header, or a JSON object. A field is numeric when its value is a JSON number or a string or
     * CSV cell holding a number (NaN and infinities count: they are numbers, and records holding
     * them are rejected later as not finite).
     *
     * @throws IllegalArgumentException when no record parses, or the first one that does has no
     *     numeric field but the key; the message names the file
     */
    public static List<String> defaultFeatures(Path firstFile, InputFormat format, String keyField) {
        RecordParser syntax = new RecordParser(format, keyField, List.of("?"));
        try (BufferedReader in = Files.newBufferedReader(firstFile, StandardCharsets.UTF_8)) {
            String header = null;
            List<String> columns = null;
            if (format == InputFormat.CSV) {
                header = stripByteOrderMark(in.readLine());
                if (header == null) {
                    throw new IllegalArgumentException(firstFile + " is empty: no CSV header");
                }
                try {
                    columns = List.of(syntax.csvRow(header));
                } catch (IOException e) {
                    throw new IllegalArgumentException(
                            "the CSV header of " + firstFile + " is not valid CSV: " + header, e);
                }
                requireDistinctColumns(firstFile, header, columns);
                if (keyField != null && !columns.contains(keyField)) {
                    throw new IllegalArgumentException(
                            "key field '" + keyField + "' is not in the header of " + firstFile
                                    + " (" + header + ")");
                }
            }
            String line;
            long lineNumber = format == InputFormat.CSV ? 1 : 0;
            long records = 0;
            while ((line = in.readLine()) != null) {
                lineNumber++;
                if (lineNumber == 1) {
                    line = stripByteOrderMark(line);
                }
                if (line.isBlank()) {
                    continue;
                }
                records++;
                if (format == InputFormat.JSONL && records == 1 && InputFieldsCheck.startsAJsonArrayOfObjects(line)) {
                    throw InputFieldsCheck.jsonArray(firstFile);
                }
                List<String> found = format == InputFormat.CSV
                        ? numericCsvFields(syntax, columns, line, keyField)
                        : numericJsonFields(syntax, line, keyField);
                if (found == null) {
                    continue; // does not parse
                }
                if (found.isEmpty()) {
                    throw new IllegalArgumentException(
                            "no numeric field but the key in the first record of " + firstFile
                                    + " (line " + lineNumber + "): " + line
                                    + "; give --features");
                }
                return found;
            }
            if (records == 0) {
                throw new IllegalArgumentException(firstFile + (format == InputFormat.CSV
                        ? " has a header but no data rows" : " has no records") + ", so the features cannot be "
                        + "inferred; give --features A,B,C, or an input with data");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + firstFile, e);
        }
        throw new IllegalArgumentException(
                "no record of " + firstFile + " parses as " + format
                        + ", so the features cannot be inferred; give --features");
    }

    /**
     * Refuses, at start, a CSV input file whose header names a column twice: which of the two
     * values a record means cannot be known. Files that cannot be read here are left to the
     * job, which dead-letters what it cannot read.
     *
     * @throws IllegalArgumentException naming the file, the column and the header
     */
    public static void requireDistinctCsvColumns(List<Path> files, InputFormat format) {
        if (format != InputFormat.CSV) {
            return;
        }
        RecordParser syntax = new RecordParser(format, null, List.of("?"));
        for (Path file : files) {
            String header;
            try (BufferedReader in = new BufferedReader(new InputStreamReader(open(file), StandardCharsets.UTF_8))) {
                header = stripByteOrderMark(in.readLine());
            } catch (IOException e) {
                continue;
            }
            if (header == null) {
                continue;
            }
            try {
                requireDistinctColumns(file, header, List.of(syntax.csvRow(header)));
            } catch (IOException e) {
                // not valid CSV: the job dead-letters the file's rows with that reason
            }
        }
    }

    private static void requireDistinctColumns(Path file, String header, List<String> columns) {
        String twice = RecordParser.duplicate(columns);
        if (twice != null) {
            throw new IllegalArgumentException("the CSV header of " + file + " names column '" + twice
                    + "' more than once: " + header + "; rename one of them");
        }
    }

    /** The file's content, decompressed by its extension as the job's source does it. */
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

    private static List<String> numericCsvFields(
            RecordParser syntax, List<String> columns, String line, String keyField) {
        String[] row;
        try {
            row = syntax.csvRow(line);
        } catch (IOException e) {
            return null;
        }
        if (row.length != columns.size()) {
            return null;
        }
        List<String> found = new ArrayList<>();
        for (int c = 0; c < row.length; c++) {
            String name = columns.get(c);
            if (!name.equals(keyField) && !found.contains(name)
                    && RecordParser.numeral(row[c]) != null) {
                found.add(name);
            }
        }
        return found;
    }

    private static List<String> numericJsonFields(RecordParser syntax, String line, String keyField) {
        JsonNode node;
        try {
            node = syntax.jsonTree(line);
        } catch (IOException e) {
            return null;
        }
        if (!node.isObject()) {
            return null;
        }
        List<String> found = new ArrayList<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            boolean numeric = v.isNumber() || (v.isTextual() && RecordParser.numeral(v.textValue()) != null);
            if (!field.getKey().equals(keyField) && numeric) {
                found.add(field.getKey());
            }
        }
        return found;
    }

    /**
     * The input files of {@code fileOrDir}: the file itself, or the regular files directly in the
     * directory whose names do not start with {@code .} or {@code _} (Flink's file source skips
     * those too), in name order. Subdirectories are not listed here (Flink's file source does
     * read them).
     *
     * @throws IllegalArgumentException when the path does not exist
     */
    public static List<Path> inputFiles(Path fileOrDir) {
        if (Files.isRegularFile(fileOrDir)) {
            return List.of(fileOrDir);
        }
        if (!Files.isDirectory(fileOrDir)) {
            throw new IllegalArgumentException("input " + fileOrDir + " does not exist");
        }
        try (Stream<Path> entries = Files.list(fileOrDir)) {
            return entries
                    .filter(Files::isRegularFile)
                    .filter(p -> !HiddenFiles.isHidden(p.getFileName().toString()))
                    .sorted(Comparator.comparing(p -> p.getFileName().toString()))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + fileOrDir, e);
        }
    }

    private static String stripByteOrderMark(String line) {
        return line != null && line.startsWith("\uFEFF") ? line.substring(1) : line;
    }
}
