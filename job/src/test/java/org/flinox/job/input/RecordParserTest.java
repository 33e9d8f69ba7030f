package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.DeadLetterReason;
import org.flinox.operators.FeatureRecord;
import org.junit.jupiter.api.Test;

class RecordParserTest {

    private static final String HEADER = "k,a,b,c";
    private final RecordParser csv = new RecordParser(InputFormat.CSV, "k", List.of("a", "b"));
    private final RecordParser jsonl = new RecordParser(InputFormat.JSONL, "k", List.of("a", "b"));

    private static RawLine csvLine(String text) {
        return new RawLine("in.csv", 3, text, HEADER);
    }

    private static RawLine jsonLine(String text) {
        return new RawLine("in.jsonl", 5, text, null);
    }

    private static FeatureRecord accepted(RecordParser.Parsed parsed) {
        assertThat(parsed).isInstanceOf(RecordParser.Accepted.class);
        return ((RecordParser.Accepted) parsed).record();
    }

    private static DeadLetter rejected(RecordParser.Parsed parsed) {
        assertThat(parsed).isInstanceOf(RecordParser.Rejected.class);
        return ((RecordParser.Rejected) parsed).deadLetter();
    }

    // ------------------------------------------------------------ CSV, accepted

    @Test
    void csvRowGivesKeyFeaturesInOrderAndProvenance() {
        FeatureRecord r = accepted(csv.parse(csvLine("u1,1.5,-2,note")));
        assertThat(r.key()).isEqualTo("u1");
        assertThat(r.features()).containsExactly(1.5, -2.0);
        assertThat(r.source()).isEqualTo("in.csv");
        assertThat(r.seq()).isEqualTo(3);
        assertThat(r.raw()).isEqualTo("u1,1.5,-2,note");
    }

    @Test
    void featuresFollowTheRequestedOrderNotTheHeaderOrder() {
        RecordParser reversed = new RecordParser(InputFormat.CSV, "k", List.of("b", "a"));
        assertThat(accepted(reversed.parse(csvLine("u1,1,2,x"))).features()).containsExactly(2.0, 1.0);
    }

    @Test
    void quotedCommaInANonFeatureFieldIsOneField() {
        FeatureRecord r = accepted(csv.parse(csvLine("u1,1,2,\"hello, world\"")));
        assertThat(r.features()).containsExactly(1.0, 2.0);
    }

    @Test
    void quotedCommaInTheKeyIsPartOfTheKey() {
        assertThat(accepted(csv.parse(csvLine("\"Doe, J\",1,2,x"))).key()).isEqualTo("Doe, J");
    }

    @Test
    void doubledQuotesAreOneQuote() {
        assertThat(accepted(csv.parse(csvLine("\"say \"\"hi\"\"\",1,2,x"))).key())
                .isEqualTo("say \"hi\"");
    }

    @Test
    void quotedNumberIsANumber() {
        assertThat(accepted(csv.parse(csvLine("u1,\"3.25\",1e-3,x"))).features())
                .containsExactly(3.25, 0.001);
    }

    @Test
    void withoutKeyFieldEveryRecordHasTheGlobalKey() {
        RecordParser global = new RecordParser(InputFormat.CSV, null, List.of("a"));
        assertThat(accepted(global.parse(csvLine("u1,1,2,x"))).key()).isEqualTo("global");
    }

    // ------------------------------------------------------------ CSV, rejected

