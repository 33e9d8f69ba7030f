package org.flinox.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;

/**
 * The batched path's view of an input, for a module that overrides
 * {@link Module#forward(INDArray, State)} with ND4J ops (where a benchmark measured that
 * cheaper than the default, the per-record forward row by row): a single record
 * {@code [features]} is treated as a batch of one, {@code [B, features]} as it is. State is
 * read and written one row per stream key ({@link State#stack}), and the output gets the
 * input's rank back. It uses public API only, as a module in any package can:
 *
 * <pre>{@code
 * Batched b = Batched.of(x, state.get(level), "MyModule"); // x as [B, n]: the entry's dtype and width
 * INDArray old = b.stateRows(state, level);                 // [B, n]
 * INDArray y = b.matrix().add(old);                         // [B, n], the module's math
 * return new Result<>(b.restore(y), state.with(level, b.value(state, level, y)));
 * }</pre>
 *
 * @param matrix the input as {@code [B, features]}
 * @param wasVector whether the input was one record {@code [features]}
 */
public record Batched(INDArray matrix, boolean wasVector) {

    public Batched {
        if (matrix.rank() != 2) {
            throw new IllegalArgumentException("a batch is [batch, features], got shape " + Arrays.toString(matrix.shape()));
        }
    }

    /**
     * {@code x} as a {@code [B, features]} matrix of {@code dtype}.
     *
     * @param features the width {@code x} must have, or -1 for any
     * @param module the module's name, for the error messages
     * @throws IllegalArgumentException when {@code x} is neither {@code [features]} nor
     *     {@code [B, features]}
     */
    public static Batched of(INDArray x, DType dtype, int features, String module) {
        INDArray m = x.castTo(dtype.nd4j());
        boolean vector = m.rank() == 1;
        if (vector) {
            m = m.reshape(1, m.length());
        } else if (m.rank() != 2) {
            throw new IllegalArgumentException(module + " takes [features] or [batch, features], got shape "
                    + Arrays.toString(m.shape()));
        }
        if (features >= 0 && m.size(1) != features) {
            throw new IllegalArgumentException(module + " expects " + features + " features, got "
                    + m.size(1));
        }
        return new Batched(m, vector);
    }

    /**
     * {@code x} as a {@code [B, features]} matrix of the dtype and width of a state entry's
     * value {@code state}: {@code [features]}, or {@code [B, features]} when stacked.
     *
     * @throws IllegalArgumentException as {@link #of(INDArray, DType, int, String)} does
     */
    public static Batched of(INDArray x, Tensor state, String module) {
        return of(x, state.dtype(), state.dim(state.rank() - 1), module);
    }

    /** {@code y [B, out]} with the input's rank: {@code [out]} when the input was a vector. */
    public INDArray restore(INDArray y) {
        return wasVector ? y.reshape(y.size(1)) : y;
    }

    /** Rows in the batch. */
    public long rows() {
        return matrix.size(0);
    }

    /**
     * The state entry {@code ref} as {@code [B, n]}, one row per row of the batch: the state
     * {@code [n]} for a vector input, the stacked state {@code [B, n]} for a batch. The array
     * is a view of the state: read it, never write to it.
     *
     * @throws IllegalArgumentException when the state's rows do not match the batch's
     */
    public INDArray stateRows(State state, StateRef ref) {
        StateKey key = ref.key();
        INDArray s = state.get(key).asINDArray();
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

    /**
     * New rows {@code [B, n]} of the state entry {@code ref} as a value of that entry, in its
     * own shape and dtype (the inverse of {@link #stateRows}), for {@link State#with}.
     *
     * @throws IllegalArgumentException when the rows do not hold the entry's size
     */
    public Tensor value(State state, StateRef ref, INDArray rows) {
        Tensor current = state.get(ref);
        if (rows.length() != current.size()) {
            throw new IllegalArgumentException("new rows " + Arrays.toString(rows.shape()) + " for state "
                    + ref.key().name() + ", which is " + current.layout());
        }
        return Tensor.of(rows.castTo(current.dtype().nd4j())).reshape(current.shape());
    }
}
