package org.flinox.nn;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The header of an {@code .npy} file: a Python dict literal such as
 * {@code {'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }}, padded with spaces and
 * a newline. numpy reads it with {@code ast.literal_eval}; this reads the subset numpy writes
 * (string keys; string, {@code True}/{@code False} and int-tuple values) and refuses anything
 * else, including a key given twice, instead of guessing. Values come back as {@link String},
 * {@link Boolean} and {@code int[]}.
 */
final class NpyHeaderDict {
    private final String text;
    private int pos;

    private NpyHeaderDict(String text) {
        this.text = text;
    }

    /** The dict's entries in order; an {@link IllegalArgumentException} quotes the header. */
    static Map<String, Object> parse(String header) {
        return new NpyHeaderDict(header).dict();
    }

    private Map<String, Object> dict() {
        Map<String, Object> out = new LinkedHashMap<>();
        expect('{');
        while (true) {
            if (peek() == '}') {
                pos++;
                break;
            }
            String key = string();
            expect(':');
            Object value = value();
            if (out.put(key, value) != null) {
                throw fail("the key '" + key + "' appears twice");
            }
            if (peek() == ',') {
                pos++;
            } else if (peek() != '}') {
                throw fail("expected ',' or '}'");
            }
        }
        if (peek() != -1) {
            throw fail("unexpected text after the dict");
        }
        return out;
    }

    private Object value() {
        int c = peek();
        if (c == '\'' || c == '"') {
            return string();
        }
        if (c == '(') {
            return tuple();
        }
        if (text.startsWith("True", pos)) {
            pos += 4;
            return Boolean.TRUE;
        }
        if (text.startsWith("False", pos)) {
            pos += 5;
            return Boolean.FALSE;
        }
        throw fail("expected a string, True, False or a tuple");
    }

    private int[] tuple() {
        expect('(');
        List<Integer> dims = new ArrayList<>();
        while (true) {
            if (peek() == ')') {
                pos++;
                break;
            }
            dims.add(dimension());
            if (peek() == ',') {
                pos++;
            } else if (peek() != ')') {
                throw fail("expected ',' or ')' in the shape");
            }
        }
        return dims.stream().mapToInt(Integer::intValue).toArray();
    }

    private int dimension() {
        skipBlanks();
        int start = pos;
        while (pos < text.length() && Character.isDigit(text.charAt(pos))) {
            pos++;
        }
        if (start == pos) {
            throw fail("a dimension must be a non-negative integer");
        }
        String digits = text.substring(start, pos);
        if (pos < text.length() && text.charAt(pos) == 'L') {
            pos++; // a Python 2 long, in old files
        }
        try {
            return Integer.parseInt(digits);
        } catch (NumberFormatException e) {
            throw fail("the dimension " + digits + " is larger than " + Integer.MAX_VALUE);
        }
    }

    private String string() {
        skipBlanks();
        if (pos >= text.length()) {
            throw fail("expected a quoted string");
        }
        char quote = text.charAt(pos);
        if (quote != '\'' && quote != '"') {
            throw fail("expected a quoted string");
        }
        int end = text.indexOf(quote, pos + 1);
        if (end < 0) {
            throw fail("unterminated string");
        }
        String s = text.substring(pos + 1, end);
        if (s.indexOf('\\') >= 0) {
            throw fail("escapes in a string are not supported");
        }
        pos = end + 1;
        return s;
    }

    private void expect(char c) {
        if (peek() != c) {
            throw fail("expected '" + c + "'");
        }
        pos++;
    }

    /** The next character after blanks, or -1 at the end. */
    private int peek() {
        skipBlanks();
        return pos < text.length() ? text.charAt(pos) : -1;
    }

    private void skipBlanks() {
        while (pos < text.length() && Character.isWhitespace(text.charAt(pos))) {
            pos++;
        }
    }

    private IllegalArgumentException fail(String what) {
        return new IllegalArgumentException("the .npy header is not one numpy reads (" + what + " at character "
                + pos + "): " + text.strip());
    }
}
