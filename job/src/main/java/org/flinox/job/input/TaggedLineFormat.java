package org.flinox.job.input;

import java.io.FileNotFoundException;
import java.io.IOException;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.MutableRecordAndPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.connector.file.src.util.SingletonResultIterator;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.FileStatus;
import org.apache.flink.core.fs.Path;
import org.flinox.operators.DeadLetterReason;

/**
 * Reads a text file (UTF-8) line by line and tags each line with where it came from:
 * {@code RawLine(source, seq, text, header)}.
 *
 * <ul>
 *   <li>{@code source} is the file's path relative to the job's input directory
 *       ({@code sub1/data.csv}); for a file at the top of it, or an input that is a file, the
 *       file's name. So two {@code data.csv} in different subdirectories get different ids;
 *   <li>{@code seq} is the line's position among the file's <em>data rows</em>, from 0. For CSV
 *       the first line is the header and not a data row; every later line, an empty one
 *       included, is a data row. For JSON lines every line is a data row;
 *   <li>{@code header} is the file's CSV header line (the same for every row of the file), null
 *       for JSON lines.
 * </ul>
 *
 * <p>Lines end at {@code \n}, {@code \r\n} or {@code \r}, so a CSV field cannot span lines.
 * A UTF-8 byte-order mark at the start of a file is dropped. Lines are decoded strictly
 * ({@link Utf8LineFormat}): a line that is not valid UTF-8, and the unreadable rest of a
 * damaged file, come out as a {@link RawLine} with a {@code problem} (which the parser turns
 * into a dead letter), never as an exception that fails the job. A file that cannot be
 * opened as what its extension says (a {@code .gz} that is not gzip) is one such line.
 *
 * <p>Lines come through {@link StreamFormatAdapter}, which checkpoints a reader's position as
 * "no byte offset, N records read" and on restore re-reads the file skipping those N records
 * through the same line reader ({@link FirstLineKeeping}). A record is a line, or a part of an
 * over-long one ({@link Utf8LineFormat.Line#PART}, given every 256 MiB of it so that no record
 * is read over 2 GiB); the line reader numbers the lines it reads, skipped ones included, so
 * {@code seq} continues after a restore. The header is the first line of the same stream: a
 * restored reader re-reads the lines it skips, the header among them, so it still knows the
 * header without opening the file again. Files are never split: one reader reads one file
 * whole, in order.
 */
