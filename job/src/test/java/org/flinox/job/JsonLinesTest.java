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
    void theEncoderWritesTheLineAndItsNewlineInUtf8InOneWrite() throws Exception {
        var writes = new java.util.ArrayList<byte[]>();
        var stream = new java.io.OutputStream() {
            @Override
            public void write(int b) {
                writes.add(new byte[] {(byte) b});
            }

            @Override
            public void write(byte[] b, int off, int len) {
                writes.add(java.util.Arrays.copyOfRange(b, off, off + len));
            }
        };
        new LineEncoder().encode("{\"key\":\"é😀\"}", stream);
        assertThat(writes).hasSize(1);
        assertThat(writes.get(0)).isEqualTo("{\"key\":\"é😀\"}\n".getBytes(StandardCharsets.UTF_8));
    }

    private static ModelOutput<FeatureRecord> output(String key, long seq, double[] y) {
        return new ModelOutput<>(new FeatureRecord(key, "f.jsonl", seq, "", y), y);
    }
}
