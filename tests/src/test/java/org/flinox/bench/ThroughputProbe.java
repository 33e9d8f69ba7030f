package org.flinox.bench;

import org.apache.flink.api.common.functions.FilterFunction;

/**
 * Chained right after the keyed function: notes when the first and the last output passed
 * and drops everything, so a run's throughput excludes job start-up and shutdown. The
 * benchmark's MiniCluster runs in the same JVM, hence plain static fields.
 */
final class ThroughputProbe<T> implements FilterFunction<T> {
    private static final long serialVersionUID = 1L;

    static volatile long first;
    static volatile long last;
    static volatile long count;

    static void reset() {
        first = 0;
        last = 0;
        count = 0;
    }

    /** Records per second between the first and the last output. */
    static double perSecond() {
        return (count - 1) * 1e9 / (last - first);
    }

    @Override
    public boolean filter(T value) {
        long now = System.nanoTime();
        if (count == 0) {
            first = now;
        }
        last = now;
        count++;
        return false;
    }
}
