package org.flinox.bench;

import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.ExecutionConfig;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.flinox.nn.State;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.KeyBundles;
import org.flinox.operators.KeyedModel;
import org.flinox.operators.ModelFactory;
import org.flinox.operators.ModelOperator;
import org.flinox.operators.ModelOutput;
import org.flinox.operators.ModelSettings;
import org.flinox.operators.Rejected;

/**
 * B10-heap: what the model operator keeps on the JVM heap, measured, against what its bounds
 * count. One operator in Flink's keyed test harness on the job's RocksDB backend (whose state
 * is off the heap), fed {@link Workload} records; the heap used after full collections, with
 * records minus the same without the structure measured (no cache, or no bundle), median of
 * the repeats, run in alternation. The harness' own output queue is emptied as it fills.
 */
final class HeapPerKeyBench {
    private static final TypeInformation<FeatureRecord> RECORD = TypeInformation.of(FeatureRecord.class);
    private static final long CACHE = 64L << 20;
    /** What the cache counts per entry besides the key's characters and the state (StateCache). */
    private static final long CACHE_ENTRY_OVERHEAD = 112;
    /** What a bundle counts per record besides its features and the element's strings (KeyBundle). */
    private static final long BUNDLE_RECORD_OVERHEAD = 96;

    private final Report out;
    private final int repeats;
    private final double scale;
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();

    HeapPerKeyBench(Report out, int repeats, double scale) {
        this.out = out;
        this.repeats = repeats;
        this.scale = scale;
    }

    void run() throws Exception {
        out.line("## B10-heap the operator's heap: the state cache and a key bundle, measured vs their bounds' estimates");
        out.line("");
        out.row("what", "model", "keys", "records", "measured heap", "the bound's estimate", "measured / estimate");
        out.row("---", "---", "---", "---", "---", "---", "---");
        int fit = (int) Math.max(10_000, Math.round(100_000 * scale));
        cacheAllFit(new BenchModels.StandardizeModel(), fit);
        cacheAllFit(new BenchModels.MlpModel(64), fit);
        cacheFull(new BenchModels.StandardizeModel());
        openBundle(new BenchModels.StandardizeModel(), 50_000, 1000);
        opened(new BenchModels.StandardizeModel());
        out.line("");
        out.line("Estimates: a cache entry is " + CACHE_ENTRY_OVERHEAD + " B + 2 B per key character + the state "
                + "(64 B + per entry 48 B + 8 B per value); a bundled record " + BUNDLE_RECORD_OVERHEAD
                + " B + 8 B per feature + 2 B per character of its strings, plus one state per distinct key. "
                + "RocksDB's memory (block cache, memtables) is native and not in these numbers.");
        out.line("");
    }

    /** Every key once, all within the cache: the heap per cached key. */
    private void cacheAllFit(ModelFactory model, int keys) throws Exception {
        Delta d = alternate(model, ModelSettings.defaults().withStateCache(CACHE), ModelSettings.defaults().withStateCache(0),
                keys, keys);
        double estimate = 0;
        for (int k = 0; k < keys; k++) {
            estimate += cacheEntryBytes(model, "k" + k);
        }
        estimate /= keys;
        out.row("state cache " + mib(CACHE) + ", every key fits", model.name(), String.format("%,d", keys),
                String.format("%,d", keys), String.format("%.0f B per key", d.median() / keys),
                String.format("%.0f B per key", estimate), String.format("%.2f", d.median() / keys / estimate));
    }

    /** Three times the keys that fit: the heap of a full cache against its bound. */
    private void cacheFull(ModelFactory model) throws Exception {
        int keys = (int) (3 * CACHE / cacheEntryBytes(model, "k100000"));
        Delta d = alternate(model, ModelSettings.defaults().withStateCache(CACHE), ModelSettings.defaults().withStateCache(0),
                keys, keys);
        out.row("state cache " + mib(CACHE) + ", full (3× the keys that fit)", model.name(), String.format("%,d", keys),
                String.format("%,d", keys), mib(d.median()), mib(CACHE) + " (the bound)",
                String.format("%.2f", d.median() / CACHE));
    }

