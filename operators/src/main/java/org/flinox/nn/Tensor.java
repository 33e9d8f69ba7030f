package org.flinox.nn;

import java.util.Arrays;
import org.nd4j.linalg.api.ndarray.INDArray;
import org.nd4j.linalg.factory.Nd4j;

/**
 * An immutable, dense, row-major array of a {@link DType} and a shape.
 *
 * <p>Why not {@code INDArray} everywhere: an ND4J call costs microseconds of JNI overhead,
 * while a Flink operator spends about ten microseconds on a whole record. Parameters and
 * state therefore live in plain Java arrays, and modules compute per record with loops;
 * {@link #toINDArray()} and {@link #of(INDArray)} are the bridges for batched evaluation,
 * {@code .npz} files and users who work in ND4J.
 *
 * <p>Values are kept as doubles, and every way to make a tensor rounds them to its dtype
 * ({@link #of}, {@link #like}, {@link #adopt}, {@link #full}, {@link #cast}, ...): a FLOAT32
 * tensor holds exact floats, so a float32 state entry in memory always equals what a state
 * serializer writes of it and reads back, and no module rounds by hand.
 */
public final class Tensor {
    private final DType dtype;
    private final int[] shape;
    private final double[] data;
    private volatile INDArray nd; // lazily built by asINDArray()

    private Tensor(DType dtype, int[] shape, double[] data) {
        this.dtype = dtype;
        this.shape = shape;
        this.data = data;
    }

    /** A tensor holding a copy of {@code data} (row-major), rounded to {@code dtype}. */
    public static Tensor of(DType dtype, int[] shape, double... data) {
        int[] s = shape.clone();
        checkShape(s, data.length);
        double[] d = new double[data.length];
        for (int i = 0; i < d.length; i++) {
            d[i] = dtype.round(data[i]);
        }
        return new Tensor(dtype, s, d);
    }

    /** A 1-D tensor of the given values. */
    public static Tensor vector(DType dtype, double... data) {
        return of(dtype, new int[] {data.length}, data);
    }

    /**
     * A tensor that takes ownership of {@code data} without copying it, rounding its values
     * to {@code dtype} in place: the caller must not touch the array afterwards. For
     * deserializers, where a copy per record shows.
     */
    public static Tensor adopt(DType dtype, int[] shape, double[] data) {
        checkShape(shape, data.length);
        return new Tensor(dtype, shape.clone(), rounded(dtype, data));
    }

    /**
     * A tensor of this one's dtype and shape holding {@code data}, adopted without a copy and
     * rounded to the dtype in place (a float32 entry gets exact floats whatever the module
     * computed in): the caller must not touch the array afterwards. The shape is shared,
     * never copied. This is how a module's per-record path returns a new state value.
     *
     * @throws IllegalArgumentException when {@code data} does not hold this tensor's size
     */
    public Tensor like(double[] data) {
        if (data.length != this.data.length) {
            throw new IllegalArgumentException(layout() + " holds " + this.data.length + " values, got " + data.length);
        }
        return new Tensor(dtype, shape, rounded(dtype, data));
    }

    /** {@code data}, its values rounded to {@code dtype} in place. */
    private static double[] rounded(DType dtype, double[] data) {
        if (dtype == DType.FLOAT32) {
            for (int i = 0; i < data.length; i++) {
                data[i] = (float) data[i];
            }
        }
        return data;
    }

    /** All zeros. */
    public static Tensor zeros(DType dtype, int... shape) {
        return full(dtype, 0.0, shape);
    }

    /** All ones. */
    public static Tensor ones(DType dtype, int... shape) {
        return full(dtype, 1.0, shape);
    }

    /** Every element equal to {@code value}. */
    public static Tensor full(DType dtype, double value, int... shape) {
        double[] d = new double[sizeOf(shape)];
        Arrays.fill(d, dtype.round(value));
        return new Tensor(dtype, shape.clone(), d);
    }

    /** A copy of an ND4J array (FLOAT or DOUBLE). */
    public static Tensor of(INDArray array) {
        DType dtype = DType.of(array.dataType());
        long[] ls = array.shape();
        int[] s = new int[ls.length];
        for (int i = 0; i < ls.length; i++) {
            s[i] = Math.toIntExact(ls[i]);
        }
        double[] d = array.isEmpty() ? new double[0] : array.dup('c').reshape(array.length()).toDoubleVector();
        return of(dtype, s, d);
    }

    /** A new ND4J array with a copy of this tensor's values. */
    public INDArray toINDArray() {
        return asINDArray().dup();
    }

    /**
     * This tensor as an ND4J array, built once and then shared (no copy per call): for a
     * batched path's ops, which return new arrays. Never write into it, not even through an
     * in-place op ({@code addi}, {@code assign}, a {@code Transforms} call with {@code dup}
     * false): it would change this tensor, which every stream key shares.
     * {@link #toINDArray()} is the copy to write into.
     */
    public INDArray asINDArray() {
        INDArray a = nd;
        if (a == null) {
            long[] ls = new long[shape.length];
            for (int i = 0; i < shape.length; i++) {
                ls[i] = shape[i];
            }
            a = Nd4j.create(data, ls, dtype.nd4j());
            nd = a;
        }
        return a;
    }

    public DType dtype() {
        return dtype;
    }

    /** A copy of the shape. */
    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Length of dimension {@code axis}. */
    public int dim(int axis) {
        return shape[axis];
    }

    /** Number of elements. */
    public int size() {
        return data.length;
    }

    /** Element {@code i} in row-major order. */
    public double get(int i) {
        return data[i];
    }

    /** A copy of the values in row-major order. */
    public double[] toArray() {
        return data.clone();
    }

    /** True when both have the same dtype and shape. */
    public boolean sameLayout(Tensor other) {
        return dtype == other.dtype && Arrays.equals(shape, other.shape);
    }

    /** Shape and dtype as numpy would print them: {@code float32[3, 4]}. */
    public String layout() {
        return dtype.numpyName() + Arrays.toString(shape);
    }

    /** This tensor's values with another shape of the same size. */
    public Tensor reshape(int... newShape) {
        checkShape(newShape, data.length);
        return new Tensor(dtype, newShape.clone(), data);
    }

    /** This tensor's values converted to another dtype. */
    public Tensor cast(DType to) {
        return to == dtype ? this : of(to, shape, data);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Tensor t && dtype == t.dtype && Arrays.equals(shape, t.shape) && Arrays.equals(data, t.data);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * dtype.hashCode() + Arrays.hashCode(shape)) + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        String values = data.length <= 16 ? Arrays.toString(data) : "[" + data[0] + ", ... (" + data.length + " values)]";
        return layout() + values;
    }

    static int sizeOf(int[] shape) {
        long n = 1;
        for (int d : shape) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            }
            n *= d;
        }
        return Math.toIntExact(n);
    }

    private static void checkShape(int[] shape, int length) {
        if (sizeOf(shape) != length) {
            throw new IllegalArgumentException(
                    "shape " + Arrays.toString(shape) + " holds " + sizeOf(shape) + " values, got " + length);
        }
    }
}
