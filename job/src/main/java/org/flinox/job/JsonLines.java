package org.flinox.job;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;

/** The job's output lines: one JSON object per record ({@code key}, {@code source}, {@code seq}, {@code output}), as the README pins them. */
final class JsonLines {
    static final ObjectMapper MAPPER = new ObjectMapper();

    private JsonLines() {}

    /** {@code {"key": .., "source": .., "seq": .., "output": [..]}} */
    static String output(ModelOutput<FeatureRecord> o) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("key", o.input().key());
        n.put("source", o.input().source());
        n.put("seq", o.input().seq());
        ArrayNode values = n.putArray("output");
        for (double v : o.output()) {
            values.add(v);
        }
        if (o.modelVersion() != null) { // only with --model-updates: other runs' lines stay as they were
            n.put("model_version", o.modelVersion());
        }
        return write(n);
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
