package org.flinox.job.input;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.connector.file.src.FileSourceSplit;
import org.apache.flink.connector.file.src.reader.BulkFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.connector.file.src.util.CheckpointedPosition;
import org.apache.flink.connector.file.src.util.RecordAndPosition;
import org.apache.flink.core.fs.Path;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.flink.util.CloseableIterator;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class TaggedLineFormatTest {

    @RegisterExtension
    static final MiniClusterExtension MINI_CLUSTER = new MiniClusterExtension();

    @TempDir java.nio.file.Path dir;

    private java.nio.file.Path write(String name, String content, long modifiedMillis)
            throws IOException {
        java.nio.file.Path file = dir.resolve(name);
        Files.writeString(file, content, StandardCharsets.UTF_8);
        Files.setLastModifiedTime(file, FileTime.fromMillis(modifiedMillis));
        return file;
    }

    // ------------------------------------------------------------ a whole directory, on Flink

    @Test
    void directoryOfCsvAndJsonlGivesEveryDataLineTaggedInArrivalOrder() throws Exception {
        // arrival order (modification time): c.jsonl, a.csv, b.csv — not the name order
        write("c.jsonl", "{\"k\":\"u1\"}\n{\"k\":\"u2\"}\n", 1_000_000L);
        write("a.csv", "k,x,y\nu1,1,2\n\nu2,3,4\n", 2_000_000L);
        write("b.csv", "id,v\r\n\"q, r\",5\r\nz,6", 3_000_000L); // CRLF, no final newline
        write("_skipped.csv", "k,x\nu9,9\n", 500_000L);
        write(".hidden.csv", "k,x\nu9,9\n", 500_000L);

        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false); // RawLine must not need Kryo
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);

        List<RawLine> lines = new ArrayList<>();
        try (CloseableIterator<RawLine> it = env.fromSource(
                        InputSources.forPath(dir.toString()).build(),
                        WatermarkStrategy.noWatermarks(),
                        "input")
                .executeAndCollect()) {
            it.forEachRemaining(lines::add);
        }

        assertThat(lines).containsExactly(
                new RawLine("c.jsonl", 0, "{\"k\":\"u1\"}", null),
                new RawLine("c.jsonl", 1, "{\"k\":\"u2\"}", null),
                new RawLine("a.csv", 0, "u1,1,2", "k,x,y"),
                new RawLine("a.csv", 1, "", "k,x,y"),
                new RawLine("a.csv", 2, "u2,3,4", "k,x,y"),
                new RawLine("b.csv", 0, "\"q, r\",5", "id,v"),
                new RawLine("b.csv", 1, "z,6", "id,v"));
    }

    // ------------------------------------------------------------ the reader API

    private static FileSourceSplit splitOf(java.nio.file.Path file) throws IOException {
        long len = Files.size(file);
        return new FileSourceSplit(
                "0", new Path(file.toUri()), 0, len, Files.getLastModifiedTime(file).toMillis(), len);
    }

    /** A configuration whose fetch size is so small that every batch holds a line or two. */
    private static Configuration tinyBatches() {
        Configuration conf = new Configuration();
        conf.set(StreamFormat.FETCH_IO_SIZE, MemorySize.parse("8b"));
        return conf;
    }

    private record Read(List<RawLine> lines, CheckpointedPosition lastPosition) {}

    /** Reads up to {@code max} records, as the source reader would, remembering the last position. */
    private static Read read(BulkFormat.Reader<RawLine> reader, int max) throws IOException {
        List<RawLine> lines = new ArrayList<>();
        CheckpointedPosition last = null;
        BulkFormat.RecordIterator<RawLine> batch;
        while (lines.size() < max && (batch = reader.readBatch()) != null) {
            RecordAndPosition<RawLine> r;
            while (lines.size() < max && (r = batch.next()) != null) {
                lines.add(r.getRecord());
                last = new CheckpointedPosition(r.getOffset(), r.getRecordSkipCount());
            }
            batch.releaseBatch();
        }
        return new Read(lines, last);
    }

    @Test
    void seqCountsDataRowsAcrossManyBatches() throws Exception {
        java.nio.file.Path file = write("m.csv", "k,v\nu,0\nu,1\nu,2\nu,3\nu,4\n", 1L);
        TaggedLineFormat format = new TaggedLineFormat(null);
        try (BulkFormat.Reader<RawLine> reader = format.createReader(tinyBatches(), splitOf(file))) {
            assertThat(read(reader, Integer.MAX_VALUE).lines()).containsExactly(
                    new RawLine("m.csv", 0, "u,0", "k,v"),
                    new RawLine("m.csv", 1, "u,1", "k,v"),
                    new RawLine("m.csv", 2, "u,2", "k,v"),
                    new RawLine("m.csv", 3, "u,3", "k,v"),
                    new RawLine("m.csv", 4, "u,4", "k,v"));
        }
    }

    @Test
    void restoredCsvReaderContinuesSeqAndKnowsTheHeader() throws Exception {
        java.nio.file.Path file = write("m.csv", "k,v\nu,0\nu,1\nu,2\nu,3\nu,4\n", 1L);
        TaggedLineFormat format = new TaggedLineFormat(null);
        FileSourceSplit split = splitOf(file);

        Read before;
        try (BulkFormat.Reader<RawLine> reader = format.createReader(tinyBatches(), split)) {
            before = read(reader, 2);
        }
        assertThat(before.lines()).extracting(RawLine::seq).containsExactly(0L, 1L);

        FileSourceSplit checkpointed = split.updateWithCheckpointedPosition(before.lastPosition());
        try (BulkFormat.Reader<RawLine> restored = format.restoreReader(tinyBatches(), checkpointed)) {
            assertThat(read(restored, Integer.MAX_VALUE).lines()).containsExactly(
                    new RawLine("m.csv", 2, "u,2", "k,v"),
                    new RawLine("m.csv", 3, "u,3", "k,v"),
                    new RawLine("m.csv", 4, "u,4", "k,v"));
        }
    }

    @Test
    void restoredReaderAfterTheLastLineReadsNothingMore() throws Exception {
        java.nio.file.Path file = write("m.csv", "k,v\nu,0\nu,1\n", 1L);
        TaggedLineFormat format = new TaggedLineFormat(null);
        FileSourceSplit split = splitOf(file);
        Read all;
        try (BulkFormat.Reader<RawLine> reader = format.createReader(new Configuration(), split)) {
            all = read(reader, Integer.MAX_VALUE);
        }
        try (BulkFormat.Reader<RawLine> restored = format.restoreReader(
                new Configuration(), split.updateWithCheckpointedPosition(all.lastPosition()))) {
            assertThat(read(restored, Integer.MAX_VALUE).lines()).isEmpty();
        }
    }

    @Test
    void restoredJsonlReaderContinuesSeq() throws Exception {
        java.nio.file.Path file = write("s.jsonl", "{\"i\":0}\n{\"i\":1}\n\n{\"i\":3}\n", 1L);
        TaggedLineFormat format = new TaggedLineFormat(null);
        FileSourceSplit split = splitOf(file);
        Read before;
        try (BulkFormat.Reader<RawLine> reader = format.createReader(tinyBatches(), split)) {
            before = read(reader, 1);
        }
        try (BulkFormat.Reader<RawLine> restored = format.restoreReader(
                tinyBatches(), split.updateWithCheckpointedPosition(before.lastPosition()))) {
            assertThat(read(restored, Integer.MAX_VALUE).lines()).containsExactly(
                    new RawLine("s.jsonl", 1, "{\"i\":1}", null),
                    new RawLine("s.jsonl", 2, "", null),
                    new RawLine("s.jsonl", 3, "{\"i\":3}", null));
        }
    }

    @Test
    void givenFormatOverridesTheExtension() throws Exception {
        java.nio.file.Path file = write("data.txt", "k,v\nu,0\n", 1L);
        try (BulkFormat.Reader<RawLine> reader =
                new TaggedLineFormat(InputFormat.CSV).createReader(new Configuration(), splitOf(file))) {
            assertThat(read(reader, Integer.MAX_VALUE).lines())
                    .containsExactly(new RawLine("data.txt", 0, "u,0", "k,v"));
        }
    }

    @Test
    void byteOrderMarkIsNotPartOfTheHeader() throws Exception {
        java.nio.file.Path file = write("bom.csv", "\uFEFFk,v\nu,0\n", 1L);
        try (BulkFormat.Reader<RawLine> reader =
                new TaggedLineFormat(null).createReader(new Configuration(), splitOf(file))) {
            assertThat(read(reader, Integer.MAX_VALUE).lines())
                    .containsExactly(new RawLine("bom.csv", 0, "u,0", "k,v"));
        }
    }

    /**
     * A CSV file that inflates to a header, a row, a line of {@code longLine} bytes, then
     * {@code rowsAfter} rows: gzip members concatenated (one 64 MiB member of 'x' written over
     * and over), so a line of gigabytes takes a few megabytes.
     */
    private static void gzipBomb(java.nio.file.Path file, long longLine, int rowsAfter) throws IOException {
        int member = 64 << 20;
        java.io.ByteArrayOutputStream x = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(x)) {
            gz.write(filled(member));
        }
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(gzip("k,v\nu,0\n"));
            for (long left = longLine; left > 0; left -= member) {
                out.write(left >= member ? x.toByteArray() : gzip("x".repeat((int) left)));
            }
            StringBuilder after = new StringBuilder("\n");
            for (int i = 1; i <= rowsAfter; i++) {
                after.append("u,").append(i).append('\n');
            }
            out.write(gzip(after.toString()));
        }
    }

    private static byte[] filled(int n) {
        byte[] b = new byte[n];
        java.util.Arrays.fill(b, (byte) 'x');
        return b;
    }

    private static byte[] gzip(String text) throws IOException {
        java.io.ByteArrayOutputStream bytes = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(bytes)) {
            gz.write(text.getBytes(StandardCharsets.UTF_8));
        }
        return bytes.toByteArray();
    }

    @Test
    void aGzipBombLineOfMoreThanTwoGibibytesIsOneLineTooLongAndTheBatchesAfterItStaySmall() throws Exception {
        java.nio.file.Path file = dir.resolve("bomb.csv.gz");
        long longLine = (1L << 31) + (2 << 20); // past what an int counts, with the 1 MiB of a batch
        int rowsAfter = 300_000; // about 2.8 MB of rows: more than one batch's worth
        gzipBomb(file, longLine, rowsAfter);
        assertThat(Files.size(file)).isLessThan(10 << 20);

        List<RawLine> lines = new ArrayList<>();
        int largestBatch = 0;
        try (BulkFormat.Reader<RawLine> reader = new TaggedLineFormat(null).createReader(new Configuration(), splitOf(file))) {
            BulkFormat.RecordIterator<RawLine> batch;
            while ((batch = reader.readBatch()) != null) {
                int n = 0;
                for (RecordAndPosition<RawLine> r; (r = batch.next()) != null; n++) {
                    lines.add(r.getRecord());
                }
                largestBatch = Math.max(largestBatch, n);
                batch.releaseBatch();
            }
        }
        assertThat(lines).hasSize(2 + rowsAfter);
        assertThat(lines.get(0)).isEqualTo(new RawLine("bomb.csv.gz", 0, "u,0", "k,v"));
        assertThat(lines.get(1).seq()).isEqualTo(1);
        assertThat(lines.get(1).problem()).isEqualTo(org.flinox.operators.DeadLetterReason.LINE_TOO_LONG);
        assertThat(lines.get(1).problemDetail()).contains("the line has " + longLine + " bytes");
        for (int i = 1; i <= rowsAfter; i++) {
            assertThat(lines.get(1 + i)).isEqualTo(new RawLine("bomb.csv.gz", 1 + i, "u," + i, "k,v"));
        }
        // a batch is about 1 MiB of input (rows of 8 bytes here); a wrapped byte count would put all rows in one
        assertThat(largestBatch).isLessThan(200_000);
    }

    @Test
    void filesAreNotSplit() {
        assertThat(new TaggedLineFormat(null).isSplittable()).isFalse();
    }

    // ------------------------------------------------------------ hostile files (issue 12)

    private List<RawLine> runSource(String input) throws Exception {
        Configuration conf = new Configuration();
        conf.set(PipelineOptions.GENERIC_TYPES, false);
        StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(conf);
        env.setParallelism(1);
        List<RawLine> lines = new ArrayList<>();
        try (CloseableIterator<RawLine> it = env.fromSource(
                        InputSources.forPath(input).build(), WatermarkStrategy.noWatermarks(), "input")
                .executeAndCollect()) {
            it.forEachRemaining(lines::add);
        }
        return lines;
    }

    @Test
    void sourceIsThePathRelativeToTheInputSoSameNamedFilesKeepDistinctIds() throws Exception {
        Files.createDirectories(dir.resolve("sub1"));
        Files.createDirectories(dir.resolve("sub2/deeper"));
        write("data.csv", "k,v\nt,0\n", 1_000_000L);
        write("sub1/data.csv", "k,v\na,1\n", 2_000_000L);
        write("sub2/deeper/data.csv", "k,v\nb,2\n", 3_000_000L);

        assertThat(runSource(dir.toString())).containsExactly(
                new RawLine("data.csv", 0, "t,0", "k,v"),
                new RawLine("sub1/data.csv", 0, "a,1", "k,v"),
                new RawLine("sub2/deeper/data.csv", 0, "b,2", "k,v"));
        // an input that is a file: its name, as before
        assertThat(runSource(dir.resolve("sub1/data.csv").toString()))
                .containsExactly(new RawLine("data.csv", 0, "a,1", "k,v"));
    }

    @Test
    void aRelativeInputPathStillNamesSourcesRelativeToIt() throws Exception {
        Files.createDirectories(dir.resolve("in/sub"));
        write("in/sub/x.csv", "k,v\na,1\n", 1L);
        java.nio.file.Path relative = java.nio.file.Path.of("").toAbsolutePath().relativize(dir.resolve("in"));
        assertThat(runSource(relative.toString())).extracting(RawLine::source).containsExactly("sub/x.csv");
    }

    @Test
    void aTruncatedGzipGivesItsReadableRowsThenOneDamagedLine() throws Exception {
        StringBuilder csv = new StringBuilder("k,v\n");
        for (int i = 0; i < 3000; i++) {
            csv.append("u").append(i % 7).append(',').append(i).append('\n');
        }
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (var out = new java.util.zip.GZIPOutputStream(gz)) {
            out.write(csv.toString().getBytes(StandardCharsets.UTF_8));
        }
        java.nio.file.Path file = dir.resolve("broken.csv.gz");
        Files.write(file, java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2));

        List<RawLine> lines;
        try (BulkFormat.Reader<RawLine> reader = new TaggedLineFormat(null).createReader(tinyBatches(), splitOf(file))) {
            lines = read(reader, Integer.MAX_VALUE).lines();
        }
        RawLine last = lines.get(lines.size() - 1);
        List<RawLine> rows = lines.subList(0, lines.size() - 1);
        assertThat(rows.size()).isBetween(10, 2990);
        for (int i = 0; i < rows.size(); i++) {
            assertThat(rows.get(i)).isEqualTo(new RawLine("broken.csv.gz", i, "u" + (i % 7) + "," + i, "k,v"));
        }
        assertThat(last.source()).isEqualTo("broken.csv.gz");
        assertThat(last.seq()).isEqualTo(rows.size());
        assertThat(last.problem()).isEqualTo(org.flinox.operators.DeadLetterReason.DAMAGED_FILE);
        assertThat(last.problemDetail()).contains("EOFException");
    }

    @Test
    void aFileThatIsNotWhatItsExtensionSaysIsOneDamagedLineAlsoAfterARestore() throws Exception {
        java.nio.file.Path file = write("fake.csv.gz", "k,v\nnot gzip at all\n", 1L);
        TaggedLineFormat format = new TaggedLineFormat(null);
        Read read;
        try (BulkFormat.Reader<RawLine> reader = format.createReader(new Configuration(), splitOf(file))) {
            read = read(reader, Integer.MAX_VALUE);
        }
        assertThat(read.lines()).hasSize(1);
        assertThat(read.lines().get(0).problem()).isEqualTo(org.flinox.operators.DeadLetterReason.DAMAGED_FILE);
        assertThat(read.lines().get(0).problemDetail()).contains("cannot be opened").contains("GZIP");
        try (BulkFormat.Reader<RawLine> restored = format.restoreReader(
                new Configuration(), splitOf(file).updateWithCheckpointedPosition(read.lastPosition()))) {
            assertThat(read(restored, Integer.MAX_VALUE).lines()).isEmpty();
        }
    }

    private static final String XZ_K_V_U_0 =
            "/Td6WFoAAATm1rRGAgAhARYAAAB0L+WjAQAHayx2CnUsMAoAvU3ruk/KjXwAASAIuxnZux+2830BAAAAAARZWg==";

    /** Flink's file source names {@code .xz}, but its decompressor needs {@code org.tukaani:xz}, which the job does not ship. */
    @Test
    void anXzFileWhoseDecompressorIsMissingIsOneDamagedLineNotAFailedJob() throws Exception {
        java.nio.file.Path file = dir.resolve("a.csv.xz");
        Files.write(file, java.util.Base64.getDecoder().decode(XZ_K_V_U_0)); // "k,v\nu,0\n", by python3's lzma.compress
        try (BulkFormat.Reader<RawLine> reader = new TaggedLineFormat(null).createReader(new Configuration(), splitOf(file))) {
            assertThat(read(reader, Integer.MAX_VALUE).lines()).singleElement().satisfies(l -> {
                assertThat(l.seq()).isZero();
                assertThat(l.problem()).isEqualTo(org.flinox.operators.DeadLetterReason.DAMAGED_FILE);
                assertThat(l.problemDetail()).contains("decompressor is not available").contains("tukaani");
            });
        }
    }

    @Test
    void aFileOfUnknownExtensionIsOneRejectedLineNotAFailedJob() throws Exception {
        java.nio.file.Path file = write("notes.txt", "hello\n", 1L);
        try (BulkFormat.Reader<RawLine> reader = new TaggedLineFormat(null).createReader(new Configuration(), splitOf(file))) {
            List<RawLine> lines = read(reader, Integer.MAX_VALUE).lines();
            assertThat(lines).hasSize(1);
            assertThat(lines.get(0).problem()).isEqualTo(org.flinox.operators.DeadLetterReason.UNPARSEABLE);
            assertThat(lines.get(0).problemDetail()).contains("notes.txt").contains("--format");
        }
    }

    @Test
    void aCompressedFileTakesItsFormatFromTheExtensionBeforeTheCompression() {
        assertThat(InputFormat.fromPath("/x/data.csv.gz")).isEqualTo(InputFormat.CSV);
        assertThat(InputFormat.fromPath("/x/data.jsonl.bz2")).isEqualTo(InputFormat.JSONL);
    }

    @Test
    void aLineThatIsNotUtf8IsTaggedWithItsProblem() throws Exception {
        java.nio.file.Path file = dir.resolve("bad.csv");
        Files.write(file, new byte[] {'k', ',', 'v', '\n', 's', (byte) 0xff, ',', '1', '\n', 's', ',', '2', '\n'});
        try (BulkFormat.Reader<RawLine> reader = new TaggedLineFormat(null).createReader(new Configuration(), splitOf(file))) {
            List<RawLine> lines = read(reader, Integer.MAX_VALUE).lines();
            assertThat(lines).hasSize(2);
            assertThat(lines.get(0).problem()).isEqualTo(org.flinox.operators.DeadLetterReason.INVALID_UTF8);
            assertThat(lines.get(0).seq()).isZero();
            assertThat(lines.get(1)).isEqualTo(new RawLine("bad.csv", 1, "s,2", "k,v"));
        }
    }

    @Test
    void everyRowUnderACsvHeaderThatIsNotUtf8CarriesTheHeadersProblem() throws Exception {
        java.nio.file.Path file = dir.resolve("h.csv");
        Files.write(file, new byte[] {'k', (byte) 0xff, ',', 'v', '\n', 'a', ',', '1', '\n', 'b', ',', '2', '\n'});
        try (BulkFormat.Reader<RawLine> reader = new TaggedLineFormat(null).createReader(new Configuration(), splitOf(file))) {
            List<RawLine> lines = read(reader, Integer.MAX_VALUE).lines();
            assertThat(lines).extracting(RawLine::seq).containsExactly(0L, 1L);
            assertThat(lines).allSatisfy(l -> {
                assertThat(l.problem()).isEqualTo(org.flinox.operators.DeadLetterReason.INVALID_UTF8);
                assertThat(l.problemDetail()).startsWith("the CSV header: ").contains("0xff");
            });
        }
    }

    // ------------------------------------------------------------ files that change under a name already listed

    @Test
    void aFileChangedBetweenListingAndReadingIsReadAsItIsNow() throws Exception {
        java.nio.file.Path file = write("m.csv", "k,v\nu,0\n", 1_000L);
        FileSourceSplit listed = splitOf(file);
        write("m.csv", "k,v\nu,0\nu,1\nu,2\n", 2_000L); // replaced before its reader opened it
        try (BulkFormat.Reader<RawLine> reader = new TaggedLineFormat(null).createReader(new Configuration(), listed)) {
            assertThat(read(reader, Integer.MAX_VALUE).lines()).containsExactly(
                    new RawLine("m.csv", 0, "u,0", "k,v"),
                    new RawLine("m.csv", 1, "u,1", "k,v"),
                    new RawLine("m.csv", 2, "u,2", "k,v"));
        }
    }

    @Test
    void aRestoredReaderOfAFileReplacedWhileItWasReadGivesOneFileChangedLineOnce() throws Exception {
        java.nio.file.Path file = write("m.csv", "k,v\nu,0\nu,1\nu,2\nu,3\n", 1_000L);
        TaggedLineFormat format = new TaggedLineFormat(null);
        FileSourceSplit split = splitOf(file);
        Read before;
        try (BulkFormat.Reader<RawLine> reader = format.createReader(tinyBatches(), split)) {
            before = read(reader, 2);
        }
        java.nio.file.Path replacement = write("new.tmp", "k,v\nw,9\n", 2_000L);
        Files.move(replacement, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE,
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);

        Read restored;
        try (BulkFormat.Reader<RawLine> reader = format.restoreReader(
                tinyBatches(), split.updateWithCheckpointedPosition(before.lastPosition()))) {
            restored = read(reader, Integer.MAX_VALUE);
        }
        assertThat(restored.lines()).singleElement().satisfies(l -> {
            assertThat(l.source()).isEqualTo("m.csv");
            assertThat(l.seq()).isEqualTo(2); // the first row not read
            assertThat(l.problem()).isEqualTo(org.flinox.operators.DeadLetterReason.FILE_CHANGED);
            assertThat(l.problemDetail()).contains("changed while it was read").contains("before seq 2");
        });
        // restored once more after that line: nothing more, however often
        try (BulkFormat.Reader<RawLine> reader = format.restoreReader(
                tinyBatches(), split.updateWithCheckpointedPosition(restored.lastPosition()))) {
            assertThat(read(reader, Integer.MAX_VALUE).lines()).isEmpty();
        }
    }

    @Test
    void aFileRemovedAfterItWasListedIsOneFileChangedLine() throws Exception {
        java.nio.file.Path file = write("gone.jsonl", "{\"k\":1}\n", 1_000L);
        FileSourceSplit listed = splitOf(file);
        Files.delete(file);
        try (BulkFormat.Reader<RawLine> reader = new TaggedLineFormat(null).createReader(new Configuration(), listed)) {
            assertThat(read(reader, Integer.MAX_VALUE).lines()).singleElement().satisfies(l -> {
                assertThat(l.seq()).isZero();
                assertThat(l.problem()).isEqualTo(org.flinox.operators.DeadLetterReason.FILE_CHANGED);
                assertThat(l.problemDetail()).contains("removed");
            });
        }
    }

    @Test
    void symbolicLinkLoopsAndLinksToNothingAreSkippedAndEveryOtherFileIsRead() throws Exception {
        for (int i = 0; i < 20; i++) {
            write("f" + (10 + i) + ".csv", "k,v\nu," + i + "\n", 1_000_000L + i);
        }
        Files.createDirectories(dir.resolve("sub"));
        write("sub/deep.csv", "k,v\nd,1\n", 3_000_000L);
        Files.createSymbolicLink(dir.resolve("sub/up"), dir);                    // a directory above it
        Files.createSymbolicLink(dir.resolve("ping.csv"), dir.resolve("pong.csv")); // two links pointing at each other
        Files.createSymbolicLink(dir.resolve("pong.csv"), dir.resolve("ping.csv"));
        Files.createSymbolicLink(dir.resolve("nothing.csv"), dir.resolve("no-such-file.csv"));

        List<RawLine> lines = runSource(dir.toString());
        List<RawLine> expected = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            expected.add(new RawLine("f" + (10 + i) + ".csv", 0, "u," + i, "k,v"));
        }
        expected.add(new RawLine("sub/deep.csv", 0, "d,1", "k,v"));
        assertThat(lines).containsExactlyElementsOf(expected);
    }

    // ------------------------------------------------------------ the header comes from the stream read

    @Test
    void aRestoredReaderUnderACsvHeaderThatIsNotUtf8StillRejectsEveryRowForIt() throws Exception {
        java.nio.file.Path file = dir.resolve("h.csv");
        Files.write(file, new byte[] {'k', (byte) 0xff, ',', 'v', '\n', 'a', ',', '1', '\n', 'b', ',', '2', '\n',
                'c', ',', '3', '\n'});
        TaggedLineFormat format = new TaggedLineFormat(null);
        FileSourceSplit split = splitOf(file);
        Read before;
        try (BulkFormat.Reader<RawLine> reader = format.createReader(tinyBatches(), split)) {
            before = read(reader, 1);
        }
        try (BulkFormat.Reader<RawLine> restored = format.restoreReader(
                tinyBatches(), split.updateWithCheckpointedPosition(before.lastPosition()))) {
            List<RawLine> lines = read(restored, Integer.MAX_VALUE).lines();
            assertThat(lines).extracting(RawLine::seq).containsExactly(1L, 2L);
            assertThat(lines).allSatisfy(l -> {
                assertThat(l.header()).isNull();
                assertThat(l.problem()).isEqualTo(org.flinox.operators.DeadLetterReason.INVALID_UTF8);
                assertThat(l.problemDetail()).startsWith("the CSV header: ").contains("0xff");
            });
        }
    }

    @Test
    void aRestoredReaderOfAGzippedCsvWithAByteOrderMarkKnowsTheHeader() throws Exception {
        java.nio.file.Path file = dir.resolve("z.csv.gz");
        try (var out = new java.util.zip.GZIPOutputStream(Files.newOutputStream(file))) {
            out.write("\uFEFFk,v\nu,0\nu,1\nu,2\n".getBytes(StandardCharsets.UTF_8));
        }
        TaggedLineFormat format = new TaggedLineFormat(null);
        FileSourceSplit split = splitOf(file);
        Read before;
        try (BulkFormat.Reader<RawLine> reader = format.createReader(tinyBatches(), split)) {
            before = read(reader, 1);
        }
        assertThat(before.lines()).containsExactly(new RawLine("z.csv.gz", 0, "u,0", "k,v"));
        try (BulkFormat.Reader<RawLine> restored = format.restoreReader(
                tinyBatches(), split.updateWithCheckpointedPosition(before.lastPosition()))) {
            assertThat(read(restored, Integer.MAX_VALUE).lines()).containsExactly(
                    new RawLine("z.csv.gz", 1, "u,1", "k,v"),
                    new RawLine("z.csv.gz", 2, "u,2", "k,v"));
        }
    }

    @Test
    void everyLineComesWithTheFirstLineOfTheSameStreamReadFrontToBack() throws Exception {
        byte[] content = "\uFEFFk,v\nu,0\n\nu,1".getBytes(StandardCharsets.UTF_8);
        OnePass stream = new OnePass(content);
        List<TaggedLineFormat.InFile> lines = new ArrayList<>();
        try (var reader = new TaggedLineFormat.FirstLineKeeping().createReader(new Configuration(), stream)) {
            TaggedLineFormat.InFile line;
            while ((line = reader.read()) != null) {
                lines.add(line);
            }
        }
        assertThat(lines).extracting(l -> l.line().text()).containsExactly("\uFEFFk,v", "u,0", "", "u,1");
        assertThat(lines).allSatisfy(l -> {
            assertThat(l.header()).isEqualTo("k,v");
            assertThat(l.headerProblem()).isNull();
        });
    }

    /** A stream that can be read once, front to back: the header cannot come from a second pass. */
    private static final class OnePass extends org.apache.flink.core.fs.FSDataInputStream {
        private final java.io.ByteArrayInputStream in;
        private long bytesRead;

        OnePass(byte[] content) {
            in = new java.io.ByteArrayInputStream(content);
        }

        @Override
        public void seek(long desired) {
            throw new UnsupportedOperationException("one pass only");
        }

        @Override
        public long getPos() {
            return bytesRead;
        }

        @Override
        public int read() {
            int b = in.read();
            bytesRead += b < 0 ? 0 : 1;
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) {
            int n = in.read(b, off, len);
            bytesRead += Math.max(n, 0);
            return n;
        }
    }
}
