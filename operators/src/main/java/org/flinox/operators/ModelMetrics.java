package org.flinox.operators;

import java.io.IOException;
import java.io.UncheckedIOException;
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

/**
 * Every metric Flinox's operators report, in one place, under the metric group
 * {@value #GROUP} of the operator that counts them. Flink's Prometheus reporter exports a
 * metric {@code NAME} of this group as {@code flink_taskmanager_job_task_operator_flinox_NAME},
 * one series per subtask, with Flink's labels ({@code job_name}, {@code operator_name},
 * {@code subtask_index}, ...); the README's metrics table lists them.
 *
 * <p>The model operator: {@code recordsIn} (records that reached the model), {@code recordsOut}
 * (outputs), {@code deadLetters} and, per {@link DeadLetterReason}, {@code reason.deadLetters}
 * (label {@code reason}), {@code stateEntriesWritten}, {@code forwardNanos} (histogram of one
 * record in {@link ModuleFunction#TIME_ONE_IN}), {@code bundleRecords} and {@code bundleKeys}
 * (histograms, per flushed key bundle), {@code keysSeen} (keys given state by this subtask),
 * {@code stateBytesPerKey} (a key's serialized state), {@code modelVersion}, and with the state
 * cache {@code stateCacheHits}, {@code stateCacheMisses}, {@code stateCacheBytes},
 * {@code stateCacheKeys}. The parse stage: {@code deadLetters} and {@code reason.deadLetters}.
 * So every input record is counted once: in the model's {@code recordsOut} or in one stage's
 * dead letters.
 *
 * <p>Metrics count what a subtask processed since it started: a restarted task counts from
 * zero and counts the records it replays (the run's summary, kept with the checkpoints, is the
 * exactly-once count).
 */
public final class ModelMetrics {
    /** The metric group of every Flinox metric. */
    public static final String GROUP = "flinox";
    /** The key of the dead letters' per-reason group: the Prometheus label {@code reason}. */
    public static final String REASON = "reason";
    /**
     * {@code modelVersion} while a job runs the model it started with. Weights swapped in
     * while the job runs would report their version through {@link #modelVersion(long)}.
     */
    public static final long INITIAL_MODEL_VERSION = 0;
    /** Histograms keep the last this many values (their quantiles are over those). */
    static final int HISTOGRAM_WINDOW = 1000;

    final Counter recordsIn;
    final Counter recordsOut;
    final Counter entriesWritten;
    final Counter keysSeen;
    final DeadLetterCounters deadLetters;
    final Histogram forwardNanos;
    final Histogram bundleRecords;
    final Histogram bundleKeys;
    private final MetricGroup group;
    private volatile long modelVersion = INITIAL_MODEL_VERSION;

    /**
     * Registers the model operator's metrics.
     *
     * @param operator the operator's metric group ({@value #GROUP} is added under it)
     * @param modelName the model, for the serializer that sizes a key's state
     * @param initial the model's exported initial state (every key's state has its layout)
     */
    public ModelMetrics(MetricGroup operator, String modelName, State initial) {
        group = operator.addGroup(GROUP);
        recordsIn = group.counter("recordsIn");
        recordsOut = group.counter("recordsOut");
        entriesWritten = group.counter("stateEntriesWritten");
        keysSeen = group.counter("keysSeen");
        deadLetters = new DeadLetterCounters(group);
        forwardNanos = group.histogram("forwardNanos", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        bundleRecords = group.histogram("bundleRecords", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        bundleKeys = group.histogram("bundleKeys", new DescriptiveStatisticsHistogram(HISTOGRAM_WINDOW));
        long stateBytes = serializedBytes(modelName, initial);
        group.gauge("stateBytesPerKey", (Gauge<Long>) () -> stateBytes);
        group.gauge("modelVersion", (Gauge<Long>) () -> modelVersion);
    }

    /** The state cache's gauges, when the operator has a cache. */
    void stateCache(StateCache cache) {
        group.gauge("stateCacheHits", (Gauge<Long>) cache::hits);
        group.gauge("stateCacheMisses", (Gauge<Long>) cache::misses);
        group.gauge("stateCacheBytes", (Gauge<Long>) cache::bytes);
        group.gauge("stateCacheKeys", (Gauge<Integer>) cache::size);
    }

    /** One key bundle flushed: its records and distinct keys. */
    void bundleFlushed(int records, int keys) {
        bundleRecords.update(records);
        bundleKeys.update(keys);
    }

    /** The version of the model now running ({@link #INITIAL_MODEL_VERSION} until weights are swapped). */
    void modelVersion(long version) {
        modelVersion = version;
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
