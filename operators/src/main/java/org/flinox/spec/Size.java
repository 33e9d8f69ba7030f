package org.flinox.spec;

/**
 * What one node of a spec's tree allocates, for the memory check before anything is built
 * ({@code {"type":"mlp","hidden":30000}} is refused with the node, the size and the memory
 * available instead of an {@code OutOfMemoryError}): its parameters plus its initial state,
 * counted in values (each held as a Java {@code double}, whatever its dtype), and its largest
 * single array. Sizes saturate at {@link Long#MAX_VALUE} instead of overflowing; build them
 * with {@link #of} and {@link #mul}.
 *
 * @param values parameters plus initial state, in values
 * @param largestArray the values of its largest single array
 */
public record Size(long values, long largestArray) {

    /** A node that allocates nothing of its own (an activation, a container). */
    public static final Size NONE = new Size(0, 0);

    /** A node of these arrays, each given by its number of values. */
    public static Size of(long... arrays) {
        long total = 0;
        long largest = 0;
        for (long a : arrays) {
            total = add(total, a);
            largest = Math.max(largest, a);
        }
        return new Size(total, largest);
    }

    /**
     * A recurrent cell of {@code gates} gates and {@code states} per-key vectors: linH
     * H×gH, linX in×gH, their biases gH each (with {@code bias}), each state H.
     */
    static Size recurrent(long in, long hidden, int gates, int states, boolean bias) {
        long gated = mul(gates, hidden);
        long[] arrays = new long[2 + (bias ? 2 : 0) + states];
        arrays[0] = mul(in, gated);
        arrays[1] = mul(hidden, gated);
        for (int i = 2; i < arrays.length; i++) {
            arrays[i] = bias && i < 4 ? gated : hidden;
        }
        return of(arrays);
    }

    /** {@code a·b} for sizes (never negative), saturating at {@link Long#MAX_VALUE}. */
    public static long mul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE;
    }

    /** {@code a + b}, saturating at {@link Long#MAX_VALUE}. */
    static long add(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }
}
