package org.flinox.tests;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Writes the committed savepoint fixtures (not a test; run it when a fixture must be made
 * anew, from the repository root):
 *
 * <pre>mvn -B -q install -DskipTests
 * (cd tests && mvn -B -q dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=/tmp/tests.cp)
 * java -cp tests/target/test-classes:$(cat /tmp/tests.cp) --add-opens=java.base/java.util=ALL-UNNAMED \
 *     org.flinox.tests.SavepointFixtures</pre>
 *
 * A fixture freezes the bytes today's code writes, so a later change to the state format
 * (a TensorSerializer version bump) is tested against real state of the old format.
 */
public final class SavepointFixtures {
    static final Path STANDARDIZE_V1 = Path.of("src/test/resources/fixtures/standardize-tensor-format-1");
    /** inox's example MLP (hidden 64) over x, y, written by the last per-entry build (2026-11-26). */
    static final Path MLP_PER_ENTRY = Path.of("src/test/resources/fixtures/mlp-per-entry-format-1");
    /** The spec of {@link #MLP_PER_ENTRY}'s model. */
    static final String MLP_SPEC = "{\"name\": \"seedmlp\", \"seed\": 0, \"module\": {\"type\": \"mlp\", \"out\": 3}}";

    /** The rows the fixture holds the statistics of: 400 rows, 20 keys, features x, y. */
    static List<Reference.Row> standardizeRows() {
        return SavepointRescaleTest.rows("history.csv", 400, 20);
    }

    public static void main(String[] args) throws Exception {
        if (args.length > 0 && args[0].equals("mlp")) {
            writeMlp();
            return;
        }
        Path work = Files.createTempDirectory("flinox-fixture");
        Path watched = Files.createDirectories(work.resolve("in"));
        Path staging = Files.createDirectories(work.resolve("staging"));
        List<Reference.Row> rows = standardizeRows();
        String savepoint;
        try (WatchedJob job = WatchedJob.start(watched, work.resolve("out"), "--format", "csv", "--key", "id",
                "--features", "x,y", "--parallelism", "2")) {
            job.feed(SavepointRescaleTest.writeCsv(staging.resolve("history.csv"), rows), System.currentTimeMillis());
            job.awaitOutputs(rows.size());
            savepoint = job.stopWithSavepoint(work.resolve("savepoints"));
        }
        Path target = Path.of("tests").resolve(STANDARDIZE_V1);
        copy(Path.of(java.net.URI.create(savepoint)), target);
        System.out.println("wrote " + target);
    }

    /**
     * The MLP fixture: the savepoint, and beside it {@code state.jsonl}, every key's state as
     * the writing build's {@code inspect} printed it, so a later layout can be checked to
     * restore every value.
     */
    private static void writeMlp() throws Exception {
        Path work = Files.createTempDirectory("flinox-fixture");
        Path watched = Files.createDirectories(work.resolve("in"));
        Path staging = Files.createDirectories(work.resolve("staging"));
        Path spec = Files.writeString(work.resolve("seedmlp.json"), MLP_SPEC);
        List<Reference.Row> rows = standardizeRows();
        String savepoint;
        try (WatchedJob job = WatchedJob.start(watched, work.resolve("out"), "--format", "csv", "--key", "id",
                "--features", "x,y", "--model", spec.toString(), "--parallelism", "2")) {
            job.feed(SavepointRescaleTest.writeCsv(staging.resolve("history.csv"), rows), System.currentTimeMillis());
            job.awaitOutputs(rows.size());
            savepoint = job.stopWithSavepoint(work.resolve("savepoints"));
        }
        Path target = Path.of("tests").resolve(MLP_PER_ENTRY);
        Path source = Path.of(java.net.URI.create(savepoint));
        copy(source, target);
        int code = org.flinox.job.FlinoxCli.execute("inspect", "--from", source.toString(), "--model", spec.toString(),
                "--features", "x,y", "--output", target.resolve("state.jsonl").toString());
        if (code != 0) {
            throw new IllegalStateException("inspect failed: " + code);
        }
        System.out.println("wrote " + target);
    }

    private static void copy(Path from, Path to) throws Exception {
        if (Files.exists(to)) {
            try (var old = Files.walk(to)) {
                old.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
        try (var files = Files.walk(from)) {
            for (Path p : files.toList()) {
                Path dest = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(dest);
                } else {
                    Files.copy(p, dest);
                }
            }
        }
    }
}
