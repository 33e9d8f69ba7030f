package org.flinox.job.input;

/**
 * A line with the key its record will have ({@link RecordParser#routingKey}), so it can be
 * keyed before it is parsed: the key is read once, by the reader, and the parse runs at the
 * model's parallelism, each key's lines in order.
 */
public record KeyedLine(String key, RawLine line) {}