    @Test
    void nonNumericFeatureIsRejectedNamingFieldAndValue() {
        DeadLetter d = rejected(csv.parse(csvLine("u1,1,x1,c")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NON_NUMERIC);
        assertThat(d.detail()).isEqualTo("field 'b' is not a number: 'x1'");
        assertThat(d.key()).isEqualTo("u1");
        assertThat(d.source()).isEqualTo("in.csv");
        assertThat(d.seq()).isEqualTo(3);
        assertThat(d.raw()).isEqualTo("u1,1,x1,c");
    }

    @Test
    void hexOrJavaSuffixedNumbersAreNotNumbers() {
        assertThat(rejected(csv.parse(csvLine("u1,1d,2,c"))).reason()).isEqualTo(DeadLetterReason.NON_NUMERIC);
        assertThat(rejected(csv.parse(csvLine("u1,0x10,2,c"))).reason()).isEqualTo(DeadLetterReason.NON_NUMERIC);
    }

    @Test
    void missingColumnIsWrongColumnCount() {
        DeadLetter d = rejected(csv.parse(csvLine("u1,1,2")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.WRONG_COLUMN_COUNT);
        assertThat(d.detail()).isEqualTo("expected 4 columns (k,a,b,c), got 3");
    }

    @Test
    void extraColumnIsWrongColumnCount() {
        DeadLetter d = rejected(csv.parse(csvLine("u1,1,2,x,y")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.WRONG_COLUMN_COUNT);
        assertThat(d.detail()).isEqualTo("expected 4 columns (k,a,b,c), got 5");
    }

    @Test
    void emptyFeatureCellIsMissing() {
        DeadLetter d = rejected(csv.parse(csvLine("u1,,2,x")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(d.detail()).isEqualTo("field 'a' is empty");
        assertThat(d.key()).isEqualTo("u1");
    }

    @Test
    void emptyKeyCellIsMissingAndTheKeyIsUnknown() {
        DeadLetter d = rejected(csv.parse(csvLine(",1,2,x")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(d.detail()).contains("'k'");
        assertThat(d.key()).isNull();
    }

    @Test
    void featureNotInTheHeaderIsMissing() {
        RecordParser p = new RecordParser(InputFormat.CSV, "k", List.of("a", "z"));
        DeadLetter d = rejected(p.parse(csvLine("u1,1,2,x")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(d.detail()).isEqualTo("field 'z' is not in the header (k,a,b,c)");
    }

    @Test
    void nanIsNotFinite() {
        DeadLetter d = rejected(csv.parse(csvLine("u1,NaN,2,x")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NOT_FINITE);
        assertThat(d.detail()).isEqualTo("field 'a' is not finite: 'NaN'");
    }

    @Test
    void infinityIsNotFinite() {
        DeadLetter d = rejected(csv.parse(csvLine("u1,1,-Infinity,x")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NOT_FINITE);
        assertThat(d.detail()).isEqualTo("field 'b' is not finite: '-Infinity'");
    }

    @Test
    void infIsNotFinite() {
        assertThat(rejected(csv.parse(csvLine("u1,inf,2,x"))).reason()).isEqualTo(DeadLetterReason.NOT_FINITE);
    }

    @Test
    void overflowingNumeralIsNotFinite() {
        DeadLetter d = rejected(csv.parse(csvLine("u1,1e999,2,x")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NOT_FINITE);
        assertThat(d.detail()).contains("'a'", "1e999");
    }

    @Test
    void emptyLineIsEmpty() {
        DeadLetter d = rejected(csv.parse(csvLine("")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.EMPTY);
        assertThat(d.key()).isNull();
        assertThat(d.raw()).isEmpty();
    }

    @Test
    void blankLineIsEmpty() {
        assertThat(rejected(csv.parse(csvLine("  \t"))).reason()).isEqualTo(DeadLetterReason.EMPTY);
    }

    @Test
    void brokenQuoteIsUnparseable() {
        DeadLetter d = rejected(csv.parse(csvLine("a,\"b,1")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.UNPARSEABLE);
        assertThat(d.detail()).startsWith("not valid CSV: ");
        assertThat(d.key()).isNull();
    }

    // ------------------------------------------------------------ JSON lines

    @Test
    void jsonObjectGivesKeyAndFeatures() {
        FeatureRecord r = accepted(jsonl.parse(jsonLine("{\"k\":\"s1\",\"b\":2,\"a\":0.5,\"note\":\"x\"}")));
        assertThat(r.key()).isEqualTo("s1");
        assertThat(r.features()).containsExactly(0.5, 2.0);
        assertThat(r.source()).isEqualTo("in.jsonl");
        assertThat(r.seq()).isEqualTo(5);
    }

    @Test
    void jsonNumericStringsAreNumbers() {
        FeatureRecord r = accepted(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":\"1.25\",\"b\":\" -3 \"}")));
        assertThat(r.features()).containsExactly(1.25, -3.0);
    }

    @Test
    void jsonNumericKeyIsItsText() {
        assertThat(accepted(jsonl.parse(jsonLine("{\"k\":42,\"a\":1,\"b\":2}"))).key()).isEqualTo("42");
    }

    @Test
    void jsonWithoutKeyFieldHasTheGlobalKey() {
        RecordParser global = new RecordParser(InputFormat.JSONL, null, List.of("a"));
        assertThat(accepted(global.parse(jsonLine("{\"a\":1}"))).key()).isEqualTo("global");
    }

    @Test
    void truncatedJsonIsUnparseable() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":1")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.UNPARSEABLE);
        assertThat(d.detail()).startsWith("not valid JSON: ");
    }

    @Test
    void trailingGarbageAfterJsonIsUnparseable() {
        assertThat(rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":1,\"b\":2} x"))).reason())
                .isEqualTo(DeadLetterReason.UNPARSEABLE);
    }

    @Test
    void jsonArrayIsUnparseable() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("[1,2,3]")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.UNPARSEABLE);
        assertThat(d.detail()).isEqualTo("expected a JSON object, got an array");
    }

    @Test
    void missingJsonKeyIsMissingField() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"a\":1,\"b\":2}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(d.detail()).isEqualTo("key field 'k' is missing");
        assertThat(d.key()).isNull();
    }

    @Test
    void missingJsonFeatureIsMissingFieldAndKeepsTheKey() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":1}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(d.detail()).isEqualTo("field 'b' is missing");
        assertThat(d.key()).isEqualTo("s1");
    }

    @Test
    void jsonNullFeatureIsMissingField() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":null,\"b\":2}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
        assertThat(d.detail()).isEqualTo("field 'a' is null");
    }

    @Test
    void jsonNonNumericStringIsNonNumeric() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":\"abc\",\"b\":2}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NON_NUMERIC);
        assertThat(d.detail()).isEqualTo("field 'a' is not a number: 'abc'");
    }

