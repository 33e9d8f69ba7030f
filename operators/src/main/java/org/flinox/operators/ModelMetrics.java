package org.flinox.operators;

import java.time.Duration;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.flinox.nn.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every metric of the model operator, registered in one place under the operator's
 * {@code flinox} group, and its per-subtask progress line in the log:
 *
 * <ul>
 *   <li>{@code recordsIn}, {@code recordsOut}, {@code deadLetters}: records that reached the
 *       model, its outputs and its dead letters;
 *   <li>{@code stateEntriesWritten}: state entries an accepted record changed (counted per
 *       record, also when the cache or a bundle writes the state once for many);
 *   <li>{@code forwardNanos}: the step's time, for one record in {@value #TIME_ONE_IN};
 *   <li>{@code stateCacheHits}, {@code stateCacheMisses}: reads served from the state cache, and not.
 * </ul>
 */
final class ModelMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(ModelMetrics.class);
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    /** One record in this many is timed for {@code forwardNanos}: two clock reads a record showed in B1. */
    static final int TIME_ONE_IN = 32;

    private final String model;
    private final int subtask;
    private final MetricGroup group;
    private final Counter recordsIn;
    private final Counter recordsOut;
    private final Counter deadLetters;
    private final Counter entriesWritten;
    private final Histogram forwardNanos;
    private long lastProgressNanos = System.nanoTime();
    private long recordsAtLastProgress;

    ModelMetrics(MetricGroup operator, String model, int subtask) {
        this.model = model;
        this.subtask = subtask;
        group = operator.addGroup("flinox");
        recordsIn = group.counter("recordsIn");
        recordsOut = group.counter("recordsOut");
        deadLetters = group.counter("deadLetters");
        entriesWritten = group.counter("stateEntriesWritten");
        forwardNanos = group.histogram("forwardNanos", new DescriptiveStatisticsHistogram(1000));
    }

    /** The state cache's gauges. */
    void cache(StateCache<?> cache) {
        group.gauge("stateCacheHits", (Gauge<Long>) cache::hits);
        group.gauge("stateCacheMisses", (Gauge<Long>) cache::misses);
    }

    /** Whether the next record's step is to be timed. */
    boolean timeNext() {
        return recordsIn.getCount() % TIME_ONE_IN == 0;
    }

    void forwardNanos(long nanos) {
        forwardNanos.update(nanos);
    }

    /** An accepted record that took the key's state from {@code before} to {@code after}. */
    void accepted(State before, State after) {
        for (int i = 0; i < after.size(); i++) {
            if (after.valueAt(i) != before.valueAt(i)) {
                entriesWritten.inc();
            }
        }
        recordsOut.inc();
        recordIn();
    }

    void rejected() {
        deadLetters.inc();
        recordIn();
    }

    private void recordIn() {
        recordsIn.inc();
        if ((recordsIn.getCount() & 1023) == 0) {
            logProgress();
        }
    }

    private void logProgress() {
        long now = System.nanoTime();
        if (now - lastProgressNanos >= PROGRESS_EVERY_NANOS) {
            long n = recordsIn.getCount();
            double perSecond = (n - recordsAtLastProgress) * 1e9 / (now - lastProgressNanos);
            LOG.info("model {} subtask {}: {} records, {} records/s, {} dead letters", model, subtask, n,
                    Math.round(perSecond), deadLetters.getCount());
            lastProgressNanos = now;
            recordsAtLastProgress = n;
        }
    }
}
