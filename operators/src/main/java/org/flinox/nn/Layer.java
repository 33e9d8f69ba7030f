package org.flinox.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/** A module without state: {@code y = f(x)}, the state passes through untouched. */
public interface Layer extends Module {

    /** One record. */
    double[] apply(double[] x);

    /**
     * One record {@code [in]} or a batch {@code [B, in]}: by default {@link #apply(double[])}
     * on each row, the output {@code FLOAT} for a {@code FLOAT} input, {@code DOUBLE} otherwise.
     */
    default INDArray apply(INDArray x) {
        return RowByRow.apply(this, x);
    }

    @Override
    default Result<double[]> forward(double[] x, State state) {
        return new Result<>(apply(x), state);
    }

    @Override
    default Result<INDArray> forward(INDArray x, State state) {
        return new Result<>(apply(x), state);
    }
}