public final class TaggedLineFormat implements BulkFormat<RawLine, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final InputFormat format;
    private final String root;
    private final boolean endAtLongLine;
    private final StreamFormatAdapter<InFile> lines = new StreamFormatAdapter<>(new FirstLineKeeping());

    /**
     * @param format the format of every file read, or null to take each file's format from its
     *     extension ({@link InputFormat#fromPath})
     */
    public TaggedLineFormat(InputFormat format) {
        this(format, null);
    }

    /**
     * @param format the format of every file read, or null to take each file's format from its
     *     extension ({@link InputFormat#fromPath})
     * @param root the input directory (an absolute path or URI): sources are named relative to
     *     it; null to name each by its file name
     */
    public TaggedLineFormat(InputFormat format, String root) {
        this(format, root, false);
    }

    /**
     * @param endAtLongLine end the file at a line longer than 256 MiB instead of reading it
     *     through (for a look at a file's first records: such a line is a dead letter anyway)
     */
    TaggedLineFormat(InputFormat format, String root, boolean endAtLongLine) {
        this.format = format;
        this.root = root;
        this.endAtLongLine = endAtLongLine;
    }

    @Override
    public BulkFormat.Reader<RawLine> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return open(config, split, false);
    }

    @Override
    public BulkFormat.Reader<RawLine> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return open(config, split, true);
    }

    /**
     * A reader of the split's file. A file is read as it is when it is opened; when its reader
     * cannot go on, it gives one line that says why instead, and the job and the other files go
     * on: a file whose format is unknown, one that cannot be opened (a {@code .gz} that is not
     * gzip), one removed since it was listed, one that changed while it was read (on a restore, the
     * file is not the one whose first lines were read: the rest is one {@code FILE_CHANGED} line,
     * never a restart that fails again), and a {@link FileChange} of a watched input.
     */
    private BulkFormat.Reader<RawLine> open(Configuration config, FileSourceSplit split, boolean restore)
            throws IOException {
        String source = sourceName(split.path());
        CheckpointedPosition position = restore ? split.getReaderPosition().orElse(null) : null;
        if (position != null && position.getOffset() == OneLine.ENDED) {
            return OneLine.ended(); // its one line was given before the checkpoint
        }
        long emitted = position == null ? 0 : position.getRecordsAfterOffset();
        FileChange change = FileChange.of(split);
        if (change != null) {
            return OneLine.of(change.line(source, split), emitted);
        }
        InputFormat fileFormat;
        try {
            fileFormat = format != null ? format : InputFormat.fromPath(split.path().getPath());
        } catch (IllegalArgumentException e) {
            return OneLine.of(new RawLine(source, 0, null, null, DeadLetterReason.UNPARSEABLE, e.getMessage()), emitted);
        }
        boolean csv = fileFormat == InputFormat.CSV;
        // the records read are the lines read (and any parts of an over-long one: then this is past
        // the next row, still a seq no row of the file has)
        long nextSeq = csv ? Math.max(0, emitted - 1) : emitted;
        FileStatus now;
        try {
            now = split.path().getFileSystem().getFileStatus(split.path());
        } catch (FileNotFoundException e) {
            return OneLine.last(new RawLine(source, nextSeq, null, null, DeadLetterReason.FILE_CHANGED,
                    "the file was removed or renamed after it was listed" + (emitted > 0
                            ? ", while it was read: the rows before seq " + nextSeq + " were read, the rest is lost"
                            : "; none of it was read")), emitted);
        }
        if (changedSince(split, now)) {
            if (emitted > 0) {
                return OneLine.last(new RawLine(source, nextSeq, null, null, DeadLetterReason.FILE_CHANGED,
                        "the file changed while it was read (it had " + split.fileSize() + " bytes when listed, it now has "
                                + now.getLen() + "): the rows before seq " + nextSeq + " were read from the file as it "
                                + "was, the rest is not read"), emitted);
            }
            // nothing read yet: read the file as it is now
            split = new FileSourceSplit(split.splitId(), split.path(), 0, now.getLen(), now.getModificationTime(),
                    now.getLen(), split.hostnames(), position);
        }
        BulkFormat.Reader<InFile> in;
        try {
            in = restore ? lines.restoreReader(config, split) : lines.createReader(config, split);
        } catch (IOException e) {
            if (!Utf8LineFormat.isDamage(e) && !(e instanceof FileNotFoundException)) {
                throw e; // the file system failed, not the file: Flink retries
            }
            return OneLine.of(new RawLine(source, 0, null, null, DeadLetterReason.DAMAGED_FILE,
                    "the file cannot be opened: " + Utf8LineFormat.cause(e)), emitted);
        } catch (LinkageError e) { // a decompressor whose library is not on the class path (.xz without org.tukaani:xz)
            return OneLine.of(new RawLine(source, 0, null, null, DeadLetterReason.DAMAGED_FILE,
                    "the file cannot be opened: its decompressor is not available (" + e + ")"), emitted);
        }
        return new Reader(in, source, csv, endAtLongLine);
    }

    /** Whether the file is not the one listed: another length or modification time. */
    private static boolean changedSince(FileSourceSplit listed, FileStatus now) {
        return now.getLen() != listed.fileSize() || now.getModificationTime() != listed.fileModificationTime();
    }

    /** The file's path relative to the input directory, or its name. */
    String sourceName(Path file) {
        String name = file.getName();
        if (root == null) {
            return name;
        }
        String top = new Path(root).toUri().getPath();
        top = top.endsWith("/") ? top : top + "/";
        String path = file.toUri().getPath();
        return path.startsWith(top) && path.length() > top.length() ? path.substring(top.length()) : name;
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<RawLine> getProducedType() {
        return TypeInformation.of(RawLine.class);
    }

    private static String withoutByteOrderMark(String line) {
        return line != null && !line.isEmpty() && line.charAt(0) == BYTE_ORDER_MARK
                ? line.substring(1)
                : line;
    }

    /**
     * A line of a file, its index among the file's lines (from 0; -1 for a {@link
     * Utf8LineFormat.Line#PART} of an over-long line, which is no line), with what the file's
     * first line makes of the CSV header: its text without a byte-order mark, or the problem that
     * keeps it from being read (then every row is rejected for it). A damaged first line is
     * neither: that line itself says so.
     */
    record InFile(Utf8LineFormat.Line line, long index, String header, Utf8LineFormat.Line headerProblem) {}

    /**
     * {@link Utf8LineFormat}'s lines, each with the file's first line kept from the same stream;
     * the adapter's restore skips lines by reading them through this reader, so the first line is
     * always seen.
     */
    static final class FirstLineKeeping extends SimpleStreamFormat<InFile> {
        private static final long serialVersionUID = 1L;

        @Override
        public SimpleStreamFormat.Reader<InFile> createReader(Configuration config, FSDataInputStream stream) {
            Utf8LineFormat.Reader in = new Utf8LineFormat.Reader(stream);
            return new SimpleStreamFormat.Reader<>() {
                private long lines;
                private String header;
                private Utf8LineFormat.Line headerProblem;

                @Override
                public InFile read() throws IOException {
                    Utf8LineFormat.Line line = in.read();
                    if (line == null) {
                        return null;
                    }
                    if (line.part()) {
                        return new InFile(line, -1, header, headerProblem);
                    }
                    if (lines == 0) {
                        if (line.problem() != null && line.problem() != DeadLetterReason.DAMAGED_FILE) {
                            headerProblem = line;
                        } else {
                            header = withoutByteOrderMark(line.text()); // null when damaged
                        }
                    }
                    return new InFile(line, lines++, header, headerProblem);
                }

                @Override
                public void close() throws IOException {
                    in.close();
                }
            };
        }

        @Override
        public TypeInformation<InFile> getProducedType() {
            return TypeInformation.of(InFile.class);
        }
    }

    /**
     * The reader of a file that is not read: its one line, once. The line's position carries the
     * offset {@link #ENDED} (the line reader never reports an offset), so a reader restored after
     * it gives nothing more.
     */
    private static final class OneLine {
        static final long ENDED = 0;

        /** The line of a split that is one line from its start: given unless the split has emitted it. */
        static BulkFormat.Reader<RawLine> of(RawLine line, long alreadyEmitted) {
            return alreadyEmitted > 0 ? ended() : reader(line, 1);
        }

        /** The last line of a split that has emitted {@code alreadyEmitted} lines already. */
        static BulkFormat.Reader<RawLine> last(RawLine line, long alreadyEmitted) {
            return reader(line, alreadyEmitted + 1);
        }

        static BulkFormat.Reader<RawLine> ended() {
            return reader(null, 0);
        }

        private static BulkFormat.Reader<RawLine> reader(RawLine line, long skipCount) {
            return new BulkFormat.Reader<>() {
                private boolean done = line == null;

                @Override
                public RecordIterator<RawLine> readBatch() {
                    if (done) {
                        return null;
                    }
                    done = true;
                    SingletonResultIterator<RawLine> one = new SingletonResultIterator<>();
                    one.set(line, ENDED, skipCount);
                    return one;
                }

                @Override
                public void close() {}
            };
        }
    }

    private static final class Reader implements BulkFormat.Reader<RawLine> {
        private final BulkFormat.Reader<InFile> in;
        private final String source;
        private final boolean csv;
        private final boolean endAtLongLine;
        private boolean ended;

        Reader(BulkFormat.Reader<InFile> in, String source, boolean csv, boolean endAtLongLine) {
            this.in = in;
            this.source = source;
            this.csv = csv;
            this.endAtLongLine = endAtLongLine;
        }

        @Override
        public RecordIterator<RawLine> readBatch() throws IOException {
            RecordIterator<InFile> batch = ended ? null : in.readBatch();
            return batch == null ? null : new Tagged(batch);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private final class Tagged implements RecordIterator<RawLine> {
            private final RecordIterator<InFile> batch;
            private final MutableRecordAndPosition<RawLine> out = new MutableRecordAndPosition<>();

            Tagged(RecordIterator<InFile> batch) {
                this.batch = batch;
            }

            @Override
            public RecordAndPosition<RawLine> next() {
                RecordAndPosition<InFile> read;
                while ((read = batch.next()) != null) {
                    if (read.getOffset() != CheckpointedPosition.NO_OFFSET) {
                        // the line reader never reports a byte offset; if it ever does, the
                        // skip count no longer counts records from the start of the file.
                        throw new IllegalStateException(
                                "line reader of " + source + " reported a byte offset ("
                                        + read.getOffset() + "); line numbers would be wrong");
                    }
                    Utf8LineFormat.Line line = read.getRecord().line();
                    if (line.part()) {
                        if (endAtLongLine) {
                            ended = true;
                            return null;
                        }
                        continue; // a part of an over-long line: the line comes when it ends
                    }
                    String header = csv ? read.getRecord().header() : null;
                    Utf8LineFormat.Line headerProblem = csv ? read.getRecord().headerProblem() : null;
                    long lineIndex = read.getRecord().index();
                    boolean damaged = line.problem() == DeadLetterReason.DAMAGED_FILE;
                    if (csv && lineIndex == 0 && !damaged) {
                        continue; // the header: not a data row
                    }
                    String text = lineIndex == 0 ? withoutByteOrderMark(line.text()) : line.text();
                    long seq = csv ? Math.max(0, lineIndex - 1) : lineIndex;
                    RawLine tagged = line.problem() != null
                            ? new RawLine(source, seq, text, header, line.problem(), line.detail())
                            : headerProblem != null
                                    ? new RawLine(source, seq, text, null, headerProblem.problem(),
                                            "the CSV header: " + headerProblem.detail())
                                    : new RawLine(source, seq, text, header);
                    out.set(tagged, read.getOffset(), read.getRecordSkipCount());
                    return out;
                }
                return null;
            }

            @Override
            public void releaseBatch() {
                batch.releaseBatch();
            }
        }
    }
}
