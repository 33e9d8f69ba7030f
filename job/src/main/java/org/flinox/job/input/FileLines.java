package org.flinox.job.input;

import java.io.IOException;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.connector.file.src.util.RecordAndPosition;

/**
 * The lines of one input file as the job's source gives them ({@link TaggedLineFormat}: the same
 * decompression, byte-order mark, strict UTF-8, line limit and damage rules), one at a time: what
 * the checks and inference at start read, so they see what the job sees. They end early at a line
 * longer than 256 MiB (a gzip bomb's), which the job reads through as one dead letter.
 *
 * <pre>try (FileLines lines = FileLines.open(split, InputFormat.CSV, "/data/in")) {
 *     for (RawLine line; (line = lines.next()) != null; ) { ... }
 * }</pre>
 */
final class FileLines implements AutoCloseable {

    private final String source;
    private final BulkFormat.Reader<RawLine> reader;
    private BulkFormat.RecordIterator<RawLine> batch;

    private FileLines(String source, BulkFormat.Reader<RawLine> reader) {
        this.source = source;
        this.reader = reader;
    }

    /**
     * @param root the input directory (or file) the split was listed under, for the lines' sources
     * @throws IOException when the file system cannot open the file (a file that is not what its
     *     extension says is a line with its problem, as in the job)
     */
    static FileLines open(FileSourceSplit file, InputFormat format, String root) throws IOException {
        Configuration small = new Configuration();
        small.set(StreamFormat.FETCH_IO_SIZE, MemorySize.parse("64kb")); // a few lines are wanted, not 1 MiB
        TaggedLineFormat lines = new TaggedLineFormat(format, InputSources.absolute(root), true);
        return new FileLines(lines.sourceName(file.path()), lines.createReader(small, file));
    }

    /** The file's {@code source}, as its lines have it: its path relative to the input, or its name. */
    String source() {
        return source;
    }

    /** The next line, or null at the end of the file. */
    RawLine next() throws IOException {
        while (true) {
            if (batch == null && (batch = reader.readBatch()) == null) {
                return null;
            }
            RecordAndPosition<RawLine> r = batch.next();
            if (r != null) {
                return r.getRecord();
            }
            batch.releaseBatch();
            batch = null;
        }
    }

    @Override
    public void close() throws IOException {
        if (batch != null) {
            batch.releaseBatch();
        }
        reader.close();
    }
}
