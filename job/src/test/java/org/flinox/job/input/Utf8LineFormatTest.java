package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.flinox.operators.DeadLetterReason;
import org.junit.jupiter.api.Test;

class Utf8LineFormatTest {

    private static List<Utf8LineFormat.Line> lines(InputStream in) throws IOException {
        List<Utf8LineFormat.Line> out = new ArrayList<>();
        try (Utf8LineFormat.Reader r = new Utf8LineFormat.Reader(in)) {
            Utf8LineFormat.Line line;
            while ((line = r.read()) != null) {
                out.add(line);
            }
        }
        return out;
    }

    private static List<Utf8LineFormat.Line> lines(byte[] bytes) throws IOException {
        return lines(new ByteArrayInputStream(bytes));
    }

    private static Utf8LineFormat.Line ok(String text) {
        return new Utf8LineFormat.Line(text, null, null);
    }

    @Test
    void splitsAtLfCrLfAndCrLikeReadLine() throws Exception {
        byte[] text = "a\nb\r\nc\rd\n\ne".getBytes(StandardCharsets.UTF_8);
        assertThat(lines(text)).containsExactly(ok("a"), ok("b"), ok("c"), ok("d"), ok(""), ok("e"));
        assertThat(lines("x\n".getBytes(StandardCharsets.UTF_8))).containsExactly(ok("x"));
        assertThat(lines("x\r\n".getBytes(StandardCharsets.UTF_8))).containsExactly(ok("x"));
        assertThat(lines(new byte[0])).isEmpty();
    }

    @Test
    void decodesMultiByteCharactersAcrossChunkBoundaries() throws Exception {
        String longLine = "é".repeat(10_000) + "😀"; // 20,004 bytes: crosses the 8 KiB chunks
        assertThat(lines((longLine + "\nz").getBytes(StandardCharsets.UTF_8))).containsExactly(ok(longLine), ok("z"));
    }

    @Test
    void aLineThatIsNotUtf8CarriesItsProblemAndTheNextLineIsRead() throws Exception {
        byte[] bytes = {'s', (byte) 0xff, ',', '1', '\n', 's', (byte) 0xfe, '\n', 'o', 'k', '\n'};
        List<Utf8LineFormat.Line> read = lines(bytes);
        assertThat(read).hasSize(3);
        assertThat(read.get(0).problem()).isEqualTo(DeadLetterReason.INVALID_UTF8);
        assertThat(read.get(0).detail()).contains("0xff").contains("byte 1");
        assertThat(read.get(1).problem()).isEqualTo(DeadLetterReason.INVALID_UTF8);
        assertThat(read.get(1).detail()).contains("0xfe");
        assertThat(read.get(2)).isEqualTo(ok("ok"));
    }

    @Test
    void overlongEncodingsAndLoneSurrogatesInUtf8AreInvalid() throws Exception {
        byte[] overlongSlash = {(byte) 0xc0, (byte) 0xaf, '\n'};
        byte[] encodedSurrogate = {(byte) 0xed, (byte) 0xa0, (byte) 0x80, '\n'}; // U+D800 as CESU
        assertThat(lines(overlongSlash).get(0).problem()).isEqualTo(DeadLetterReason.INVALID_UTF8);
        assertThat(lines(encodedSurrogate).get(0).problem()).isEqualTo(DeadLetterReason.INVALID_UTF8);
    }

