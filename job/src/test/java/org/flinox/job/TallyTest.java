package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import org.apache.flink.api.common.JobID;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.operators.testutils.MockEnvironment;
import org.apache.flink.runtime.operators.testutils.MockEnvironmentBuilder;
import org.apache.flink.streaming.api.operators.StreamMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.OneInputStreamOperatorTestHarness;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;
import org.junit.jupiter.api.Test;

/** The counts of the run summary: kept across a restart of the same job, not carried into another. */
class TallyTest {

    private static OneInputStreamOperatorTestHarness<ModelOutput<FeatureRecord>, ModelOutput<FeatureRecord>> harness(
            Tally.Outputs tally, JobID job)
            throws Exception {
        MockEnvironment env = new MockEnvironmentBuilder().setJobID(job).build();
        return new OneInputStreamOperatorTestHarness<>(new StreamMap<>(tally), env);
    }

    private static long count(Tally.Outputs tally, String name) {
        Object value = tally.getRuntimeContext().getAccumulator(name).getLocalValue();
        return ((Number) value).longValue();
    }

    private static void feed(OneInputStreamOperatorTestHarness<ModelOutput<FeatureRecord>, ModelOutput<FeatureRecord>> h,
            int from, int to, int keys)
            throws Exception {
        for (int i = from; i < to; i++) {
            h.processElement(new StreamRecord<>(new ModelOutput<>(
                    new FeatureRecord("k" + (i % keys), "in.csv", i, "", new double[] {0}), new double[] {0})));
        }
    }

    @Test
    void aRestartedTaskContinuesFromItsCheckpointsCounts() throws Exception {
        JobID job = new JobID();
        Tally.Outputs first = new Tally.Outputs(true);
        OperatorSubtaskState snapshot;
        try (var h = harness(first, job)) {
            h.open();
            feed(h, 0, 10, 4);
            snapshot = h.snapshot(1, 1);
            feed(h, 10, 15, 6); // lost with the failure: replayed below
        }
        Tally.Outputs restarted = new Tally.Outputs(true);
        try (var h = harness(restarted, job)) {
            h.initializeState(snapshot);
            h.open();
            feed(h, 10, 15, 6);
            assertThat(count(restarted, Tally.OUTPUTS)).isEqualTo(15);
            assertThat(count(restarted, Tally.KEYS)).isEqualTo(6); // k0..k3, then k4 and k5
        }
    }

    @Test
    void anotherJobRestoredFromTheSavepointCountsFromZero() throws Exception {
        Tally.Outputs first = new Tally.Outputs(true);
        OperatorSubtaskState snapshot;
        try (var h = harness(first, new JobID())) {
            h.open();
            feed(h, 0, 10, 4);
            snapshot = h.snapshot(1, 1);
        }
        Tally.Outputs next = new Tally.Outputs(true);
        try (var h = harness(next, new JobID())) {
            h.initializeState(snapshot);
            h.open();
            feed(h, 0, 3, 3);
            assertThat(count(next, Tally.OUTPUTS)).isEqualTo(3);
            assertThat(count(next, Tally.KEYS)).isEqualTo(3);
        }
    }

    @Test
    void pastTheKeysItKeepsTheCountIsMarkedALowerBound() throws Exception {
        Tally.Outputs tally = new Tally.Outputs(true);
        try (var h = harness(tally, new JobID())) {
            h.open();
            int keys = Tally.MAX_KEYS_KEPT + 5;
            feed(h, 0, keys, keys);
            assertThat(count(tally, Tally.KEYS)).isEqualTo(Tally.MAX_KEYS_KEPT);
            assertThat(count(tally, Tally.KEYS_CAPPED)).isEqualTo(1);
            assertThat(count(tally, Tally.OUTPUTS)).isEqualTo(keys);
        }
    }
}
