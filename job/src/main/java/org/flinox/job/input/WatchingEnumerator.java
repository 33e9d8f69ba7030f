package org.flinox.job.input;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.connector.file.src.PendingSplitsCheckpointSerializer;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The split enumerator of a watched input ({@code --watch}): lists the input every interval
 * ({@link InputFiles}) and hands out each new file once, in arrival order, as Flink's
 * {@code ContinuousFileSplitEnumerator} does; unlike it, it remembers the length and modification
 * time each file had when it was listed. A file that then changes under that name — replaced by
 * an atomic {@code mv}, rows appended, re-created after a removal — is not ignored in silence:
 * each change seen is one {@link FileChange} split, which the reader turns into one
 * {@code FILE_CHANGED} dead letter. What changed is not read: a file is read once.
 *
 * <p>The versions are part of checkpoints and savepoints ({@link Checkpoint}), so a change made
 * while the job was stopped is seen when it resumes. A checkpoint in Flink's own format (no
 * versions, from before) resumes taking the files as they are at the first listing.
 */
final class WatchingEnumerator implements SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> {

    private static final Logger LOG = LoggerFactory.getLogger(WatchingEnumerator.class);

    /**
     * A file's version when it was last listed, and how many changes of it were seen.
     *
     * @param size its length in bytes; -1 when not known (restored from a checkpoint without versions)
     * @param modified its modification time, in epoch milliseconds
     */
    record Listed(long size, long modified, int changes) {
        static Listed of(FileSourceSplit split, int changes) {
            return new Listed(split.fileSize(), split.fileModificationTime(), changes);
        }

        boolean known() {
            return size >= 0;
        }

        boolean isVersionOf(FileSourceSplit split) {
            return size == split.fileSize() && modified == split.fileModificationTime();
        }
    }

    private final SplitEnumeratorContext<FileSourceSplit> context;
    private final Path[] paths;
    private final long intervalMillis;
    private final InputFiles files = new InputFiles();
    private final ArrivalOrderSplitAssigner assigner;
    private final Map<Path, Listed> listed;
    private final LinkedHashMap<Integer, String> awaitingSplit = new LinkedHashMap<>();
    private final Set<String> listingFailures = new HashSet<>();

    private WatchingEnumerator(SplitEnumeratorContext<FileSourceSplit> context, Path[] paths, long intervalMillis,
            Collection<FileSourceSplit> pending, Map<Path, Listed> listed) {
        this.context = context;
        this.paths = paths;
        this.intervalMillis = intervalMillis;
        this.assigner = new ArrivalOrderSplitAssigner(pending);
        this.listed = listed;
    }

    /** A new watch: the files there now are the first to read. */
    static WatchingEnumerator create(SplitEnumeratorContext<FileSourceSplit> context, Path[] paths, long intervalMillis)
            throws IOException {
        WatchingEnumerator e = new WatchingEnumerator(context, paths, intervalMillis, List.of(), new HashMap<>());
        e.assigner.addSplits(e.newSplits(e.files.enumerateSplits(paths, 1)));
        return e;
    }

    /** A watch resumed from a checkpoint: its pending files, and the versions of every file listed before. */
    static WatchingEnumerator restore(SplitEnumeratorContext<FileSourceSplit> context, Path[] paths, long intervalMillis,
            PendingSplitsCheckpoint<FileSourceSplit> checkpoint) {
        Map<Path, Listed> listed = new HashMap<>();
        if (checkpoint instanceof Checkpoint c) {
            listed.putAll(c.listed());
        } else {
            for (Path p : checkpoint.getAlreadyProcessedPaths()) {
                listed.put(p, new Listed(-1, -1, 0));
            }
        }
        for (FileSourceSplit s : checkpoint.getSplits()) {
            Listed before = listed.get(s.path());
            if (FileChange.of(s) == null && (before == null || !before.known())) {
                listed.put(s.path(), Listed.of(s, before == null ? 0 : before.changes()));
            }
        }
        return new WatchingEnumerator(context, paths, intervalMillis, checkpoint.getSplits(), listed);
    }

    @Override
    public void start() {
        context.callAsync(() -> files.enumerateSplits(paths, 1), this::listed, intervalMillis, intervalMillis);
    }

    /** What a listing found that is to be read: new files, and one split per file changed since it was listed. */
    private List<FileSourceSplit> newSplits(List<FileSourceSplit> found) {
        List<FileSourceSplit> fresh = new ArrayList<>();
        for (FileSourceSplit s : found) {
            Listed before = listed.get(s.path());
            if (before == null) {
                fresh.add(s);
                listed.put(s.path(), Listed.of(s, 0));
            } else if (!before.known()) {
                listed.put(s.path(), Listed.of(s, before.changes()));
            } else if (!before.isVersionOf(s)) {
                FileChange change = new FileChange(before.changes() + 1, before.size(), before.modified());
                fresh.add(change.split(s, s.splitId()));
                listed.put(s.path(), Listed.of(s, change.number()));
                LOG.info("{} changed after it was listed ({} bytes, now {}): not read again, a FILE_CHANGED dead letter",
                        s.path(), before.size(), s.fileSize());
            }
        }
        return fresh;
    }

