package org.flinox.operators;

/**
 * One output of the model for one accepted record.
 *
 * @param key the stream key
 * @param source the input's name
 * @param seq the record's position in its source
 * @param output the forward pass's output (z-scores for {@code Standardize})
 */
public record ModelOutput(String key, String source, long seq, double[] output) {}
