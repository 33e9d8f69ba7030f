package org.flinox.operators;

import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.flink.runtime.metrics.TimerGauge;
import org.apache.flink.runtime.metrics.groups.TaskIOMetricGroup;

/**
 * Whether the task has time to spare: in the last period of at least {@link #PERIOD_MILLIS} it
 * waited, for input or for room downstream, at least {@link #SHARE} of the time, as Flink's own
 * idle and back-pressure timers measure it (what {@code busyTimeMsPerSecond} is the rest of). A
 * job that keeps up with its input waits most of the time; a saturated one hardly ever.
 */
final class SpareTime implements BooleanSupplier {
    /** The shortest period judged: the timers count whole milliseconds. */
    static final long PERIOD_MILLIS = 100;
    /** The least share of a period spent waiting that counts as spare: 1/20. */
    static final double SHARE = 0.05;

    private final TimerGauge idle;
    private final TimerGauge softBackPressure;
    private final TimerGauge hardBackPressure;
    private final LongSupplier clockMillis;
    private long waitedMillis;
    private long sinceMillis;
    private boolean spare = true; // until the first period is judged

    SpareTime(TaskIOMetricGroup io, LongSupplier clockMillis) {
        this.idle = io.getIdleTimeMsPerSecond();
        this.softBackPressure = io.getSoftBackPressuredTimePerSecond();
        this.hardBackPressure = io.getHardBackPressuredTimePerSecond();
        this.clockMillis = clockMillis;
        this.waitedMillis = waited();
        this.sinceMillis = clockMillis.getAsLong();
    }

    /**
     * The judgement of the last whole period. Asked while the task works (a record is being
     * processed), so every wait before it has ended and is in the timers' totals.
     */
    @Override
    public boolean getAsBoolean() {
        long now = clockMillis.getAsLong();
        if (now - sinceMillis < PERIOD_MILLIS) {
            return spare;
        }
        long waited = waited();
        spare = waited - waitedMillis >= SHARE * (now - sinceMillis);
        waitedMillis = waited;
        sinceMillis = now;
        return spare;
    }

    private long waited() {
        return idle.getAccumulatedCount() + softBackPressure.getAccumulatedCount() + hardBackPressure.getAccumulatedCount();
    }
}
