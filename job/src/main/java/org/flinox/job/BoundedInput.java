package org.flinox.job;

import java.io.IOException;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.flink.api.common.eventtime.Watermark;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.Boundedness;
import org.apache.flink.api.connector.source.ReaderInfo;
import org.apache.flink.api.connector.source.ReaderOutput;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.api.connector.source.SourceEvent;
import org.apache.flink.api.connector.source.SourceOutput;
import org.apache.flink.api.connector.source.SourceReader;
import org.apache.flink.api.connector.source.SourceReaderContext;
import org.apache.flink.api.connector.source.SourceSplit;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.api.connector.source.SplitsAssignment;
import org.apache.flink.api.java.typeutils.ResultTypeQueryable;
import org.apache.flink.connector.kafka.source.split.KafkaPartitionSplit;
import org.apache.flink.core.io.InputStatus;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.metrics.groups.SplitEnumeratorMetricGroup;
import org.apache.flink.util.FlinkRuntimeException;
import org.flinox.job.input.RawLine;

/**
 * The job's input source with an end that can be a savepoint. A bounded Flink source finishes
 * its tasks when it has read everything, and a job whose tasks finished cannot be stopped with a
 * savepoint (nor is a finished operator's state kept in one). So this wraps the source:
 *
 * <ul>
 *   <li><b>End of input.</b> When the wrapped reader has read its last split, the reader either
 *       ends as usual, or, for {@code --final-savepoint}, stays open without reading and emits
 *       one {@link #END_MARKER} line. {@link Tally.Lines} drops that line and counts the reader
 *       as drained; the client sees the count in the accumulators and stops the job with a
 *       savepoint. The savepoint's barrier follows every line the reader emitted, so it holds
 *       every record's effect: the model's state, the sinks' committed files or transactions,
 *       and the source's positions.
 *   <li><b>Files</b> are read by a continuous {@code FileSource} whose enumeration runs once,
 *       at the start (the files present then, as a bounded source reads them), and which tells
 *       the reader "no more splits" when it asks for one and none is left. Unlike the bounded
 *       source, its checkpoints keep the paths already read, so a restore with the same
 *       {@code --input} (bounded or {@code --watch}) skips them and reads only files that
 *       are new.
 *   <li><b>Kafka.</b> A bounded reader drops a partition from its state once it reached its
 *       stopping offset, so a savepoint would hold no position for it and a restore would never
 *       read that partition again. Here a finished partition stays in the state as a split that
 *       starts after the last record read and has no stopping offset yet; the restoring run gives
 *       it one: the latest offset when it is assigned ({@code --bounded}), or none.
 * </ul>
 */
