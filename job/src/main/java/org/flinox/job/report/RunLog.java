package org.flinox.job.report;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * What a run leaves beside its outputs for {@code report}: the file {@value #FILE_NAME} in its
 * output directory (hidden, so readers of the part files skip it), JSON lines appended while the
 * run goes on:
 *
 * <pre>{"event":"start","time":MS,"input":..,"format":..,"key":..,"features":[..],"model":{spec},"deadLetters":..,"finalState":..}
 * {"event":"progress","time":MS,"recordsIn":N,"outputs":N,"deadLetters":N}
 * {"event":"end","time":MS,"recordsIn":N,"outputs":N,"deadLetters":N}</pre>
 *
 * <p>{@code time} is milliseconds since the epoch; the counts are the run's own (its summary's).
 * A progress line is written each second while a count changed, and at least once a minute.
 * A run that resumes the directory ({@code --restore}) appends a new {@code start}.
 */
public final class RunLog implements AutoCloseable {
    /** The log's name in the output directory. */
    public static final String FILE_NAME = ".flinox-run.jsonl";
    static final ObjectMapper JSON = new ObjectMapper();
    private static final long QUIET_SAMPLE_EVERY_MS = 60_000;

    /** A run's counts so far: lines read, outputs, dead letters. */
    public record Counts(long recordsIn, long outputs, long deadLetters) {}

    /**
     * What the run reads and writes, for the report.
     *
     * @param input the {@code --input} as given
     * @param format {@code csv} or {@code jsonl}, or null when taken from each file's extension
     * @param keyField the key field, or null for one global key
     * @param features the feature fields, in order
     * @param modelSpecJson the model spec's JSON text
     * @param deadLetters the dead-letter directory, or null
     * @param finalState the final-state directory, or null
     */
    public record RunInfo(String input, String format, String keyField, List<String> features, String modelSpecJson,
            String deadLetters, String finalState) {}

    private final Path file;
    private ScheduledExecutorService sampler;
    private Counts lastWritten;
    private long lastWrittenAt;

    private RunLog(Path file) {
        this.file = file;
    }

    /** Starts the log of a run in {@code outputDir} (created when missing) with its start line. */
    public static RunLog start(Path outputDir, RunInfo info) {
        RunLog log = new RunLog(outputDir.resolve(FILE_NAME));
        ObjectNode n = JSON.createObjectNode().put("event", "start").put("time", System.currentTimeMillis())
                .put("input", info.input()).put("format", info.format()).put("key", info.keyField());
        info.features().forEach(n.putArray("features")::add);
        try {
            n.set("model", JSON.readTree(info.modelSpecJson()));
        } catch (IOException e) {
            n.put("model", info.modelSpecJson());
        }
        n.put("deadLetters", info.deadLetters()).put("finalState", info.finalState());
        log.append(n);
        return log;
    }

    /** Appends the counts {@code counts} gives every second, on a daemon thread, until {@link #close}. */
    public synchronized void sampleEverySecond(Supplier<Counts> counts) {
        sampler = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "flinox-run-log");
            t.setDaemon(true);
            return t;
        });
        sampler.scheduleAtFixedRate(() -> {
            Counts c = counts.get();
            if (c != null) {
                progress(c, false);
            }
        }, 1, 1, TimeUnit.SECONDS);
    }

    private synchronized void progress(Counts c, boolean force) {
        long now = System.currentTimeMillis();
        if (!force && c.equals(lastWritten) && now - lastWrittenAt < QUIET_SAMPLE_EVERY_MS) {
            return;
        }
        append(counts(JSON.createObjectNode().put("event", "progress").put("time", now), c));
        lastWritten = c;
        lastWrittenAt = now;
    }

    /** The run ended with these counts: stops the sampling and appends the end line. */
    public void end(Counts c) {
        close();
        synchronized (this) {
            append(counts(JSON.createObjectNode().put("event", "end").put("time", System.currentTimeMillis()), c));
        }
    }

    private static ObjectNode counts(ObjectNode n, Counts c) {
        return n.put("recordsIn", c.recordsIn()).put("outputs", c.outputs()).put("deadLetters", c.deadLetters());
    }

    private void append(ObjectNode line) {
        try (BufferedWriter w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.APPEND)) {
            w.write(JSON.writeValueAsString(line));
            w.newLine();
        } catch (IOException e) {
            // the log serves the report only: a run never fails for it
            System.err.println("flinox: cannot write the run log " + file + ": " + e.getMessage());
        }
    }

    /** Stops the sampling (the log stays as written). */
    @Override
    public void close() {
        ScheduledExecutorService s;
        synchronized (this) {
            s = sampler;
            sampler = null;
        }
        if (s != null) {
            s.shutdownNow();
            try {
                s.awaitTermination(5, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** The events of the log in {@code outputDir}, oldest first; empty when there is none. */
    static List<JsonNode> read(Path outputDir) {
        Path f = outputDir.resolve(FILE_NAME);
        List<JsonNode> events = new ArrayList<>();
        if (!Files.isRegularFile(f)) {
            return events;
        }
        try {
            for (String line : Files.readAllLines(f, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    try {
                        events.add(JSON.readTree(line));
                    } catch (IOException torn) {
                        // a line cut short by a killed run: the others still count
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the run log " + f, e);
        }
        return events;
    }
}
