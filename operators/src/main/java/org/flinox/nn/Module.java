package org.flinox.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A module: a pure function {@code (x, state) -> (y, state')}. Parameters are fixed at
 * construction and shared by every stream key; everything that changes per stream key
 * lives in the {@link State} the caller passes in and gets back.
 *
 * <p>A module is written once, per record: {@link #forward(double[], State)}, in plain Java
 * loops with no ND4J call (a Flink operator calls it once per record, and an ND4J call costs
 * tens of microseconds). {@link #forward(INDArray, State)}, one record {@code [in]} or a
 * batch {@code [B, in]} with the state stacked one row per stream key ({@link State#stack}),
 * runs that forward row by row by default, as {@code jax.vmap} batches an inox module from
 * outside. A built-in overrides it only where a benchmark measured an ND4J batch cheaper
 * (BENCHMARKS.md, B4, over 256 keys: the MLP of hidden width 256, through {@link Linear},
 * {@link Moments}, {@link Sequential} and {@link MLP}; the recurrent cells {@link GRUCell}
 * and {@link LSTMCell}; the {@link Activation}s inside a wide network).
 *
 * <p>Implementations are records, so that {@link StateExport} and {@link Parameters} can walk
 * them; a module never mutates a parameter or a state array. A module can be written in
 * any package with public API alone: see "Writing a module" in the package documentation.
 */
public interface Module {

    /** One record: {@code x} has the module's input width. */
    Result<double[]> forward(double[] x, State state);

    /**
     * One record {@code [in]}, with the state as it is, or a batch {@code [B, in]}, with each
     * state value stacked one row per record ({@link State#stack}; a stateless tree's empty
     * state passes through): by default {@link #forward(double[], State)} on each row and its
     * own state. The output has the input's rank, and is {@code FLOAT} for a {@code FLOAT}
     * input, {@code DOUBLE} otherwise; the state comes back stacked as it went in.
     *
     * @throws IllegalArgumentException for an input of another rank, or a stacked state whose
     *     rows are not the batch's
     */
    default Result<INDArray> forward(INDArray x, State state) {
        return RowByRow.forward(this, x, state);
    }
}
