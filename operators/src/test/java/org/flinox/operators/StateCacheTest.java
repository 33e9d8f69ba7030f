package org.flinox.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;
import static org.flinox.operators.ModelOperatorTest.outputs;
import static org.flinox.operators.ModelOperatorTest.records;
import static org.flinox.operators.ModelOperatorTest.referenceZ;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinox.nn.State;
import org.junit.jupiter.api.Test;

/** The write-back state cache: bounded by bytes, LRU, and the keyed state complete at every barrier. */
class StateCacheTest {
    private static final Duration HOUR = Duration.ofHours(1);
    private static final long BIG = 64L << 20;

    // ---- the cache on its own ----

    private record Written(String key, State value) {}

    /**
     * A keyed state in memory that records its writes: what the cache writes back goes here,
     * under the key it set.
     */
    private static final class RecordingState implements org.apache.flink.api.common.state.ValueState<State> {
        final Map<String, State> values = new HashMap<>();
        final List<Written> written;
        String current;

        RecordingState(List<Written> written) {
            this.written = written;
        }

        @Override
        public State value() {
            return values.get(current);
        }

        @Override
        public void update(State value) {
            values.put(current, value);
            written.add(new Written(current, value));
        }

        @Override
        public void clear() {
            values.remove(current);
        }
    }

    /** A cache of entries of 200 bytes (96 overhead + 2 × a two-letter key + 100 bytes of state) over a {@link RecordingState}. */
    private static final class TestCache {
        final RecordingState keyed;
        final StateCache<String> cache;

        TestCache(long maxBytes, List<Written> written) {
            keyed = new RecordingState(written);
            cache = new StateCache<>(maxBytes, 100, new ValueStateStore<String>(keyed, k -> keyed.current = k));
        }

        /** A read under the key, as the operator reads (it has made the key current). */
        State get(String key) throws Exception {
            keyed.current = key;
            return cache.get(key);
        }

        void put(String key, State value, boolean changed) throws Exception {
            keyed.current = key;
            cache.put(key, value, changed);
        }
    }

    private static State someState() {
        return KeyedModel.build(new StandardizeFactory(2)).initial();
    }

