package org.flinox.job.spec;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import org.apache.commons.text.similarity.LevenshteinDistance;

/** Reading a spec's JSON strictly, with the path of every error. */
final class Json {

    private Json() {}

    /**
     * The fields of one JSON object at {@code path}. Construction refuses fields outside
     * {@code allowed} (a typo like {@code momentun} is an error, not a silent default);
     * the getters refuse wrong JSON types and out-of-range values.
     */
    static final class Fields {
        private final JsonNode node;
        private final String path;

        Fields(JsonNode node, String path, String... allowed) {
            this.node = node;
            this.path = path;
            List<String> known = List.of(allowed);
            Iterator<String> names = node.fieldNames();
            while (names.hasNext()) {
                String name = names.next();
                if (!known.contains(name)) {
                    String what = node.has("type") && node.get("type").isTextual()
                            ? "for type " + node.get("type").textValue() : "here";
                    throw new ModelSpecException(at(name), "unknown field " + what + suggestion(name, known)
                            + "; the fields are " + String.join(", ", known));
                }
            }
        }

        String at(String field) {
            return path.isEmpty() ? field : path + "." + field;
        }

        /**
         * Which of two spellings of one field is given ({@code epsilon} as inox, {@code eps}):
         * the one present, {@code name} when neither is; both is an error.
         */
        String either(String name, String alias) {
            if (node.has(name) && node.has(alias)) {
                throw new ModelSpecException(at(alias), "is another spelling of " + name + "; give one of them");
            }
            return node.has(alias) ? alias : name;
        }

        JsonNode required(String field) {
            JsonNode v = node.get(field);
            if (v == null) {
                throw new ModelSpecException(at(field), "missing");
            }
            return v;
        }

        /** A positive integer, or null when left out. */
        Integer size(String field) {
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
        double fraction(String field, double otherwise) {
            double d = number(field, otherwise);
            if (!(d >= 0 && d <= 1)) {
                throw new ModelSpecException(at(field), "expected a number in [0, 1], got " + d);
            }
            return d;
        }

        /** A finite number >= 0. */
        double nonNegative(String field, double otherwise) {
            double d = number(field, otherwise);
            if (!(d >= 0) || Double.isInfinite(d)) {
                throw new ModelSpecException(at(field), "expected a finite number >= 0, got " + d);
            }
            return d;
        }

        /** A finite number, or null when left out. */
        Double finite(String field) {
            return node.has(field) ? number(field, 0) : null;
        }

        private double number(String field, double otherwise) {
            JsonNode v = node.get(field);
            if (v == null) {
                return otherwise;
            }
            if (!v.isNumber() || !Double.isFinite(v.doubleValue())) {
                throw new ModelSpecException(at(field), "expected a number, got " + describe(v));
            }
            return v.doubleValue();
        }

        boolean bool(String field, boolean otherwise) {
            JsonNode v = node.get(field);
            if (v == null) {
                return otherwise;
            }
            if (!v.isBoolean()) {
                throw new ModelSpecException(at(field), "expected true or false, got " + describe(v));
            }
            return v.booleanValue();
        }

        String string(String field, String otherwise) {
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
        long integer(String field, long otherwise) {
            JsonNode v = node.get(field);
            if (v == null) {
                return otherwise;
            }
            if (!v.isIntegralNumber() || !v.canConvertToLong()) {
                throw new ModelSpecException(at(field), "expected an integer, got " + describe(v));
            }
            return v.longValue();
        }
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
            default -> v.getNodeType().toString().toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** {@code " (did you mean 'momentum'?)"} when one candidate is close, else empty. */
    static String suggestion(String given, Collection<String> candidates) {
        List<String> close = new ArrayList<>();
        for (String c : candidates) {
            if (c.equalsIgnoreCase(given)) {
                return " (did you mean '" + c + "'?)";
            }
            if (LevenshteinDistance.getDefaultInstance().apply(c, given.toLowerCase(java.util.Locale.ROOT)) <= 2) {
                close.add(c);
            }
        }
        return close.size() == 1 ? " (did you mean '" + close.get(0) + "'?)" : "";
    }
}
