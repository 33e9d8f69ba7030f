package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CSV lines are keyed by their key cell before they are parsed, and parsed at the model's
 * parallelism: a run at parallelism 2 writes the bytes a run at parallelism 1 writes, every
 * key's output lines in the same order (the input's: files by arrival, then rows), and the same
 * dead letters.
 */
class ParallelParseTest {
    /** Output lines by their record's input position: file, then row. */
    private static final Comparator<String> BY_INPUT = Comparator.comparing(ParallelParseTest::inputPosition);

    @TempDir
    Path dir;

    @Test
    void parallelismTwoWritesTheLinesOfParallelismOneInEachKeysOrder() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Path first = Files.writeString(in.resolve("a.csv"), rows(0, 1500));
        Path second = Files.writeString(in.resolve("b.csv"), rows(1500, 1500));
        second.toFile().setLastModified(first.toFile().lastModified() + 2000); // b arrived later

        Map<String, List<String>> one = run(in, "one", "1");
        Map<String, List<String>> two = run(in, "two", "2");

        assertThat(one.keySet()).hasSizeGreaterThan(7); // quoted keys with commas and quotes among them
        // at parallelism 2 the sinks are chained to the models: each key's lines in one file, in input order
        for (Map.Entry<String, List<String>> key : two.entrySet()) {
            assertThat(key.getValue()).as("key %s in input order", key.getKey()).isSortedAccordingTo(BY_INPUT);
        }
        // at parallelism 1 the model's outputs go round-robin to the default 2 sink writers: by input order
        one.values().forEach(lines -> lines.sort(BY_INPUT));
        assertThat(two).isEqualTo(one);
        assertThat(sorted(dir.resolve("two-dead-letters"))).isEqualTo(sorted(dir.resolve("one-dead-letters")))
                .hasSize(4); // rows 699, 1399, 2099 and 2799, one of each kind
    }

    /** {@code n} rows from {@code from}: keys in turn, some quoted; every 700th row broken in one of four ways. */
    private static String rows(int from, int n) {
        String[] keys = {"u1", "u2", "\"u,3\"", "\"u\"\"4\"", "u5", "6", "u7", " u8"};
        StringBuilder b = new StringBuilder("k,a,b,note\n");
        for (int i = from; i < from + n; i++) {
            String key = keys[i % keys.length];
            b.append(switch (i % 700 == 699 ? (i / 700) % 4 : -1) {
                case 0 -> key + "," + i + "\n"; // wrong column count
                case 1 -> key + ",x," + i + ",n\n"; // not a number
                case 2 -> "," + i + "," + i + ",n\n"; // no key
                case 3 -> "\n"; // empty
                default -> key + "," + (i % 13) * 0.25 + "," + (i * 7 % 11) + ",\"note, " + i + "\"\n";
            });
        }
        return b.toString();
    }

    /** Each key's output lines, as written, in the order its part file holds them. */
    private Map<String, List<String>> run(Path in, String name, String parallelism) throws IOException {
        Path out = dir.resolve(name);
        assertThat(FlinoxCli.execute("--input", in.toString(), "--key", "k", "--features", "a,b", "--output",
                out.toString(), "--dead-letter", dir.resolve(name + "-dead-letters").toString(), "--parallelism",
                parallelism, "--checkpoint-interval", "200")).isZero();
        Map<String, List<String>> byKey = new TreeMap<>();
        for (String line : lines(out)) {
            byKey.computeIfAbsent(JobFiles.JSON.readTree(line).get("key").asText(), k -> new ArrayList<>()).add(line);
        }
        return new LinkedHashMap<>(byKey);
    }

    private static List<String> sorted(Path dir) throws IOException {
        return lines(dir).stream().sorted().toList();
    }

    /**
     * The committed lines of a job's directory (in-progress files are hidden), file by file in the
     * order each writer wrote them: {@code part-WRITER-N.jsonl} by writer, then by N as a number.
     */
    private static List<String> lines(Path dir) throws IOException {
        assertThat(dir).isDirectory();
        List<String> all = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> !p.getFileName().toString().startsWith("."))
                    .sorted(Comparator.comparing(ParallelParseTest::writer).thenComparing(ParallelParseTest::counter))
                    .toList()) {
                all.addAll(Files.readAllLines(f));
            }
        }
        return all;
    }

    private static String writer(Path part) {
        String name = part.getFileName().toString();
        return name.substring(0, name.lastIndexOf('-'));
    }

    private static long counter(Path part) {
        String name = part.getFileName().toString();
        return Long.parseLong(name.substring(name.lastIndexOf('-') + 1, name.indexOf(".jsonl")));
    }

    private static String inputPosition(String outputLine) {
        try {
            var n = JobFiles.JSON.readTree(outputLine);
            return n.get("source").asText() + "#" + String.format("%09d", n.get("seq").asLong());
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
