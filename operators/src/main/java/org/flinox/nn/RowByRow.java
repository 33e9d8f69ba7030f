package org.flinox.nn;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.nd4j.linalg.api.buffer.DataType;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * The default batched path of {@link Module} and {@link Layer}: the per-record forward on
 * each row of {@code [B, in]}, with that row's state ({@code jax.vmap} over the state
 * dictionary), so that a module computes its math once and both paths give the same values.
 */
final class RowByRow {

    private RowByRow() {}

    /** {@link Module#forward(INDArray, State)} as {@code module}'s per-record forward on each row. */
    static Result<INDArray> forward(Module module, INDArray x, State state) {
        DataType type = outputType(x);
        if (x.rank() == 1) {
            Result<double[]> r = module.forward(x.toDoubleVector(), state);
            return new Result<>(vector(r.output(), type), r.state());
        }
        double[][] rows = matrix(module, x);
        boolean stateless = state.size() == 0;
        List<State> states = stateless ? null : rowsOf(state, rows.length);
        double[][] ys = new double[rows.length][];
        List<State> next = new ArrayList<>(rows.length);
        for (int b = 0; b < rows.length; b++) {
            Result<double[]> r;
            try {
                r = module.forward(rows[b], stateless ? state : states.get(b));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage() + " (row " + b + " of a batch of " + rows.length
                        + ", whose state is stacked one row per record with State.stack)", e);
            }
            ys[b] = r.output();
            next.add(r.state());
        }
        return new Result<>(matrix(module, ys, type), stateless ? state : State.stack(next));
    }

    /** {@link Layer#apply(INDArray)} as {@code layer}'s per-record apply on each row. */
    static INDArray apply(Layer layer, INDArray x) {
        DataType type = outputType(x);
        if (x.rank() == 1) {
            return vector(layer.apply(x.toDoubleVector()), type);
        }
        double[][] rows = matrix(layer, x);
        double[][] ys = new double[rows.length][];
        for (int b = 0; b < rows.length; b++) {
            ys[b] = layer.apply(rows[b]);
        }
        return matrix(layer, ys, type);
    }

    /** The rows of {@code x [B, in]}, copied out of ND4J in one call (one call per row costs microseconds each). */
    private static double[][] matrix(Module module, INDArray x) {
        if (x.rank() != 2 || x.size(0) == 0) {
            throw new IllegalArgumentException(name(module) + " takes [features] or [batch, features] with at least"
                    + " one row, got shape " + Arrays.toString(x.shape()));
        }
        int rows = Math.toIntExact(x.size(0));
        int width = Math.toIntExact(x.size(1));
        double[] flat = x.dup('c').reshape(x.length()).toDoubleVector();
        double[][] m = new double[rows][];
        for (int b = 0; b < rows; b++) {
            m[b] = Arrays.copyOfRange(flat, b * width, (b + 1) * width);
        }
        return m;
    }

    /** The state of each row; the state must be stacked, one row per record. */
    private static List<State> rowsOf(State state, int rows) {
        for (int i = 0; i < state.size(); i++) {
            Tensor t = state.valueAt(i);
            if (t.rank() == 0 || t.dim(0) != rows) {
                throw new IllegalArgumentException("batched input has " + rows + " rows but state "
                        + state.keyAt(i).name() + " is " + t.layout() + "; stack one state per row with State.stack");
            }
        }
        return state.unstack();
    }

    private static INDArray vector(double[] y, DataType type) {
        return Nd4j.create(y, new long[] {y.length}, type);
    }

    /** {@code ys} as one {@code [B, out]} array of {@code type}, made in one call. */
    private static INDArray matrix(Module module, double[][] ys, DataType type) {
        int width = ys[0].length;
        double[] flat = new double[ys.length * width];
        for (int b = 0; b < ys.length; b++) {
            if (ys[b].length != width) {
                throw new IllegalStateException(name(module) + " gave outputs of " + width + " and "
                        + ys[b].length + " values in one batch");
            }
            System.arraycopy(ys[b], 0, flat, b * width, width);
        }
        return Nd4j.create(flat, new long[] {ys.length, width}, type);
    }

    /** The input's data type for a FLOAT or DOUBLE input; DOUBLE, what the per-record path computes in, otherwise. */
    private static DataType outputType(INDArray x) {
        return x.dataType() == DataType.FLOAT ? DataType.FLOAT : DataType.DOUBLE;
    }

    private static String name(Module module) {
        return module.getClass().getSimpleName();
    }
}
