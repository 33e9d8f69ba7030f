package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.jobgraph.OperatorID;
import org.apache.flink.runtime.metrics.groups.InternalOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingOperatorMetricGroup;
import org.apache.flink.runtime.metrics.util.InterceptingTaskMetricGroup;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.junit.jupiter.api.Test;

/** The operator's metrics count what happened to the records. */
class ModelMetricsTest {

    /** Captures the metrics of the "flinox" group the function registers, and of its key-value groups. */
    static final class CapturingTaskMetricGroup extends InterceptingTaskMetricGroup {
        final java.util.Map<String, InterceptingOperatorMetricGroup> keyValueGroups = new java.util.HashMap<>();
        final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup() {
            @Override
            public MetricGroup addGroup(String name) {
                return this;
            }

            @Override
            public MetricGroup addGroup(String key, String value) {
                return keyValueGroups.computeIfAbsent(key + "=" + value, k -> new InterceptingOperatorMetricGroup());
            }
        };

        long deadLetters(DeadLetterReason reason) {
            return ((Counter) keyValueGroups.get("reason=" + reason.name()).get("deadLetters")).getCount();
        }

        @Override
        public InternalOperatorMetricGroup getOrAddOperator(
                OperatorID id, String name, java.util.Map<String, String> additionalVariables) {
            return operator;
        }
    }

    @Test
    void countsRecordsDeadLettersWritesAndForwardLatency() throws Exception {
        CapturingTaskMetricGroup metrics = new CapturingTaskMetricGroup();
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(metrics).build();
        var h = Harness.of(new StandardizeFactory(2), Harness.PLAIN, env);
        h.open();
        h.processElement(new FeatureRecord("a", "f", 0, "", new double[] {1, 2}), 0);
        h.processElement(new FeatureRecord("a", "f", 1, "", new double[] {1}), 0); // wrong width
        h.processElement(new FeatureRecord("b", "f", 2, "", new double[] {3, 4}), 0);
        h.processElement(new FeatureRecord("a", "f", 3, "", new double[] {5, 6}), 0);

        assertThat(((Counter) metrics.operator.get("recordsIn")).getCount()).isEqualTo(4);
        assertThat(((Counter) metrics.operator.get("recordsOut")).getCount()).isEqualTo(3);
        assertThat(((Counter) metrics.operator.get("deadLetters")).getCount()).isEqualTo(1);
        assertThat(metrics.deadLetters(DeadLetterReason.WRONG_FEATURE_COUNT)).isEqualTo(1);
        assertThat(metrics.deadLetters(DeadLetterReason.NOT_FINITE)).isZero();
        assertThat(metrics.keyValueGroups).hasSize(DeadLetterReason.values().length); // every reason from the start
        // keys a and b got state; the rejected record of a did not make a new key
        assertThat(((Counter) metrics.operator.get("keysSeen")).getCount()).isEqualTo(2);
        // Standardize has three entries (.count, .mean, .m2), all rewritten by each good record
        assertThat(((Counter) metrics.operator.get("stateEntriesWritten")).getCount()).isEqualTo(9);
        // records 0..3 so far: only record 0 was timed (one in ModelMetrics.TIME_ONE_IN = 32)
        assertThat(((Histogram) metrics.operator.get("forwardNanos")).getCount()).isEqualTo(1);
        for (int i = 4; i < 68; i++) {
            h.processElement(new FeatureRecord("c", "f", i, "", new double[] {i, -i}), 0);
        }
        // records 32 and 64 were timed too
        assertThat(((Histogram) metrics.operator.get("forwardNanos")).getCount()).isEqualTo(3);
        assertThat(((Counter) metrics.operator.get("recordsIn")).getCount()).isEqualTo(68);
        assertThat(((Counter) metrics.operator.get("keysSeen")).getCount()).isEqualTo(3);
        // not a model that swaps weights: the version it started with
        assertThat(((Gauge<?>) metrics.operator.get("modelVersion")).getValue()).isEqualTo(ModelMetrics.INITIAL_MODEL_VERSION);
        h.close();
    }

