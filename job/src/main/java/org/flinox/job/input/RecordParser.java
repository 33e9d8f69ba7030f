package org.flinox.job.input;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.json.JsonReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.dataformat.csv.CsvFactory;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.DeadLetterReason;
import org.flinox.operators.FeatureRecord;

/**
 * Turns a {@link RawLine} into a {@link FeatureRecord} — the stream key and the finite feature
 * values in the order of {@code features} — or into a {@link DeadLetter} saying what is wrong.
 * It never throws on bad input.
 *
 * <p><b>CSV</b>: the line and its file's header are parsed as RFC 4180 CSV with Jackson's CSV
 * module (quoted fields may hold commas, a doubled quote is a quote). Each physical line is one
 * record: a quoted field cannot span lines. <b>JSON lines</b>: each line is one JSON object; a
 * feature may be a JSON number or a string holding a number; {@code NaN} and {@code Infinity}
 * tokens are read (and rejected as not finite).
 *
 * <p>The key is the key field's value as a string (a number as its JSON text, e.g. {@code 7} or
 * {@code 1.5}); without a key field every record's key is {@value #GLOBAL_KEY}. A number is a
 * decimal numeral ({@code -1}, {@code 2.5}, {@code .5}, {@code 1e-3}), surrounding blanks allowed;
 * {@code NaN}, {@code inf}, {@code Infinity} (any case, signed) and overflowing numerals are
 * numbers but not finite.
 *
 * <p>Rejections, checked in this order: a blank line ({@link DeadLetterReason#EMPTY}); invalid
 * CSV or JSON, or JSON that is not an object ({@link DeadLetterReason#UNPARSEABLE}); a CSV row
 * whose column count differs from its header's ({@link DeadLetterReason#WRONG_COLUMN_COUNT}); the
 * key, then each feature in order: absent, JSON null or an empty CSV cell ({@link
 * DeadLetterReason#MISSING_FIELD}), not a number ({@link DeadLetterReason#NON_NUMERIC}), NaN or
 * infinite ({@link DeadLetterReason#NOT_FINITE}). The first problem found is reported. A line the
 * reader could not decode ({@link DeadLetterReason#INVALID_UTF8}, {@link
 * DeadLetterReason#DAMAGED_FILE}) is rejected with the reader's reason; a JSON object with a
 * field name twice, or a row of a CSV file whose header names a column twice, is {@link
 * DeadLetterReason#DUPLICATE_FIELD}: no value is picked silently.
 */
public final class RecordParser implements Serializable {

    private static final long serialVersionUID = 1L;

    /** The key of every record when no key field is given. */
    public static final String GLOBAL_KEY = "global";

    private static final Pattern NOT_FINITE =
            Pattern.compile("[+-]?(nan|inf|infinity)", Pattern.CASE_INSENSITIVE);
    private static final int MAX_VALUE_IN_DETAIL = 60;
    private static final int MAX_HEADERS_KEPT = 64;

    /** What {@link #parse} made of a line. */
    public sealed interface Parsed permits Accepted, Rejected {}

    /** The line is a usable record. */
    public record Accepted(FeatureRecord record) implements Parsed {}

    /** The line cannot be used, and why. */
    public record Rejected(DeadLetter deadLetter) implements Parsed {}

    private final InputFormat format;
    private final String keyField;
    private final List<String> features;

    private transient CsvFactory csvFactory;
    private transient ObjectMapper json;
    // CSV headers resolved to column indices, once per header: rows of one file share one
    // header object, so the last one is found by identity; a few others are kept by text
    private transient String lastHeader;
    private transient Columns lastColumns;
    private transient Map<String, Columns> headers;

    /**
     * @param format how lines are written
     * @param keyField the field holding the stream key, or null for one global key
     * @param features the numeric fields to read, in order; not empty
     */
    public RecordParser(InputFormat format, String keyField, List<String> features) {
        this.format = Objects.requireNonNull(format, "format");
        this.keyField = keyField;
        this.features = List.copyOf(features);
        if (this.features.isEmpty()) {
            throw new IllegalArgumentException("no features given");
        }
    }

    public List<String> features() {
        return features;
    }

    /** Parses one line; never throws on bad input. */
    public Parsed parse(RawLine line) {
        if (line.problem() != null) {
            return reject(line, null, line.problem(), line.problemDetail());
        }
        String text = line.text();
        if (text == null || text.isBlank()) {
            return reject(line, null, DeadLetterReason.EMPTY, "the line is empty");
        }
        return format == InputFormat.CSV ? parseCsv(line) : parseJson(line);
    }

