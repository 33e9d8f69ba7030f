package org.flinox.job.input;

import org.flinox.operators.DeadLetterReason;

/**
 * One line of an input, before parsing.
 *
 * @param source the input's name: a file's path relative to the job's {@code --input} (its
 *     name for a file at the top), or a Kafka topic and partition
 * @param seq the line's position among the source's data rows, from 0 (a CSV header is not
 *     a data row)
 * @param text the line without its line terminator; for a line that could not be read, what
 *     could be made of it for a person to look at (null when nothing could)
 * @param header the CSV header line of the file, or null for JSON lines
 * @param problem why the line could not be read as text ({@link DeadLetterReason#INVALID_UTF8},
 *     {@link DeadLetterReason#DAMAGED_FILE}), or null for a line that was read
 * @param problemDetail what exactly went wrong, for a person; null when {@code problem} is
 */
public record RawLine(String source, long seq, String text, String header, DeadLetterReason problem,
        String problemDetail) {

    /** A line read as text. */
    public RawLine(String source, long seq, String text, String header) {
        this(source, seq, text, header, null, null);
    }
}
