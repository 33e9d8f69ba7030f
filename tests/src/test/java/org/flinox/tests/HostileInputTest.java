package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hostile-input suite: directories of generated files that are wrong at the level of
 * bytes and files (invalid UTF-8, truncated or fake {@code .gz}, same-named files in
 * subdirectories, lone surrogates, duplicate JSON fields), run through the job's command line.
 *
 * <p>The assertion is the row accounting: every data row that can be read ends up in
 * exactly one of the output and the dead letters, under a unique {@code (source, seq)} id,
 * with the reason its case expects; a damaged file's unreadable rest is exactly one dead
 * letter; accepted rows' z-scores equal an independent two-pass reference.
 */
class HostileInputTest {
    @TempDir
    Path dir;

    private static final String OUTPUT = "output";

    /** What the test expects of each id: {@link #OUTPUT} or a dead-letter reason. */
    private final Map<String, String> expected = new HashMap<>();
    /** The accepted rows, in each key's input order, for the z-score reference. */
    private final List<Reference.Row> good = new ArrayList<>();

    private void expectOutput(String key, String source, long seq, double... x) {
        expected.put(Reference.id(source, seq), OUTPUT);
        good.add(new Reference.Row(key, source, seq, x));
    }

    private void expectDead(String source, long seq, String reason) {
        expected.put(Reference.id(source, seq), reason);
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(bytes(text));
        }
        return gz.toByteArray();
    }

    /** The complete lines java.util.zip recovers from a damaged gzip before it fails. */
    private static List<String> completeLinesOf(byte[] damagedGzip) {
        ByteArrayOutputStream recovered = new ByteArrayOutputStream();
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(damagedGzip))) {
            int b;
            while ((b = in.read()) >= 0) {
                recovered.write(b);
            }
            throw new AssertionError("the gzip was meant to be damaged");
        } catch (IOException expectedFailure) {
            String text = recovered.toString(StandardCharsets.UTF_8);
            return List.of(text.substring(0, text.lastIndexOf('\n')).split("\n"));
        }
    }

    /** Runs the job with {@code --features a,b} and checks the accounting; returns the dead letters. */
    private List<JsonNode> runAndAccount(Path input, String... flags) {
        List<String> args = new ArrayList<>(List.of("--features", "a,b"));
        args.addAll(List.of(flags));
        return runAndAccountWith(input, args.toArray(String[]::new));
    }

    /**
     * Runs the job and checks the accounting: the records the summary says were read are the
     * outputs plus the dead letters, each id once, each with the outcome expected of it; returns
     * the dead letters.
     */
    private List<JsonNode> runAndAccountWith(Path input, String... flags) {
        Path out = dir.resolve("out");
        Path dead = dir.resolve("dead");
        List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--key", "k",
                "--output", out.toString(), "--dead-letter", dead.toString()));
        args.addAll(List.of(flags));
        CliRun run = CliRun.of(args.toArray(String[]::new));
        assertThat(run.code()).as(run.err()).isZero();
        lastRun = run;

        List<JsonNode> outputs = JobFiles.jsonLines(out);
        List<JsonNode> deadLetters = JobFiles.jsonLines(dead);
        Map<String, String> actual = new HashMap<>();
        Set<String> duplicated = new HashSet<>();
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            if (actual.put(id, OUTPUT) != null) {
                duplicated.add(id);
            }
        }
        for (JsonNode d : deadLetters) {
            String id = Reference.id(d.get("source").asText(), d.get("seq").asLong());
            if (actual.put(id, d.get("reason").asText()) != null) {
                duplicated.add(id);
            }
            assertThat(d.get("detail").asText()).as(id).isNotBlank();
        }
        assertThat(duplicated).as("ids given to more than one line").isEmpty();
        assertThat(outputs.size() + deadLetters.size()).isEqualTo(expected.size()).isEqualTo(recordsIn(run.err()));
        assertThat(actual).isEqualTo(expected);

        Map<String, double[]> z = Reference.cumulative(good);
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(JobFiles.doubles(o.get("output"))).as(id).containsExactly(z.get(id), within(1e-12));
            assertThat(o.get("key").asText()).as(id).doesNotContain("\uFFFD");
        }
        return deadLetters;
    }

    /** The run's last result, for what it printed. */
    private CliRun lastRun;

    /** "N records in" of a run's summary. */
    private static long recordsIn(String err) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("flinox: done in [^:]*: ([\\d,]+) records in").matcher(err);
        assertThat(m.find()).as(err).isTrue();
        return Long.parseLong(m.group(1).replace(",", ""));
    }

    private static JsonNode deadLetter(List<JsonNode> deadLetters, String source, long seq) {
        return deadLetters.stream()
                .filter(d -> d.get("source").asText().equals(source) && d.get("seq").asLong() == seq)
                .findFirst().orElseThrow();
    }

    @Test
    void damagedFilesInvalidUtf8AndSameNamedFilesInACsvDirectory() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));

        // data.csv: two keys that differ only in an invalid byte, and a feature with one
        Files.write(in.resolve("data.csv"), concat(bytes("k,a,b\ntop,1,2\ntop,3,5\n"),
                bytes("s"), new byte[] {(byte) 0xff}, bytes(",1,1\n"),
                bytes("s"), new byte[] {(byte) 0xfe}, bytes(",2,2\n"),
                bytes("top,7"), new byte[] {(byte) 0xff}, bytes(",1\n"),
                bytes("top,4,4\n")));
        expectOutput("top", "data.csv", 0, 1, 2);
        expectOutput("top", "data.csv", 1, 3, 5);
        expectDead("data.csv", 2, "INVALID_UTF8");
        expectDead("data.csv", 3, "INVALID_UTF8");
        expectDead("data.csv", 4, "INVALID_UTF8");
        expectOutput("top", "data.csv", 5, 4, 4);

        // the same file name in two subdirectories: distinct sources, so distinct ids
        for (String sub : List.of("sub1", "sub2")) {
            Files.createDirectories(in.resolve(sub));
            Files.writeString(in.resolve(sub + "/data.csv"), "k,a,b\n" + sub + ",1,1\n" + sub + ",2,3\n" + sub + ",5,8\n");
            expectOutput(sub, sub + "/data.csv", 0, 1, 1);
            expectOutput(sub, sub + "/data.csv", 1, 2, 3);
            expectOutput(sub, sub + "/data.csv", 2, 5, 8);
        }

        // gz-broken.csv.gz: cut in the middle of its compressed stream
        StringBuilder csv = new StringBuilder("k,a,b\n");
        for (int i = 0; i < 400; i++) {
            csv.append("gz,").append(i % 17).append(',').append(i * 31 % 101).append('\n');
        }
        byte[] whole = gzip(csv.toString());
        byte[] truncated = Arrays.copyOf(whole, whole.length / 2);
        Files.write(in.resolve("gz-broken.csv.gz"), truncated);
        List<String> readable = completeLinesOf(truncated);
        assertThat(readable.size()).as("rows before the cut").isBetween(20, 390);
        for (int row = 1; row < readable.size(); row++) {
            int i = row - 1;
            expectOutput("gz", "gz-broken.csv.gz", i, i % 17, i * 31 % 101);
        }
        long damageAt = readable.size() - 1;
        expectDead("gz-broken.csv.gz", damageAt, "DAMAGED_FILE");

        // fake.csv.gz: plain text under a gzip name
        Files.writeString(in.resolve("fake.csv.gz"), "k,a,b\nfake,1,2\n");
        expectDead("fake.csv.gz", 0, "DAMAGED_FILE");

        // and a good file after them all: the others go on
        Files.writeString(in.resolve("zz-good.csv"), "k,a,b\ngood,1,0\ngood,2,0\ngood,4,1\n");
        expectOutput("good", "zz-good.csv", 0, 1, 0);
        expectOutput("good", "zz-good.csv", 1, 2, 0);
        expectOutput("good", "zz-good.csv", 2, 4, 1);

        List<JsonNode> dead = runAndAccount(in);

        assertThat(deadLetter(dead, "data.csv", 2).get("detail").asText()).contains("0xff");
        assertThat(deadLetter(dead, "data.csv", 3).get("detail").asText()).contains("0xfe");
        String damage = deadLetter(dead, "gz-broken.csv.gz", damageAt).get("detail").asText();
        assertThat(damage).contains("EOFException").contains("cannot be read past byte");
        assertThat(deadLetter(dead, "fake.csv.gz", 0).get("detail").asText()).contains("cannot be opened");
    }

    @Test
    void loneSurrogateKeysDuplicateFieldsAndInvalidUtf8InJsonLines() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.write(in.resolve("keys.jsonl"), concat(
                bytes("{\"k\":\"\\ud800\",\"a\":1,\"b\":2}\n"),        // 0 the key U+D800, escaped
                bytes("{\"k\":\"?\",\"a\":5,\"b\":1}\n"),               // 1 a real '?' key
                bytes("{\"k\":\"\\ud800\",\"a\":3,\"b\":2}\n"),        // 2 U+D800 again
                bytes("{\"k\":\"?\",\"a\":1,\"b\":1}\n"),               // 3 '?' again
                bytes("{\"k\":\"d\",\"a\":1,\"b\":3,\"a\":2}\n"),       // 4 a twice
                bytes("{\"k\":\"s"), new byte[] {(byte) 0xff}, bytes("\",\"a\":1,\"b\":1}\n"), // 5
                bytes("{\"k\":\"s"), new byte[] {(byte) 0xfe}, bytes("\",\"a\":2,\"b\":2}\n"), // 6
                bytes("{\"k\":\"d\",\"a\":1,\"b\":3}\n")));              // 7
        expectOutput("\ud800", "keys.jsonl", 0, 1, 2);
        expectOutput("?", "keys.jsonl", 1, 5, 1);
        expectOutput("\ud800", "keys.jsonl", 2, 3, 2);
        expectOutput("?", "keys.jsonl", 3, 1, 1);
        expectDead("keys.jsonl", 4, "DUPLICATE_FIELD");
        expectDead("keys.jsonl", 5, "INVALID_UTF8");
        expectDead("keys.jsonl", 6, "INVALID_UTF8");
        expectOutput("d", "keys.jsonl", 7, 1, 3);

        List<JsonNode> dead = runAndAccount(in);

        assertThat(deadLetter(dead, "keys.jsonl", 4).get("detail").asText()).contains("'a'");
        // the key U+D800 is written as its escape, so it reads back as itself, not as '?'
        List<JsonNode> outputs = JobFiles.jsonLines(dir.resolve("out"));
        assertThat(outputs).extracting(o -> o.get("key").asText())
                .containsExactlyInAnyOrder("\ud800", "?", "\ud800", "?", "d");
        String raw;
        try (var files = Files.list(dir.resolve("out"))) {
            StringBuilder all = new StringBuilder();
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith(".")).toList()) {
                all.append(Files.readString(f, StandardCharsets.UTF_8));
            }
            raw = all.toString();
        }
        assertThat(raw).contains("\"key\":\"\\ud800\"");
    }

    /**
     * {@code before}, a line of {@code longLine} bytes of 'x', then {@code after}, gzipped as
     * concatenated members (one 64 MiB member written over and over): gigabytes in megabytes.
     */
    private static void gzipBomb(Path file, String before, long longLine, String after) throws IOException {
        int member = 64 << 20;
        byte[] run = new byte[member];
        Arrays.fill(run, (byte) 'x');
        ByteArrayOutputStream x = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(x)) {
            gz.write(run);
        }
        byte[] runGz = x.toByteArray();
        try (var out = new java.io.BufferedOutputStream(Files.newOutputStream(file))) {
            out.write(gzip(before));
            for (long left = longLine; left > 0; left -= member) {
                out.write(left >= member ? runGz : gzip("x".repeat((int) left)));
            }
            out.write(gzip(after));
        }
    }

    @Test
    void aGzipBombThatInflatesToALineOfMoreThanTwoGibibytesIsOneDeadLetterAndTheRowsAroundItGoOn() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        long longLine = (1L << 31) + 5;
        gzipBomb(in.resolve("bomb.csv.gz"), "k,a,b\nbomb,1,2\nbomb,3,5\n", longLine, "\nbomb,4,4\nbomb,2,0\n");
        assertThat(Files.size(in.resolve("bomb.csv.gz"))).as("bytes on disk").isLessThan(10 << 20);
        expectOutput("bomb", "bomb.csv.gz", 0, 1, 2);
        expectOutput("bomb", "bomb.csv.gz", 1, 3, 5);
        expectDead("bomb.csv.gz", 2, "LINE_TOO_LONG");
        expectOutput("bomb", "bomb.csv.gz", 3, 4, 4);
        expectOutput("bomb", "bomb.csv.gz", 4, 2, 0);
        Files.writeString(in.resolve("zz-after.csv"), "k,a,b\nafter,1,1\nafter,2,3\n");
        expectOutput("after", "zz-after.csv", 0, 1, 1);
        expectOutput("after", "zz-after.csv", 1, 2, 3);

        List<JsonNode> dead = runAndAccount(in);

        JsonNode tooLong = deadLetter(dead, "bomb.csv.gz", 2);
        assertThat(tooLong.get("detail").asText()).contains("the line has " + longLine + " bytes");
        assertThat(tooLong.get("raw").asText()).startsWith("xxxx").hasSizeLessThan(200);
    }

    @Test
    void symbolicLinkLoopsAndLinksToNothingInsideTheInputAreSkippedWithOneWarningEach() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        for (int f = 0; f < 20; f++) {
            String name = String.format("good-%02d.csv", f);
            Files.writeString(in.resolve(name), "k,a,b\nk" + (f % 3) + "," + f + "," + (f * 7 % 5) + "\n");
            Files.setLastModifiedTime(in.resolve(name), java.nio.file.attribute.FileTime.fromMillis(1_000_000L + f));
            expectOutput("k" + (f % 3), name, 0, f, f * 7 % 5);
        }
        Path sub = Files.createDirectories(in.resolve("sub"));
        Files.createSymbolicLink(sub.resolve("back"), in);                       // a loop: sub/back/sub/back/...
        Files.createSymbolicLink(in.resolve("ping.csv"), in.resolve("pong.csv")); // links pointing at each other
        Files.createSymbolicLink(in.resolve("pong.csv"), in.resolve("ping.csv"));
        Files.createSymbolicLink(in.resolve("gone.csv"), dir.resolve("no-such-file.csv"));

        try (LogCapture log = new LogCapture()) {
            runAndAccount(in);
            // each bad entry named once; nothing under sub/back is read (it is the input again)
            assertThat(log.containing("skipping input entry", "symbolic link loop")).hasSize(1);
            assertThat(log.containing("skipping input entry", "ping.csv")).hasSize(1);
            assertThat(log.containing("skipping input entry", "pong.csv")).hasSize(1);
            assertThat(log.containing("skipping input entry", "gone.csv")).hasSize(1);
        }
    }

    @Test
    void aCompressedFirstFileWithAnInvalidByteAndMissingFirstValuesStillGivesItsFeatures() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        // the first file (the oldest) is gzipped; its first rows have a byte that is not UTF-8, an
        // empty a and an NA b: a and b are still the features, and the bad rows dead letters
        byte[] first = concat(bytes("k,name,a,b\n"),
                bytes("s1,pump-"), new byte[] {(byte) 0xff}, bytes(",1,1\n"),  // 0 INVALID_UTF8
                bytes("s1,pump,,NA\n"),                                          // 1 MISSING_FIELD (a)
                bytes("s1,pump,2,3\n"),                                          // 2
                bytes("s2,fan,5,NA\n"),                                          // 3 NON_NUMERIC (b)
                bytes("s2,fan,4,1\n"));                                          // 4
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
            out.write(first);
        }
        Files.write(in.resolve("first.csv.gz"), gz.toByteArray());
        Files.setLastModifiedTime(in.resolve("first.csv.gz"), java.nio.file.attribute.FileTime.fromMillis(1_000_000L));
        Path bz2 = in.resolve("second.csv.bz2");
        try (var out = new org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream(Files.newOutputStream(bz2))) {
            out.write(bytes("k,name,a,b\ns1,pump,6,2\n"));
        }
        Files.setLastModifiedTime(bz2, java.nio.file.attribute.FileTime.fromMillis(2_000_000L));
        expectDead("first.csv.gz", 0, "INVALID_UTF8");
        expectDead("first.csv.gz", 1, "MISSING_FIELD");
        expectOutput("s1", "first.csv.gz", 2, 2, 3);
        expectDead("first.csv.gz", 3, "NON_NUMERIC");
        expectOutput("s2", "first.csv.gz", 4, 4, 1);
        expectOutput("s1", "second.csv.bz2", 0, 6, 2);

        runAndAccountWith(in); // no --features: inferred
        assertThat(lastRun.err()).contains("features:     a, b (inferred");
    }
}
