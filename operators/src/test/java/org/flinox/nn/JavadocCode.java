package org.flinox.nn;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The {@code <pre>{@code ...}</pre>} blocks of a source file's doc comments, as the code a
 * reader copies from them, so that a test can hold a documented example to the code it runs.
 * Test code; public so that tests in other packages can use it.
 */
public final class JavadocCode {

    private static final String OPEN = "<pre>{@code";
    private static final String CLOSE = "}</pre>";

    private JavadocCode() {}

    /** Every block of {@code file}, in order, each line without the comment's {@code " * "}. */
    public static List<String> blocks(Path file) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
        }
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String raw : lines) {
            String line = raw.replaceFirst("^\\s*\\* ?", "");
            if (block == null && line.equals(OPEN)) {
                block = new StringBuilder();
            } else if (block != null && line.equals(CLOSE)) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        if (block != null) {
            throw new IllegalStateException(file + ": a " + OPEN + " block is never closed by " + CLOSE);
        }
        return blocks;
    }

    /** The lines of {@code file} strictly between the lines {@code begin} and {@code end}, with {@code indent} spaces removed. */
    public static String between(Path file, String begin, String end, int indent) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file.toAbsolutePath(), e);
        }
        int from = indexOfTrimmed(lines, begin, 0, file);
        int to = indexOfTrimmed(lines, end, from + 1, file);
        StringBuilder out = new StringBuilder();
        String prefix = " ".repeat(indent);
        for (String line : lines.subList(from + 1, to)) {
            out.append(line.startsWith(prefix) ? line.substring(indent) : line.strip()).append('\n');
        }
        return out.toString();
    }

    private static int indexOfTrimmed(List<String> lines, String marker, int from, Path file) {
        for (int i = from; i < lines.size(); i++) {
            if (lines.get(i).strip().equals(marker)) {
                return i;
            }
        }
        throw new IllegalStateException(file + " has no line " + marker);
    }
}