    /**
     * The key {@link #parse} gives this line if it accepts it, read without parsing the rest:
     * for a CSV line, its cells up to the key's only. It routes lines to parsers by key, so every
     * line of one key is parsed by one parser, in order. For a line that {@code parse} rejects, a
     * key of its own (empty when none can be read): its dead letter comes from {@code parse}. A
     * JSON line is parsed whole for its key (the job routes only CSV lines this way).
     */
    public String routingKey(RawLine line) {
        if (keyField == null) {
            return GLOBAL_KEY;
        }
        if (line.problem() != null || line.text() == null) {
            return "";
        }
        if (format != InputFormat.CSV) {
            return parse(line) instanceof Accepted a ? a.record().key() : "";
        }
        if (line.header() == null) {
            return "";
        }
        Columns columns = columns(line.header());
        if (columns.invalid() != null || columns.key() < 0) {
            return "";
        }
        try {
            return csvCell(line.text(), columns.key());
        } catch (IOException e) {
            return "";
        }
    }

    // ---------------------------------------------------------------- CSV

    private Parsed parseCsv(RawLine line) {
        if (line.header() == null) {
            return reject(line, null, DeadLetterReason.UNPARSEABLE,
                    "no CSV header is known for " + line.source());
        }
        Columns columns = columns(line.header());
        if (columns.invalid() != null) {
            return reject(line, null, DeadLetterReason.UNPARSEABLE,
                    "the CSV header of " + line.source() + " is not valid CSV: " + columns.invalid());
        }
        if (columns.twice() != null) {
            return reject(line, null, DeadLetterReason.DUPLICATE_FIELD, "the CSV header of " + line.source()
                    + " names column '" + columns.twice() + "' more than once (" + columns.listed() + ")");
        }
        String[] row;
        try {
            row = csvRow(line.text());
        } catch (IOException e) {
            return reject(line, null, DeadLetterReason.UNPARSEABLE, "not valid CSV: " + problem(e));
        }
        if (row.length != columns.count()) {
            return reject(line, null, DeadLetterReason.WRONG_COLUMN_COUNT,
                    "expected " + columns.count() + " columns (" + columns.listed() + "), got " + row.length);
        }
        String key = GLOBAL_KEY;
        if (keyField != null) {
            int k = columns.key();
            if (k < 0) {
                return reject(line, null, DeadLetterReason.MISSING_FIELD,
                        "key field '" + keyField + "' is not in the header (" + columns.listed() + ")");
            }
            if (row[k].isEmpty()) {
                return reject(line, null, DeadLetterReason.MISSING_FIELD,
                        "key field '" + keyField + "' is empty");
            }
            key = row[k];
        }
        int[] at = columns.features();
        double[] values = new double[at.length];
        for (int i = 0; i < values.length; i++) {
            int c = at[i];
            if (c < 0) {
                return reject(line, key, DeadLetterReason.MISSING_FIELD,
                        "field '" + features.get(i) + "' is not in the header (" + columns.listed() + ")");
            }
            if (row[c].isEmpty()) {
                return reject(line, key, DeadLetterReason.MISSING_FIELD,
                        "field '" + features.get(i) + "' is empty");
            }
            Parsed bad = number(line, key, features.get(i), row[c], values, i);
            if (bad != null) {
                return bad;
            }
        }
        return new Accepted(new FeatureRecord(key, line.source(), line.seq(), line.text(), values));
    }

    /**
     * A CSV header, parsed and resolved once: its column count and names (joined, for messages),
     * where the key and each feature are (-1: not in the header), or why its rows cannot be read.
     *
     * @param invalid why the header is not valid CSV, or null
     * @param twice a column the header names more than once, or null
     */
    private record Columns(String invalid, String twice, int count, String listed, int key, int[] features) {}

    private Columns columns(String header) {
        if (header == lastHeader) {
            return lastColumns;
        }
        if (headers == null) {
            headers = new HashMap<>();
        }
        Columns columns = headers.get(header);
        if (columns == null) {
            columns = resolve(header);
            if (headers.size() == MAX_HEADERS_KEPT) {
                headers.clear(); // more headers than files read at once: start over
            }
            headers.put(header, columns);
        }
        lastHeader = header;
        lastColumns = columns;
        return columns;
    }

    private Columns resolve(String header) {
        List<String> names;
        try {
            names = Arrays.asList(csvRow(header));
        } catch (IOException e) {
            return new Columns(problem(e), null, 0, "", -1, null);
        }
        String listed = String.join(",", names);
        int[] at = new int[features.size()];
        for (int i = 0; i < at.length; i++) {
            at[i] = names.indexOf(features.get(i));
        }
        int key = keyField == null ? -1 : names.indexOf(keyField);
        return new Columns(null, duplicate(names), names.size(), listed, key, at);
    }

