package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;
import static org.flinox.tests.LocalCluster.await;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --model-updates} on the real session cluster, with a TaskManager killed with
 * {@code kill -9} between two updates: the job restarts from its last checkpoint with the
 * version in force there (B, from the operator's broadcast state), then takes C. Every output
 * equals the plain-loop reference under the version it names, each record is committed once,
 * and per key the versions go A, B, C, never back.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ModelUpdatesOnClusterTest {
    private static final Map<String, double[][]> WEIGHTS = Map.of(
            "A", ModelUpdatesTest.WEIGHTS.get("A"),
            "B", ModelUpdatesTest.WEIGHTS.get("B"),
            "C", new double[][] {{0.25, -1, 4, 0.5}, {-3, 7}});

    @TempDir
    static Path work;

    private LocalCluster cluster;
    private final List<Reference.Row> fed = new ArrayList<>();
    private int files;

    @BeforeAll
    void startCluster() throws Exception {
        cluster = new LocalCluster(work);
        cluster.start(2);
    }

    @AfterAll
    void stopCluster() throws Exception {
        if (cluster != null) {
            cluster.stop();
        }
    }

    /** A new input file, two rows per key, moved in whole; waits until its rows are committed. */
    private void feedAndAwait(Path in, Path out) throws Exception {
        String name = "f" + (files++) + ".csv";
        StringBuilder csv = new StringBuilder("k,a,b\n");
        int seq = 0;
        for (int i = 0; i < 2; i++) {
            for (String key : List.of("p", "q", "r", "s")) {
                double a = (files * 3 + i * 5 + key.charAt(0)) % 9;
                double b = (files * 11 + i + key.charAt(0) * 7) % 17 - 8;
                csv.append(key).append(',').append(a).append(',').append(b).append('\n');
                fed.add(new Reference.Row(key, name, seq++, new double[] {a, b}));
            }
        }
        Path tmp = in.resolve("." + name + ".tmp");
        Files.writeString(tmp, csv);
        Files.move(tmp, in.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        await(fed.size() + " committed outputs", () -> JobFiles.committedSoFar(out).size() >= fed.size());
    }

    private void publish(Path updates, String version) throws Exception {
        double[][] w = WEIGHTS.get(version);
        Path staged = ModelUpdatesTest.weights(work.resolve("staged"), version + ".npz", w[0], w[1]);
        Files.move(staged, updates.resolve(version + ".npz"), StandardCopyOption.ATOMIC_MOVE);
    }

    private static boolean any(Path out, String version) {
        return JobFiles.committedSoFar(out).stream().anyMatch(o -> o.get("model_version").asText().equals(version));
    }

    /** Feeds files until an output of {@code version} is committed (each wait has its deadline). */
    private void feedUntil(Path in, Path out, String version) throws Exception {
        for (int tries = 0; !any(out, version); tries++) {
            assertThat(tries).as("files fed waiting for version " + version).isLessThan(60);
            feedAndAwait(in, out);
        }
    }

    @Test
    void aTaskManagerKilledBetweenTwoUpdatesRestartsWithTheVersionInForce() throws Exception {
        Path in = Files.createDirectories(work.resolve("in"));
        Path updates = Files.createDirectories(work.resolve("updates"));
        Path out = work.resolve("out");
        Path spec = Files.writeString(work.resolve("spec.json"), ModelUpdatesTest.SPEC);
        Path a = ModelUpdatesTest.weights(work.resolve("weights"), "A.npz", WEIGHTS.get("A")[0], WEIGHTS.get("A")[1]);
        String job = cluster.submit(2, List.of("--input", in.toString(), "--format", "csv", "--key", "k",
                "--features", "a,b", "--model", spec.toString(), "--weights", a.toString(),
                "--model-updates", updates.toString(), "--output", out.toString(), "--watch",
                "--watch-interval", "200ms", "--checkpoint-interval", "1000"));
        await("job " + job + " running", () -> "RUNNING".equals(cluster.jobState(job)));

        feedAndAwait(in, out);
        publish(updates, "B");
        feedUntil(in, out, "B");

        assertThat(cluster.killAndReplace(cluster.busyTaskManager())).contains("taskmanager-3 ");
        await("job " + job + " restarted after the kill", () -> cluster.restarts(job) >= 1);
        int beforeRestart = fed.size();
        feedAndAwait(in, out);
        publish(updates, "C");
        feedUntil(in, out, "C");
        cluster.cancel(job);

        Map<String, String> versionOf = new HashMap<>();
        Map<String, double[]> outputOf = new HashMap<>();
        for (JsonNode o : JobFiles.jsonLines(out)) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(versionOf.put(id, o.get("model_version").asText())).as(id + " committed once").isNull();
            outputOf.put(id, JobFiles.doubles(o.get("output")));
        }
        assertThat(versionOf).hasSize(fed.size());
        Map<String, double[]> z = Reference.cumulative(fed);
        Map<String, String> last = new HashMap<>();
        for (int i = 0; i < fed.size(); i++) {
            Reference.Row r = fed.get(i);
            String id = Reference.id(r.source(), r.seq());
            String version = versionOf.get(id);
            assertThat(version).as(id).isIn("A", "B", "C");
            if (i >= beforeRestart) {
                assertThat(version).as(id + ", after the restart").isIn("B", "C");
            }
            String previous = last.getOrDefault(r.key(), "A");
            assertThat(version.compareTo(previous)).as(id + ": " + previous + " then " + version).isGreaterThanOrEqualTo(0);
            last.put(r.key(), version);
            assertThat(outputOf.get(id)).as(id + " under " + version)
                    .containsExactly(ModelUpdatesTest.linear(z.get(id), WEIGHTS.get(version)), within(1e-5));
        }
        assertThat(last).containsValue("C");
    }
}
