package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * The model operator's state changes ({@link ModelSettings#withStateChanges}): before each
 * barrier, the keys whose state changed since the previous one, with the state the checkpoint
 * holds (expected values worked out by hand: mean and m2 of each key's records), and a
 * tombstone for a key whose state expired under a TTL.
 */
class StateChangesTest {

    private static FeatureRecord rec(String key, double a, double b) {
        return new FeatureRecord(key, "f", 0, "", new double[] {a, b});
    }

    @ParameterizedTest(name = "state cache {0} bytes")
    @ValueSource(longs = {0, 64L << 20})
    void eachBarrierEmitsTheKeysChangedSinceThePreviousOneWithTheirState(long cache) throws Exception {
        var h = Harness.of(new StandardizeFactory(2), ModelSettings.defaults().withStateCache(cache).withStateChanges(true));
        h.open();
        h.processElement(rec("a", 1, 2), 0);
        h.processElement(rec("b", 3, 4), 0);
        h.processElement(rec("a", 5, 6), 0);
        h.prepareSnapshotPreBarrier(1);
        Map<String, Map<String, List<Double>>> first = changes(h, 1);
        // a: 1, 5 → mean 3, m2 (1-3)² + (5-3)² = 8; 2, 6 → mean 4, m2 8. b: one record, m2 0.
        assertThat(first).isEqualTo(Map.of(
                "a", Map.of(".count", List.of(2.0), ".mean", List.of(3.0, 4.0), ".m2", List.of(8.0, 8.0)),
                "b", Map.of(".count", List.of(1.0), ".mean", List.of(3.0, 4.0), ".m2", List.of(0.0, 0.0))));

        h.processElement(rec("b", 5, 6), 0);
        h.prepareSnapshotPreBarrier(2);
        // only b changed: 3, 5 → mean 4, m2 2; 4, 6 → mean 5, m2 2
        assertThat(changes(h, 2)).isEqualTo(Map.of(
                "b", Map.of(".count", List.of(2.0), ".mean", List.of(4.0, 5.0), ".m2", List.of(2.0, 2.0))));
        h.prepareSnapshotPreBarrier(3);
        assertThat(changes(h, 3)).isEmpty();
        h.close();
    }

    @Test
    void withoutStateChangesNothingIsEmitted() throws Exception {
        var h = Harness.of(new StandardizeFactory(2), Harness.PLAIN);
        h.open();
        h.processElement(rec("a", 1, 2), 0);
        h.prepareSnapshotPreBarrier(1);
        assertThat(h.getSideOutput(StateChange.TAG)).isNullOrEmpty();
        h.close();
    }

    @Test
    void aKeyWhoseStateExpiredIsATombstoneAtTheNextBarrier() throws Exception {
        var h = Harness.of(new StandardizeFactory(2),
                ModelSettings.defaults().withStateTtl(Duration.ofSeconds(10)).withStateChanges(true));
        h.open();
        h.setProcessingTime(0);
        h.setStateTtlProcessingTime(0);
        h.processElement(rec("a", 1, 2), 0);
        h.processElement(rec("b", 1, 2), 0);
        h.prepareSnapshotPreBarrier(1); // both keys, each with a timer at 10 s
        assertThat(changes(h, 1).keySet()).containsExactlyInAnyOrder("a", "b");

        h.setStateTtlProcessingTime(5_000);
        h.setProcessingTime(5_000);
        h.processElement(rec("b", 3, 4), 0); // b now expires at 15 s
        h.setStateTtlProcessingTime(10_000);
        h.setProcessingTime(10_000); // the timers fire: a expired, b did not
        h.prepareSnapshotPreBarrier(2); // b's change, with a timer at 20 s; a's tombstone
        Map<String, Map<String, List<Double>>> second = changes(h, 2);
        assertThat(second).containsOnlyKeys("a", "b");
        assertThat(second.get("a")).isNull();
        assertThat(second.get("b").get(".count")).containsExactly(2.0);

        h.setStateTtlProcessingTime(20_000);
        h.setProcessingTime(20_000);
        h.prepareSnapshotPreBarrier(3);
        Map<String, Map<String, List<Double>>> third = changes(h, 3);
        assertThat(third).containsOnlyKeys("b");
        assertThat(third.get("b")).isNull();
        h.setProcessingTime(60_000);
        h.prepareSnapshotPreBarrier(4);
        assertThat(changes(h, 4)).as("a tombstone once").isEmpty();
        h.close();
    }

    /** The changes emitted for {@code checkpoint}: key → entry → values (null: a tombstone). */
    private static Map<String, Map<String, List<Double>>> changes(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> h, long checkpoint) {
        Map<String, Map<String, List<Double>>> byKey = new TreeMap<>();
        var queue = h.getSideOutput(StateChange.TAG);
        if (queue == null) {
            return byKey;
        }
        for (StreamRecord<StateChange> r : new ArrayList<>(queue)) {
            StateChange c = r.getValue();
            if (c.checkpointId() != checkpoint) {
                continue;
            }
            assertThat(c.model()).isEqualTo(new StandardizeFactory(2).name());
            Map<String, List<Double>> entries = null;
            if (!c.isTombstone()) {
                entries = new TreeMap<>();
                for (FinalState.Row row : c.rows()) {
                    assertThat(row.key()).isEqualTo(c.key());
                    entries.put(row.stateKey(), Arrays.stream(row.values()).boxed().toList());
                }
            }
            assertThat(byKey.containsKey(c.key())).as("%s once per barrier", c.key()).isFalse();
            byKey.put(c.key(), entries);
        }
        return byKey;
    }
}
