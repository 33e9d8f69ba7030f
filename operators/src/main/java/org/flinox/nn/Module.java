package org.flinox.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * A module: a pure function {@code (x, state) -> (y, state')}. Parameters are fixed at
 * construction and shared by every stream key; everything that changes per stream key
 * lives in the {@link State} the caller passes in and gets back.
 *
 * <p>Two paths compute the same function:
 * <ul>
 *   <li>{@link #forward(double[], State)} handles one record with plain Java loops: no ND4J
 *       call, no {@code INDArray}. A Flink operator calls it once per record.
 *   <li>{@link #forward(INDArray, State)} takes {@code [features]} or a batch
 *       {@code [B, features]} through ND4J ops. A stateful module then takes state with the
 *       same leading dimension, one row per stream key ({@link State#stack}).
 * </ul>
 *
 * Implementations are records, so that {@link StateExport} and {@link Parameters} can walk
 * them; a module never mutates a parameter or a state array. A module can be written in
 * any package with public API alone ({@link Tensor#like} for the per-record path,
 * {@link Batched} for the batched one): see "Writing a module" in the package documentation.
 */
public interface Module {

    /** One record: {@code x} has the module's input width. */
    Result<double[]> forward(double[] x, State state);

    /** One record {@code [in]} or a batch {@code [B, in]}. */
    Result<INDArray> forward(INDArray x, State state);
}
