package org.flinox.job.spec;

import org.flinox.nn.Standardize;

/**
 * How much memory a model spec's module tree takes, worked out from its sizes before anything
 * is allocated, so {@code {"type":"mlp","hidden":30000}} is refused with the node, the size
 * and the memory available instead of an {@code OutOfMemoryError} (or, from 1e7 on, an
 * integer overflow without a path).
 *
 * <p>Each module's count mirrors its {@code create} in {@code org.flinox.nn} (parameters
 * plus initial state; every value is held as a Java {@code double}, 8 bytes, whatever its
 * dtype). Building draws each parameter into a temporary array before the tensor copies it,
 * so the peak is the tree plus its largest array. All arithmetic is in {@code long} and
 * saturates, so no size overflows on the way to the check.
 */
final class ModelFootprint {

    /** The largest array the JVM allocates ({@code ArrayList}'s and {@code ArraysSupport}'s limit). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * A node's values.
     *
     * @param values parameters plus initial state, in values
     * @param largestArray the values of its largest single array
     */
    record Size(long values, long largestArray) {
        static final Size NONE = new Size(0, 0);

        static Size of(long... arrays) {
            long total = 0;
            long largest = 0;
            for (long a : arrays) {
                total = add(total, a);
                largest = Math.max(largest, a);
            }
            return new Size(total, largest);
        }
    }

    static Size standardize(long n, Standardize.Mode mode) {
        return mode == Standardize.Mode.CUMULATIVE ? Size.of(1, n, n) : Size.of(n, n);
    }

    static Size moments(long n) {
        return Size.of(n, n);
    }

    static Size linear(long in, long out, boolean bias) {
        return bias ? Size.of(mul(in, out), out) : Size.of(mul(in, out));
    }

    /** Running mean and variance. */
    static Size batchNorm(long n) {
        return Size.of(n, n);
    }

    static Size layerNorm(long n, boolean affine) {
        return affine ? Size.of(n, n) : Size.NONE;
    }

    /** inStats, l1 in→hidden, l2 hidden→hidden, l3 hidden→out, outStats. */
    static Size mlp(long in, long out, long hidden) {
        return Size.of(in, in, mul(in, hidden), hidden, mul(hidden, hidden), hidden, mul(hidden, out), out, out, out);
    }

    /** linH H×3H, linX in×3H, their biases 3H each, the hidden state H. */
    static Size gru(long in, long hidden, boolean bias) {
        long three = mul(3, hidden);
        return bias ? Size.of(mul(in, three), mul(hidden, three), three, three, hidden)
                : Size.of(mul(in, three), mul(hidden, three), hidden);
    }

    /** linH H×4H, linX in×4H, their biases 4H each, the hidden and cell states H each. */
    static Size lstm(long in, long hidden, boolean bias) {
        long four = mul(4, hidden);
        return bias ? Size.of(mul(in, four), mul(hidden, four), four, four, hidden, hidden)
                : Size.of(mul(in, four), mul(hidden, four), hidden, hidden);
    }

    private long total;
    private long largestArray;
    private String largestArrayPath = "";
    private long largestNode = -1;
    private String largestNodePath = "";

    /** Counts the node at {@code path}. */
    void add(String path, Size size) {
        total = add(total, size.values());
        if (size.largestArray() > largestArray) {
            largestArray = size.largestArray();
            largestArrayPath = path;
        }
        if (size.values() > largestNode) {
            largestNode = size.values();
            largestNodePath = path;
        }
    }

    /** Values in the whole tree. */
    long values() {
        return total;
    }

    /** Bytes at the peak of building the tree: every value, plus the largest array drawn twice. */
    long peakBytes() {
        return mul(add(total, largestArray), Double.BYTES);
    }

    /**
     * Refuses a tree that cannot be built in {@code availableBytes}, naming the node that
     * takes the most.
     */
    void requireFits(long availableBytes) {
        if (largestArray > MAX_ARRAY) {
            throw new ModelSpecException(largestArrayPath, "would need an array of " + largestArray
                    + " values; a Java array holds at most " + MAX_ARRAY + ". Make it smaller");
        }
        if (peakBytes() > availableBytes) {
            throw new ModelSpecException(largestNodePath, "needs " + largestNode + " values (" + mib(
                    mul(largestNode, Double.BYTES)) + ") for its parameters and state, and the whole model "
                    + mib(peakBytes()) + " to build, but only " + mib(availableBytes) + " of memory is available"
                    + " (raise -Xmx or the TaskManager's memory, or make the model smaller)");
        }
    }

    /** The heap this JVM can still allocate. */
    static long availableBytes() {
        Runtime rt = Runtime.getRuntime();
        return rt.maxMemory() - (rt.totalMemory() - rt.freeMemory());
    }

    private static String mib(long bytes) {
        return bytes == Long.MAX_VALUE ? "more than 8 EiB" : String.format("%,d MiB", (bytes + (1 << 20) - 1) >> 20);
    }

    private static long add(long a, long b) {
        long s = a + b;
        return ((a ^ s) & (b ^ s)) < 0 ? Long.MAX_VALUE : s;
    }

    private static long mul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE; // sizes are never negative
    }
}
