package org.flinox.job.spec;

/**
 * How much memory a model spec's module tree takes, worked out from its sizes before anything
 * is allocated, so {@code {"type":"mlp","hidden":30000}} is refused with the node, the size
 * and the memory available instead of an {@code OutOfMemoryError} (or, from 1e7 on, an
 * integer overflow without a path).
 *
 * <p>Each {@link ModuleSpec#build} counts what its module's {@code create} in
 * {@code org.flinox.nn} allocates (parameters plus initial state; every value is held as a
 * Java {@code double}, 8 bytes, whatever its dtype). Building draws each parameter into a
 * temporary array before the tensor copies it, so the peak is the tree plus its largest array. All arithmetic is in {@code long} and
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

    /** {@code a·b}, saturating at {@link Long#MAX_VALUE}. */
    static long mul(long a, long b) {
        long hi = Math.multiplyHigh(a, b);
        long lo = a * b;
        return (hi == 0 && lo >= 0) ? lo : Long.MAX_VALUE; // sizes are never negative
    }
}
