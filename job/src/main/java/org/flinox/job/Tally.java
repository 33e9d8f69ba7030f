package org.flinox.job;

import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.accumulators.ListAccumulator;
import org.apache.flink.api.common.accumulators.LongCounter;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeutils.base.StringSerializer;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.flinox.job.input.RawLine;
import org.flinox.operators.DeadLetter;
import org.flinox.operators.DeadLetterReason;
import org.flinox.operators.FeatureRecord;
import org.flinox.operators.ModelOutput;

/**
 * Counts what a run does, for its summary and its progress line: a pass-through map chained
 * into the dataflow that adds to Flink accumulators (which the client reads while the job runs
 * and when it ends, summed over every subtask).
 *
 * <p>Accumulators start from zero in a restarted task, so each tally also keeps its counts in
 * operator state: after a failure the counts restored from the checkpoint are added back, and
 * the records replayed since are counted again once, exactly as they are processed again. The
 * counts belong to one job: a run that starts from another job's savepoint starts from zero.
 */
abstract class Tally<T> extends RichMapFunction<T, T> implements CheckpointedFunction {
    private static final long serialVersionUID = 1L;

    static final String LINES = "flinox.lines";
    static final String BYTES = "flinox.bytes";
    static final String OUTPUTS = "flinox.outputs";
    static final String KEYS = "flinox.keys";
    /** Non-zero when some subtask saw more keys than it keeps: {@link #KEYS} is then a lower bound. */
    static final String KEYS_CAPPED = "flinox.keysCapped";
    /** Distinct keys kept per subtask (in memory and in each checkpoint): about 10 MB at most. */
    static final int MAX_KEYS_KEPT = 100_000;
    static final String DEAD_PREFIX = "flinox.dead.";
    static final String EXAMPLES = "flinox.deadExamples";
    /** Input readers running, and those that read their input to the end and stay open ({@link BoundedInput}). */
    static final String READERS = "flinox.readers";
    static final String READERS_DRAINED = "flinox.readersDrained";
    /** The highest attempt number of a reader's task: how often the job restarted (every task restarts together). */
    static final String RESTARTS = "flinox.restarts";
    /** Examples of dead letters kept per reason and subtask. */
    static final int EXAMPLES_PER_REASON = 3;

    private transient ListState<String> saved;
    private transient List<String> restored;

    /** The accumulator names and counts of this tally, to snapshot and restore. */
    abstract Map<String, LongCounter> counters();

    /** Further rows to keep across a restart (keys seen, examples), one string each. */
    List<String> rows() {
        return List.of();
    }

    /** Takes back a row of {@link #rows()}. */
    void restoreRow(String row) {}

    @Override
    public void open(OpenContext context) {
        for (Map.Entry<String, LongCounter> c : counters().entrySet()) {
            getRuntimeContext().addAccumulator(c.getKey(), c.getValue());
        }
        String job = getRuntimeContext().getJobInfo().getJobId().toString();
        for (String entry : restored) {
            String[] parts = entry.split("\t", 4);
            if (!parts[0].equals(job)) {
                continue; // another job's savepoint: this run counts from zero
            }
            if (parts[1].equals("c")) {
                LongCounter counter = counters().get(parts[2]);
                if (counter != null) {
                    counter.add(Long.parseLong(parts[3]));
                }
            } else {
                restoreRow(entry.substring(parts[0].length() + 3));
            }
        }
        restored = null;
    }

    @Override
    public void snapshotState(FunctionSnapshotContext context) throws Exception {
        String job = getRuntimeContext().getJobInfo().getJobId().toString();
        List<String> entries = new ArrayList<>();
        counters().forEach((name, counter) -> entries.add(job + "\tc\t" + name + "\t" + counter.getLocalValue()));
        for (String row : rows()) {
            entries.add(job + "\tr\t" + row);
        }
        saved.update(entries);
    }

    @Override
    public void initializeState(FunctionInitializationContext context) throws Exception {
        saved = context.getOperatorStateStore().getListState(
                new ListStateDescriptor<>("flinox-tally", StringSerializer.INSTANCE));
        restored = new ArrayList<>();
        if (context.isRestored()) {
            saved.get().forEach(restored::add);
        }
    }

    /**
     * Lines read and their bytes (UTF-8, with a line terminator each); and whether this
     * subtask's reader is drained ({@link BoundedInput#END_MARKER}, passed on uncounted to be
     * dropped). The reader counts are not kept across restarts: a restarted reader drains again.
     */
    static final class Lines extends Tally<RawLine> {
        private static final long serialVersionUID = 1L;
        private transient LongCounter lines;
        private transient LongCounter bytes;
        private transient LongCounter drained;

