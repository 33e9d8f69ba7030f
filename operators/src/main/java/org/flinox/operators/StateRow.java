package org.flinox.operators;

import org.flinox.nn.Tensor;

/**
 * One state entry of one stream key, as {@code inspect} prints it, {@code bootstrap} reads
 * it and a bounded run's final state is written.
 *
 * @param key the stream key
 * @param stateKey the StateKey's name ({@code .mean}), the Flink state descriptor's name
 * @param value the entry's value
 */
public record StateRow(String key, String stateKey, Tensor value) {}
