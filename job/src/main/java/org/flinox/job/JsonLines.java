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
     * {@code {"key": .., "source": .., "seq": .., "output": [..]}}, streamed (one line per
     * record: B7 measured building a tree for it at about a quarter of the whole job's CPU); the
     * same bytes as {@link #MAPPER} writes for the tree of those fields.
     */
    static String output(ModelOutput<FeatureRecord> o) {
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
            if (o.modelVersion() != null) { // only with --model-updates: other runs' lines stay as they were
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
