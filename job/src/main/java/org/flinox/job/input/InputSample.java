package org.flinox.job.input;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.apache.flink.connector.file.src.FileSourceSplit;

/**
 * The first records of one input file, read ({@link FileLines}) and parsed ({@link RecordParser}'s
 * CSV and JSON syntax) as the job reads them: what the checks and the inference at start judge a
 * file by. Lines the job would dead-letter (not UTF-8, too long, damaged, blank, not a record, a
 * CSV row of the wrong width) are passed over, as the job passes over them.
 *
 * @param name the file as the user knows it: {@code --input}, or {@code --input/sub/file.csv}
 * @param format how it was read
 * @param header the columns of a CSV file's header; null for JSON lines, and for a CSV file whose
 *     header cannot be read (then its rows are dead letters, and it is judged by nothing)
 * @param fields every field the records have, in order of appearance (for CSV, the header's)
 * @param values what was seen of each field's values
 * @param rows the data rows read (at most until {@link #RECORDS} records were found)
 * @param records the rows that parse as records, at most {@link #RECORDS}
 * @param jsonArray whether a JSON-lines file opens a JSON array of records instead
 * @param empty whether the file has no bytes at all
 */
public record InputSample(String name, InputFormat format, List<String> header, List<String> fields, Map<String, Values> values, long rows,
        int records, boolean jsonArray, boolean empty) {

    /** How many records of each file are looked at. */
    static final int RECORDS = 20;

    /** Values that stand for no value, as well as an empty one: they neither make nor break a numeric field. */
    private static final Set<String> NO_VALUE = Set.of("", "na", "n/a", "null", "none");

    /**
     * What a field's values were.
     *
     * @param numbers how many were numbers (NaN and infinities included)
     * @param others how many were neither a number nor empty (nor {@code NA}, {@code null}, ...)
     * @param numberFirst whether the first value that is not empty is a number
     * @param someOthers up to three distinct ones of the others, for messages
     */
    public record Values(int numbers, int others, boolean numberFirst, List<String> someOthers) {
        static final Values NONE = new Values(0, 0, false, List.of());

        Values with(String value) {
            if (value == null || NO_VALUE.contains(value.strip().toLowerCase(Locale.ROOT))) {
                return this;
            }
            if (RecordParser.numeral(value) != null) {
                return new Values(numbers + 1, others, numbers + others == 0 || numberFirst, someOthers);
            }
            String shown = value.length() > 40 ? value.substring(0, 40) + "…" : value;
            List<String> some = someOthers;
            if (some.size() < 3 && !some.contains(shown)) {
                some = new ArrayList<>(some);
                some.add(shown);
                some = List.copyOf(some);
            }
            return new Values(numbers, others + 1, numberFirst, some);
        }
    }

    /** What was seen of {@code field}'s values (nothing, for a field the records do not have). */
    public Values of(String field) {
        return values.getOrDefault(field, Values.NONE);
    }

    /**
     * The first records of each file, in the files' order. A file the file system cannot open or
     * read now is left out: the job reports it (or retries) when it reads it.
     *
     * @param input the {@code --input} the files were listed under (a local path)
     */
    public static List<InputSample> of(List<FileSourceSplit> files, InputFormat format, String input) {
        List<InputSample> samples = new ArrayList<>(files.size());
        for (FileSourceSplit file : files) {
            try {
                samples.add(read(file, format, input));
            } catch (IOException e) {
                // left to the job
            }
        }
        return samples;
    }

    /**
     * Reads the first records of {@code file}.
     *
     * @param input the {@code --input} the file was listed under (a local path)
     * @throws IOException when the file system cannot open or read the file
     */
    public static InputSample read(FileSourceSplit file, InputFormat format, String input) throws IOException {
        RecordParser syntax = new RecordParser(format, null, List.of("?"));
        List<String> header = null;
        Map<String, Values> values = new LinkedHashMap<>();
        long rows = 0;
        int records = 0;
        boolean firstText = true;
        String source;
        try (FileLines lines = FileLines.open(file, format, input)) {
            source = lines.source();
            for (RawLine line; records < RECORDS && (line = lines.next()) != null; ) {
                rows++;
                if (format == InputFormat.CSV && header == null) {
                    header = columns(syntax, line.header());
                    if (header == null) {
                        break; // a header that cannot be read: every row is a dead letter
                    }
                    header.forEach(c -> values.putIfAbsent(c, Values.NONE));
                }
                if (line.problem() != null || line.text().isBlank()) {
                    continue;
                }
                if (format == InputFormat.JSONL && firstText && InputFieldsCheck.startsAJsonArrayOfObjects(line.text())) {
                    return new InputSample(name(input, source), format, null, List.of(), Map.of(), rows, 0, true, false);
                }
                firstText = false;
                boolean parsed = format == InputFormat.CSV ? addCsv(syntax, header, line.text(), values)
                        : addJson(syntax, line.text(), values);
                records += parsed ? 1 : 0;
            }
        }
        return new InputSample(name(input, source), format, header, List.copyOf(values.keySet()), Map.copyOf(values), rows,
                records, false, file.fileSize() == 0);
    }

    private static String name(String input, String source) {
        java.nio.file.Path in = java.nio.file.Path.of(input);
        return java.nio.file.Files.isDirectory(in) ? in.resolve(source).toString() : input;
    }

    private static List<String> columns(RecordParser syntax, String header) {
        if (header == null) {
            return null;
        }
        try {
            return List.of(syntax.csvRow(header));
        } catch (IOException e) {
            return null;
        }
    }

    private static boolean addCsv(RecordParser syntax, List<String> header, String text, Map<String, Values> values) {
        String[] row;
        try {
            row = syntax.csvRow(text);
        } catch (IOException e) {
            return false;
        }
        if (row.length != header.size()) {
            return false;
        }
        for (int c = 0; c < row.length; c++) {
            add(values, header.get(c), row[c]);
        }
        return true;
    }

    private static void add(Map<String, Values> values, String field, String value) {
        values.put(field, values.getOrDefault(field, Values.NONE).with(value));
    }

    private static boolean addJson(RecordParser syntax, String text, Map<String, Values> values) {
        JsonNode node;
        try {
            node = syntax.jsonTree(text);
        } catch (IOException e) {
            return false;
        }
        if (!node.isObject()) {
            return false;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> field = it.next();
            JsonNode v = field.getValue();
            String value = v.isNull() ? null : v.isNumber() ? v.asText() : v.isTextual() ? v.textValue() : v.toString();
            add(values, field.getKey(), value);
        }
        return true;
    }
}