        @Override
        public void open(OpenContext context) {
            super.open(context);
            LongCounter readers = new LongCounter();
            readers.add(1);
            drained = new LongCounter();
            getRuntimeContext().addAccumulator(READERS, readers);
            getRuntimeContext().addAccumulator(READERS_DRAINED, drained);
            getRuntimeContext().addAccumulator(RESTARTS, new org.apache.flink.api.common.accumulators.LongMaximum(
                    getRuntimeContext().getTaskInfo().getAttemptNumber()));
        }

        @Override
        Map<String, LongCounter> counters() {
            if (lines == null) {
                lines = new LongCounter();
                bytes = new LongCounter();
            }
            return Map.of(LINES, lines, BYTES, bytes);
        }

        @Override
        public RawLine map(RawLine line) {
            if (BoundedInput.isEndMarker(line)) {
                drained.add(1);
                return line;
            }
            lines.add(1);
            bytes.add(line.text() == null ? 0 : utf8Length(line.text()) + 1); // no text: a damaged or non-UTF-8 line
            return line;
        }
    }

    /** The UTF-8 length of a string, without encoding it (a line is counted on the hot path). */
    static long utf8Length(String s) {
        long n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c)) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Outputs, and (for a bounded run) distinct keys. It runs chained to the model operator,
     * whose subtasks own disjoint keys, so summing the subtasks' distinct counts is exact, up to
     * {@link #MAX_KEYS_KEPT} keys per subtask; past that the count is a lower bound, and says so.
     */
    static final class Outputs extends Tally<ModelOutput<FeatureRecord>> {
        private static final long serialVersionUID = 1L;
        private final boolean countKeys;
        private transient LongCounter outputs;
        private transient LongCounter keys;
        private transient LongCounter capped;
        private transient Set<String> seen;

        /** @param countKeys whether to count distinct keys (kept in memory: for bounded runs) */
        Outputs(boolean countKeys) {
            this.countKeys = countKeys;
        }

        @Override
        Map<String, LongCounter> counters() {
            if (outputs == null) {
                outputs = new LongCounter();
                keys = new LongCounter();
                capped = new LongCounter();
                seen = new HashSet<>();
            }
            return countKeys ? Map.of(OUTPUTS, outputs, KEYS, keys, KEYS_CAPPED, capped) : Map.of(OUTPUTS, outputs);
        }

        @Override
        List<String> rows() {
            return List.copyOf(seen);
        }

        @Override
        void restoreRow(String key) {
            seen.add(key); // its count came back with the counters
        }

        @Override
        public ModelOutput<FeatureRecord> map(ModelOutput<FeatureRecord> output) {
            outputs.add(1);
            String key = output.input().key();
            if (countKeys && !seen.contains(key)) {
                if (seen.size() < MAX_KEYS_KEPT) {
                    seen.add(key);
                    keys.add(1);
                } else if (capped.getLocalValue() == 0) {
                    capped.add(1);
                }
            }
            return output;
        }
    }

    /** Dead letters by reason, with the first few of each. */
    static final class DeadLetters extends Tally<DeadLetter> {
        private static final long serialVersionUID = 1L;
        private transient Map<DeadLetterReason, LongCounter> byReason;
        private transient ListAccumulator<String> examples;
        private transient List<String> kept;

        @Override
        Map<String, LongCounter> counters() {
            if (byReason == null) {
                byReason = new EnumMap<>(DeadLetterReason.class);
                for (DeadLetterReason r : DeadLetterReason.values()) {
                    byReason.put(r, new LongCounter());
                }
                examples = new ListAccumulator<>();
                kept = new ArrayList<>();
            }
            Map<String, LongCounter> named = new java.util.TreeMap<>();
            byReason.forEach((r, c) -> named.put(DEAD_PREFIX + r.name(), c));
            return named;
        }

        @Override
        public void open(OpenContext context) {
            super.open(context);
            getRuntimeContext().addAccumulator(EXAMPLES, examples);
        }

        @Override
        List<String> rows() {
            return List.copyOf(kept);
        }

        @Override
        void restoreRow(String example) {
            kept.add(example);
            examples.add(example);
        }

        @Override
        public DeadLetter map(DeadLetter d) {
            LongCounter c = byReason.get(d.reason());
            c.add(1);
            if (c.getLocalValue() <= EXAMPLES_PER_REASON) {
                String example = Example.of(d).encode();
                kept.add(example);
                examples.add(example);
            }
            return d;
        }
    }

    /** A dead letter as the summary shows it. */
    record Example(String source, long seq, String reason, String detail) {
        static Example of(DeadLetter d) {
            String detail = d.detail() == null ? "" : d.detail();
            return new Example(String.valueOf(d.source()), d.seq(), d.reason().name(),
                    detail.length() > 200 ? detail.substring(0, 200) + "..." : detail);
        }

        String encode() {
            return String.join("\u0001", source, Long.toString(seq), reason, detail);
        }

        static Example decode(String s) {
            String[] p = s.split("\u0001", 4);
            return new Example(p[0], Long.parseLong(p[1]), p[2], p.length > 3 ? p[3] : "");
        }
    }
}
