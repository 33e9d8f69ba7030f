package org.flinox.nn;

/**
 * What a forward pass returns: the output and the state after it, as inox's
 * {@code y, state = model(x, state)}.
 *
 * @param output {@code double[]} on the per-record path, {@code INDArray} on the batched one
 * @param state the updated state (the input state when nothing changed)
 */
public record Result<Y>(Y output, State state) {}
