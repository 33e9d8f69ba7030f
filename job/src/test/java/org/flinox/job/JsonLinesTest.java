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

    private static ModelOutput<FeatureRecord> output(String key, long seq, double[] y) {
        return new ModelOutput<>(new FeatureRecord(key, "f.jsonl", seq, "", y), y);
    }
}
