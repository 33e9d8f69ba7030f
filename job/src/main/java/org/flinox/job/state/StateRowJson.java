package org.flinox.job.state;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.flinox.nn.DType;
import org.flinox.nn.Tensor;
import org.flinox.operators.StateRow;

/**
 * A {@link StateRow} as one JSON line:
 * {@code {"key": "u", "stateKey": ".mean", "shape": [2], "dtype": "float64", "values": [..]}}.
 * Doubles are written in their shortest exact form, so a row read back is bit for bit the
 * row written.
 */
public final class StateRowJson {

    private static final ObjectMapper MAPPER = new ObjectMapper();

    private StateRowJson() {}

    public static String write(StateRow row) {
        try {
            return MAPPER.writeValueAsString(node(row));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** The row as a JSON object, as {@link #write} writes it (the live state sinks embed it). */
    public static ObjectNode node(StateRow row) {
        ObjectNode n = MAPPER.createObjectNode();
        n.put("key", row.key());
        n.put("stateKey", row.stateKey());
        ArrayNode shape = n.putArray("shape");
        for (int d : row.value().shape()) {
            shape.add(d);
        }
        n.put("dtype", row.value().dtype().numpyName());
        ArrayNode values = n.putArray("values");
        for (int i = 0; i < row.value().size(); i++) {
            values.add(row.value().get(i));
        }
        return n;
    }

    /** Parses one line; errors say which field is wrong. */
    public static StateRow read(String line) {
        JsonNode n;
        try {
            n = MAPPER.readTree(line);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not a JSON state row: " + e.getOriginalMessage());
        }
        String key = text(n, "key");
        String stateKey = text(n, "stateKey");
        JsonNode shapeNode = n.get("shape");
        JsonNode valuesNode = n.get("values");
        if (shapeNode == null || !shapeNode.isArray() || valuesNode == null || !valuesNode.isArray()) {
            throw new IllegalArgumentException("state row of key " + key + ", " + stateKey
                    + ": 'shape' and 'values' must be arrays");
        }
        int[] shape = new int[shapeNode.size()];
        for (int i = 0; i < shape.length; i++) {
            shape[i] = shapeNode.get(i).asInt();
        }
        double[] values = new double[valuesNode.size()];
        for (int i = 0; i < values.length; i++) {
            if (!valuesNode.get(i).isNumber()) {
                throw new IllegalArgumentException("state row of key " + key + ", " + stateKey
                        + ": value " + i + " is not a number: " + valuesNode.get(i));
            }
            values[i] = valuesNode.get(i).asDouble();
        }
        DType dtype = DType.parse(text(n, "dtype"));
        return new StateRow(key, stateKey, Tensor.of(dtype, shape, values));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        if (v == null || v.isNull() || v.isContainerNode()) {
            throw new IllegalArgumentException("state row " + n + " has no '" + field + "'");
        }
        return v.asText();
    }
}
