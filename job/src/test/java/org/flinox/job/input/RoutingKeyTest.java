package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@link RecordParser#routingKey} is the key {@link RecordParser#parse} gives every line it
 * accepts: the job keys lines by it before parsing, and the model's keyed state is found by the
 * parsed key, so a difference would put a record on another key's subtask.
 */
class RoutingKeyTest {

    /** Pieces of CSV lines: values, quotes, doubled quotes, commas, blanks. */
    private static final String[] PIECES = {"u1", "\"u,1\"", "\"u\"\"1\"", "1", "2.5", ",", "\"", " ", "x", "é"};

    @Test
    void everyAcceptedCsvLineIsRoutedByItsParsedKey() {
        int accepted = 0;
        for (String header : List.of("k,a,b", "a,k,b", "a,b,k")) {
            RecordParser parser = new RecordParser(InputFormat.CSV, "k", List.of("a", "b"));
            for (String text : lines()) {
                RawLine line = new RawLine("in.csv", 0, text, header);
                String routed = parser.routingKey(line);
                assertThat(parser.routingKey(line)).as("the same line, the same key").isEqualTo(routed);
                if (parser.parse(line) instanceof RecordParser.Accepted a) {
                    assertThat(routed).as("routing key of %s under %s", text, header).isEqualTo(a.record().key());
                    accepted++;
                }
            }
        }
        assertThat(accepted).as("the pieces make many accepted rows, not only rejections").isGreaterThan(500);
    }

    @Test
    void aKeyNotInTheHeaderOrABadHeaderRoutesByTheEmptyKey() {
        RecordParser parser = new RecordParser(InputFormat.CSV, "k", List.of("a"));
        assertThat(parser.routingKey(new RawLine("in.csv", 0, "u1,1", "id,a"))).isEmpty();
        assertThat(parser.routingKey(new RawLine("in.csv", 0, "u1,1", "\"k,a"))).isEmpty();
        assertThat(parser.routingKey(new RawLine("in.csv", 0, "u1,1", null))).isEmpty();
        assertThat(parser.routingKey(new RawLine("in.csv", 0, null, "k,a", org.flinox.operators.DeadLetterReason.INVALID_UTF8,
                "bad byte"))).isEmpty();
    }

    @Test
    void withoutAKeyFieldEveryLineHasTheGlobalKey() {
        RecordParser parser = new RecordParser(InputFormat.CSV, null, List.of("a"));
        assertThat(parser.routingKey(new RawLine("in.csv", 0, "1", "a"))).isEqualTo(RecordParser.GLOBAL_KEY);
    }

    @Test
    void aJsonLineIsRoutedByItsParsedKey() {
        RecordParser parser = new RecordParser(InputFormat.JSONL, "k", List.of("a"));
        for (String text : List.of("{\"k\": \"u1\", \"a\": 1}", "{\"k\": 1.50, \"a\": 1}", "{\"k\": 7, \"a\": 1}")) {
            RawLine line = new RawLine("in.jsonl", 0, text, null);
            assertThat(parser.routingKey(line)).isEqualTo(((RecordParser.Accepted) parser.parse(line)).record().key());
        }
    }

    /** Cells of CSV rows: keys and numbers, quoted, with commas and quotes inside, empty, broken. */
    private static final String[] CELLS = {"u1", "\"u,1\"", "\"u\"\"1\"", "1", "2.5", " 1", "\"3\"", "-0", "", "\"",
        "x", "é"};

    /** Every concatenation of up to 5 pieces, and every row of 2 to 4 cells. */
    private static List<String> lines() {
        List<String> out = new java.util.ArrayList<>(concatenations(PIECES, 5, ""));
        for (int cells = 2; cells <= 4; cells++) {
            out.addAll(concatenations(CELLS, cells, ","));
        }
        return out;
    }

    /** Every sequence of {@code n} of {@code parts} joined by {@code separator}; of 1 to {@code n} when it is empty. */
    private static List<String> concatenations(String[] parts, int n, String separator) {
        List<String> out = new java.util.ArrayList<>();
        for (int length = separator.isEmpty() ? 1 : n; length <= n; length++) {
            int[] at = new int[length];
            while (true) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < at.length; i++) {
                    b.append(i == 0 ? "" : separator).append(parts[at[i]]);
                }
                out.add(b.toString());
                int i = length - 1;
                while (i >= 0 && ++at[i] == parts.length) {
                    at[i--] = 0;
                }
                if (i < 0) {
                    break;
                }
            }
        }
        return out;
    }
}
