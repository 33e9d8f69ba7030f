package org.flinox.nn;

import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The batched path's view of an input: {@code [features]} is treated as a batch of one,
 * {@code [B, features]} as it is, and the output gets the input's rank back.
 */
record Batched(INDArray matrix, boolean wasVector) {

    /** {@code x} as a {@code [B, features]} matrix of {@code dtype}. */
    static Batched of(INDArray x, DType dtype, int features, String module) {
        INDArray m = x.castTo(dtype.nd4j());
        boolean vector = m.rank() == 1;
        if (vector) {
            m = m.reshape(1, m.length());
        } else if (m.rank() != 2) {
            throw new IllegalArgumentException(module + " takes [features] or [batch, features], got shape "
                    + java.util.Arrays.toString(m.shape()));
        }
        if (features >= 0 && m.size(1) != features) {
            throw new IllegalArgumentException(module + " expects " + features + " features, got "
                    + m.size(1));
        }
        return new Batched(m, vector);
    }

    /** {@code y [B, out]} with the input's rank: {@code [out]} when the input was a vector. */
    INDArray restore(INDArray y) {
        return wasVector ? y.reshape(y.size(1)) : y;
    }

    /** Rows in the batch. */
    long rows() {
        return matrix.size(0);
    }

    /**
     * A state value for this batch: {@code [n]} for a vector input, {@code [B, n]} (one row
     * per stream key) for a batch.
     */
    INDArray stateRows(State state, StateKey key) {
        INDArray s = state.get(key).nd();
        if (wasVector) {
            if (s.rank() != 1) {
                throw new IllegalArgumentException("a single record takes state " + key.name() + " as a vector, got "
                        + state.get(key).layout() + "; for stacked state pass a [batch, features] input");
            }
            return s.reshape(1, s.length());
        }
        if (s.rank() != 2 || s.size(0) != rows()) {
            throw new IllegalArgumentException("batched input has " + rows() + " rows but state " + key.name()
                    + " is " + state.get(key).layout() + "; stack one state per row with State.stack");
        }
        return s;
    }

    /** A state value computed as {@code [B, n]} back in the state's own shape. */
    Tensor stateValue(INDArray rows, State state, StateKey key) {
        Tensor current = state.get(key);
        return Tensor.of(rows.castTo(current.dtype().nd4j())).reshape(current.shape());
    }
}
