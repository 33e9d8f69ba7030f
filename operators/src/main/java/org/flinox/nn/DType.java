package org.flinox.nn;

import org.nd4j.linalg.api.buffer.DataType;

/** Element type of a {@link Tensor}: the two floating-point widths a module computes in. */
public enum DType {
    /** IEEE 754 single precision; inox's default for parameters and {@code Moments}. */
    FLOAT32("float32", "<f4", 4),
    /** IEEE 754 double precision; {@code Standardize} keeps its statistics in it. */
    FLOAT64("float64", "<f8", 8);

    private final String numpyName;
    private final String npyDescr;
    private final int bytes;

    DType(String numpyName, String npyDescr, int bytes) {
        this.numpyName = numpyName;
        this.npyDescr = npyDescr;
        this.bytes = bytes;
    }

    /** numpy's name for this type ({@code float32}). */
    public String numpyName() {
        return numpyName;
    }

    /** the {@code .npy} header's little-endian descriptor ({@code <f4}). */
    public String npyDescr() {
        return npyDescr;
    }

    /** bytes per element. */
    public int bytes() {
        return bytes;
    }

    /** Rounds a value to this type: values of a FLOAT32 tensor are always exact floats. */
    public double round(double value) {
        return this == FLOAT32 ? (double) (float) value : value;
    }

    /** The ND4J data type, for the batched {@code INDArray} path. */
    public DataType nd4j() {
        return this == FLOAT32 ? DataType.FLOAT : DataType.DOUBLE;
    }

    /** Parses {@code float32}/{@code float64} (also {@code FLOAT32}, {@code f4}, {@code f8}). */
    public static DType parse(String name) {
        String n = name.trim().toLowerCase(java.util.Locale.ROOT);
        return switch (n) {
            case "float32", "float", "f4", "<f4" -> FLOAT32;
            case "float64", "double", "f8", "<f8" -> FLOAT64;
            default -> throw new IllegalArgumentException("unknown dtype '" + name + "': expected float32 or float64");
        };
    }

    /** The DType of an ND4J data type; only FLOAT and DOUBLE are supported. */
    public static DType of(DataType type) {
        return switch (type) {
            case FLOAT -> FLOAT32;
            case DOUBLE -> FLOAT64;
            default -> throw new IllegalArgumentException("unsupported ND4J data type " + type + ": expected FLOAT or DOUBLE");
        };
    }
}