final class BoundedInput<SplitT extends SourceSplit, C> implements Source<RawLine, SplitT, C>,
        ResultTypeQueryable<RawLine> {
    private static final long serialVersionUID = 1L;

    /** The line a held-open reader emits once its input is drained; never a real line (seq is -1). */
    static final RawLine END_MARKER = new RawLine("", -1, null, null);

    private final Source<RawLine, SplitT, C> inner;
    private final boolean holdOpen;
    private final Ending ending;
    private final Positions<SplitT> positions;

    /** How the enumerator ends the input. */
    private enum Ending {
        /** A continuous file source listing once: "no more splits" for a reader that asks after the listing. */
        FILES_ONCE,
        /**
         * A bounded Kafka source: "no more splits" for every reader once the enumerator's discovery
         * is done. The connector (5.0.0-2.2) sends it only when the discovery finds a partition
         * change, so a bounded source restored with every partition assigned would never end.
         */
        KAFKA_BOUNDED,
        /** As the wrapped enumerator does (an unbounded topic). */
        AS_IS
    }

    private BoundedInput(Source<RawLine, SplitT, C> inner, boolean holdOpen, Ending ending,
            Positions<SplitT> positions) {
        this.inner = inner;
        this.holdOpen = holdOpen;
        this.ending = ending;
        this.positions = positions;
    }

    /**
     * The files of a bounded run.
     *
     * @param continuous a file source with continuous monitoring (its interval is not used)
     * @param holdOpen whether the reader stays open at the end, for a final savepoint
     */
    static <S extends SourceSplit, C> BoundedInput<S, C> files(Source<RawLine, S, C> continuous, boolean holdOpen) {
        return new BoundedInput<>(continuous, holdOpen, Ending.FILES_ONCE, null);
    }

    /**
     * A Kafka topic, bounded or not; finished partitions keep their positions.
     *
     * @param holdOpen whether the reader stays open at the end, for a final savepoint
     */
    static <C> BoundedInput<KafkaPartitionSplit, C> kafka(Source<RawLine, KafkaPartitionSplit, C> source,
            boolean holdOpen) {
        boolean bounded = source.getBoundedness() == Boundedness.BOUNDED;
        return new BoundedInput<>(source, holdOpen, bounded ? Ending.KAFKA_BOUNDED : Ending.AS_IS,
                new KafkaPositions(bounded));
    }

    /** Whether a line is the {@link #END_MARKER}. */
    static boolean isEndMarker(RawLine line) {
        return line.seq() < 0 && line.source().isEmpty();
    }

    @Override
    public Boundedness getBoundedness() {
        return holdOpen ? Boundedness.CONTINUOUS_UNBOUNDED
                : ending == Ending.AS_IS ? inner.getBoundedness() : Boundedness.BOUNDED;
    }

    @Override
    public SourceReader<RawLine, SplitT> createReader(SourceReaderContext context) throws Exception {
        return new Reader<>(inner.createReader(context), holdOpen, positions);
    }

    @Override
    public SplitEnumerator<SplitT, C> createEnumerator(SplitEnumeratorContext<SplitT> context) throws Exception {
        if (ending == Ending.AS_IS) {
            return inner.createEnumerator(context);
        }
        EndingContext<SplitT> ends = new EndingContext<>(context, ending);
        return ends.wrap(inner.createEnumerator(ends));
    }

    @Override
    public SplitEnumerator<SplitT, C> restoreEnumerator(SplitEnumeratorContext<SplitT> context, C checkpoint)
            throws Exception {
        if (ending == Ending.AS_IS) {
            return inner.restoreEnumerator(context, checkpoint);
        }
        EndingContext<SplitT> ends = new EndingContext<>(context, ending);
        return ends.wrap(inner.restoreEnumerator(ends, checkpoint));
    }

    @Override
    public SimpleVersionedSerializer<SplitT> getSplitSerializer() {
        return inner.getSplitSerializer();
    }

    @Override
    public SimpleVersionedSerializer<C> getEnumeratorCheckpointSerializer() {
        return inner.getEnumeratorCheckpointSerializer();
    }

    @Override
    @SuppressWarnings("unchecked")
    public TypeInformation<RawLine> getProducedType() {
        return inner instanceof ResultTypeQueryable<?> q ? (TypeInformation<RawLine>) q.getProducedType()
                : TypeInformation.of(RawLine.class);
    }

    /** How a source's finished splits keep their positions in a savepoint; null for files (the enumerator keeps them). */
    interface Positions<S extends SourceSplit> extends Serializable {
        /** A split that was read to its end, as one that resumes after {@code nextPosition} (null: nothing read). */
        S finished(S split, Long nextPosition);

        /** A split from the state, as this run reads it. */
        S restored(S split);
    }

    /** Kafka: a record's {@code seq} is its offset, its {@code source} the split's id. */
    private record KafkaPositions(boolean bounded) implements Positions<KafkaPartitionSplit> {
        @Override
        public KafkaPartitionSplit finished(KafkaPartitionSplit split, Long next) {
            long start = next != null ? next : split.getStartingOffset();
            // LATEST_OFFSET as the stopping offset marks "resume here; the restoring run decides where to stop"
            return new KafkaPartitionSplit(split.getTopicPartition(), start, KafkaPartitionSplit.LATEST_OFFSET);
        }

        @Override
        public KafkaPartitionSplit restored(KafkaPartitionSplit split) {
            boolean resumed = split.getStoppingOffset().orElse(KafkaPartitionSplit.NO_STOPPING_OFFSET)
                    == KafkaPartitionSplit.LATEST_OFFSET;
            return resumed && !bounded
                    ? new KafkaPartitionSplit(split.getTopicPartition(), split.getStartingOffset(),
                            KafkaPartitionSplit.NO_STOPPING_OFFSET)
                    : split;
        }
    }

    /** The reader: the wrapped one until it ends, then (held open) idle until the job stops. */
    private static final class Reader<S extends SourceSplit> implements SourceReader<RawLine, S> {
        private final SourceReader<RawLine, S> inner;
        private final boolean holdOpen;
        private final Positions<S> positions;
        /** Every split given to this reader, by id (only when positions are kept). */
        private final Map<String, S> splits = new LinkedHashMap<>();
        /** The position after the last line emitted, by split id. */
        private final Map<String, Long> next = new HashMap<>();
        private boolean drained;

        Reader(SourceReader<RawLine, S> inner, boolean holdOpen, Positions<S> positions) {
            this.inner = inner;
            this.holdOpen = holdOpen;
            this.positions = positions;
        }

        @Override
        public void start() {
            inner.start();
        }

        @Override
        public InputStatus pollNext(ReaderOutput<RawLine> output) throws Exception {
            if (drained) {
                return InputStatus.NOTHING_AVAILABLE;
            }
            InputStatus status = inner.pollNext(positions == null ? output : new Tracking(output));
            if (status != InputStatus.END_OF_INPUT || !holdOpen) {
                return status;
            }
            drained = true;
            output.collect(END_MARKER);
            return InputStatus.NOTHING_AVAILABLE;
        }

        @Override
        public CompletableFuture<Void> isAvailable() {
            // held open: never available again; stop-with-savepoint stops the source operator itself
            return drained ? new CompletableFuture<>() : inner.isAvailable();
        }

        @Override
        public List<S> snapshotState(long checkpointId) {
            List<S> unfinished = inner.snapshotState(checkpointId);
            if (positions == null) {
                return unfinished;
            }
            List<S> all = new ArrayList<>(unfinished);
            Set<String> open = new HashSet<>();
            unfinished.forEach(s -> open.add(s.splitId()));
            for (S split : splits.values()) {
                if (!open.contains(split.splitId())) {
                    all.add(positions.finished(split, next.get(split.splitId())));
                }
            }
            return all;
        }

        @Override
        public void addSplits(List<S> added) {
            if (positions == null) {
                inner.addSplits(added);
                return;
            }
            List<S> restored = new ArrayList<>();
            for (S split : added) {
                S s = positions.restored(split);
                splits.put(s.splitId(), s);
                restored.add(s);
            }
            inner.addSplits(restored);
        }

        @Override
        public void notifyNoMoreSplits() {
            inner.notifyNoMoreSplits();
        }

        @Override
        public void handleSourceEvents(SourceEvent event) {
            inner.handleSourceEvents(event);
        }

        @Override
        public void notifyCheckpointComplete(long checkpointId) throws Exception {
            inner.notifyCheckpointComplete(checkpointId);
        }

        @Override
        public void notifyCheckpointAborted(long checkpointId) throws Exception {
            inner.notifyCheckpointAborted(checkpointId);
        }

        @Override
        public void pauseOrResumeSplits(java.util.Collection<String> pause, java.util.Collection<String> resume) {
            inner.pauseOrResumeSplits(pause, resume);
        }

        @Override
        public void close() throws Exception {
            inner.close();
        }

        /** Notes the position after each line, by its source (a Kafka split's id). */
        private final class Tracking implements ReaderOutput<RawLine> {
            private final ReaderOutput<RawLine> out;

            Tracking(ReaderOutput<RawLine> out) {
                this.out = out;
            }

            @Override
            public void collect(RawLine line) {
                next.put(line.source(), line.seq() + 1);
                out.collect(line);
            }

            @Override
            public void collect(RawLine line, long timestamp) {
                next.put(line.source(), line.seq() + 1);
                out.collect(line, timestamp);
            }

            @Override
            public void emitWatermark(Watermark watermark) {
                out.emitWatermark(watermark);
            }

            @Override
            public void markIdle() {
                out.markIdle();
            }

            @Override
            public void markActive() {
                out.markActive();
            }

            @Override
            public SourceOutput<RawLine> createOutputForSplit(String splitId) {
                SourceOutput<RawLine> split = out.createOutputForSplit(splitId);
                return new SourceOutput<>() {
                    @Override
                    public void collect(RawLine line) {
                        next.put(line.source(), line.seq() + 1);
                        split.collect(line);
                    }

                    @Override
                    public void collect(RawLine line, long timestamp) {
                        next.put(line.source(), line.seq() + 1);
                        split.collect(line, timestamp);
                    }

                    @Override
                    public void emitWatermark(Watermark watermark) {
                        split.emitWatermark(watermark);
                    }

                    @Override
                    public void markIdle() {
                        split.markIdle();
                    }

                    @Override
                    public void markActive() {
                        split.markActive();
                    }
                };
            }

            @Override
            public void releaseOutputForSplit(String splitId) {
                out.releaseOutputForSplit(splitId);
            }
        }
    }

    /**
     * The wrapped enumerator's context, which tells readers when there are no more splits (see
     * {@link Ending}).
     */
    private static final class EndingContext<S extends SourceSplit> implements SplitEnumeratorContext<S> {
        private final SplitEnumeratorContext<S> context;
        private final Ending ending;
        private final Set<Integer> awaiting = new LinkedHashSet<>();
        private int asyncCalls;
        /** Whether the listing (files) or the discovery (Kafka) is done. */
        private boolean discovered;

        EndingContext(SplitEnumeratorContext<S> context, Ending ending) {
            this.context = context;
            this.ending = ending;
        }

        <C> SplitEnumerator<S, C> wrap(SplitEnumerator<S, C> enumerator) {
            return new SplitEnumerator<>() {
                @Override
                public void start() {
                    enumerator.start();
                }

                @Override
                public void handleSplitRequest(int subtask, String host) {
                    awaiting.add(subtask);
                    enumerator.handleSplitRequest(subtask, host); // may assign one at once
                    signalWhenDone();
                }

                @Override
                public void addSplitsBack(List<S> splits, int subtask) {
                    enumerator.addSplitsBack(splits, subtask);
                }

                @Override
                public void addReader(int subtask) {
                    enumerator.addReader(subtask); // assigns its pending splits at once
                    if (ending == Ending.KAFKA_BOUNDED) {
                        awaiting.add(subtask);
                        signalWhenDone();
                    }
                }

                @Override
                public C snapshotState(long checkpointId) throws Exception {
                    return enumerator.snapshotState(checkpointId);
                }

                @Override
                public void notifyCheckpointComplete(long checkpointId) throws Exception {
                    enumerator.notifyCheckpointComplete(checkpointId);
                }

                @Override
                public void handleSourceEvent(int subtask, SourceEvent event) {
                    enumerator.handleSourceEvent(subtask, event);
                }

                @Override
                public void close() throws IOException {
                    enumerator.close();
                }
            };
        }

        /**
         * Once the listing or discovery is done, a waiting reader has been given every split it
         * will get (assignments are made in this thread, before this runs, and reach a reader in
         * the order they were sent).
         */
        private void signalWhenDone() {
            if (!discovered) {
                return;
            }
            Map<Integer, ReaderInfo> registered = context.registeredReaders();
            if (ending == Ending.KAFKA_BOUNDED) {
                awaiting.addAll(registered.keySet());
            }
            for (int subtask : List.copyOf(awaiting)) {
                awaiting.remove(subtask);
                if (registered.containsKey(subtask)) {
                    context.signalNoMoreSplits(subtask);
                }
            }
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler, long initialDelay, long period) {
            if (ending != Ending.FILES_ONCE) {
                context.callAsync(callable, handler, initialDelay, period);
                return;
            }
            // the continuous file enumerator's periodic listing: once, now
            context.callAsync(callable, (result, error) -> {
                if (error != null) {
                    throw new FlinkRuntimeException("cannot list the input: " + error.getMessage(), error);
                }
                handler.accept(result, null);
                discovered = true;
                signalWhenDone();
            });
        }

        @Override
        public <T> void callAsync(Callable<T> callable, BiConsumer<T, Throwable> handler) {
            if (ending != Ending.KAFKA_BOUNDED) {
                context.callAsync(callable, handler);
                return;
            }
            // the bounded discovery: its calls chain (partitions, then their offsets); done when none is left
            asyncCalls++;
            context.callAsync(callable, (result, error) -> {
                try {
                    handler.accept(result, error);
                } finally {
                    asyncCalls--;
                }
                if (asyncCalls == 0) {
                    discovered = true;
                    signalWhenDone();
                }
            });
        }

        @Override
        public void assignSplits(SplitsAssignment<S> assignment) {
            awaiting.removeAll(assignment.assignment().keySet());
            context.assignSplits(assignment);
        }

        @Override
        public void signalNoMoreSplits(int subtask) {
            context.signalNoMoreSplits(subtask);
        }

        @Override
        public SplitEnumeratorMetricGroup metricGroup() {
            return context.metricGroup();
        }

        @Override
        public void sendEventToSourceReader(int subtask, SourceEvent event) {
            context.sendEventToSourceReader(subtask, event);
        }

        @Override
        public int currentParallelism() {
            return context.currentParallelism();
        }

        @Override
        public Map<Integer, ReaderInfo> registeredReaders() {
            return context.registeredReaders();
        }

        @Override
        public void runInCoordinatorThread(Runnable runnable) {
            context.runInCoordinatorThread(runnable);
        }
    }
}
