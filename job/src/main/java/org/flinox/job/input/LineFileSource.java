package org.flinox.job.input;

import java.io.IOException;
import java.time.Duration;
import org.apache.flink.api.connector.source.SplitEnumerator;
import org.apache.flink.api.connector.source.SplitEnumeratorContext;
import org.apache.flink.connector.file.src.AbstractFileSource;
import org.apache.flink.connector.file.src.ContinuousEnumerationSettings;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.FileSourceSplitSerializer;
import org.apache.flink.connector.file.src.PendingSplitsCheckpoint;
import org.apache.flink.core.fs.Path;
import org.apache.flink.core.io.SimpleVersionedSerializer;
import org.apache.flink.util.FlinkRuntimeException;

/**
 * Flink's file source, with the job's listing ({@link InputFiles}), arrival order
 * ({@link ArrivalOrderSplitAssigner}) and line reader ({@link TaggedLineFormat}); a watched input
 * is listed by {@link WatchingEnumerator}, which sees files that change under a name already
 * listed. Splits, reader positions and pending files are checkpointed as Flink's
 * {@code FileSource} checkpoints them, so savepoints of either restore with the other.
 */
final class LineFileSource extends AbstractFileSource<RawLine, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    private final Path[] paths;
    private final Duration watch;

    /** @param watch the listing interval of a watched input, or null for the files there at the start */
    LineFileSource(Path path, TaggedLineFormat format, Duration watch) {
        super(new Path[] {path}, InputFiles::new, ArrivalOrderSplitAssigner::new, format,
                watch == null ? null : new ContinuousEnumerationSettings(watch));
        this.paths = new Path[] {path};
        this.watch = watch;
    }

    @Override
    public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> createEnumerator(
            SplitEnumeratorContext<FileSourceSplit> context) {
        if (watch == null) {
            return super.createEnumerator(context);
        }
        try {
            return WatchingEnumerator.create(context, paths, watch.toMillis());
        } catch (IOException e) {
            throw new FlinkRuntimeException("cannot list the input " + paths[0], e);
        }
    }

    @Override
    public SplitEnumerator<FileSourceSplit, PendingSplitsCheckpoint<FileSourceSplit>> restoreEnumerator(
            SplitEnumeratorContext<FileSourceSplit> context, PendingSplitsCheckpoint<FileSourceSplit> checkpoint) {
        return watch == null ? super.restoreEnumerator(context, checkpoint)
                : WatchingEnumerator.restore(context, paths, watch.toMillis(), checkpoint);
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
