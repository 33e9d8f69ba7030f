package org.flinox.job;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.compression.StandardDeCompressors;
import org.apache.flink.connector.file.src.impl.StreamFormatAdapter;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.TextLineInputFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.MutableRecordAndPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.FSDataInputStream;
import org.apache.flink.core.fs.Path;
import org.flinox.operators.RawLine;

/**
 * Reads a text file (UTF-8) line by line and tags each line with where it came from:
 * {@code RawLine(fileName, seq, text, header)}.
 *
 * <ul>
 *   <li>{@code source} is the file's name (the last path component);
 *   <li>{@code seq} is the line's position among the file's <em>data rows</em>, from 0. For CSV
 *       the first line is the header and not a data row; every later line, an empty one
 *       included, is a data row. For JSON lines every line is a data row;
 *   <li>{@code header} is the file's CSV header line (the same for every row of the file), null
 *       for JSON lines.
 * </ul>
 *
 * <p>Lines end at {@code \n}, {@code \r\n} or {@code \r} ({@link BufferedReader#readLine()}), so
 * a CSV field cannot span lines. A UTF-8 byte-order mark at the start of a file is dropped.
 *
 * <p>Lines come from {@link TextLineInputFormat} through {@link StreamFormatAdapter}, which
 * checkpoints a reader's position as "no byte offset, N lines read" and on restore re-reads the
 * file skipping those N lines. The N of a record is its {@link
 * RecordAndPosition#getRecordSkipCount()} (lines read <em>including</em> it), so the record's line
 * index is {@code N - 1}; that is what makes {@code seq} continue after a restore. The header is
 * read from the file's first line when a reader is created or restored, so a reader restored
 * mid-file still knows it. Files are never split: one reader reads one file whole, in order.
 */
public final class TaggedLineFormat implements BulkFormat<RawLine, FileSourceSplit> {

    private static final long serialVersionUID = 1L;

    private static final char BYTE_ORDER_MARK = '\uFEFF';

    private final InputFormat format;
    private final StreamFormatAdapter<String> lines =
            new StreamFormatAdapter<>(new TextLineInputFormat(StandardCharsets.UTF_8.name()));

    /**
     * @param format the format of every file read, or null to take each file's format from its
     *     extension ({@link InputFormat#fromPath})
     */
    public TaggedLineFormat(InputFormat format) {
        this.format = format;
    }

    @Override
    public BulkFormat.Reader<RawLine> createReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return wrap(split, lines.createReader(config, split));
    }

    @Override
    public BulkFormat.Reader<RawLine> restoreReader(Configuration config, FileSourceSplit split)
            throws IOException {
        return wrap(split, lines.restoreReader(config, split));
    }

    @Override
    public boolean isSplittable() {
        return false;
    }

    @Override
    public TypeInformation<RawLine> getProducedType() {
        return TypeInformation.of(RawLine.class);
    }

    private BulkFormat.Reader<RawLine> wrap(FileSourceSplit split, BulkFormat.Reader<String> in)
            throws IOException {
        Path path = split.path();
        InputFormat fileFormat = format != null ? format : InputFormat.fromPath(path.getPath());
        String header = null;
        if (fileFormat == InputFormat.CSV) {
            try {
                header = firstLine(path);
            } catch (IOException | RuntimeException e) {
                in.close();
                throw e;
            }
        }
        return new Reader(in, path.getName(), fileFormat == InputFormat.CSV, header);
    }

    /** The file's first line without a byte-order mark, or null for an empty file. */
    private static String firstLine(Path path) throws IOException {
        FSDataInputStream raw = path.getFileSystem().open(path);
        var decompressor = StandardDeCompressors.getDecompressorForFileName(path.getPath());
        try (InputStream in = decompressor == null ? raw : decompressor.create(raw);
                BufferedReader reader =
                        new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            return withoutByteOrderMark(reader.readLine());
        } finally {
            raw.close();
        }
    }

    private static String withoutByteOrderMark(String line) {
        return line != null && !line.isEmpty() && line.charAt(0) == BYTE_ORDER_MARK
                ? line.substring(1)
                : line;
    }

    private static final class Reader implements BulkFormat.Reader<RawLine> {
        private final BulkFormat.Reader<String> in;
        private final String source;
        private final boolean csv;
        private final String header;

        Reader(BulkFormat.Reader<String> in, String source, boolean csv, String header) {
            this.in = in;
            this.source = source;
            this.csv = csv;
            this.header = header;
        }

        @Override
        public RecordIterator<RawLine> readBatch() throws IOException {
            RecordIterator<String> batch = in.readBatch();
            return batch == null ? null : new Tagged(batch);
        }

        @Override
        public void close() throws IOException {
            in.close();
        }

        private final class Tagged implements RecordIterator<RawLine> {
            private final RecordIterator<String> batch;
            private final MutableRecordAndPosition<RawLine> out = new MutableRecordAndPosition<>();

            Tagged(RecordIterator<String> batch) {
                this.batch = batch;
            }

            @Override
            public RecordAndPosition<RawLine> next() {
                RecordAndPosition<String> line;
                while ((line = batch.next()) != null) {
                    if (line.getOffset() != CheckpointedPosition.NO_OFFSET) {
                        // TextLineInputFormat never reports a byte offset; if it ever does, the
                        // skip count no longer counts lines from the start of the file.
                        throw new IllegalStateException(
                                "line reader of " + source + " reported a byte offset ("
                                        + line.getOffset() + "); line numbers would be wrong");
                    }
                    long lineIndex = line.getRecordSkipCount() - 1;
                    if (csv && lineIndex == 0) {
                        continue; // the header: not a data row
                    }
                    String text =
                            lineIndex == 0 ? withoutByteOrderMark(line.getRecord()) : line.getRecord();
                    long seq = csv ? lineIndex - 1 : lineIndex;
                    out.set(
                            new RawLine(source, seq, text, header),
                            line.getOffset(),
                            line.getRecordSkipCount());
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
