package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.flinox.tests.LocalCluster.await;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The example DataStream job of {@code deploy/examples/datastream-job} (a Flink developer's own
 * {@code main}: file source → keyBy → {@code Flinox.apply} → file sinks), built as the README
 * says and submitted to the local cluster: its per-sensor z-scores equal a two-pass reference
 * computed here, through a cancel and a restore from the retained checkpoint, and the readings
 * it cannot use are its dead letters.
 */
class DataStreamExampleOnClusterTest {
    private static final Duration BUILD_TIMEOUT = Duration.ofMinutes(20);

    @TempDir
    Path dir;

    @Test
    void theExampleJobScoresEachSensorAndItsStatisticsSurviveACheckpointRestore() throws Exception {
        Path root = Path.of("").toAbsolutePath().getParent();
        Path example = root.resolve("deploy/examples/datastream-job");
        // the README's two steps: flinox-operators (and its parent) into ~/.m2, then the example
        maven(root, "install", "-DskipTests", "-pl", "operators", "-am");
        maven(example, "package");
        Path jar = example.resolve("target/datastream-job.jar");
        assertThat(jar).isRegularFile();

        Path input = Files.createDirectories(dir.resolve("in"));
        Path output = dir.resolve("out");
        Path deadLetters = dir.resolve("dead");
        List<String> args = List.of("--input", input.toString(), "--output", output.toString(),
                "--dead-letters", deadLetters.toString(), "--checkpoint-interval", "500");
        List<String> first = readings("a", 240, 6, 1);
        first.add(1 + first.size() / 2, "a-nan,s2,NaN,40.5");
        List<String> second = readings("b", 200, 7, 2); // s6 is a sensor the checkpoint does not hold
        second.add(17, "b-warm,s1,warm,40.5");

        LocalCluster cluster = new LocalCluster(dir);
        try {
            cluster.start(1);
            String job = cluster.submit(jar, 2, null, args);
            feed(input, "first.csv", first);
            await("the first file's outputs and dead letter committed",
                    () -> committed(output).size() == first.size() - 1 && committed(deadLetters).size() == 1);
            cluster.cancel(job); // its checkpoints are retained (the cluster's configuration)
            String checkpoint = cluster.get("/jobs/" + job + "/checkpoints").path("latest").path("completed")
                    .path("external_path").asText();
            assertThat(checkpoint).as("a retained checkpoint of %s", job).isNotEmpty();

            String resumed = cluster.submit(jar, 2, checkpoint, args);
            feed(input, "second.csv", second);
            await("every output and dead letter committed", () -> committed(output).size() == first.size()
                    + second.size() - 2 && committed(deadLetters).size() == 2);
            cluster.cancel(resumed);
        } finally {
            cluster.stop();
        }

        List<String> all = new ArrayList<>(first);
        all.addAll(second);
        Map<String, double[]> expected = twoPassZScores(all);
        Map<String, String> got = new HashMap<>();
        for (String line : committed(output)) {
            String[] f = line.split(",");
            assertThat(got.put(f[0], line)).as("%s once", f[0]).isNull();
            double[] z = expected.get(f[0]);
            assertThat(z).as("an output for a usable reading: %s", line).isNotNull();
            assertThat(Math.abs(Double.parseDouble(f[2]) - z[0])).as(line).isLessThan(1e-9);
            assertThat(Math.abs(Double.parseDouble(f[3]) - z[1])).as(line).isLessThan(1e-9);
        }
        assertThat(got.keySet()).isEqualTo(expected.keySet());
        assertThat(committed(deadLetters)).extracting(l -> l.substring(0, l.indexOf(",", l.indexOf(",") + 1)))
                .containsExactlyInAnyOrder("a-nan,NOT_FINITE", "b-warm,NOT_FINITE");
    }

    // ---- the reference, computed independently of the job ----

    /** Per sensor, in input order: z = (x − mean) / sqrt(var) over that sensor's readings so far, 0 where var = 0. */
    private static Map<String, double[]> twoPassZScores(List<String> lines) {
        Map<String, List<double[]>> seen = new HashMap<>();
        Map<String, double[]> out = new HashMap<>();
        for (String line : lines) {
            String[] f = line.split(",");
            double[] x;
            try {
                x = new double[] {Double.parseDouble(f[2]), Double.parseDouble(f[3])};
            } catch (NumberFormatException e) {
                continue;
            }
            if (!Double.isFinite(x[0]) || !Double.isFinite(x[1])) {
                continue;
            }
            List<double[]> prefix = seen.computeIfAbsent(f[1], k -> new ArrayList<>());
            prefix.add(x);
            double[] z = new double[2];
            for (int j = 0; j < 2; j++) {
                double mean = 0;
                for (double[] p : prefix) {
                    mean += p[j];
                }
                mean /= prefix.size();
                double var = 0;
                for (double[] p : prefix) {
                    var += (p[j] - mean) * (p[j] - mean);
                }
                var /= prefix.size();
                z[j] = var == 0 ? 0 : (x[j] - mean) / Math.sqrt(var);
            }
            out.put(f[0], z);
        }
        return out;
    }

    /** {@code id,sensor,temperature,humidity} lines of sensors s0..s(sensors − 1). */
    private static List<String> readings(String prefix, int n, int sensors, long seed) {
        Random random = new Random(seed);
        List<String> lines = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            int s = random.nextInt(sensors);
            lines.add(prefix + i + ",s" + s + "," + (20 + s + random.nextGaussian()) + ","
                    + (50 + 3 * random.nextGaussian()));
        }
        return lines;
    }

    // ---- files and the build ----

    /** One CSV file with a header, appearing in the watched directory at once. */
    private static void feed(Path input, String name, List<String> rows) throws IOException {
        Path tmp = input.resolve("." + name + ".tmp");
        List<String> lines = new ArrayList<>();
        lines.add("id,sensor,temperature,humidity");
        lines.addAll(rows);
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, input.resolve(name), StandardCopyOption.ATOMIC_MOVE);
    }

    /** The lines of the committed part files (not the hidden in-progress ones). */
    private static List<String> committed(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> lines = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                if (f.getFileName().toString().startsWith("part-")) {
                    Files.readAllLines(f, StandardCharsets.UTF_8).stream().filter(l -> !l.isBlank()).forEach(lines::add);
                }
            }
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
        return lines;
    }

    /** {@code mvn -q -B GOALS} in {@code dir}, as a user runs it; fails the test with its output. */
    private void maven(Path dir, String... goals) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("mvn", "-q", "-B"));
        cmd.addAll(List.of(goals));
        Path log = Files.createTempFile(this.dir, "mvn", ".log");
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))).start();
        if (!p.waitFor(BUILD_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            fail(String.join(" ", cmd) + " in " + dir + " did not finish in " + BUILD_TIMEOUT + ":\n" + Files.readString(log));
        }
        assertThat(p.exitValue()).as("%s in %s:\n%s", String.join(" ", cmd), dir, Files.readString(log)).isZero();
    }
}