    @Test
    void jsonBooleanFeatureIsNonNumeric() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":1,\"b\":true}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NON_NUMERIC);
        assertThat(d.detail()).contains("'b'", "true");
    }

    @Test
    void jsonNanTokenIsNotFinite() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":NaN,\"b\":2}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NOT_FINITE);
        assertThat(d.detail()).contains("'a'");
    }

    @Test
    void jsonInfinityTokenIsNotFinite() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":1,\"b\":-Infinity}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NOT_FINITE);
        assertThat(d.detail()).contains("'b'");
    }

    @Test
    void jsonInfStringIsNotFinite() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"s1\",\"a\":\"inf\",\"b\":2}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.NOT_FINITE);
        assertThat(d.detail()).isEqualTo("field 'a' is not finite: 'inf'");
    }

    @Test
    void emptyJsonLineIsEmpty() {
        assertThat(rejected(jsonl.parse(jsonLine(""))).reason()).isEqualTo(DeadLetterReason.EMPTY);
    }

    @Test
    void parserSurvivesJavaSerialization() throws Exception {
        var bytes = new java.io.ByteArrayOutputStream();
        try (var out = new java.io.ObjectOutputStream(bytes)) {
            out.writeObject(csv);
        }
        RecordParser copy;
        try (var in = new java.io.ObjectInputStream(new java.io.ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (RecordParser) in.readObject();
        }
        assertThat(accepted(copy.parse(csvLine("u1,1,2,x"))).features()).containsExactly(1.0, 2.0);
    }

    // ------------------------------------------------------------ hostile input (issue 12)

    @Test
    void aJsonObjectWithAFieldTwiceIsADuplicateFieldNotOneValuePickedSilently() {
        DeadLetter d = rejected(jsonl.parse(jsonLine("{\"k\":\"u\",\"a\":1,\"b\":2,\"a\":100}")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.DUPLICATE_FIELD);
        assertThat(d.detail()).contains("'a'");
        DeadLetter key = rejected(jsonl.parse(jsonLine("{\"k\":\"u\",\"k\":\"v\",\"a\":1,\"b\":2}")));
        assertThat(key.reason()).isEqualTo(DeadLetterReason.DUPLICATE_FIELD);
    }

    @Test
    void aCsvRowUnderAHeaderThatNamesAColumnTwiceIsADuplicateField() {
        DeadLetter d = rejected(csv.parse(new RawLine("f.csv", 0, "u,1,2,3", "k,a,b,a")));
        assertThat(d.reason()).isEqualTo(DeadLetterReason.DUPLICATE_FIELD);
        assertThat(d.detail()).contains("f.csv").contains("'a'").contains("k,a,b,a");
    }

    @Test
    void aLineTheReaderCouldNotDecodeIsRejectedWithTheReadersReason() {
        RawLine bad = new RawLine("f.csv", 4, "s\uFFFD,1,2,3", HEADER, DeadLetterReason.INVALID_UTF8,
                "not valid UTF-8: 0xff at byte 1 of the line");
        DeadLetter d = rejected(csv.parse(bad));
        assertThat(d).isEqualTo(new DeadLetter("f.csv", 4, null, "s\uFFFD,1,2,3", DeadLetterReason.INVALID_UTF8,
                "not valid UTF-8: 0xff at byte 1 of the line"));
    }

    @Test
    void aLoneSurrogateEscapeIsAValidJsonKeyAndKeptAsItCame() {
        FeatureRecord r = accepted(jsonl.parse(jsonLine("{\"k\":\"\\ud800\",\"a\":1,\"b\":2}")));
        assertThat(r.key()).isEqualTo("\ud800");
    }

    // ------------------------------------------------------------ headers resolved once

    @Test
    void rowsOfFilesWithDifferentColumnOrdersInterleavedEachUseTheirOwnHeader() {
        RawLine a = new RawLine("a.csv", 0, "u1,1,2,x", "k,a,b,c");
        RawLine b = new RawLine("b.csv", 0, "9,x,u2,8", "b,c,k,a");
        RawLine c = new RawLine("c.csv", 0, "7,u3", "a,k"); // no column b
        for (int round = 0; round < 3; round++) {
            FeatureRecord ra = accepted(csv.parse(a));
            assertThat(ra.key()).isEqualTo("u1");
            assertThat(ra.features()).containsExactly(1.0, 2.0);
            FeatureRecord rb = accepted(csv.parse(b));
            assertThat(rb.key()).isEqualTo("u2");
            assertThat(rb.features()).containsExactly(8.0, 9.0);
            DeadLetter dc = rejected(csv.parse(c));
            assertThat(dc.reason()).isEqualTo(DeadLetterReason.MISSING_FIELD);
            assertThat(dc.key()).isEqualTo("u3");
            assertThat(dc.detail()).isEqualTo("field 'b' is not in the header (a,k)");
        }
    }

    @Test
    void aHeaderEqualInTextButAnotherObjectReadsTheSame() {
        FeatureRecord first = accepted(csv.parse(new RawLine("a.csv", 0, "u1,1,2,x", new String("k,a,b,c"))));
        FeatureRecord second = accepted(csv.parse(new RawLine("b.csv", 0, "u1,1,2,x", new String("k,a,b,c"))));
        assertThat(first.features()).containsExactly(1.0, 2.0);
        assertThat(second.features()).containsExactly(1.0, 2.0);
    }

    @Test
    void moreHeadersThanAreKeptAreStillEachReadRight() {
        // 100 headers, each with the key and features at other columns, cycled twice
        for (int round = 0; round < 2; round++) {
            for (int h = 0; h < 100; h++) {
                int width = 3 + h % 5;
                int keyAt = h % width;
                int aAt = (keyAt + 1 + h % (width - 1)) % width;
                int bAt = aAt;
                while (bAt == aAt || bAt == keyAt) {
                    bAt = (bAt + 1) % width;
                }
                String[] header = new String[width];
                String[] row = new String[width];
                for (int c = 0; c < width; c++) {
                    header[c] = "z" + c;
                    row[c] = "0";
                }
                header[keyAt] = "k";
                header[aAt] = "a";
                header[bAt] = "b";
                row[keyAt] = "u" + h;
                row[aAt] = String.valueOf(h);
                row[bAt] = String.valueOf(-h);
                FeatureRecord r = accepted(csv.parse(
                        new RawLine("f" + h + ".csv", 0, String.join(",", row), String.join(",", header))));
                assertThat(r.key()).isEqualTo("u" + h);
                assertThat(r.features()).containsExactly(h, -h);
            }
        }
    }

    @Test
    void aHeaderThatIsNotValidCsvRejectsEachRowNamingItsSource() {
        for (String source : List.of("a.csv", "b.csv")) {
            DeadLetter d = rejected(csv.parse(new RawLine(source, 0, "u,1,2", "k,\"a,b")));
            assertThat(d.reason()).isEqualTo(DeadLetterReason.UNPARSEABLE);
            assertThat(d.detail()).startsWith("the CSV header of " + source + " is not valid CSV: ");
        }
    }

    // ------------------------------------------------------------ numerals

    /** The rule the parser documents, as a regular expression: the reference for its hand-written check. */
    private static final java.util.regex.Pattern DECIMAL =
            java.util.regex.Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    @Test
    void theDecimalCheckAgreesWithTheDocumentedPatternOnEveryShortString() {
        char[] alphabet = {'+', '-', '.', 'e', 'E', '0', '7', '9', 'a', ' ', '\u0663'}; // U+0663: an Arabic-Indic 3
        int checked = 0;
        int decimals = 0;
        for (int length = 0; length <= 5; length++) {
            int[] at = new int[length];
            while (true) {
                char[] cs = new char[length];
                for (int i = 0; i < length; i++) {
                    cs[i] = alphabet[at[i]];
                }
                String s = new String(cs);
                boolean expected = DECIMAL.matcher(s).matches();
                assertThat(RecordParser.isDecimal(s)).as("'%s'", s).isEqualTo(expected);
                checked++;
                decimals += expected ? 1 : 0;
                int i = length - 1;
                while (i >= 0 && ++at[i] == alphabet.length) {
                    at[i--] = 0;
                }
                if (i < 0) {
                    break;
                }
            }
        }
        assertThat(checked).isEqualTo(1 + 11 + 121 + 1331 + 14641 + 161051);
        assertThat(decimals).isGreaterThan(1000); // the alphabet makes many numerals, not only rejections
    }

    @Test
    void numeralsKeepTheirValues() {
        assertThat(RecordParser.numeral(" -1.5e2 ")).isEqualTo(-150.0);
        assertThat(RecordParser.numeral(".5")).isEqualTo(0.5);
        assertThat(RecordParser.numeral("7.")).isEqualTo(7.0);
        assertThat(RecordParser.numeral("-Inf")).isEqualTo(Double.NEGATIVE_INFINITY);
        assertThat(RecordParser.numeral("NaN")).isNaN();
        assertThat(RecordParser.numeral("1e")).isNull();
        assertThat(RecordParser.numeral("٣")).isNull();
    }

    // ------------------------------------------------------------ CSV cells

    /**
     * Jackson's data binding of one CSV line to String[], the reference for the parser's token
     * loop; a line without a record is one empty cell.
     */
    private static String reference(String text) {
        try (com.fasterxml.jackson.databind.MappingIterator<String[]> rows =
                new com.fasterxml.jackson.dataformat.csv.CsvMapper()
                        .enable(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.WRAP_AS_ARRAY)
                        .readerFor(String[].class).readValues(text)) {
            if (!rows.hasNextValue()) {
                return shown(new String[] {""});
            }
            String[] row = rows.nextValue();
            return rows.hasNextValue() ? "two records" : shown(row);
        } catch (java.io.IOException e) {
            return "error: " + RecordParser.problem(e); // what a dead letter says
        }
    }

    private static String cells(RecordParser parser, String text) {
        try {
            return shown(parser.csvRow(text));
        } catch (java.io.IOException e) {
            return "error: " + RecordParser.problem(e);
        }
    }

    /** The cells, each quoted, so that no cells, one empty cell and two are told apart. */
    private static String shown(String[] row) {
        return row.length + java.util.Arrays.stream(row).map(c -> "<" + c + ">").toList().toString();
    }

    @Test
    void csvCellsAreWhatJacksonsDataBindingReadsOnEveryShortLine() {
        String[] pieces = {"a", ",", "\"", " ", "1.5", "\t", "é", "\uFEFF", ";", "\"\"", "#"};
        int errors = 0;
        int checked = 0;
        for (int length = 0; length <= 5; length++) {
            int[] at = new int[length];
            while (true) {
                StringBuilder b = new StringBuilder();
                for (int i = 0; i < length; i++) {
                    b.append(pieces[at[i]]);
                }
                String text = b.toString();
                String expected = reference(text);
                assertThat(cells(csv, text)).as("'%s'", text).isEqualTo(expected);
                errors += expected.startsWith("error") ? 1 : 0;
                checked++;
                int i = length - 1;
                while (i >= 0 && ++at[i] == pieces.length) {
                    at[i--] = 0;
                }
                if (i < 0) {
                    break;
                }
            }
        }
        assertThat(checked).isEqualTo(1 + 11 + 121 + 1331 + 14641 + 161051);
        assertThat(errors).isGreaterThan(1000); // broken quotes are among them, not only valid lines
    }

    @Test
    void aLinesCellIsTheCellJacksonsDataBindingReadsOnEveryShortValidLine() throws Exception {
        // the reader keys each line by one cell: it must be the cell the full parse finds
        String[] pieces = {"a", ",", "\"", " ", "1.5", "\t", "é", "\uFEFF", ";", "\"\"", "#"};
        var reader = new com.fasterxml.jackson.dataformat.csv.CsvMapper()
                .enable(com.fasterxml.jackson.dataformat.csv.CsvParser.Feature.WRAP_AS_ARRAY).readerFor(String[].class);
        int checked = 0;
        int[] at = new int[4];
        for (int n = 0; n < 14641; n++) { // every line of 4 pieces
            StringBuilder b = new StringBuilder();
            for (int i = 0, rest = n; i < at.length; i++, rest /= pieces.length) {
                b.append(pieces[rest % pieces.length]);
            }
            String text = b.toString();
            String[] row;
            try (com.fasterxml.jackson.databind.MappingIterator<String[]> rows = reader.readValues(text)) {
                row = rows.hasNextValue() ? rows.nextValue() : new String[] {""};
                if (rows.hasNextValue()) {
                    continue; // two records: refused by the parse whatever its key
                }
            } catch (java.io.IOException e) {
                continue; // not valid CSV: a dead letter whatever its key
            }
            for (int k = 0; k < 4; k++) {
                assertThat(csv.csvCell(text, k)).as("cell %d of '%s'", k, text).isEqualTo(k < row.length ? row[k] : "");
                checked++;
            }
        }
        assertThat(checked).isGreaterThan(20_000);
    }
}
