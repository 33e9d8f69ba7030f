package org.flinox.job;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import java.io.IOException;
import java.io.StringWriter;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;

/** The job's output lines: one JSON object per record ({@code key}, {@code source}, {@code seq}, {@code output}), as the README pins them. */
final class JsonLines {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLines() {}

    /**
     * {@code {"key": .., "source": .., "seq": .., "output": [..]}} (and {@code "model_version"}
     * with {@code --model-updates}): the bytes Jackson writes for the tree of those fields. Text
     * Jackson writes as it is and finite numbers (nearly every line) are appended directly,
     * numbers as {@link Double#toString} prints them, as Jackson does; other lines go through
     * Jackson's generator (B7: the JSON step was a quarter of the whole job's CPU).
     */
    static String output(ModelOutput<FeatureRecord> o) {
        FeatureRecord in = o.input();
        double[] y = o.output();
        if (!writtenAsIs(in.key()) || !writtenAsIs(in.source())
                || o.modelVersion() != null && !writtenAsIs(o.modelVersion()) || !finite(y)) {
            return generated(o);
        }
        StringBuilder line = new StringBuilder(64 + 24 * y.length);
        line.append("{\"key\":\"").append(in.key()).append("\",\"source\":\"").append(in.source())
                .append("\",\"seq\":").append(in.seq()).append(",\"output\":[");
        for (int j = 0; j < y.length; j++) {
            if (j > 0) {
                line.append(',');
            }
            line.append(y[j]);
        }
        line.append(']');
        if (o.modelVersion() != null) { // only with --model-updates: other runs' lines stay as they were
            line.append(",\"model_version\":\"").append(o.modelVersion()).append('"');
        }
        return line.append('}').toString();
    }

    /** Whether Jackson writes {@code text} in a JSON string unchanged: printable ASCII but {@code "} and {@code \}. */
    private static boolean writtenAsIs(String text) {
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x20 || c > 0x7e || c == '"' || c == '\\') {
                return false;
            }
        }
        return true;
    }

    /** Whether every value is a number in JSON (Jackson writes NaN and infinities as strings). */
    private static boolean finite(double[] values) {
        for (double v : values) {
            if (!Double.isFinite(v)) {
                return false;
            }
        }
        return true;
    }

    /** The line through Jackson's generator: escapes, non-finite values, lone surrogates. */
    static String generated(ModelOutput<FeatureRecord> o) {
        StringWriter text = new StringWriter(64 + 24 * o.output().length);
        try (JsonGenerator g = MAPPER.getFactory().createGenerator(text)) {
            g.writeStartObject();
            g.writeStringField("key", o.input().key());
            g.writeStringField("source", o.input().source());
            g.writeNumberField("seq", o.input().seq());
            g.writeArrayFieldStart("output");
            for (double v : o.output()) {
                g.writeNumber(v);
            }
            g.writeEndArray();
            if (o.modelVersion() != null) {
                g.writeStringField("model_version", o.modelVersion());
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("cannot write JSON", e); // strings and numbers into memory always write
        }
        return escapeLoneSurrogates(text.toString());
    }

    /** {@code {"source": .., "seq": .., "key": .., "reason": .., "detail": .., "raw": ..}} */
    static String deadLetter(DeadLetter d) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("source", d.source());
        n.put("seq", d.seq());
        n.put("key", d.key());
        n.put("reason", d.reason().name());
        n.put("detail", d.detail());
        n.put("raw", d.raw());
        return write(n);
    }

    private static String write(ObjectNode n) {
        try {
            return escapeLoneSurrogates(MAPPER.writeValueAsString(n));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write JSON", e); // a tree of strings and numbers always writes
        }
    }

    /**
     * The JSON text with each unpaired UTF-16 surrogate written as its {@code \\uXXXX} escape.
     * A key such as {@code "\\ud800"} is a valid JSON string, but a lone surrogate has no UTF-8
     * encoding: written raw, it would become {@code ?}, the same as a real {@code ?} key.
     * Surrogates occur only inside JSON strings, so the escape is always in a string.
     */
    static String escapeLoneSurrogates(String json) {
        StringBuilder out = null;
        for (int i = 0; i < json.length(); i++) {
            char c = json.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < json.length()
                    && Character.isLowSurrogate(json.charAt(i + 1));
            if (paired) {
                if (out != null) {
                    out.append(c).append(json.charAt(i + 1));
                }
                i++;
            } else if (Character.isSurrogate(c)) {
                if (out == null) {
                    out = new StringBuilder(json.length() + 16).append(json, 0, i);
                }
                out.append(String.format("\\u%04x", (int) c));
            } else if (out != null) {
                out.append(c);
            }
        }
        return out == null ? json : out.toString();
    }
}
