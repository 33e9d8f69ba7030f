package org.flinox.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * One JSON object of a model spec, read strictly: a field the node's type does not take is
 * refused when the node is made (a typo like {@code momentun} is an error naming the closest
 * field, not a silent default), and each getter refuses a wrong JSON type or an out-of-range
 * value with a {@link ModelSpecException} at the field's path ({@code module.layers[1].alpha:
 * expected a number in [0, 1], got 1.5}). A getter given a default returns it for a field
 * left out. A {@link ModuleType} reads its node through this class only, so a type compiled
 * against Flinox depends on no JSON library.
 */
public final class SpecNode {
    private final JsonNode node;
    private final String path;
    private final ModuleTypes types;

    SpecNode(JsonNode node, String path, ModuleTypes types, List<String> allowed) {
        this.node = node;
        this.path = path;
        this.types = types;
        Iterator<String> names = node.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            if (!allowed.contains(name)) {
                String what = node.has("type") && node.get("type").isTextual()
                        ? "for type " + node.get("type").textValue() : "here";
                throw new ModelSpecException(at(name), "unknown field " + what + suggestion(name, allowed)
                        + "; the fields are " + String.join(", ", allowed));
            }
        }
    }

    /** Where this node is in the spec: {@code module.layers[1]}; empty for the spec itself. */
    public String path() {
        return path;
    }

    /** The path of one of its fields: {@code module.layers[1].alpha}. */
    public String at(String field) {
        return path.isEmpty() ? field : path + "." + field;
    }

    /** Whether the field is given. */
    public boolean has(String field) {
        return node.has(field);
    }

    /**
     * Which of two spellings of one field is given ({@code epsilon} as inox, {@code eps}):
     * the one present, {@code name} when neither is; both is an error.
     */
    public String either(String name, String alias) {
        if (node.has(name) && node.has(alias)) {
            throw new ModelSpecException(at(alias), "is another spelling of " + name + "; give one of them");
        }
        return node.has(alias) ? alias : name;
    }

    /** A positive integer, or null when left out (a size that takes the width coming in). */
    public Integer size(String field) {
        JsonNode v = node.get(field);
        if (v == null) {
            return null;
        }
        if (!v.isIntegralNumber() || !v.canConvertToInt()) {
            throw new ModelSpecException(at(field), "expected a positive integer, got " + describe(v));
        }
        if (v.intValue() <= 0) {
            throw new ModelSpecException(at(field), "expected a positive integer, got " + v.intValue());
        }
        return v.intValue();
    }

    /** A number in [0, 1]. */
    public double fraction(String field, double otherwise) {
        double d = number(field, otherwise);
        if (!(d >= 0 && d <= 1)) {
            throw new ModelSpecException(at(field), "expected a number in [0, 1], got " + d);
        }
        return d;
    }

    /** A finite number >= 0. */
    public double nonNegative(String field, double otherwise) {
        double d = number(field, otherwise);
        if (!(d >= 0) || Double.isInfinite(d)) {
            throw new ModelSpecException(at(field), "expected a finite number >= 0, got " + d);
        }
        return d;
    }

    /** A finite number, or null when left out. */
    public Double finite(String field) {
        return node.has(field) ? number(field, 0) : null;
    }

    /** A finite number. */
    public double number(String field, double otherwise) {
        JsonNode v = node.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
            throw new ModelSpecException(at(field), "expected a number, got " + describe(v));
        }
        return v.doubleValue();
    }

    /** {@code true} or {@code false}. */
    public boolean bool(String field, boolean otherwise) {
        JsonNode v = node.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.isBoolean()) {
            throw new ModelSpecException(at(field), "expected true or false, got " + describe(v));
        }
        return v.booleanValue();
    }

    /** A string. */
    public String string(String field, String otherwise) {
        JsonNode v = node.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.isTextual()) {
            throw new ModelSpecException(at(field), "expected a string, got " + describe(v));
        }
        return v.textValue();
    }

    /** An integer that fits a long. */
    public long integer(String field, long otherwise) {
        JsonNode v = node.get(field);
        if (v == null) {
            return otherwise;
        }
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
            throw new ModelSpecException(at(field), "expected an integer, got " + describe(v));
        }
        return v.longValue();
    }

    /** A module given as this field's value ({@code {"type": ...}}), read by its own type. */
    public ModuleSpec module(String field) {
        return types.read(required(field), at(field));
    }

    /** Modules given as an array in this field, each read by its own type, at {@code field[i]}. */
    public List<ModuleSpec> modules(String field) {
        JsonNode array = required(field);
        if (!array.isArray()) {
            throw new ModelSpecException(at(field), "expected an array of modules, got " + describe(array));
        }
        List<ModuleSpec> read = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            read.add(types.read(array.get(i), at(field) + "[" + i + "]"));
        }
        return read;
    }

    JsonNode required(String field) {
        JsonNode v = node.get(field);
        if (v == null) {
            throw new ModelSpecException(at(field), "missing");
        }
        return v;
    }

    /** A JSON value as a user would recognise it: {@code string "16"}, {@code number 1.5}. */
    static String describe(JsonNode v) {
        return switch (v.getNodeType()) {
            case STRING -> "string " + v;
            case NUMBER -> "number " + v;
            case BOOLEAN -> "boolean " + v;
            case NULL -> "null";
            case ARRAY -> "an array";
            case OBJECT -> "an object";
            default -> v.getNodeType().toString().toLowerCase(Locale.ROOT);
        };
    }

    /** {@code " (did you mean 'momentum'?)"} when one candidate is close, else empty. */
    static String suggestion(String given, Collection<String> candidates) {
        List<String> close = new ArrayList<>();
        for (String c : candidates) {
            if (c.equalsIgnoreCase(given)) {
                return " (did you mean '" + c + "'?)";
            }
            if (LevenshteinDistance.getDefaultInstance().apply(c, given.toLowerCase(Locale.ROOT)) <= 2) {
                close.add(c);
            }
        }
        return close.size() == 1 ? " (did you mean '" + close.get(0) + "'?)" : "";
    }
}
