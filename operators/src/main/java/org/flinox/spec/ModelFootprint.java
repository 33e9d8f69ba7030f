package org.flinox.spec;

import static org.flinox.spec.Size.mul;

/**
 * How much memory a model spec's module tree takes, worked out from its sizes before anything
 * is allocated, so {@code {"type":"mlp","hidden":30000}} is refused with the node, the size
 * and the memory available instead of an {@code OutOfMemoryError} (or, from 1e7 on, an
 * integer overflow without a path).
 *
 * <p>Each {@link ModuleSpec#build} counts what its module allocates ({@link Size}: parameters
 * plus initial state; every value is held as a Java {@code double}, 8 bytes, whatever its
 * dtype). Building draws each parameter into a temporary array before the tensor copies it,
 * so the peak is the tree plus its largest array. All arithmetic is in {@code long} and
 * saturates, so no size overflows on the way to the check.
 */
final class ModelFootprint {

    /** The largest array the JVM allocates ({@code ArrayList}'s and {@code ArraysSupport}'s limit). */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    private long total;
    private long largestArray;
    private String largestArrayPath = "";
    private long largestNode = -1;
    private String largestNodePath = "";

    /** Counts the node at {@code path}. */
    void add(String path, Size size) {
        total = Size.add(total, size.values());
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
        return mul(Size.add(total, largestArray), Double.BYTES);
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
}
