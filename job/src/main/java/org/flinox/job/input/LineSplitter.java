package org.flinox.job.input;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;

/**
 * The first step of reading input: a byte stream cut into lines, before any decoding
 * ({@link Utf8LineFormat}) or parsing ({@link RecordParser}).
 *
 * <p>Lines end at {@code \n}, {@code \r\n} or {@code \r}, as {@code BufferedReader.readLine}
 * has them; a last line without a terminator is a line, an empty stream has none. A line of up to
 * {@link #MAX_LINE_BYTES} is kept whole; of a longer one only the first {@code MAX_LINE_BYTES} are
 * kept and the rest is read through and counted (in a {@code long}: a line of any length, a
 * 3 GB line inflated from a small gzip bomb included, is one over-long line). So memory stays
 * within {@code MAX_LINE_BYTES} plus one chunk whatever the input.
 *
 * <p>An over-long line is handed out in parts of {@link #PART_BYTES} ({@link #partial}), its last
 * part when it ends: whoever reads lines gets control back at least every {@code PART_BYTES},
 * however long a line is. (Flink's stream adapter counts the bytes of a batch in an {@code int}
 * between two records; a record read over 2 GiB would wrap it.)
 *
 * <p>A failure of the stream is thrown as it is; what it means (a damaged file, or a file system
 * that failed) is for the caller to say.
 */
final class LineSplitter implements Closeable {

    /** The longest line kept, in bytes (16 MiB). */
    static final int MAX_LINE_BYTES = 16 << 20;

    /** At most this many bytes of a line are read by one {@link #next} (256 MiB). */
    static final long PART_BYTES = 256L << 20;

    private final InputStream in;
    private final byte[] chunk = new byte[8192];
    private int pos;
    private int limit;
    private boolean end;
    private long consumed; // bytes of the stream before chunk[pos]
    private boolean skipLineFeed; // the previous line ended at \r: a \n right after belongs to it
    private byte[] line = new byte[256];
    private int kept;
    private long length;
    private boolean partial;

    LineSplitter(InputStream in) {
        this.in = in;
    }

    /**
     * Reads the next line, or the next part of a line longer than {@link #PART_BYTES}.
     *
     * @return false at the end of the stream (then there is no line)
     * @throws IOException what the stream threw; the line in progress is lost
     */
    boolean next() throws IOException {
        boolean any = partial; // the rest of a line whose part was handed out
        if (!partial) {
            kept = 0;
            length = 0;
        }
        partial = false;
        long partEnd = length + PART_BYTES;
        while (true) {
            if (pos == limit && !fill()) {
                return any;
            }
            if (skipLineFeed) {
                skipLineFeed = false;
                if (chunk[pos] == '\n') {
                    pos++;
                    consumed++;
                    continue;
                }
            }
            any = true;
            int start = pos;
            int stop = start;
            while (stop < limit && chunk[stop] != '\n' && chunk[stop] != '\r') {
                stop++;
            }
            keep(start, stop);
            consumed += stop - start;
            if (stop < limit) {
                skipLineFeed = chunk[stop] == '\r';
                pos = stop + 1;
                consumed++;
                return true;
            }
            pos = stop;
            if (length >= partEnd) {
                partial = true;
                return true;
            }
        }
    }

    /**
     * Whether what {@link #next} read is a part of a line that goes on (so far {@link #length}
     * bytes, too long to keep); the next call reads on in the same line.
     */
    boolean partial() {
        return partial;
    }

    /** The kept bytes of the line: {@code bytes()[0, kept())}; valid until the next {@link #next}. */
    byte[] bytes() {
        return line;
    }

    /** How many bytes of the line are kept: all of them, or {@link #MAX_LINE_BYTES} of a longer one. */
    int kept() {
        return kept;
    }

    /** The line's length in bytes, without its terminator, whether kept or not. */
    long length() {
        return length;
    }

    /** Whether the line is longer than {@link #MAX_LINE_BYTES}, so not kept whole. */
    boolean tooLong() {
        return length > MAX_LINE_BYTES;
    }

    /** Bytes of the stream read so far (those of the line in progress included). */
    long consumed() {
        return consumed;
    }

    private void keep(int start, int stop) {
        int n = stop - start;
        int copy = Math.min(n, MAX_LINE_BYTES - kept);
        if (copy > 0) {
            if (kept + copy > line.length) {
                int capacity = line.length;
                while (capacity < kept + copy) {
                    capacity = Math.min(capacity * 2, MAX_LINE_BYTES);
                }
                line = Arrays.copyOf(line, capacity);
            }
            System.arraycopy(chunk, start, line, kept, copy);
            kept += copy;
        }
        length += n; // past the limit, the bytes are counted, not kept
    }

    private boolean fill() throws IOException {
        if (end) {
            return false;
        }
        int n;
        do {
            n = in.read(chunk);
        } while (n == 0);
        if (n < 0) {
            end = true;
            return false;
        }
        pos = 0;
        limit = n;
        return true;
    }

    @Override
    public void close() throws IOException {
        in.close();
    }
}
