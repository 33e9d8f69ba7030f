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

    /** Captures the metrics of the "flinox" group the function registers. */
    static final class CapturingTaskMetricGroup extends InterceptingTaskMetricGroup {
        final InterceptingOperatorMetricGroup operator = new InterceptingOperatorMetricGroup() {
            @Override
            public MetricGroup addGroup(String name) {
                return this;
            }
        };

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
        h.close();
    }
}
