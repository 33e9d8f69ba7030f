package org.flinox.job.input;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;
import org.flinox.operators.DeadLetterReason;

/**
 * The lines of a (decompressed) file, each decoded as strict UTF-8. Unlike Flink's
 * {@code TextLineInputFormat}, which replaces bad bytes by U+FFFD (so {@code s\xff} and
 * {@code s\xfe} become the same key) and fails the whole job on a truncated {@code .gz},
 * bad input here becomes a {@link Line} that carries its problem:
 *
 * <ul>
 *   <li>a line that is not valid UTF-8: {@link DeadLetterReason#INVALID_UTF8}, with the
 *       offending byte; the next line is read as usual;
 *   <li>a line longer than {@link #MAX_LINE_BYTES}: {@link DeadLetterReason#LINE_TOO_LONG},
 *       read through without being kept (of any length), so a file without line breaks cannot
 *       exhaust the heap;
 *   <li>a file whose bytes stop being readable (a truncated or corrupt compressed file): one
 *       last line with {@link DeadLetterReason#DAMAGED_FILE}, the byte offset and the cause.
 *       The lines before were read; the line in progress and the rest of the file are lost.
 *       A failure of the file system itself (not thrown by a decompressor) is rethrown, so
 *       Flink restarts the task and reads the file again.
 * </ul>
 *
 * <p>Lines are cut by {@link LineSplitter} ({@code \n}, {@code \r\n} or {@code \r}), then
 * decoded here: splitting, decoding and parsing are separate steps. Every call to
 * {@link Reader#read} returns one line, or a {@link Line#PART} of an over-long one every 256 MiB
 * of it; Flink's "N records read" checkpoint position counts both, and a reader restored by
 * reading N records again from the start reads the same lines and parts.
 */
public final class Utf8LineFormat extends SimpleStreamFormat<Utf8LineFormat.Line> {

    private static final long serialVersionUID = 1L;

    /**
     * The longest line kept, in bytes (16 MiB): a longer one (a binary file, a runaway
     * writer) is a {@link DeadLetterReason#LINE_TOO_LONG} line, counted but never held whole.
     */
    static final int MAX_LINE_BYTES = LineSplitter.MAX_LINE_BYTES;

    /**
     * One line: its text, or why it has none.
     *
     * @param text the decoded line; for an {@link DeadLetterReason#INVALID_UTF8} line, its bytes
     *     with the bad ones replaced by U+FFFD (to show a person, never to use); null for damage
     * @param problem null for a line that was read
     * @param detail what went wrong, or null
     * @param part whether this is not a line but a part read of an over-long one ({@link #PART}),
     *     which carries nothing: the line itself comes when it ends
     */
    public record Line(String text, DeadLetterReason problem, String detail, boolean part) {

        /** What {@link Reader#read} gives for a part of an over-long line: no line yet, more to come. */
        static final Line PART = new Line(null, null, null, true);

        public Line(String text, DeadLetterReason problem, String detail) {
            this(text, problem, detail, false);
        }
    }

    @Override
    public Reader createReader(Configuration config, FSDataInputStream stream) {
        return new Reader(stream);
    }

    @Override
    public TypeInformation<Line> getProducedType() {
        return TypeInformation.of(Line.class);
    }

    /** Reads lines from any stream ({@link LineSplitter}, then strict decoding); {@link #read} returns null at the end. */
    static final class Reader implements SimpleStreamFormat.Reader<Line> {
        private final LineSplitter lines;
        private final CharsetDecoder strict = strictDecoder();
        private boolean done;

        Reader(InputStream in) {
            this.lines = new LineSplitter(in);
        }

        @Override
        public Line read() throws IOException {
            if (done) {
                return null;
            }
            try {
                if (!lines.next()) {
                    done = true;
                    return null;
                }
            } catch (IOException e) {
                if (!isDamage(e)) {
                    throw e; // the file system failed, not the file: Flink retries
                }
                done = true;
                return damaged(e);
            }
            if (lines.partial()) {
                return Line.PART;
            }
            if (lines.tooLong()) {
                return new Line(new String(lines.bytes(), 0, 100, StandardCharsets.UTF_8) + "…",
                        DeadLetterReason.LINE_TOO_LONG, "the line has " + lines.length() + " bytes, more than the "
                                + MAX_LINE_BYTES + " a record may have");
            }
            return decode(strict, lines.bytes(), lines.kept());
        }

        private Line damaged(IOException e) {
            return new Line(null, DeadLetterReason.DAMAGED_FILE, "the file cannot be read past byte "
                    + lines.consumed() + " of its (decompressed) content: " + cause(e)
                    + "; the rows before were read, the rest is lost");
        }

        @Override
        public void close() throws IOException {
            lines.close();
        }
    }

    /** Where the decompressors of Flink's file source live (StandardDeCompressors). */
    private static final List<String> DECOMPRESSORS =
            List.of("java.util.zip.", "org.apache.commons.compress.", "org.tukaani.xz.", "com.github.luben.zstd.");

    /**
     * True when the failure is the file's content (a truncated or corrupt compressed stream,
     * thrown by the decompressor itself), false when it is the file system's (a read that
     * failed and may succeed when Flink restarts the task). Only the first is the file's fault.
     */
    static boolean isDamage(IOException e) {
        StackTraceElement[] at = e.getStackTrace();
        if (at.length == 0) {
            return e instanceof java.util.zip.ZipException || e instanceof java.io.EOFException;
        }
        String thrower = at[0].getClassName();
        return DECOMPRESSORS.stream().anyMatch(thrower::startsWith);
    }

    /** An I/O failure for a person: its kind and message ({@code EOFException: Unexpected end of ZLIB input stream}). */
    static String cause(IOException e) {
        return e.getMessage() == null ? e.getClass().getSimpleName()
                : e.getClass().getSimpleName() + ": " + e.getMessage();
    }

    /** A decoder that reports bad bytes instead of replacing them. */
    public static CharsetDecoder strictDecoder() {
        return StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
    }

    /** {@code bytes[0, length)} as a line, or as an {@link DeadLetterReason#INVALID_UTF8} line naming the bad byte. */
    public static Line decode(CharsetDecoder strict, byte[] bytes, int length) {
        try {
            CharBuffer chars = strict.reset().decode(ByteBuffer.wrap(bytes, 0, length));
            return new Line(chars.toString(), null, null);
        } catch (CharacterCodingException e) {
            ByteBuffer in = ByteBuffer.wrap(bytes, 0, length);
            strict.reset().decode(in, CharBuffer.allocate(length + 1), true);
            int at = in.position(); // where decoding stopped: the first bad byte
            String bad = at < length ? String.format("0x%02x", bytes[at] & 0xFF) : "an incomplete sequence";
            return new Line(new String(bytes, 0, length, StandardCharsets.UTF_8), DeadLetterReason.INVALID_UTF8,
                    "not valid UTF-8: " + bad + " at byte " + at + " of the line");
        }
    }
}