    /**
     * One CSV line as its cells; throws when it is not valid CSV. Read token by token from
     * Jackson's CSV parser (a row is an array of strings), without a data-binding iterator per row;
     * a line that parser would split at its commas is split there directly (B7: the parse at a
     * quarter of the model thread's CPU; pinned against Jackson on every short line).
     */
    String[] csvRow(String text) throws IOException {
        if (splitsAtCommas(text)) {
            return text.split(",", -1);
        }
        if (csvFactory == null) {
            csvFactory = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY).getFactory();
        }
        try (JsonParser p = csvFactory.createParser(text)) {
            JsonToken t = p.nextToken(); // the array WRAP_AS_ARRAY puts around all records
            if (t == JsonToken.START_ARRAY) {
                t = p.nextToken();
            }
            if (t != JsonToken.START_ARRAY) {
                return new String[] {""}; // no record at all
            }
            List<String> cells = new ArrayList<>();
            while ((t = p.nextToken()) != JsonToken.END_ARRAY && t != null) {
                cells.add(p.getText());
            }
            t = p.nextToken();
            if (t != null && t != JsonToken.END_ARRAY) {
                throw new IOException("more than one CSV record on one line");
            }
            return cells.toArray(new String[0]);
        }
    }

    /**
     * Cell {@code k} of a CSV line as {@link #csvRow} reads it, without reading the cells after
     * it; empty when the line has fewer cells. Throws when the line is not valid CSV up to it.
     */
    String csvCell(String text, int k) throws IOException {
        if (splitsAtCommas(text)) {
            int start = 0;
            for (int i = 0; i < k; i++) {
                start = text.indexOf(',', start) + 1;
                if (start == 0) {
                    return "";
                }
            }
            int end = text.indexOf(',', start);
            return text.substring(start, end < 0 ? text.length() : end);
        }
        if (csvFactory == null) {
            csvFactory = new CsvMapper().enable(CsvParser.Feature.WRAP_AS_ARRAY).getFactory();
        }
        try (JsonParser p = csvFactory.createParser(text)) {
            JsonToken t = p.nextToken();
            if (t == JsonToken.START_ARRAY) {
                t = p.nextToken();
            }
            if (t != JsonToken.START_ARRAY) {
                return "";
            }
            for (int i = 0; (t = p.nextToken()) != JsonToken.END_ARRAY && t != null; i++) {
                if (i == k) {
                    return p.getText();
                }
            }
            return "";
        }
    }

    /**
     * Whether Jackson's CSV parser reads {@code text} as its commas split it: a line with no quote,
     * no line break and no byte-order mark (the characters its default schema treats specially
     * besides the comma).
     */
    private static boolean splitsAtCommas(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\n' || c == '\r' || c == '\uFEFF') {
                return false;
            }
        }
        return true;
    }

    // ---------------------------------------------------------------- JSON

    private Parsed parseJson(RawLine line) {
        JsonNode node;
        try {
            node = jsonTree(line.text());
        } catch (IOException e) {
            String problem = problem(e);
            return problem.startsWith("Duplicate field")
                    ? reject(line, null, DeadLetterReason.DUPLICATE_FIELD, "the JSON object has a " + problem)
                    : reject(line, null, DeadLetterReason.UNPARSEABLE, "not valid JSON: " + problem);
        }
        if (!node.isObject()) {
            return reject(line, null, DeadLetterReason.UNPARSEABLE,
                    "expected a JSON object, got " + kind(node));
        }
        String key = GLOBAL_KEY;
        if (keyField != null) {
            JsonNode k = node.get(keyField);
            if (k == null || k.isNull()) {
                return reject(line, null, DeadLetterReason.MISSING_FIELD,
                        "key field '" + keyField + "' is " + (k == null ? "missing" : "null"));
            }
            if (!k.isValueNode()) {
                return reject(line, null, DeadLetterReason.UNPARSEABLE,
                        "key field '" + keyField + "' is " + kind(k)
                                + ", expected a string or a number");
            }
            key = k.asText();
            if (key.isEmpty()) {
                return reject(line, null, DeadLetterReason.MISSING_FIELD,
                        "key field '" + keyField + "' is empty");
            }
        }
        double[] values = new double[features.size()];
        for (int i = 0; i < values.length; i++) {
            String name = features.get(i);
            JsonNode v = node.get(name);
            if (v == null || v.isNull()) {
                return reject(line, key, DeadLetterReason.MISSING_FIELD,
                        "field '" + name + "' is " + (v == null ? "missing" : "null"));
            }
            if (v.isNumber()) {
                values[i] = v.doubleValue();
                if (!Double.isFinite(values[i])) {
                    return reject(line, key, DeadLetterReason.NOT_FINITE,
                            "field '" + name + "' is not finite: '" + shorten(v.asText()) + "'");
                }
            } else if (v.isTextual()) {
                Parsed bad = number(line, key, name, v.textValue(), values, i);
                if (bad != null) {
                    return bad;
                }
            } else {
                return reject(line, key, DeadLetterReason.NON_NUMERIC,
                        "field '" + name + "' is not a number: " + shorten(v.toString())
                                + " (" + kind(v) + ")");
            }
        }
        return new Accepted(new FeatureRecord(key, line.source(), line.seq(), line.text(), values));
    }

    /** One JSON value, strictly (no trailing content), with NaN and Infinity tokens allowed. */
    JsonNode jsonTree(String text) throws IOException {
        if (json == null) {
            json = JsonMapper.builder()
                    .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
                    .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                    .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
                    .build();
        }
        return json.readTree(text);
    }

    private static String kind(JsonNode node) {
        return switch (node.getNodeType()) {
            case ARRAY -> "an array";
            case OBJECT, POJO -> "an object";
            case STRING -> "a string";
            case NUMBER -> "a number";
            case BOOLEAN -> "a boolean";
            case NULL, MISSING -> "null";
            case BINARY -> "binary";
        };
    }

    // ---------------------------------------------------------------- numbers

    /** Parses {@code text} into {@code values[i]}; returns the rejection, or null when it is fine. */
    private Parsed number(RawLine line, String key, String name, String text, double[] values, int i) {
        String t = text.strip();
        if (!isDecimal(t)) {
            return NOT_FINITE.matcher(t).matches()
                    ? reject(line, key, DeadLetterReason.NOT_FINITE,
                            "field '" + name + "' is not finite: '" + shorten(text) + "'")
                    : reject(line, key, DeadLetterReason.NON_NUMERIC,
                            "field '" + name + "' is not a number: '" + shorten(text) + "'");
        }
        double v = Double.parseDouble(t);
        if (!Double.isFinite(v)) {
            return reject(line, key, DeadLetterReason.NOT_FINITE,
                    "field '" + name + "' overflows a double: '" + shorten(text) + "'");
        }
        values[i] = v;
        return null;
    }

    /**
     * The value of a numeral as {@link #parse} reads it (finite or not), or null when the text is
     * not a number.
     */
    static Double numeral(String text) {
        String t = text.strip().toLowerCase(Locale.ROOT);
        if (NOT_FINITE.matcher(t).matches()) {
            boolean negative = t.startsWith("-");
            return t.contains("nan") ? Double.NaN
                    : negative ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        return isDecimal(t) ? Double.parseDouble(t) : null;
    }

    /**
     * Whether {@code t} is a decimal numeral, {@code [+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?}
     * with ASCII digits: written out rather than a regular expression because it runs for every
     * value of every row. (No numeral is also a not-finite word, so the order of the checks in
     * {@link #number} does not matter.)
     */
    static boolean isDecimal(String t) {
        int n = t.length();
        int i = 0;
        if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
            i++;
        }
        int start = i;
        i = digits(t, i);
        int mantissaDigits = i - start;
        if (i < n && t.charAt(i) == '.') {
            int fraction = ++i;
            i = digits(t, i);
            mantissaDigits += i - fraction;
        }
        if (mantissaDigits == 0) {
            return false;
        }
        if (i < n && (t.charAt(i) == 'e' || t.charAt(i) == 'E')) {
            i++;
            if (i < n && (t.charAt(i) == '+' || t.charAt(i) == '-')) {
                i++;
            }
            int exponent = i;
            i = digits(t, i);
            if (i == exponent) {
                return false;
            }
        }
        return i == n;
    }

    /** The index after the ASCII digits of {@code t} from {@code i}. */
    private static int digits(String t, int i) {
        while (i < t.length() && t.charAt(i) >= '0' && t.charAt(i) <= '9') {
            i++;
        }
        return i;
    }

    // ---------------------------------------------------------------- helpers

    /** A name that appears more than once among {@code names}, or null. */
    static String duplicate(List<String> names) {
        java.util.Set<String> seen = new java.util.HashSet<>();
        for (String n : names) {
            if (!seen.add(n)) {
                return n;
            }
        }
        return null;
    }

    private static Rejected reject(RawLine line, String key, DeadLetterReason reason, String detail) {
        return new Rejected(new DeadLetter(line.source(), line.seq(), key, line.text(), reason, detail));
    }

    /** Jackson's message without its source excerpt, with the column where it stopped. */
    static String problem(IOException e) {
        String m = e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage();
        if (m == null) {
            return e.getClass().getSimpleName();
        }
        m = m.lines().findFirst().orElse(m).replaceAll(" \\(start marker at \\[Source: .*$", "");
        if (e instanceof JsonProcessingException j && j.getLocation() != null
                && j.getLocation().getColumnNr() > 0) {
            m += " (at column " + j.getLocation().getColumnNr() + ")";
        }
        return m;
    }

    private static String shorten(String s) {
        return s.length() <= MAX_VALUE_IN_DETAIL ? s : s.substring(0, MAX_VALUE_IN_DETAIL) + "…";
    }
}
