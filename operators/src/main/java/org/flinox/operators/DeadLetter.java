package org.flinox.operators;

/**
 * A record that could not be used, with why. The key's state is untouched by it.
 *
 * @param source the input's name
 * @param seq the record's position in its source
 * @param key the stream key, or null when it could not be read
 * @param raw the record as it was read
 * @param reason the kind of problem
 * @param detail what exactly was wrong, for a person ("field 'b' is not a number: 'x1'")
 */
public record DeadLetter(String source, long seq, String key, String raw, DeadLetterReason reason, String detail) {}
