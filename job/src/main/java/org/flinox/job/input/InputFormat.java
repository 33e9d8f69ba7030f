package org.flinox.job.input;

import java.util.Locale;

/** The two record formats the job reads: CSV with a header line, and JSON lines. */
public enum InputFormat {
    /** comma-separated values, RFC 4180 quoting, the first line of each file is the header */
    CSV,
    /** one JSON object per line */
    JSONL;

    /**
     * The format a file's extension names: {@code .csv} is CSV; {@code .jsonl}, {@code .json} and
     * {@code .ndjson} are JSON lines (case-insensitive), each also when compressed
     * ({@code data.csv.gz}: the extension before the one the file is decompressed by,
     * {@link InputFiles#isCompressed}).
     *
     * @throws IllegalArgumentException for any other extension, naming the file
     */
    public static InputFormat fromPath(String path) {
        String name = path.replace('\\', '/');
        name = name.substring(name.lastIndexOf('/') + 1);
        name = InputFiles.withoutCompression(name).toLowerCase(Locale.ROOT); // data.csv.gz is CSV, read through gzip
        if (name.endsWith(".csv")) {
            return CSV;
        }
        if (name.endsWith(".jsonl") || name.endsWith(".json") || name.endsWith(".ndjson")) {
            return JSONL;
        }
        throw new IllegalArgumentException(
                "cannot tell the format of '" + path + "' from its extension: expected .csv, "
                        + ".jsonl, .json or .ndjson; give --format csv|jsonl");
    }

    /** The format by its lower-case CLI name ({@code csv}, {@code jsonl}). */
    public static InputFormat fromName(String name) {
        for (InputFormat f : values()) {
            if (f.name().equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("unknown format '" + name + "': expected csv or jsonl");
    }
}
