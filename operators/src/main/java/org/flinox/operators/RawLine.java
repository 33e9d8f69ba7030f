package org.flinox.operators;

/**
 * One line of an input, before parsing.
 *
 * @param source the input's name (the file name)
 * @param seq the line's position among the source's data rows, from 0 (a CSV header is not
 *     a data row)
 * @param text the line without its line terminator
 * @param header the CSV header line of the file, or null for JSON lines
 */
public record RawLine(String source, long seq, String text, String header) {}