    /** One bundle held open (it fires at {@code records}, and the harness' clock never moves): the heap per buffered record. */
    private void openBundle(ModelFactory model, int records, int keys) throws Exception {
        ModelSettings bundled = ModelSettings.defaults().withStateCache(0)
                .withBundles(KeyBundles.of(records, java.time.Duration.ofHours(1)));
        int buffered = records - 1;
        Delta d = alternate(model, bundled, ModelSettings.defaults().withStateCache(0), keys, buffered);
        double estimate = 0;
        Workload w = new Workload(keys);
        for (long i = 0; i < buffered; i++) {
            FeatureRecord r = w.map(i);
            estimate += BUNDLE_RECORD_OVERHEAD + 8L * r.features().length + r.estimatedBytes();
        }
        estimate = (estimate + (double) keys * stateBytes(model)) / buffered;
        out.row("one open key bundle of " + String.format("%,d", records) + " records (no cache)", model.name(),
                String.format("%,d", keys), String.format("%,d", buffered),
                String.format("%.0f B per record", d.median() / buffered), String.format("%.0f B per record", estimate),
                String.format("%.2f", d.median() / buffered / estimate));
    }

    /** The operator opened, before any record: the model, the operator's own structures. */
    private void opened(ModelFactory model) throws Exception {
        List<Double> bytes = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            var h = harness(model, ModelSettings.defaults());
            h.initializeState(null, null); // the backend first, so only the operator's open is counted
            long before = usedAfterGc();
            h.open();
            bytes.add((double) (usedAfterGc() - before));
            h.close();
        }
        Delta d = new Delta(bytes);
        out.row("a subtask's operator, opened (cache " + mib(CACHE) + ", empty)", model.name(), "-", "-",
                String.format("%.1f KiB", d.median() / 1024), "-", "-");
    }

    private record Delta(List<Double> bytes) {
        double median() {
            return CheckpointBench.median(bytes.stream().mapToDouble(Double::doubleValue).toArray());
        }
    }

    /** The heap {@code with} keeps past what {@code without} keeps, over the same records, the two runs alternating. */
    private Delta alternate(ModelFactory model, ModelSettings with, ModelSettings without, int keys, long records)
            throws Exception {
        List<Double> deltas = new ArrayList<>();
        for (int r = 0; r < repeats; r++) {
            long a = retained(model, with, keys, records);
            long b = retained(model, without, keys, records);
            deltas.add((double) (a - b));
            System.err.printf("  B10-heap %s %,d keys run %d: %,d - %,d bytes%n", model.name(), keys, r + 1, a, b);
        }
        return new Delta(deltas);
    }

    /** The heap used after {@code records} records, over what the opened operator used. */
    private long retained(ModelFactory model, ModelSettings settings, int keys, long records) throws Exception {
        var h = harness(model, settings);
        h.open();
        long before = usedAfterGc();
        Workload w = new Workload(keys);
        for (long i = 0; i < records; i++) {
            h.processElement(w.map(i), i);
            if (i % 1024 == 0) {
                h.getOutput().clear();
            }
        }
        h.getOutput().clear();
        long after = usedAfterGc();
        h.close();
        return after - before;
    }

    private static KeyedOneInputStreamOperatorTestHarness<String, FeatureRecord, ModelOutput<FeatureRecord>> harness(
            ModelFactory model, ModelSettings settings) throws Exception {
        var op = new ModelOperator<String, FeatureRecord>(model, FeatureRecord::features, Rejected.tag(RECORD), settings);
        var h = new KeyedOneInputStreamOperatorTestHarness<>(op, FeatureRecord::key, Types.STRING);
        h.setStateBackend(new EmbeddedRocksDBStateBackend());
        h.setup(ModelOutput.typeInfo(RECORD).createSerializer(new ExecutionConfig().getSerializerConfig()));
        return h;
    }

    private long usedAfterGc() throws InterruptedException {
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(20); // let the collector's reference processing settle
            used = Math.min(used, memory.getHeapMemoryUsage().getUsed());
        }
        return used;
    }

    /** The cache's count for one key: entry, key characters, state (as StateCache and ModelOperator count them). */
    private static long cacheEntryBytes(ModelFactory model, String key) {
        return CACHE_ENTRY_OVERHEAD + 2L * key.length() + stateBytes(model);
    }

    private static long stateBytes(ModelFactory model) {
        State initial = KeyedModel.build(model).initial();
        long bytes = 64;
        for (int i = 0; i < initial.size(); i++) {
            bytes += 48 + 8L * initial.valueAt(i).size();
        }
        return bytes;
    }

    private static String mib(double bytes) {
        return String.format("%.1f MiB", bytes / (1 << 20));
    }
}
