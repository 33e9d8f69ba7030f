package org.flinox.nn;

import java.util.Map;
import java.util.TreeMap;

/**
 * When two spellings of a path name the same array: inox writes a module's attributes in
 * snake_case ({@code .lin_h.weight}, {@code .in_stats.first}) and wraps every parameter in
 * a {@code Parameter} whose array is its {@code .value}; Java record components are
 * camelCase ({@code .linH.weight}, {@code .inStats.first}). A path's canonical form turns
 * each attribute segment's {@code _x} into {@code X} and drops a trailing {@code .value},
 * so {@code .lin_h.weight.value}, {@code .lin_h.weight} and {@code .linH.weight} are one
 * path. Map keys ({@code ['a_b']}) and indices ({@code [2]}) are kept as written.
 */
final class ParameterNames {

    private static final String VALUE = ".value";

    private ParameterNames() {}

    /** The canonical form of {@code path}. */
    static String canonical(String path) {
        StringBuilder out = new StringBuilder(path.length());
        boolean inBrackets = false;
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (c == '[') {
                inBrackets = true;
            } else if (c == ']') {
                inBrackets = false;
            } else if (!inBrackets && c == '_' && i + 1 < path.length() && i > 0 && path.charAt(i - 1) != '.'
                    && Character.isLetterOrDigit(path.charAt(i + 1))) {
                out.append(Character.toUpperCase(path.charAt(++i)));
                continue;
            }
            out.append(c);
        }
        String s = out.toString();
        return s.endsWith(VALUE) && s.length() > VALUE.length() ? s.substring(0, s.length() - VALUE.length()) : s;
    }

    /**
     * The arrays by canonical path, each with the name it was given.
     *
     * @throws IllegalArgumentException when two names are spellings of one path, naming both
     */
    static <V> Map<String, Map.Entry<String, V>> byCanonical(Map<String, V> arrays, String source) {
        TreeMap<String, Map.Entry<String, V>> out = new TreeMap<>();
        TreeMap<String, String> clashes = new TreeMap<>();
        for (Map.Entry<String, V> e : new TreeMap<>(arrays).entrySet()) {
            String key = canonical(e.getKey());
            Map.Entry<String, V> previous = out.putIfAbsent(key, Map.entry(e.getKey(), e.getValue()));
            if (previous != null) {
                clashes.merge(key, previous.getKey() + " and " + e.getKey(), (a, b) -> a + ", " + e.getKey());
            }
        }
        if (!clashes.isEmpty()) {
            StringBuilder m = new StringBuilder("cannot load parameters from " + source
                    + ": it names one path twice (snake_case and camelCase spellings, and a trailing .value,"
                    + " name the same path); keep one of each:");
            clashes.forEach((key, names) -> m.append("\n  ").append(names).append(" are all ").append(key));
            throw new IllegalArgumentException(m.toString());
        }
        return out;
    }
}