    @Test
    void aTruncatedGzipGivesItsCompleteLinesThenOneDamagedLine() throws Exception {
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            text.append("row-").append(i).append(",").append(i * 7919 % 1000).append('\n');
        }
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(text.toString().getBytes(StandardCharsets.UTF_8));
        }
        byte[] truncated = Arrays.copyOf(gz.toByteArray(), gz.size() / 2);

        // what plain java.util.zip recovers before it fails: the complete lines expected
        ByteArrayOutputStream recovered = new ByteArrayOutputStream();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(truncated))) {
            int b;
            while ((b = in.read()) >= 0) {
                recovered.write(b);
            }
        } catch (IOException expected) {
            // the truncation
        }
        String prefix = recovered.toString(StandardCharsets.UTF_8);
        List<String> complete = List.of(prefix.substring(0, prefix.lastIndexOf('\n')).split("\n"));
        assertThat(complete.size()).isBetween(10, 1990);

        List<Utf8LineFormat.Line> read = lines(new GZIPInputStream(new ByteArrayInputStream(truncated)));
        assertThat(read).hasSize(complete.size() + 1);
        for (int i = 0; i < complete.size(); i++) {
            assertThat(read.get(i)).isEqualTo(ok(complete.get(i)));
        }
        Utf8LineFormat.Line last = read.get(read.size() - 1);
        assertThat(last.problem()).isEqualTo(DeadLetterReason.DAMAGED_FILE);
        assertThat(last.text()).isNull();
        assertThat(last.detail()).contains("EOFException").contains("byte " + recovered.size());
    }

    @Test
    void aFailureOfTheStreamItselfIsRethrownForFlinkToRetryNotTakenForDamage() {
        InputStream failing = new InputStream() {
            private int left = 5;

            @Override
            public int read() throws IOException {
                if (left-- > 0) {
                    return 'a';
                }
                throw new IOException("connection reset");
            }
        };
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> lines(failing))
                .isInstanceOf(IOException.class).hasMessage("connection reset");
    }

    @Test
    void aLineLongerThanTheLimitIsCountedNotKeptAndTheNextLineIsRead() throws Exception {
        int length = Utf8LineFormat.MAX_LINE_BYTES + 12345;
        byte[] bytes = new byte[length + 4];
        Arrays.fill(bytes, 0, length, (byte) 'x');
        bytes[length] = '\n';
        bytes[length + 1] = 'o';
        bytes[length + 2] = 'k';
        bytes[length + 3] = '\n';
        List<Utf8LineFormat.Line> read = lines(bytes);
        assertThat(read).hasSize(2);
        assertThat(read.get(0).problem()).isEqualTo(DeadLetterReason.LINE_TOO_LONG);
        assertThat(read.get(0).detail()).contains(String.valueOf(length));
        assertThat(read.get(0).text().length()).isLessThan(200);
        assertThat(read.get(1)).isEqualTo(ok("ok"));
    }

    @Test
    void aLineOfExactlyTheLimitIsKept() throws Exception {
        byte[] bytes = new byte[Utf8LineFormat.MAX_LINE_BYTES];
        Arrays.fill(bytes, (byte) 'y');
        List<Utf8LineFormat.Line> read = lines(bytes);
        assertThat(read).hasSize(1);
        assertThat(read.get(0).problem()).isNull();
        assertThat(read.get(0).text()).hasSize(Utf8LineFormat.MAX_LINE_BYTES);
    }
    /** {@code prefix}, then {@code count} bytes of {@code fill}, then {@code suffix}, made up as it is read (never held). */
    private static InputStream generated(byte[] prefix, long count, byte fill, byte[] suffix) {
        return new InputStream() {
            private long at;
            private final long total = prefix.length + count + suffix.length;

            @Override
            public int read() {
                byte[] one = new byte[1];
                return read(one, 0, 1) < 0 ? -1 : one[0] & 0xFF;
            }

            @Override
            public int read(byte[] b, int off, int len) {
                if (at == total) {
                    return -1;
                }
                long middleEnd = prefix.length + count;
                int n;
                if (at < prefix.length) {
                    n = (int) Math.min(len, prefix.length - at);
                    System.arraycopy(prefix, (int) at, b, off, n);
                } else if (at < middleEnd) {
                    n = (int) Math.min(len, middleEnd - at);
                    Arrays.fill(b, off, off + n, fill);
                } else {
                    n = (int) Math.min(len, total - at);
                    System.arraycopy(suffix, (int) (at - middleEnd), b, off, n);
                }
                at += n;
                return n;
            }
        };
    }

    @Test
    void aLineOfMoreThanTwoGibibytesIsOneOverlongLineAndTheLinesAroundItAreRead() throws Exception {
        long length = (1L << 31) + 10; // past Integer.MAX_VALUE: an int length would wrap
        InputStream in = generated("before\n".getBytes(StandardCharsets.UTF_8), length, (byte) 'x',
                "\nafter\n".getBytes(StandardCharsets.UTF_8));
        List<Utf8LineFormat.Line> all = lines(in);
        // a part every 256 MiB of the line, so no read takes more than that
        assertThat(all.stream().filter(Utf8LineFormat.Line::part).count()).isEqualTo(length / LineSplitter.PART_BYTES);
        List<Utf8LineFormat.Line> read = all.stream().filter(l -> !l.part()).toList();
        assertThat(read).hasSize(3);
        assertThat(read.get(0)).isEqualTo(ok("before"));
        assertThat(read.get(1).problem()).isEqualTo(DeadLetterReason.LINE_TOO_LONG);
        assertThat(read.get(1).detail()).contains("the line has " + length + " bytes");
        assertThat(read.get(1).text()).startsWith("xxxx").hasSizeLessThan(200);
        assertThat(read.get(2)).isEqualTo(ok("after"));
    }
}
