package org.flinox.job.input;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.PriorityQueue;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.assigners.FileSplitAssigner;

/**
 * Hands out file splits in arrival order: by the file's modification time, then by path (then by
 * offset, for split files), whatever host asks.
 *
 * <p>Flink's default, {@code LocalityAwareSplitAssigner}, keeps its splits in a {@code HashSet}
 * and prefers host-local ones, and {@code SimpleSplitAssigner} hands out the last split added
 * first; neither keeps files in order. With one source reader (source parallelism 1), this
 * assigner makes files be read one after the other in arrival order, so the records of one key
 * stay in input order across files. With several readers, files are still <em>started</em> in
 * this order but are read concurrently.
 */
public final class ArrivalOrderSplitAssigner implements FileSplitAssigner {

    /** The order: modification time, then path, then offset. */
    public static final Comparator<FileSourceSplit> ARRIVAL_ORDER =
            Comparator.comparingLong(FileSourceSplit::fileModificationTime)
                    .thenComparing(s -> s.path().toString())
                    .thenComparingLong(FileSourceSplit::offset);

    private final PriorityQueue<FileSourceSplit> pending = new PriorityQueue<>(ARRIVAL_ORDER);

    public ArrivalOrderSplitAssigner(Collection<FileSourceSplit> splits) {
        pending.addAll(splits);
    }

    @Override
    public Optional<FileSourceSplit> getNext(String hostname) {
        return Optional.ofNullable(pending.poll());
    }

    @Override
    public void addSplits(Collection<FileSourceSplit> splits) {
        pending.addAll(splits);
    }

    /** The splits not handed out yet, in arrival order. */
    @Override
    public Collection<FileSourceSplit> remainingSplits() {
        List<FileSourceSplit> sorted = new ArrayList<>(pending);
        sorted.sort(ARRIVAL_ORDER);
        return sorted;
    }

    @Override
    public String toString() {
        return "ArrivalOrderSplitAssigner " + remainingSplits();
    }
}