    @Test
    void theByteBoundEvictsTheLeastRecentlyUsedAndWritesBackOnlyDirtyEntries() throws Exception {
        List<Written> written = new ArrayList<>();
        TestCache t = new TestCache(600, written);
        StateCache<String> c = t.cache; // room for 3 entries
        State a = someState();
        State b = someState();
        t.put("k1", a, true);
        t.put("k2", b, false);
        t.put("k3", a, true);
        assertThat(c.bytes()).isEqualTo(600);
        assertThat(t.get("k1")).isSameAs(a); // k1 now the most recently used: k2 is the oldest
        t.put("k4", b, true);
        assertThat(written).as("k2 was clean: evicted without a write").isEmpty();
        assertThat(t.get("k2")).as("evicted clean: read from the keyed state, which never had it").isNull();
        assertThat(c.misses()).isEqualTo(1);
        t.put("k5", b, true); // evicts k3, dirty
        assertThat(written).containsExactly(new Written("k3", a));
        assertThat(t.get("k3")).as("a miss reads what was written back").isSameAs(a);
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.bytes()).isEqualTo(600);
        assertThat(t.get("k1")).isSameAs(a);
    }

    @Test
    void anUpdateKeepsAnEntryDirtyUntilItIsWrittenBack() throws Exception {
        List<Written> written = new ArrayList<>();
        TestCache t = new TestCache(BIG, written);
        StateCache<String> c = t.cache;
        State a = someState();
        State b = someState();
        t.put("k1", a, true);
        t.put("k1", b, false); // unchanged since the last put, but still newer than the keyed state
        t.put("k2", a, false);
        c.flush();
        assertThat(written).containsExactly(new Written("k1", b));
        assertThat(c.dirtyCount()).isZero();
        c.flush();
        assertThat(written).as("clean entries are not written again").hasSize(1);
        assertThat(t.get("k1")).as("written-back entries stay cached").isSameAs(b);
    }

    @Test
    void aCacheSmallerThanOneEntryWritesThrough() throws Exception {
        List<Written> written = new ArrayList<>();
        TestCache t = new TestCache(1, written);
        StateCache<String> c = t.cache;
        State a = someState();
        t.put("k1", a, true);
        assertThat(written).containsExactly(new Written("k1", a));
        assertThat(c.size()).isZero();
        assertThat(c.bytes()).isZero();
    }

    // ---- in the operator ----

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> harness(
            KeyBundles b, long cacheBytes) throws Exception {
        return Harness.of(new StandardizeFactory(2), ModelSettings.defaults().withBundles(b).withStateCache(cacheBytes)
                .withFinalState(true));
    }

    @SuppressWarnings("unchecked")
    private static ModelOperator<String, FeatureRecord> operator(
            KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> h) {
        return (ModelOperator<String, FeatureRecord>) h.getOneInputOperator();
    }

    /** Every key's final state, "key stateKey" → values. */
    private static Map<String, double[]> finalState(KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> h) {
        Map<String, double[]> out = new TreeMap<>();
        var rows = h.getSideOutput(FinalState.TAG);
        if (rows != null) {
            for (StreamRecord<FinalState.Row> r : rows) {
                out.put(r.getValue().key() + " " + r.getValue().stateKey(), r.getValue().values());
            }
        }
        return out;
    }

    private record Run(Map<Long, double[]> outputs, Map<String, double[]> finalState, StateCache<String> cache) {}

    private static Run run(KeyBundles b, long cacheBytes, List<FeatureRecord> input) throws Exception {
        var h = harness(b, cacheBytes);
        h.open();
        for (FeatureRecord r : input) {
            h.processElement(r, 0);
        }
        h.endInput();
        Map<Long, double[]> out = new HashMap<>();
        outputs(h.getOutput()).forEach(o -> out.put(o.seq(), o.output()));
        Run run = new Run(out, finalState(h), operator(h).stateCache());
        h.close();
        return run;
    }

    private static void assertSame(Run got, Run expected) {
        assertThat(got.outputs().keySet()).isEqualTo(expected.outputs().keySet());
        expected.outputs().forEach((seq, z) -> assertThat(got.outputs().get(seq)).as("seq %d", seq).isEqualTo(z));
        assertThat(got.finalState().keySet()).isEqualTo(expected.finalState().keySet());
        expected.finalState().forEach((k, v) -> assertThat(got.finalState().get(k)).as(k).isEqualTo(v));
    }

    @Test
    void withTheCacheOutputsAreThePlainLoopZScoresAndTheFinalStateThatOfNoCache() throws Exception {
        List<FeatureRecord> input = records(600, 20, 8);
        Map<Long, double[]> reference = referenceZ(input);
        Run plain = run(KeyBundles.OFF, 0, input);
        for (KeyBundles b : List.of(KeyBundles.OFF, KeyBundles.of(50, HOUR),
                KeyBundles.of(50, HOUR, KeyBundles.Forward.BATCHED))) {
            Run cached = run(b, BIG, input);
            assertThat(cached.cache().misses()).as("%s: one keyed-state read per key, the rest from the cache", b)
                    .isEqualTo(20);
            assertThat(cached.cache().hits()).isPositive();
            reference.forEach((seq, z) -> assertThat(cached.outputs().get(seq)).as("%s seq %d", b, seq)
                    .containsExactly(z, within(1e-9)));
            assertThat(plain.finalState()).hasSize(20 * 3);
            assertSame(cached, plain);
        }
    }

    @Test
    void aTinyCacheEvictsAllTheTimeAndStillGivesTheSameOutputsAndState() throws Exception {
        List<FeatureRecord> input = records(600, 40, 9);
        Run plain = run(KeyBundles.OFF, 0, input);
        long threeKeys = 3 * (96 + 2 * 3 + (64 + 3 * 48 + 8 * 5)); // keys "kNN": ~3 entries
        for (KeyBundles b : List.of(KeyBundles.OFF, KeyBundles.of(30, HOUR))) {
            Run cached = run(b, threeKeys, input);
            assertThat(cached.cache().size()).as("%s: the bound held", b).isLessThanOrEqualTo(3);
            assertThat(cached.cache().misses()).as("%s: mostly misses, so mostly evictions", b)
                    .isGreaterThan(input.size() / 2);
            assertSame(cached, plain);
        }
    }

    @Test
    void theBarrierWritesTheCacheBackAndARestoreWithoutItContinuesExactly() throws Exception {
        List<FeatureRecord> input = records(400, 6, 10);
        Run plain = run(KeyBundles.OFF, 0, input);
        Run plainFirst = run(KeyBundles.OFF, 0, input.subList(0, 150));

        var first = harness(KeyBundles.OFF, BIG);
        first.open();
        for (FeatureRecord r : input.subList(0, 150)) {
            first.processElement(r, 0);
        }
        StateCache<String> c = operator(first).stateCache();
        assertThat(c.dirtyCount()).as("the cache holds what the keyed state does not yet").isEqualTo(6);
        first.prepareSnapshotPreBarrier(1);
        assertThat(c.dirtyCount()).isZero();
        assertThat(c.size()).as("entries stay, clean").isEqualTo(6);
        OperatorSubtaskState snapshot = first.snapshot(1, 1);
        List<Harness.Out> got = new ArrayList<>(outputs(first.getOutput()));
        first.close();

        // the checkpoint alone, read without a cache: exactly the state of a no-cache run at that point
        var check = harness(KeyBundles.OFF, 0);
        check.initializeState(snapshot);
        check.open();
        check.endInput();
        assertThat(finalState(check).keySet()).isEqualTo(plainFirst.finalState().keySet());
        plainFirst.finalState().forEach((k, v) -> assertThat(finalState(check).get(k)).as(k).isEqualTo(v));
        check.close();

        // and a cached run restored from it continues bit for bit
        var restored = harness(KeyBundles.of(40, HOUR), BIG);
        restored.initializeState(snapshot);
        restored.open();
        for (FeatureRecord r : input.subList(150, input.size())) {
            restored.processElement(r, 0);
        }
        restored.endInput();
        got.addAll(outputs(restored.getOutput()));
        Map<String, double[]> finalState = finalState(restored);
        restored.close();
        assertThat(got).hasSize(input.size());
        got.forEach(o -> assertThat(o.output()).as("seq %d", o.seq()).isEqualTo(plain.outputs().get(o.seq())));
        assertSame(new Run(plain.outputs(), finalState, null), plain);
    }

    @Test
    void noCacheUnderAStateTtl() {
        assertThatThrownBy(() -> new ModelSettings(Duration.ofHours(1), Set.of(), KeyBundles.OFF, BIG, false, "reset"))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("TTL");
        assertThat(ModelSettings.defaults().withStateTtl(Duration.ofHours(1)).stateCacheBytes())
                .as("a TTL turns the default cache off").isZero();
    }
}
