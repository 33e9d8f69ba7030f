package org.flinox.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.flinox.job.input.HiddenFiles;

/**
 * What a run wrote, read back: its log, its outputs (JSON lines of the committed part files),
 * its dead letters and its final state. Outputs are read twice (once to count each key's, once
 * for the chosen keys), so a large run is never held in memory whole.
 */
final class RunFiles {
    /** One output line. */
    record Output(String key, String source, long seq, double[] output) {}

    /** One dead letter. */
    record DeadLetter(String source, long seq, String key, String reason, String detail) {}

    /** A progress sample of the log: {@code run} counts the log's starts, from 0. */
    record Sample(int run, long time, long recordsIn, long outputs, long deadLetters) {}

    /** One final-state row: a key's entry. */
    record StateRow(String key, String stateKey, String dtype, List<Integer> shape, double[] values) {}

    private final Path output;
    private final List<JsonNode> log;

    RunFiles(Path output) {
        this.output = output;
        this.log = RunLog.read(output);
    }

    Path output() {
        return output;
    }

    /** The last start line of the log (what the latest run read and wrote), or null without a log. */
    JsonNode lastStart() {
        JsonNode start = null;
        for (JsonNode e : log) {
            if (e.path("event").asText().equals("start")) {
                start = e;
            }
        }
        return start;
    }

    /** Every progress and end line, with the run it belongs to; a start line counts as a sample at 0. */
    List<Sample> samples() {
        List<Sample> samples = new ArrayList<>();
        int run = -1;
        for (JsonNode e : log) {
            String event = e.path("event").asText();
            if (event.equals("start")) {
                run++;
                samples.add(new Sample(run, e.path("time").asLong(), 0, 0, 0));
            } else if (run >= 0 && (event.equals("progress") || event.equals("end"))) {
                samples.add(new Sample(run, e.path("time").asLong(), e.path("recordsIn").asLong(),
                        e.path("outputs").asLong(), e.path("deadLetters").asLong()));
            }
        }
        return samples;
    }

    /** The dead-letter directory: as the log names it, else the default beside the output. */
    Path deadLetterDir() {
        JsonNode start = lastStart();
        String named = start == null ? null : text(start, "deadLetters");
        if (named != null && localPath(named) != null) {
            return localPath(named);
        }
        return output.resolveSibling(output.getFileName() + "-dead-letters");
    }

    /** The final-state directory the log names, or null. */
    Path finalStateDir() {
        JsonNode start = lastStart();
        String named = start == null ? null : text(start, "finalState");
        return named == null ? null : localPath(named);
    }

    /** Outputs per key, in first-seen order. */
    Map<String, Long> outputsPerKey() {
        Map<String, Long> counts = new LinkedHashMap<>();
        eachLine(output, n -> counts.merge(n.path("key").asText(), 1L, Long::sum));
        return counts;
    }

    /** The outputs of these keys, by key. */
    Map<String, List<Output>> outputsOf(Set<String> keys) {
        Map<String, List<Output>> byKey = new HashMap<>();
        eachLine(output, n -> {
            String key = n.path("key").asText();
            if (keys.contains(key)) {
                JsonNode values = n.path("output");
                double[] out = new double[values.size()];
                for (int i = 0; i < out.length; i++) {
                    out[i] = values.get(i).asDouble();
                }
                byKey.computeIfAbsent(key, k -> new ArrayList<>()).add(
                        new Output(key, n.path("source").asText(), n.path("seq").asLong(), out));
            }
        });
        return byKey;
    }

    /** Every dead letter (none when the directory does not exist). */
    List<DeadLetter> deadLetters() {
        List<DeadLetter> all = new ArrayList<>();
        eachLine(deadLetterDir(), n -> all.add(new DeadLetter(n.path("source").asText(), n.path("seq").asLong(),
                n.path("key").isNull() ? null : n.path("key").asText(), n.path("reason").asText(), n.path("detail").asText())));
        return all;
    }

    /** The final-state rows of these keys, in file order; empty without a final state. */
    List<StateRow> finalState(Set<String> keys) {
        List<StateRow> rows = new ArrayList<>();
        Path dir = finalStateDir();
        if (dir == null) {
            return rows;
        }
        eachLine(dir, n -> {
            if (keys.contains(n.path("key").asText())) {
                List<Integer> shape = new ArrayList<>();
                n.path("shape").forEach(s -> shape.add(s.asInt()));
                double[] values = new double[n.path("values").size()];
                for (int i = 0; i < values.length; i++) {
                    values[i] = n.path("values").get(i).asDouble();
                }
                rows.add(new StateRow(n.path("key").asText(), n.path("stateKey").asText(), n.path("dtype").asText(),
                        shape, values));
            }
        });
        return rows;
    }

    /** Each JSON line of a directory's committed files (hidden and in-progress files skipped), in name order. */
    private static void eachLine(Path dir, Consumer<JsonNode> line) {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        List<Path> files;
        try (Stream<Path> entries = Files.list(dir)) {
            files = entries.filter(p -> Files.isRegularFile(p) && !HiddenFiles.isHidden(p.getFileName().toString()))
                    .sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot list " + dir, e);
        }
        for (Path f : files) {
            try (BufferedReader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
                String text;
                int number = 0;
                while ((text = r.readLine()) != null) {
                    number++;
                    if (!text.isBlank()) {
                        try {
                            line.accept(RunLog.JSON.readTree(text));
                        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                            throw new IllegalArgumentException(f + " line " + number + " is not a JSON line a run wrote: "
                                    + e.getOriginalMessage());
                        }
                    }
                }
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read " + f, e);
            }
        }
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.path(field);
        return v.isTextual() ? v.asText() : null;
    }

    /** A plain or {@code file:} path, or null for another file system. */
    static Path localPath(String location) {
        if (location.startsWith("file:")) {
            return Path.of(java.net.URI.create(location).getPath());
        }
        return location.matches("^[a-zA-Z][a-zA-Z0-9+.-]*://.*") ? null : Path.of(location);
    }

    /** Reasons in their enum order, for a stable chart. */
    static Map<String, Integer> byReason(List<DeadLetter> deadLetters) {
        Map<String, Integer> counts = new TreeMap<>();
        deadLetters.forEach(d -> counts.merge(d.reason(), 1, Integer::sum));
        return counts;
    }
}
