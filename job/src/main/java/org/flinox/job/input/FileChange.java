package org.flinox.job.input;

import java.time.Instant;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.flinox.operators.DeadLetterReason;

/**
 * A file of a watched input that changed after it was listed: the {@code number}-th change seen
 * under its name, from the version listed before ({@code sizeBefore} bytes, modified at
 * {@code modifiedBefore}) to the one of the split that carries it.
 *
 * <p>It travels as a split of its own, told apart by its id, so it reaches the reader in arrival
 * order with the files; the reader turns it into one {@link DeadLetterReason#FILE_CHANGED} line of
 * {@code seq} {@code -number} (a file's rows have {@code seq} from 0, so the ids stay unique), and
 * reads nothing: a file is read once.
 */
record FileChange(int number, long sizeBefore, long modifiedBefore) {

    private static final String PREFIX = "changed:";

    /** The split that carries this change of {@code now}'s file, under a split id of its own. */
    FileSourceSplit split(FileSourceSplit now, String id) {
        return new FileSourceSplit(PREFIX + number + ":" + sizeBefore + ":" + modifiedBefore + ":" + id, now.path(), 0,
                now.length(), now.fileModificationTime(), now.fileSize());
    }

    /** The change a split carries, or null for a split of a file to read. */
    static FileChange of(FileSourceSplit split) {
        if (!split.splitId().startsWith(PREFIX)) {
            return null;
        }
        String[] parts = split.splitId().substring(PREFIX.length()).split(":");
        return new FileChange(Integer.parseInt(parts[0]), Long.parseLong(parts[1]), Long.parseLong(parts[2]));
    }

    /** The one line the reader gives for this change of {@code split}'s file, named {@code source}. */
    RawLine line(String source, FileSourceSplit split) {
        return new RawLine(source, -number, null, null, DeadLetterReason.FILE_CHANGED, source
                + " changed after it was listed (it had " + sizeBefore + " bytes, modified " + Instant.ofEpochMilli(modifiedBefore)
                + "; it now has " + split.fileSize() + ", modified " + Instant.ofEpochMilli(split.fileModificationTime())
                + "): a file is read once, so what was written to it after it was read is not read; write a file "
                + "elsewhere and move it in whole, and new rows into a new file");
    }
}