    /**
     * A key's standardize state over 2 features, serialized: .count float64[1], .mean and .m2
     * float64[2], 5 doubles = 40 bytes of values, plus what the serializer writes around them.
     */
    @Test
    void stateBytesPerKeyIsTheSerializedSizeOfOneKeysState() throws Exception {
        CapturingTaskMetricGroup metrics = new CapturingTaskMetricGroup();
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(metrics).build();
        var h = Harness.of(new StandardizeFactory(2), Harness.PLAIN, env);
        h.open();
        long bytes = (Long) ((Gauge<?>) metrics.operator.get("stateBytesPerKey")).getValue();
        assertThat(bytes).isGreaterThanOrEqualTo(5 * 8).isLessThan(5 * 8 + 64);
        // the same number the state serializer gives for any key's state of this layout
        org.flinox.nn.State initial = KeyedModel.build(new StandardizeFactory(2)).initial();
        var out = new org.apache.flink.core.memory.DataOutputSerializer(64);
        new StateSerializer("m", initial, java.util.Set.of()).serialize(initial, out);
        assertThat(bytes).isEqualTo(out.length());
        h.close();
    }

    @Test
    void bundlesReportTheirRecordsAndKeys() throws Exception {
        CapturingTaskMetricGroup metrics = new CapturingTaskMetricGroup();
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(metrics).build();
        var h = Harness.of(new StandardizeFactory(2), Harness.PLAIN.withBundles(
                KeyBundles.of(4, java.time.Duration.ofHours(1), KeyBundles.Forward.PER_RECORD)), env);
        h.open();
        for (String key : new String[] {"a", "a", "b", "a", "c", "c", "c", "c"}) { // two full bundles of 4 records
            h.processElement(new FeatureRecord(key, "f", 0, "", new double[] {1, 2}), 0);
        }
        Histogram records = (Histogram) metrics.operator.get("bundleRecords");
        Histogram keys = (Histogram) metrics.operator.get("bundleKeys");
        assertThat(records.getCount()).isEqualTo(2);
        assertThat(records.getStatistics().getValues()).containsExactly(4L, 4L);
        assertThat(keys.getStatistics().getValues()).containsExactly(2L, 1L); // {a, b}, then {c}
        assertThat(((Counter) metrics.operator.get("keysSeen")).getCount()).isEqualTo(3);
        h.close();
    }

    @Test
    void theStateCacheReportsItsHitsAndMisses() throws Exception {
        CapturingTaskMetricGroup metrics = new CapturingTaskMetricGroup();
        MockEnvironment env = new MockEnvironmentBuilder().setMetricGroup(metrics).build();
        var h = Harness.of(new StandardizeFactory(2), ModelSettings.defaults().withStateCache(1L << 20), env);
        h.open();
        for (String key : new String[] {"a", "a", "b", "a", "b", "c"}) {
            h.processElement(new FeatureRecord(key, "f", 0, "", new double[] {1, 2}), 0);
        }

        // a, b and c were read from the keyed state once each; the other three came from memory
        assertThat(((Gauge<?>) metrics.operator.get("stateCacheMisses")).getValue()).isEqualTo(3L);
        assertThat(((Gauge<?>) metrics.operator.get("stateCacheHits")).getValue()).isEqualTo(3L);
        assertThat(((Gauge<?>) metrics.operator.get("stateCacheKeys")).getValue()).isEqualTo(3);
        assertThat(((Gauge<?>) metrics.operator.get("stateCacheDirtyKeys")).getValue()).as("all three changed since the start").isEqualTo(3);
        Gauge<?> bytes = (Gauge<?>) metrics.operator.get("stateCacheBytes");
        long threeKeys = (Long) bytes.getValue();
        assertThat(threeKeys).isPositive().isEqualTo(((ModelOperator<?, ?>) h.getOperator()).stateCache().bytes());
        h.processElement(new FeatureRecord("d", "f", 0, "", new double[] {1, 2}), 0);
        assertThat((Long) bytes.getValue()).as("a fourth key, as large as each of the three").isEqualTo(threeKeys * 4 / 3);
        assertThat(((Counter) metrics.operator.get("keysSeen")).getCount()).as("a, b, c, d through the cache").isEqualTo(4);
        h.close();
    }
}
