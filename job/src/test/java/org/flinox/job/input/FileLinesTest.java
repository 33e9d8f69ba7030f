package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileLinesTest {

    @TempDir Path dir;

    private static byte[] gzip(byte[] bytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(bytes);
        }
        return out.toByteArray();
    }

    private static List<RawLine> all(Path file, InputFormat format) throws IOException {
        List<RawLine> lines = new ArrayList<>();
        try (FileLines in = FileLines.open(InputFiles.of(file.toString()).get(0), format, file.toString())) {
            for (RawLine line; (line = in.next()) != null; ) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Test
    void linesComeAsTheJobReadsThemDecompressedWithoutAByteOrderMark() throws IOException {
        Path file = dir.resolve("a.csv.gz");
        Files.write(file, gzip("\uFEFFk,v\nu,1\n\nu,2".getBytes(StandardCharsets.UTF_8)));
        assertThat(all(file, InputFormat.CSV)).containsExactly(
                new RawLine("a.csv.gz", 0, "u,1", "k,v"),
                new RawLine("a.csv.gz", 1, "", "k,v"),
                new RawLine("a.csv.gz", 2, "u,2", "k,v"));
    }

    @Test
    void theyEndAtALineLongerThan256MebibytesWhichTheJobReadsThroughAsOneDeadLetter() throws IOException {
        Path file = dir.resolve("bomb.csv.gz");
        byte[] run = new byte[64 << 20];
        Arrays.fill(run, (byte) 'x');
        byte[] runGz = gzip(run);
        try (OutputStream out = Files.newOutputStream(file)) {
            out.write(gzip("k,v\nu,1\n".getBytes(StandardCharsets.UTF_8)));
            for (int i = 0; i < 5; i++) { // 320 MiB of one line
                out.write(runGz);
            }
            out.write(gzip("\nu,2\n".getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(all(file, InputFormat.CSV)).containsExactly(new RawLine("bomb.csv.gz", 0, "u,1", "k,v"));
    }
}
