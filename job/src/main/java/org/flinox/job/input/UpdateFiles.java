package org.flinox.job.input;

import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.AbstractFileSource;
import org.apache.flink.connector.file.src.ContinuousEnumerationSettings;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.FlinkRuntimeException;
import org.flinox.operators.ModelUpdate;

/**
 * The updates of {@code --model-updates DIR}: each new {@code VERSION.npz} file in the directory
 * is one {@link ModelUpdate} of version {@code VERSION}, read whole. The directory is watched as
 * {@code --watch} watches an input ({@link WatchingEnumerator}: listed every interval, hidden
 * files skipped, new files in arrival order, a file that changes under a name already listed
 * seen as a change), so a new version should appear complete: written elsewhere (or under a
 * hidden name), then moved in.
 *
 * <p>What cannot be an update still is one, refused by the model operator with its reason, so
 * nothing is dropped in silence: a file not named {@code *.npz}, one larger than
 * {@link ModelUpdate#MAX_BYTES}, one that cannot be read, and a change of a file already listed
 * (a version's weights are read once: new weights take a new version).
 */
public final class UpdateFiles {

    private UpdateFiles() {}

    /** The source of the updates in {@code dir}, listed every {@code interval}; run it at parallelism 1. */
    public static AbstractFileSource<ModelUpdate, FileSourceSplit> watch(String dir, Duration interval) {
        return new Source(new Path(dir), interval);
    }

    /** The version a file stands for: its name without {@code .npz}; null when it is not an {@code .npz} file. */
    static String versionOf(String fileName) {
        return fileName.endsWith(".npz") && fileName.length() > ".npz".length()
                ? fileName.substring(0, fileName.length() - ".npz".length()) : null;
    }

    private static final class Source extends AbstractFileSource<ModelUpdate, FileSourceSplit> {
        private static final long serialVersionUID = 1L;
        private final Path[] paths;
        private final Duration interval;

        Source(Path dir, Duration interval) {
            super(new Path[] {dir}, InputFiles::new, ArrivalOrderSplitAssigner::new, new WholeFile(),
                    new ContinuousEnumerationSettings(interval));
            this.paths = new Path[] {dir};
            this.interval = interval;
        }

        @Override
        public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> createEnumerator(
                SplitEnumeratorContext<FileSourceSplit> context) {
            try {
                return WatchingEnumerator.create(context, paths, interval.toMillis());
            } catch (IOException e) {
                throw new FlinkRuntimeException("cannot list --model-updates " + paths[0], e);
            }
        }

        @Override
        public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> restoreEnumerator(
                SplitEnumeratorContext<FileSourceSplit> context, PendingSplitsCheckpoint<FileSourceSplit> checkpoint) {
            return WatchingEnumerator.restore(context, paths, interval.toMillis(), checkpoint);
        }

        @Override
        public SimpleVersionedSerializer<FileSourceSplit> getSplitSerializer() {
            return FileSourceSplitSerializer.INSTANCE;
        }

        @Override
        public SimpleVersionedSerializer<PendingSplitsCheckpoint<FileSourceSplit>> getEnumeratorCheckpointSerializer() {
            return new WatchingEnumerator.CheckpointSerializer();
        }
    }

    /** A file as one update; a split whose update was emitted (restored past it) gives nothing. */
    private static final class WholeFile implements BulkFormat<ModelUpdate, FileSourceSplit> {
        private static final long serialVersionUID = 1L;

        @Override
        public BulkFormat.Reader<ModelUpdate> createReader(Configuration config, FileSourceSplit split) {
            return new OneUpdate(split, false);
        }

        @Override
        public BulkFormat.Reader<ModelUpdate> restoreReader(Configuration config, FileSourceSplit split) {
            boolean emitted = split.getReaderPosition().map(p -> p.getRecordsAfterOffset() > 0).orElse(false);
            return new OneUpdate(split, emitted);
        }

        @Override
        public boolean isSplittable() {
            return false;
        }

        @Override
        public TypeInformation<ModelUpdate> getProducedType() {
            return ModelUpdate.TYPE;
        }
    }

    private static final class OneUpdate implements BulkFormat.Reader<ModelUpdate> {
        private final FileSourceSplit split;
        private boolean done;

        OneUpdate(FileSourceSplit split, boolean emitted) {
            this.split = split;
            this.done = emitted;
        }

        @Override
        public BulkFormat.RecordIterator<ModelUpdate> readBatch() {
            if (done) {
                return null;
            }
            done = true;
            SingletonResultIterator<ModelUpdate> one = new SingletonResultIterator<>();
            one.set(read(split), CheckpointedPosition.NO_OFFSET, 1);
            return one;
        }

        @Override
        public void close() {}
    }

    /** The update a split's file stands for. */
    static ModelUpdate read(FileSourceSplit split) {
        String name = split.path().getName();
        String version = versionOf(name);
        if (version == null) {
            return ModelUpdate.unreadable(name, name, "not an .npz file: an update is a file VERSION.npz");
        }
        if (FileChange.of(split) != null) {
            return ModelUpdate.unreadable(version, name, name + " changed after it was listed: a version's weights "
                    + "are read once, give new weights a new version (a new VERSION.npz, moved in whole)");
        }
        if (split.fileSize() > ModelUpdate.MAX_BYTES) {
            return ModelUpdate.unreadable(version, name, "it has " + split.fileSize() + " bytes, more than the "
                    + ModelUpdate.MAX_BYTES + " an update may have");
        }
        try (InputStream in = split.path().getFileSystem().open(split.path())) {
            byte[] bytes = in.readNBytes((int) ModelUpdate.MAX_BYTES + 1);
            return bytes.length > ModelUpdate.MAX_BYTES
                    ? ModelUpdate.unreadable(version, name, "it has more than the " + ModelUpdate.MAX_BYTES
                            + " bytes an update may have")
                    : ModelUpdate.of(version, name, bytes);
        } catch (IOException | RuntimeException e) {
            return ModelUpdate.unreadable(version, name, "cannot read it: " + e);
        }
    }
}
