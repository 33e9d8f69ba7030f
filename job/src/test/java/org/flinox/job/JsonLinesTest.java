package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;
import org.junit.jupiter.api.Test;

class JsonLinesTest {

    /** The line as the file sink writes it (UTF-8), read back as JSON. */
    private static String keyAfterTheSink(String line) throws Exception {
        byte[] written = line.getBytes(StandardCharsets.UTF_8);
        return new ObjectMapper().readTree(new String(written, StandardCharsets.UTF_8)).get("key").textValue();
    }

    @Test
    void aLoneSurrogateKeyIsWrittenAsAnEscapeAndReadsBackAsItself() throws Exception {
        String line = JsonLines.output(output("\ud800", 0, new double[] {0.0}));
        assertThat(line).contains("\"key\":\"\\ud800\"");
        assertThat(keyAfterTheSink(line)).isEqualTo("\ud800");
        String question = JsonLines.output(output("?", 1, new double[] {0.0}));
        assertThat(keyAfterTheSink(question)).isEqualTo("?");
    }

    @Test
    void pairedSurrogatesAndOtherTextStayAsTheyAre() throws Exception {
        String key = "é😀\udc00x\ud83d"; // an emoji (a pair), then a lone low and a lone high surrogate
        String line = JsonLines.output(output(key, 0, new double[] {1.5}));
        assertThat(line).contains("é😀\\udc00x\\ud83d\"");
        assertThat(keyAfterTheSink(line)).isEqualTo(key);
    }

    @Test
    void aLineIsTheJsonOfTheTreeOfItsFields() throws Exception {
        // the tree Jackson writes for the fields, as the lines were written before they were streamed
        double[][] outputs = {{0.0, -0.0, 1.5, -2.25e-7, 1e300, 4.9e-324, 0.1 + 0.2}, {}};
        for (double[] y : outputs) {
            for (String version : new String[] {null, "B"}) {
                ModelOutput<FeatureRecord> o = new ModelOutput<>(
                        new FeatureRecord("k\"\u0001é", "dir/f \\ 1.csv", 123456789012L, "", y), y, version);
                var tree = new ObjectMapper().createObjectNode();
                tree.put("key", "k\"\u0001é").put("source", "dir/f \\ 1.csv").put("seq", 123456789012L);
                var values = tree.putArray("output");
                for (double v : y) {
                    values.add(v);
                }
                if (version != null) {
                    tree.put("model_version", version);
                }
                assertThat(JsonLines.output(o)).isEqualTo(new ObjectMapper().writeValueAsString(tree));
            }
        }
    }

    @Test
    void linesOfRandomKeysAndValuesAreTheJsonOfTheTreeOfTheirFields() throws Exception {
        // plain keys take the appended path, others (quotes, controls, non-ASCII, surrogates) Jackson's
        java.util.Random random = new java.util.Random(25);
        String alphabet = "az09-_./ :\"\\\u0000\u001f\u007f\u00e9\u20ac\ud83d\ude00";
        ObjectMapper mapper = new ObjectMapper();
        for (int i = 0; i < 20_000; i++) {
            StringBuilder key = new StringBuilder();
            for (int c = random.nextInt(6); c > 0; c--) {
                key.append(alphabet.charAt(random.nextInt(i % 2 == 0 ? 10 : alphabet.length())));
            }
            double[] y = new double[random.nextInt(4)];
            for (int j = 0; j < y.length; j++) {
                y[j] = switch (random.nextInt(8)) {
                    case 0 -> Double.longBitsToDouble(random.nextLong()); // any bits: subnormals, NaNs, huge
                    case 1 -> new double[] {0.0, -0.0, Double.NaN, Double.POSITIVE_INFINITY, Double.MIN_VALUE,
                            Double.MAX_VALUE, 1e7, 1e-3, 9.999999e-4, 2e23}[random.nextInt(10)];
                    default -> random.nextGaussian() * Math.pow(10, random.nextInt(21) - 10);
                };
            }
            String version = random.nextInt(4) == 0 ? key.reverse().toString() : null;
            long seq = random.nextInt(3) == 0 ? random.nextLong() : random.nextInt(1000);
            ModelOutput<FeatureRecord> o = new ModelOutput<>(new FeatureRecord(key.toString(), "in/" + key + ".csv",
                    seq, "", y), y, version);
            var tree = mapper.createObjectNode();
            tree.put("key", key.toString()).put("source", "in/" + key + ".csv").put("seq", seq);
            var values = tree.putArray("output");
            for (double v : y) {
                values.add(v);
            }
            if (version != null) {
                tree.put("model_version", version);
            }
            assertThat(JsonLines.output(o)).as("line %d", i)
                    .isEqualTo(JsonLines.escapeLoneSurrogates(mapper.writeValueAsString(tree)));
        }
    }

    @Test
    void bufferedLinesReachThePartFileInUtf8WhenFlushedAndLeaveItOpen() throws Exception {
        java.io.ByteArrayOutputStream written = new java.io.ByteArrayOutputStream();
        boolean[] closed = {false};
        var partFile = new org.apache.flink.core.fs.FSDataOutputStream() {
            @Override
            public void write(int b) {
                written.write(b);
            }

            @Override
            public long getPos() {
                return written.size();
            }

            @Override
            public void flush() {}

            @Override
            public void sync() {}

            @Override
            public void close() {
                closed[0] = true;
            }
        };
        var lines = BufferedLines.factory().create(partFile);
        lines.addElement("{\"key\":\"é😀\"}");
        lines.addElement("{}");
        assertThat(written.size()).as("buffered until flushed").isZero();
        lines.flush();
        assertThat(written.toByteArray()).isEqualTo("{\"key\":\"é😀\"}\n{}\n".getBytes(StandardCharsets.UTF_8));
        lines.addElement("x".repeat(100_000)); // longer than the buffer
        lines.finish();
        assertThat(written.size()).isEqualTo(20 + 100_001);
        assertThat(closed[0]).as("the part file is Flink's to close").isFalse();
    }

    private static ModelOutput<FeatureRecord> output(String key, long seq, double[] y) {
        return new ModelOutput<>(new FeatureRecord(key, "f.jsonl", seq, "", y), y);
    }
}
