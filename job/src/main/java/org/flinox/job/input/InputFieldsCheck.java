package org.flinox.job.input;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Checks, before a job starts, the flags that name fields, against the flags themselves and
 * against the first records of every input file ({@link InputSample}: a CSV file's header and
 * first rows, the first records of a JSON-lines file), so that a mistake stops the run at start
 * with one line saying what to fix instead of starting a job whose every record is dead-lettered:
 *
 * <ul>
 *   <li>{@code --features} that names a field twice, or names the {@code --key};
 *   <li>{@code --key} or {@code --features} that is not a field of a file (naming the fields there
 *       are and the closest one);
 *   <li>a {@code --features} field that has values in a file's first records but not one number;
 *   <li>a CSV header that names a column twice (which value a record means cannot be known);
 *   <li>a file that is a JSON array rather than JSON lines.
 * </ul>
 */
public final class InputFieldsCheck {

    private InputFieldsCheck() {}

    /**
     * Refuses {@code --features} that names a field twice, or names the key: every record would
     * carry the same value twice, or its key as a number to normalize.
     *
     * @param features the feature fields, or null when they are to be inferred
     */
    public static void requireDistinctFeatures(String keyField, List<String> features) {
        if (features == null) {
            return;
        }
        String twice = RecordParser.duplicate(features);
        if (twice != null) {
            throw new IllegalArgumentException("--features names '" + twice + "' more than once (" + String.join(",", features)
                    + "): give each field once");
        }
        if (keyField != null && features.contains(keyField)) {
            throw new IllegalArgumentException("--features names the --key field '" + keyField + "': the key says whose "
                    + "statistics a record updates, it is not one of the numbers; leave it out of --features");
        }
    }

    /**
     * @param samples the first records of every input file
     * @param keyField the key field, or null
     * @param features the feature fields, or null when they are to be inferred
     * @throws IllegalArgumentException naming the file and what to fix
     */
    public static void check(List<InputSample> samples, String keyField, List<String> features) {
        for (InputSample file : samples) {
            if (file.jsonArray()) {
                throw jsonArray(file.name());
            }
            if (file.header() != null) {
                String twice = RecordParser.duplicate(file.header());
                if (twice != null) {
                    throw new IllegalArgumentException("the CSV header of " + file.name() + " names column '" + twice
                            + "' more than once: " + String.join(",", file.header()) + "; rename one of them");
                }
                requirePresent(file.name(), "header has", file.header(), keyField, features);
            } else if (file.format() == InputFormat.JSONL && file.records() > 0) {
                requirePresent(file.name(), "first " + file.records() + (file.records() == 1 ? " record has" : " records have"),
                        file.fields(), keyField, features);
            }
            requireNumbers(file, features);
        }
    }

    private static void requireNumbers(InputSample file, List<String> features) {
        if (features == null) {
            return;
        }
        for (String f : features) {
            InputSample.Values seen = file.of(f);
            if (seen.numbers() == 0 && seen.others() > 0) {
                throw new IllegalArgumentException("--features '" + f + "' is not a number in any of the first "
                        + file.records() + " records of " + file.name() + " (its values include '" + String.join("', '",
                        seen.someOthers()) + "'): give numeric fields, or "
                        + "leave --features out to use every numeric field but the key");
            }
        }
    }

    /** The same check against a header given on the command line ({@code --csv-header} of a Kafka input). */
    public static void checkHeader(String source, List<String> header, String keyField, List<String> features) {
        requirePresent(source, "header has", header, keyField, features);
    }

    private static void requirePresent(String file, String where, List<String> fields, String keyField,
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

    private static IllegalArgumentException missing(String flag, String name, String file, String where,
            List<String> fields) {
        String closest = closest(name, fields);
        return new IllegalArgumentException(flag + " '" + name + "' is not a field of " + file + " (its " + where
                + ": " + String.join(", ", fields) + ")" + (closest == null ? "" : "; did you mean '" + closest + "'?"));
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

    static IllegalArgumentException jsonArray(String file) {
        return new IllegalArgumentException(file + " is a JSON array, not JSON lines: JSON lines hold one JSON object "
                + "per line ({\"a\": 1, ...} on each line, no enclosing [ ])");
    }
}
