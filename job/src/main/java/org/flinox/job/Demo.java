package org.flinox.job;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.flinox.job.input.HiddenFiles;

/**
 * What {@code java -jar flinox-job.jar} does without flags: generate a small multi-sensor
 * CSV (with a few broken rows), standardize it per sensor on an embedded Flink with RocksDB
 * and checkpoints, and print what happened.
 */
final class Demo {
    private static final String[] SENSORS = {"boiler-1", "boiler-2", "chiller-7", "pump-3"};

    private Demo() {}

    static int run(RunOptions options) throws Exception {
        Path dir = Files.createTempDirectory("flinox-demo");
        Path input = dir.resolve("sensors.csv");
        int rows = writeSample(input, 5000);
        options.input = input.toString();
        options.key = "sensor";
        options.output = options.output != null ? options.output : dir.resolve("out").toString();
        if (options.report == null && OutputLocations.localPath(options.output) != null) {
            options.report = org.flinox.job.report.ReportCommand.defaultPage(OutputLocations.localPath(options.output));
        }
        if (options.checkpointInterval.compareTo(java.time.Duration.ofSeconds(1)) > 0) {
            options.checkpointInterval = java.time.Duration.ofSeconds(1);
        }
        JobSettings settings = JobRunner.resolve(options);

        System.out.printf(Locale.ROOT, "Flinox demo: standardizing %d rows of %s per sensor (features %s)%n",
                rows, input, settings.features());
        System.out.printf(Locale.ROOT, "  model %s, state on %s, checkpoints in %s (deleted when the run succeeds)%n",
                settings.model().name(), settings.flink().get("state.backend.type"),
                settings.flink().get("execution.checkpointing.dir"));
        JobRunner.run(settings, options.progressInterval);
        FlinoxCli.writeReport(settings, options.report);

        List<JsonNode> outputs = readJsonLines(Path.of(settings.output()));
        Map<String, JsonNode> lastPerKey = new TreeMap<>();
        for (JsonNode o : outputs) {
            JsonNode last = lastPerKey.get(o.get("key").asText());
            if (last == null || last.get("seq").asLong() < o.get("seq").asLong()) {
                lastPerKey.put(o.get("key").asText(), o);
            }
        }
        System.out.println("Last z-scores per key (" + String.join(", ", settings.features()) + "):");
        lastPerKey.forEach((k, o) -> System.out.printf(Locale.ROOT, "  %-10s seq %4d  %s%n", k,
                o.get("seq").asLong(), o.get("output")));
        System.out.println("Open its report (plots per sensor, dead letters, throughput) in a browser: "
                + options.report.toUri());
        System.out.println("Run it on your data: java -jar job/target/flinox-job.jar --input FILE.csv --key FIELD "
                + "--output DIR (see --help)");
        return 0;
    }

    /** Four sensors with their own scales, and three rows a parser must refuse. */
    static int writeSample(Path file, int rows) throws IOException {
        SplittableRandom random = new SplittableRandom(42);
        List<String> lines = new ArrayList<>();
        lines.add("sensor,temperature,humidity,pressure");
        for (int i = 0; i < rows; i++) {
            int s = random.nextInt(SENSORS.length);
            double temperature = 20 + 15 * s + random.nextDouble() * (2 + s);
            double humidity = 30 + 10 * random.nextDouble();
            double pressure = 1000 + 50 * s + 5 * random.nextDouble();
            if (i == 100) {
                lines.add(SENSORS[s] + ",warm," + fmt(humidity) + "," + fmt(pressure));
            } else if (i == 2000) {
                lines.add(SENSORS[s] + ",NaN," + fmt(humidity) + "," + fmt(pressure));
            } else if (i == 3000) {
                lines.add(SENSORS[s] + "," + fmt(temperature) + "," + fmt(humidity));
            } else {
                lines.add(SENSORS[s] + "," + fmt(temperature) + "," + fmt(humidity) + "," + fmt(pressure));
            }
        }
        Files.write(file, lines);
        return rows;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    /** The committed JSON lines of a FileSink directory (in-progress files are hidden and skipped). */
    static List<JsonNode> readJsonLines(Path dir) {
        List<JsonNode> out = new ArrayList<>();
        if (!Files.isDirectory(dir)) {
            return out;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> !HiddenFiles.isHidden(p.getFileName().toString())).sorted().toList()) {
                for (String line : Files.readAllLines(f)) {
                    if (!line.isBlank()) {
                        out.add(JsonLines.MAPPER.readTree(line));
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
