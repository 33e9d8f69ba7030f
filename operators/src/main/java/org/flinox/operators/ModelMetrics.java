package org.flinox.operators;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.flinox.nn.State;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every metric Flinox's operators report, in one place, under the metric group {@value #GROUP}
 * of the operator that counts them, and the model operator's per-subtask progress line in the
 * log. Flink's Prometheus reporter exports a metric {@code NAME} of this group as
 * {@code flink_taskmanager_job_task_operator_flinox_NAME}, one series per subtask, with Flink's
 * labels ({@code job_name}, {@code operator_name}, {@code subtask_index}, ...); the README's
 * metrics table lists them.
 *
 * <ul>
 *   <li>{@code recordsIn}, {@code recordsOut}: records that reached the model, its outputs;
 *   <li>{@code deadLetters} and, per {@link DeadLetterReason}, {@code reason.deadLetters} (the
 *       Prometheus label {@code reason}); the parse stage reports the same two
 *       ({@link DeadLetterCounters#register}), so every input record is counted once: in the
 *       model's {@code recordsOut} or in one stage's dead letters;
 *   <li>{@code stateEntriesWritten}: state entries an accepted record changed (counted per
 *       record, also when the cache or a bundle writes the state once for many);
 *   <li>{@code forwardNanos}: the step's time, for one record in {@value #TIME_ONE_IN};
 *   <li>{@code bundleRecords}, {@code bundleKeys}: histograms per finished key bundle;
 *   <li>{@code keysSeen}: keys this subtask gave state for the first time (a key restored from
 *       a checkpoint is not counted);
 *   <li>{@code stateBytesPerKey}: one key's state as the state backend stores it;
 *   <li>{@code modelVersion}: how many model updates this job applied (0: the weights it
 *       started with); {@code modelVersionName}: the version running, a string gauge (the JMX
 *       and log reporters show it; Prometheus takes numbers only, so it has {@code modelVersion});
 *   <li>with the state cache: {@code stateCacheHits}, {@code stateCacheMisses},
 *       {@code stateCacheBytes}, {@code stateCacheKeys}, {@code stateCacheDirtyKeys} (the keys the
 *       next barrier's flush writes).
 * </ul>
 *
 * <p>Metrics count what a subtask processed since it started: a restarted task counts from
 * zero and counts the records it replays (the job's run summary, kept with the checkpoints, is
 * the exactly-once count).
 */
public final class ModelMetrics {
    private static final Logger LOG = LoggerFactory.getLogger(ModelMetrics.class);
    private static final long PROGRESS_EVERY_NANOS = Duration.ofSeconds(10).toNanos();
    /** The metric group of every Flinox metric. */
    public static final String GROUP = "flinox";
    /** The key of the dead letters' per-reason group: the Prometheus label {@code reason}. */
    public static final String REASON = "reason";
    /** {@code modelVersion} while a job runs the weights it started with. */
    public static final long INITIAL_MODEL_VERSION = 0;
    /** One record in this many is timed for {@code forwardNanos}: two clock reads a record showed in B1. */
    static final int TIME_ONE_IN = 32;
    /** Histograms keep the last this many values (their quantiles are over those). */
    static final int HISTOGRAM_WINDOW = 1000;

    private final String model;
    private final int subtask;
    private final MetricGroup group;
    private final Counter recordsIn;
    private final Counter recordsOut;
    private final DeadLetterCounters deadLetters;
    private final Counter entriesWritten;
    private final Counter keysSeen;
    private final Histogram forwardNanos;
    private final Histogram bundleRecords;
    private final Histogram bundleKeys;
    private volatile long modelVersion = INITIAL_MODEL_VERSION;
    private volatile String modelVersionName = "initial";
    private long lastProgressNanos = System.nanoTime();
    private long recordsAtLastProgress;

    /**
     * Registers the model operator's metrics.
     *
     * @param operator the operator's metric group ({@value #GROUP} is added under it)
     * @param model the model's name
     * @param initial the model's exported initial state (every key's state has its layout)
     * @param subtask the subtask's index, for the progress line
     */
    ModelMetrics(MetricGroup operator, String model, State initial, int subtask) {
        this.model = model;
        this.subtask = subtask;
        group = operator.addGroup(GROUP);
        recordsIn = group.counter("recordsIn");
        recordsOut = group.counter("recordsOut");
        deadLetters = new DeadLetterCounters(group);
        entriesWritten = group.counter("stateEntriesWritten");
        keysSeen = group.counter("keysSeen");
        forwardNanos = group.histogram("forwardNanos", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        bundleRecords = group.histogram("bundleRecords", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        bundleKeys = group.histogram("bundleKeys", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        long stateBytes = serializedBytes(model, initial);
        group.gauge("stateBytesPerKey", (Gauge<Long>) () -> stateBytes);
        group.gauge("modelVersion", (Gauge<Long>) () -> modelVersion);
        group.gauge("modelVersionName", (Gauge<String>) () -> modelVersionName);
    }

    /** The state cache's gauges. */
    void cache(StateCache<?> cache) {
        group.gauge("stateCacheHits", (Gauge<Long>) cache::hits);
        group.gauge("stateCacheMisses", (Gauge<Long>) cache::misses);
        group.gauge("stateCacheBytes", (Gauge<Long>) cache::bytes);
        group.gauge("stateCacheKeys", (Gauge<Integer>) cache::size);
        group.gauge("stateCacheDirtyKeys", (Gauge<Integer>) cache::dirtyCount);
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

    void rejected(DeadLetterReason reason) {
        deadLetters.count(reason);
        recordIn();
    }

    /** A key this subtask had no state for got its first. */
    void keySeen() {
        keysSeen.inc();
    }

    /** One key bundle finished: its records and distinct keys. */
    void bundleFinished(int records, int keys) {
        bundleRecords.update(records);
        bundleKeys.update(keys);
    }

    /**
     * The weights now running: {@code applied} updates so far ({@link #INITIAL_MODEL_VERSION}
     * until the first), and the version's name.
     */
    void modelVersion(long applied, String name) {
        modelVersion = applied;
        modelVersionName = name;
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
                    Math.round(perSecond), deadLetters.total());
            lastProgressNanos = now;
            recordsAtLastProgress = n;
        }
    }

    /** What one key's state takes serialized, as the state backend stores it (all keys share the layout). */
    static long serializedBytes(String modelName, State initial) {
        DataOutputSerializer out = new DataOutputSerializer(256);
        try {
            new StateSerializer(modelName, initial, Set.of()).serialize(initial, out);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot size the state of model " + modelName, e);
        }
        return out.length();
    }

    /**
     * Dead letters of one stage: {@code deadLetters} in all, and {@code reason.deadLetters} per
     * reason (every reason registered up front, so each series exists from the start).
     */
    public static final class DeadLetterCounters {
        private final Counter total;
        private final Map<DeadLetterReason, Counter> byReason = new EnumMap<>(DeadLetterReason.class);

        /** For a stage without other Flinox metrics (the parse stage): under {@value #GROUP} of its operator. */
        public static DeadLetterCounters register(MetricGroup operator) {
            return new DeadLetterCounters(operator.addGroup(GROUP));
        }

        private DeadLetterCounters(MetricGroup flinox) {
            total = flinox.counter("deadLetters");
            for (DeadLetterReason r : DeadLetterReason.values()) {
                byReason.put(r, flinox.addGroup(REASON, r.name()).counter("deadLetters"));
            }
        }

        public void count(DeadLetterReason reason) {
            total.inc();
            byReason.get(reason).inc();
        }

        public long total() {
            return total.getCount();
        }
    }
}
