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
    /** One entry of a {@link TestCache}. */
    private static final long ENTRY = 216;

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

    /** A cache of entries of 216 bytes (112 overhead + 2 × a two-letter key + 100 bytes of state) over a {@link RecordingState}. */
    private static final class TestCache {
        final RecordingState keyed;
        final StateCache<String> cache;
        /** What the cache is told when it asks whether the task has time to spare. */
        boolean spare = true;

        TestCache(long maxBytes, List<Written> written) {
            this(maxBytes, maxBytes, written);
        }

        TestCache(long maxBytes, long maxDirtyBytes, List<Written> written) {
            keyed = new RecordingState(written);
            cache = new StateCache<>(maxBytes, maxDirtyBytes, 100, new ValueStateStore<String>(keyed, k -> keyed.current = k),
                    () -> spare);
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
        TestCache t = new TestCache(ENTRY * 3, written);
        StateCache<String> c = t.cache; // room for 3 entries
        State a = someState();
        State b = someState();
        t.put("k1", a, true);
        t.put("k2", b, false);
        t.put("k3", a, true);
        assertThat(c.bytes()).isEqualTo(ENTRY * 3);
        assertThat(t.get("k1")).isSameAs(a); // k1 now the most recently used: k2 is the oldest
        t.put("k4", b, true);
        assertThat(written).as("k2 was clean: evicted without a write").isEmpty();
        assertThat(t.get("k2")).as("evicted clean: read from the keyed state, which never had it").isNull();
        assertThat(c.misses()).isEqualTo(1);
        t.put("k5", b, true); // evicts k3, dirty
        assertThat(written).containsExactly(new Written("k3", a));
        assertThat(t.get("k3")).as("a miss reads what was written back").isSameAs(a);
        assertThat(c.size()).isEqualTo(3);
        assertThat(c.bytes()).isEqualTo(ENTRY * 3);
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

    @Test
    void pastTheDirtyBoundTheLeastRecentlyChangedEntryIsWrittenBackAndStaysCached() throws Exception {
        List<Written> written = new ArrayList<>();
        TestCache t = new TestCache(BIG, ENTRY * 2, written);
        StateCache<String> c = t.cache;
        State a = someState();
        State b = someState();
        t.put("k1", a, true);
        t.put("k2", a, true);
        t.put("k1", b, true); // k1 changed again: k2 is now the least recently changed
        t.put("k2", a, false); // used, not changed: still the least recently changed
        assertThat(written).as("two dirty entries: within the bound").isEmpty();
        t.put("k3", a, true);
        assertThat(written).containsExactly(new Written("k2", a));
        assertThat(c.dirtyCount()).isEqualTo(2);
        assertThat(c.dirtyBytes()).isEqualTo(ENTRY * 2);
        assertThat(t.get("k2")).as("written back, still cached").isSameAs(a);
        assertThat(c.misses()).isZero();
        c.flush();
        assertThat(written).as("the flush writes what stayed dirty, least recently changed first")
                .containsExactly(new Written("k2", a), new Written("k1", b), new Written("k3", a));
        assertThat(c.dirtyBytes()).isZero();
        assertThat(c.size()).isEqualTo(3);
    }

    @Test
    void anEvictedDirtyEntryLeavesTheDirtyListToo() throws Exception {
        List<Written> written = new ArrayList<>();
        TestCache t = new TestCache(ENTRY * 3, ENTRY * 3, written);
        StateCache<String> c = t.cache;
        State a = someState();
        t.put("k1", a, true);
        t.put("k2", a, true);
        t.put("k3", a, true);
        t.get("k1"); // k2 the least recently used; k1 still the least recently changed
        t.put("k4", a, true);
        assertThat(written).as("evicted, so written back").containsExactly(new Written("k2", a));
        assertThat(c.dirtyCount()).isEqualTo(3);
        assertThat(c.dirtyBytes()).isEqualTo(ENTRY * 3);
        c.flush();
        assertThat(written).as("each once").containsExactly(new Written("k2", a), new Written("k1", a),
                new Written("k3", a), new Written("k4", a));
        assertThat(c.dirtyCount()).isZero();
    }

    @Test
    void withoutTimeToSpareDirtyEntriesWaitForTheFlushAndWithItTheBacklogDrainsTwoAPut() throws Exception {
        List<Written> written = new ArrayList<>();
        long entry = 112 + 2 * 5 + 100; // keys of five letters
        TestCache t = new TestCache(BIG, entry * 10, written);
        StateCache<String> c = t.cache;
        State a = someState();
        t.spare = false;
        for (int i = 0; i < 256; i++) { // used, not changed; the cache asks on its 256th put
            t.put(String.format("c%04d", i), a, false);
        }
        for (int i = 0; i < 600; i++) { // puts 257 to 856; asked again at 512 and 768
            t.put(String.format("k%04d", i), a, true);
        }
        assertThat(written).as("a saturated task writes nothing early").isEmpty();
        assertThat(c.dirtyCount()).isEqualTo(600);
        t.spare = true;
        for (int i = 0; i < 168; i++) { // puts 857 to 1024 change dirty keys again: asked on the last
            t.put(String.format("k%04d", 599 - i), a, true);
        }
        assertThat(written).as("two written back on the put that was told").extracting(Written::key)
                .containsExactly("k0000", "k0001");
        t.put("k0600", a, true);
        assertThat(c.dirtyCount()).as("one more dirty, two more written").isEqualTo(597);
        for (int i = 601; i < 1200; i++) {
            t.put(String.format("k%04d", i), a, true);
        }
        assertThat(c.dirtyCount()).as("drained to the bound, then held there").isEqualTo(10);
        assertThat(written).as("each key written once").extracting(Written::key).doesNotHaveDuplicates().hasSize(1190);
        c.flush();
        assertThat(written).hasSize(1200);
    }

    @Test
    void spareTimeIsAWaitOfAtLeastATwentiethOfTheLastPeriod() {
        org.apache.flink.util.clock.ManualClock clock = new org.apache.flink.util.clock.ManualClock(1_000_000_000L);
        var io = new org.apache.flink.runtime.metrics.groups.TaskIOMetricGroup(
                org.apache.flink.runtime.metrics.groups.UnregisteredMetricGroups.createUnregisteredTaskMetricGroup(), clock);
        long[] now = {1_000};
        SpareTime spare = new SpareTime(io, () -> now[0]);
        assertThat(spare.getAsBoolean()).as("before a period is judged").isTrue();
        waitFor(io.getIdleTimeMsPerSecond(), clock, 4);
        now[0] += 100;
        assertThat(spare.getAsBoolean()).as("4 ms idle of 100").isFalse();
        now[0] += 50;
        waitFor(io.getIdleTimeMsPerSecond(), clock, 40);
        assertThat(spare.getAsBoolean()).as("within the period: the last judgement").isFalse();
        now[0] += 50;
        assertThat(spare.getAsBoolean()).as("40 ms idle of 100").isTrue();
        waitFor(io.getHardBackPressuredTimePerSecond(), clock, 3);
        waitFor(io.getSoftBackPressuredTimePerSecond(), clock, 3);
        now[0] += 100;
        assertThat(spare.getAsBoolean()).as("6 ms back-pressured of 100: waiting for room downstream").isTrue();
        now[0] += 1_000;
        assertThat(spare.getAsBoolean()).as("a second of work").isFalse();
    }

    private static void waitFor(org.apache.flink.runtime.metrics.TimerGauge timer, org.apache.flink.util.clock.ManualClock clock,
            long millis) {
        timer.markStart();
        clock.advanceTime(Duration.ofMillis(millis));
        timer.markEnd();
    }

    @Test
    void theDirtyBoundMustBeWithinTheCache() {
        assertThatThrownBy(() -> new TestCache(ENTRY, ENTRY + 1, new ArrayList<>())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TestCache(ENTRY, 0, new ArrayList<>())).isInstanceOf(IllegalArgumentException.class);
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
        long threeKeys = 3 * (112 + 2 * 3 + (64 + 3 * 48 + 8 * 5)); // keys "kNN": ~3 entries
        for (KeyBundles b : List.of(KeyBundles.OFF, KeyBundles.of(30, HOUR))) {
            Run cached = run(b, threeKeys, input);
            assertThat(cached.cache().size()).as("%s: the bound held", b).isLessThanOrEqualTo(3);
            assertThat(cached.cache().misses()).as("%s: mostly misses, so mostly evictions", b)
                    .isGreaterThan(input.size() / 2);
            assertSame(cached, plain);
        }
    }

    @Test
    void underTheDirtyBoundEveryKeyStaysCachedAndOutputsAndStateAreThoseOfNoCache() throws Exception {
        List<FeatureRecord> input = records(600, 40, 11);
        Run plain = run(KeyBundles.OFF, 0, input);
        long cacheBytes = 40 * 400; // every key fits (each under 400 bytes); dirty: an eighth, about 5 keys
        for (KeyBundles b : List.of(KeyBundles.OFF, KeyBundles.of(30, HOUR))) {
            var h = harness(b, cacheBytes);
            h.open();
            StateCache<String> c = operator(h).stateCache();
            long mostDirty = 0;
            for (FeatureRecord r : input) {
                h.processElement(r, 0);
                mostDirty = Math.max(mostDirty, c.dirtyBytes());
            }
            assertThat(mostDirty).as("%s: the dirty bound held", b).isPositive()
                    .isLessThanOrEqualTo(cacheBytes / StateCache.DIRTY_SHARE);
            assertThat(c.size()).as("%s: nothing evicted", b).isEqualTo(40);
            assertThat(c.misses()).as("%s: written-back keys stayed cached: one read per key", b).isEqualTo(40);
            h.endInput();
            Map<Long, double[]> out = new HashMap<>();
            outputs(h.getOutput()).forEach(o -> out.put(o.seq(), o.output()));
            Run cached = new Run(out, finalState(h), c);
            h.close();
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
