package org.flinox.job.input;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Checks, before a job starts, that {@code --key} and {@code --features} name fields the input
 * has: every CSV file's header, or the first records of every JSON-lines file. A misspelt name
 * would otherwise send every record to the dead letters. Also refuses a file that is a JSON
 * array rather than JSON lines.
 */
public final class InputFieldsCheck {
    /** How many JSON records of each file are looked at. */
    static final int JSON_RECORDS = 20;

    private InputFieldsCheck() {}

    /**
     * @param files the input files (local)
     * @param keyField the key field, or null
     * @param features the feature fields, or null when they are to be inferred
     * @throws IllegalArgumentException naming the file, the missing field, the fields there are
     *     and the closest one
     */
    public static void check(List<Path> files, InputFormat format, String keyField, List<String> features) {
        for (Path file : files) {
            if (!readable(file)) {
                continue;
            }
            if (format == InputFormat.CSV) {
                List<String> header = csvHeader(file);
                if (header != null) {
                    requirePresent(file, "header", header, keyField, features);
                }
            } else {
                List<String> seen = jsonFields(file);
                if (seen != null) {
                    requirePresent(file, "first " + JSON_RECORDS + " records", seen, keyField, features);
                }
            }
        }
    }

    /** The same check against a header given on the command line ({@code --csv-header} of a Kafka input). */
    public static void checkHeader(String source, List<String> header, String keyField, List<String> features) {
        requirePresent(Path.of(source), "header", header, keyField, features);
    }

    private static void requirePresent(Path file, String where, List<String> fields, String keyField,
            List<String> features) {
        if (keyField != null && !fields.contains(keyField)) {
            throw missing("--key", keyField, file, where, fields);
        }
        if (features != null) {
            for (String f : features) {
                if (!fields.contains(f)) {
                    throw missing("--features", f, file, where, fields);
                }
            }
        }
    }

    private static IllegalArgumentException missing(String flag, String name, Path file, String where,
            List<String> fields) {
        String closest = closest(name, fields);
        return new IllegalArgumentException(flag + " '" + name + "' is not a field of " + file + " (its " + where
                + " has: " + String.join(", ", fields) + ")" + (closest == null ? "" : "; did you mean '" + closest + "'?"));
    }

    /** The field closest to {@code name}: equal but for case, else within an edit distance of a third of it. */
    static String closest(String name, List<String> fields) {
        for (String f : fields) {
            if (f.equalsIgnoreCase(name)) {
                return f;
            }
        }
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String f : fields) {
            int d = LevenshteinDistance.getDefaultInstance().apply(name.toLowerCase(Locale.ROOT), f.toLowerCase(Locale.ROOT));
            if (d < bestDistance) {
                best = f;
                bestDistance = d;
            }
        }
        return best != null && bestDistance <= Math.max(1, name.length() / 3) ? best : null;
    }

    /** The columns of a CSV file's header, or null when it has none (the parser reports that). */
    private static List<String> csvHeader(Path file) {
        try (BufferedReader in = open(file)) {
            String header = in.readLine();
            if (header == null) {
                return null;
            }
            if (header.startsWith("\uFEFF")) {
                header = header.substring(1);
            }
            try {
                return List.of(new RecordParser(InputFormat.CSV, null, List.of("?")).csvRow(header));
            } catch (IOException e) {
                return null;
            }
        } catch (IOException e) {
            return null; // a damaged file: the job reports it (a dead letter naming the file)
        }
    }

    /**
     * The fields of the first JSON objects of a file, in order of appearance, or null when none
     * parses.
     *
     * @throws IllegalArgumentException when the file is a JSON array
     */
    private static List<String> jsonFields(Path file) {
        RecordParser syntax = new RecordParser(InputFormat.JSONL, null, List.of("?"));
        Set<String> fields = new LinkedHashSet<>();
        int objects = 0;
        try (BufferedReader in = open(file)) {
            String line;
            boolean first = true;
            while (objects < JSON_RECORDS && (line = in.readLine()) != null) {
                String trimmed = (first && line.startsWith("\uFEFF") ? line.substring(1) : line).strip();
                if (trimmed.isEmpty()) {
                    continue;
                }
                if (first && startsAJsonArrayOfObjects(trimmed)) {
                    throw jsonArray(file);
                }
                first = false;
                try {
                    JsonNode node = syntax.jsonTree(trimmed);
                    if (node.isObject()) {
                        objects++;
                        for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
                            fields.add(it.next());
                        }
                    }
                } catch (IOException e) {
                    // a bad record: a dead letter later, not a start-up error
                }
            }
        } catch (IOException e) {
            // a damaged file: the job reports it; judge by the records read so far
        }
        return objects == 0 ? null : List.copyOf(fields);
    }

    /**
     * Whether a file's first line opens a JSON array of records rather than holding one JSON
     * value: {@code [} that does not close on the line ({@code [{"a": 1},}), or a one-line array
     * of objects. A line such as {@code [1, 2]} is one record (that the job rejects), not that.
     */
    static boolean startsAJsonArrayOfObjects(String firstLine) {
        String line = firstLine.strip();
        if (!line.startsWith("[")) {
            return false;
        }
        try {
            JsonNode node = new RecordParser(InputFormat.JSONL, null, List.of("?")).jsonTree(line);
            return node.isArray() && !node.isEmpty() && node.get(0).isObject();
        } catch (IOException e) {
            return true; // the array goes on over the next lines
        }
    }

    static IllegalArgumentException jsonArray(Path file) {
        return new IllegalArgumentException(file + " is a JSON array, not JSON lines: JSON lines hold one JSON object "
                + "per line ({\"a\": 1, ...} on each line, no enclosing [ ])");
    }

    /** Plain and gzip files are looked at; other compressions are left to the job. */
    private static boolean readable(Path file) {
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return !(name.endsWith(".bz2") || name.endsWith(".xz") || name.endsWith(".zst") || name.endsWith(".deflate"));
    }

    private static BufferedReader open(Path file) throws IOException {
        InputStream in = Files.newInputStream(file);
        String name = file.getFileName().toString().toLowerCase(Locale.ROOT);
        if (name.endsWith(".gz") || name.endsWith(".gzip")) {
            in = new GZIPInputStream(in);
        }
        return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
    }
}