    private void listed(List<FileSourceSplit> found, Throwable error) {
        if (error != null) {
            if (listingFailures.add(String.valueOf(error.getMessage()))) {
                LOG.warn("cannot list the input {}: {} (trying again every {} ms)", paths[0], error.toString(),
                        intervalMillis);
            }
            return;
        }
        assigner.addSplits(newSplits(found));
        assignSplits();
    }

    @Override
    public void handleSplitRequest(int subtaskId, String requesterHostname) {
        awaitingSplit.put(subtaskId, requesterHostname);
        assignSplits();
    }

    private void assignSplits() {
        Iterator<Map.Entry<Integer, String>> awaiting = awaitingSplit.entrySet().iterator();
        while (awaiting.hasNext()) {
            Map.Entry<Integer, String> reader = awaiting.next();
            if (!context.registeredReaders().containsKey(reader.getKey())) {
                awaiting.remove(); // it failed since it asked
                continue;
            }
            Optional<FileSourceSplit> next = assigner.getNext(reader.getValue());
            if (next.isEmpty()) {
                return;
            }
            context.assignSplit(next.get(), reader.getKey());
            awaiting.remove();
        }
    }

    @Override
    public void addSplitsBack(List<FileSourceSplit> splits, int subtaskId) {
        assigner.addSplits(splits);
    }

    @Override
    public void addReader(int subtaskId) {
        // readers ask for splits
    }

    @Override
    public PendingSplitsCheckpoint<FileSourceSplit> snapshotState(long checkpointId) {
        return new Checkpoint(assigner.remainingSplits(), listed);
    }

    @Override
    public void close() {}

    /** The pending splits and every file's version when last listed. */
    static final class Checkpoint extends PendingSplitsCheckpoint<FileSourceSplit> {
        private final Map<Path, Listed> listed;

        Checkpoint(Collection<FileSourceSplit> splits, Map<Path, Listed> listed) {
            super(new ArrayList<>(splits), new ArrayList<>(listed.keySet()));
            this.listed = Map.copyOf(listed);
        }

        Map<Path, Listed> listed() {
            return listed;
        }
    }

    /**
     * Version 2: Flink's own format of the pending splits ({@link PendingSplitsCheckpointSerializer},
     * version 1, which this also reads), then each listed file's path and version.
     */
    static final class CheckpointSerializer implements SimpleVersionedSerializer<PendingSplitsCheckpoint<FileSourceSplit>> {
        private static final int FLINK_VERSION = 1;
        private static final int VERSION = 2;
        private final PendingSplitsCheckpointSerializer<FileSourceSplit> flink =
                new PendingSplitsCheckpointSerializer<>(FileSourceSplitSerializer.INSTANCE);

        @Override
        public int getVersion() {
            return VERSION;
        }

        @Override
        public byte[] serialize(PendingSplitsCheckpoint<FileSourceSplit> checkpoint) throws IOException {
            byte[] pending = flink.serialize(PendingSplitsCheckpoint.fromCollectionSnapshot(checkpoint.getSplits()));
            Map<Path, Listed> listed = new HashMap<>();
            if (checkpoint instanceof Checkpoint c) {
                listed.putAll(c.listed());
            } else {
                checkpoint.getAlreadyProcessedPaths().forEach(p -> listed.put(p, new Listed(-1, -1, 0)));
            }
            DataOutputSerializer out = new DataOutputSerializer(pending.length + 8 + 64 * listed.size());
            out.writeInt(pending.length);
            out.write(pending);
            out.writeInt(listed.size());
            for (Map.Entry<Path, Listed> e : listed.entrySet()) {
                out.writeUTF(e.getKey().toString());
                out.writeLong(e.getValue().size());
                out.writeLong(e.getValue().modified());
                out.writeInt(e.getValue().changes());
            }
            return out.getCopyOfBuffer();
        }

        @Override
        public PendingSplitsCheckpoint<FileSourceSplit> deserialize(int version, byte[] serialized) throws IOException {
            if (version == FLINK_VERSION) {
                return flink.deserialize(version, serialized);
            }
            if (version != VERSION) {
                throw new IOException("unknown version " + version + " of the input's checkpoint");
            }
            DataInputDeserializer in = new DataInputDeserializer(serialized);
            byte[] pending = new byte[in.readInt()];
            in.readFully(pending);
            Collection<FileSourceSplit> splits = flink.deserialize(FLINK_VERSION, pending).getSplits();
            int count = in.readInt();
            Map<Path, Listed> listed = new HashMap<>(count * 2);
            for (int i = 0; i < count; i++) {
                listed.put(new Path(in.readUTF()), new Listed(in.readLong(), in.readLong(), in.readInt()));
            }
            return listed.isEmpty() ? PendingSplitsCheckpoint.fromCollectionSnapshot(splits) : new Checkpoint(splits, listed);
        }
    }
}
