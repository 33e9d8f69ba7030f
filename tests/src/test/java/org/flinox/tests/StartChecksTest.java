package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.flinox.job.JobRunner;
import org.flinox.nn.DType;
import org.flinox.nn.Npz;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mistakes a run refuses before anything starts, each with what to fix (the exit code and the
 * console of such refusals are pinned through the real jar in {@link RunConsoleTest}).
 */
class StartChecksTest {
    @TempDir
    Path dir;

    private Path csv() throws Exception {
        return Files.write(dir.resolve("in.csv"), List.of("sensor,temp,hum", "a,1,2", "b,3,4"));
    }

    private CliRun refused(String... args) {
        CliRun r = CliRun.of(args);
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(r.err().lines().toList()).as(r.err()).hasSize(1);
        return r;
    }

    @Test
    void aFeatureNotInTheFirstJsonRecordsNamesTheFieldsSeenAndTheClosest() throws Exception {
        Path in = Files.write(dir.resolve("in.jsonl"), List.of("{\"id\":\"a\",\"temp\":1}", "{\"id\":\"b\",\"temp\":2,\"hum\":5}"));
        CliRun r = refused("--input", in.toString(), "--key", "id", "--features", "temp,humm");
        assertThat(r.err()).contains("--features 'humm'").contains("id, temp, hum").contains("did you mean 'hum'?");
    }

    @Test
    void featuresNamingAFieldTwiceOrTheKeyAreRefusedAtStart() throws Exception {
        String in = csv().toString();
        assertThat(refused("--input", in, "--key", "sensor", "--features", "temp,hum,temp").err())
                .contains("--features names 'temp' more than once (temp,hum,temp): give each field once");
        assertThat(refused("--input", in, "--key", "sensor", "--features", "sensor,temp").err())
                .contains("--features names the --key field 'sensor'").contains("leave it out of --features");
    }

    @Test
    void aFeatureThatIsNotANumberInAnyOfTheFirstRecordsIsRefusedAtStart() throws Exception {
        Path in = Files.write(dir.resolve("sensors.csv"), List.of("sensor,site,temp", "a,north,1", "b,south,2", "a,,3"));
        assertThat(refused("--input", in.toString(), "--key", "sensor", "--features", "temp,site").err())
                .contains("--features 'site' is not a number in any of the first 3 records of " + in)
                .contains("(its values include 'north', 'south')").contains("give numeric fields");
    }

    @Test
    void aJsonArrayIsToldThatJsonLinesMeansOneObjectPerLine() throws Exception {
        Path in = Files.writeString(dir.resolve("in.json"), "[{\"id\":\"a\",\"x\":1},\n{\"id\":\"b\",\"x\":2}]\n");
        assertThat(refused("--input", in.toString(), "--key", "id").err()).contains("JSON array")
                .contains("one JSON object per line");
        assertThat(refused("--input", in.toString(), "--key", "id", "--features", "x").err()).contains("JSON array");
    }

    @Test
    void aHeaderOnlyCsvIsToldItHasNoDataRows() throws Exception {
        Path in = Files.write(dir.resolve("empty.csv"), List.of("sensor,temp"));
        assertThat(refused("--input", in.toString(), "--key", "sensor").err()).contains("header but no data rows");
    }

    @Test
    void emptyFeaturesAndAbsurdDurationsAreRefused() throws Exception {
        String in = csv().toString();
        assertThat(refused("--input", in, "--features", "").err()).contains("--features").contains("empty");
        assertThat(refused("--input", in, "--state-ttl", "99999999d").err()).contains("--state-ttl must be between");
        CliRun soon = CliRun.of("--input", in, "--checkpoint-interval", "soon");
        assertThat(soon.code()).isEqualTo(2); // a usage error
        assertThat(soon.err().lines().toList()).singleElement().asString().contains("'soon' is not a duration")
                .endsWith("(see --help)");
    }

    @Test
    void checkpointIntervalsAreDurationsAndBareNumbersAreMilliseconds() throws Exception {
        String in = csv().toString();
        assertThat(JobRunner.settings("--input", in, "--checkpoint-interval", "10s").flink())
                .containsEntry("execution.checkpointing.interval", "10000 ms");
        assertThat(JobRunner.settings("--input", in, "--checkpoint-interval", "250").flink())
                .containsEntry("execution.checkpointing.interval", "250 ms");
    }

    @Test
    void weightsErrorsNameTheUsersFile() throws Exception {
        String in = csv().toString();
        Path spec = Files.writeString(dir.resolve("mlp.json"), "{\"name\":\"m\",\"module\":{\"type\":\"mlp\",\"out\":1,\"hidden\":3}}");
        CliRun missing = refused("--input", in, "--model", spec.toString(), "--weights", "nope.npz");
        assertThat(missing.err()).contains("--weights nope.npz does not exist");

        Path corrupt = Files.write(dir.resolve("corrupt.npz"), new byte[] {'P', 'K', 3, 4, 1, 2, 3});
        CliRun bad = refused("--input", in, "--model", spec.toString(), "--weights", corrupt.toString());
        assertThat(bad.err()).contains(corrupt.toString()).doesNotContain("flinox-weights");

        Path undotted = dir.resolve("undotted.npz");
        Npz.write(undotted, Map.of("l1.weight", Tensor.zeros(DType.FLOAT32, 2, 3)));
        assertThat(refused("--input", in, "--model", spec.toString(), "--weights", undotted.toString()).err())
                .contains("leading dot").contains("'l1.weight' should be '.l1.weight'");
    }

    @Test
    void finalStateAndFinalSavepointIntoNonEmptyDirectoriesAreRefusedBeforeAnyWork() throws Exception {
        String in = csv().toString();
        Path used = Files.createDirectories(dir.resolve("used"));
        Files.writeString(used.resolve("part-0.jsonl"), "{}\n");
        assertThat(refused("--input", in, "--final-state", used.toString()).err()).contains("--final-state").contains("is not empty");
        assertThat(refused("--input", in, "--final-savepoint", used.toString()).err()).contains("--final-savepoint")
                .contains("is not empty");
    }

    @Test
    void overwriteDeletesOnlyFlinoxFilesAndRefusesADirectoryHoldingOthers() throws Exception {
        String in = csv().toString();
        Path mixed = Files.createDirectories(dir.resolve("mixed"));
        Files.writeString(mixed.resolve("part-0.jsonl"), "{}\n");
        Files.writeString(mixed.resolve("notes.txt"), "mine");
        assertThat(refused("--input", in, "--output", mixed.toString(), "--overwrite").err()).contains("notes.txt")
                .contains("did not write");
        assertThat(mixed.resolve("notes.txt")).exists();
        assertThat(mixed.resolve("part-0.jsonl")).exists();
    }

    @Test
    void twoOutputsInOneDirectoryAndAnUnwritableOneAreRefused() throws Exception {
        String in = csv().toString();
        String out = dir.resolve("out").toString();
        assertThat(refused("--input", in, "--output", out, "--dead-letter", out).err())
                .contains("is the same directory as").contains("mix");
        assertThat(refused("--input", in, "--output", "/proc/flinox-out").err())
                .contains("--output /proc/flinox-out is not a directory this run can write in");
    }

    @Test
    void unknownCheckpointFileSystemsAndGarbageRestoresAreRefusedAtStart() throws Exception {
        String in = csv().toString();
        assertThat(refused("--input", in, "--checkpoint-dir", "bogus://x").err()).contains("--checkpoint-dir bogus://x")
                .contains("'bogus'");
        Path garbage = Files.createDirectories(dir.resolve("garbage"));
        Files.write(garbage.resolve("_metadata"), new byte[] {1, 2, 3, 4, 5, 6, 7, 8});
        assertThat(refused("--input", in, "--restore", garbage.toString()).err())
                .contains("--restore " + garbage + " is not a savepoint or checkpoint Flink can read");
        Path notASavepoint = Files.createDirectories(dir.resolve("empty-dir"));
        assertThat(refused("--input", in, "--restore", notASavepoint.toString()).err()).contains("no _metadata");
    }

    @Test
    void aRestoreResumesTheOutputsOfTheRunItContinues() throws Exception {
        String in = csv().toString();
        Path out = dir.resolve("out");
        Path savepoint = dir.resolve("warm");
        CliRun first = CliRun.of("--input", in, "--key", "sensor", "--output", out.toString(),
                "--final-savepoint", savepoint.toString());
        assertThat(first.code()).as(first.err()).isZero();
        assertThat(JobFiles.jsonLines(out)).hasSize(2);
        Path more = Files.write(dir.resolve("more.csv"), List.of("sensor,temp,hum", "a,5,6"));
        CliRun resumed = CliRun.of("--input", more.toString(), "--key", "sensor", "--output", out.toString(),
                "--restore", savepoint.toString());
        assertThat(resumed.code()).as(resumed.err()).isZero();
        assertThat(JobFiles.jsonLines(out)).hasSize(3);
    }

    @Test
    void helpSaysInWhatOrderFilesAreReadHowFeaturesAreInferredAndWhatAChangedFileIs() {
        String help = CliRun.of("--help").out().replaceAll("\\s+", " ");
        assertThat(help).contains("Files are read in arrival order: by modification time, then path")
                .contains("from the first 20 records of the first file read")
                .contains("is not empty (nor NA, N/A, null, None) is a number")
                .contains("one that changes after it was listed (replaced, appended to) is a FILE_CHANGED dead letter");
    }

    @Test
    void resetStateTakesWholeModulesAndIsCheckedBeforeAnyJobStarts() throws Exception {
        String in = csv().toString();
        Path spec = Files.writeString(dir.resolve("seq.json"), "{\"name\":\"seq\",\"module\":{\"type\":\"sequential\","
                + "\"layers\":[{\"type\":\"standardize\"},{\"type\":\"relu\"},{\"type\":\"moments\"}]}}");
        String[] model = {"--input", in, "--key", "sensor", "--model", spec.toString()};
        assertThat(refused(concat(model, "--reset-state", ".layers[0]")).err())
                .contains("--reset-state starts state entries over when the job starts from a savepoint")
                .contains("--restore");

        Path savepoint = dir.resolve("warm");
        CliRun first = CliRun.of(concat(model, "--output", dir.resolve("out").toString(), "--final-savepoint",
                savepoint.toString()));
        assertThat(first.code()).as(first.err()).isZero();
        String[] restored = concat(model, "--restore", savepoint.toString());
        // two of a standardize's three coupled entries: refused, naming all three and the module
        assertThat(refused(concat(restored, "--reset-state", ".layers[0].mean", "--reset-state", ".layers[0].m2"))
                .err()).contains("only part of the entries of the standardize at .layers[0]")
                .contains(".layers[0].count, .layers[0].mean, .layers[0].m2 only make sense together")
                .contains("--reset-state .layers[0]");
        assertThat(refused(concat(restored, "--reset-state", ".layers[2].frist")).err())
                .contains("--reset-state .layers[2].frist: the model has no such state entry or module")
                .contains(".layers[2].first").contains("[.layers[0], .layers[2], .]");
        assertThat(refused(concat(restored, "--reset-state", ".layers[1]")).err())
                .contains("the activation at .layers[1] holds no state");

        assertThat(JobRunner.settings(concat(restored, "--reset-state", ".layers[2]")).resetState())
                .containsExactlyInAnyOrder(".layers[2].first", ".layers[2].second");
        assertThat(JobRunner.settings(concat(restored, "--reset-state", ".layers[0].count", "--reset-state",
                ".layers[0].mean", "--reset-state", ".layers[0].m2")).resetState()).hasSize(3);
        assertThat(JobRunner.settings(concat(restored, "--reset-state", ".")).resetState()).containsExactlyInAnyOrder(
                ".layers[0].count", ".layers[0].mean", ".layers[0].m2", ".layers[2].first", ".layers[2].second");
    }

    @Test
    void aStateCacheLargerThanTheHeapIsRefusedAndTheDefaultFits() throws Exception {
        String in = csv().toString();
        assertThat(refused("--input", in, "--state-cache", "100000gb", "--parallelism", "2").err())
                .contains("--state-cache 100000 GB does not fit: 2 model subtasks share a heap of")
                .contains("give --state-cache");
        long half = Runtime.getRuntime().maxMemory() / 2;
        assertThat(JobRunner.settings("--input", in, "--parallelism", "1").stateCacheBytes())
                .isEqualTo(Math.min(64L << 20, half));
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    @Test
    void helpHasNoRunTogetherWords() {
        assertThat(CliRun.of("--help").out()).contains("per-key state of a savepoint").doesNotContain("stateof");
    }

    @Test
    void settingsRefuseAKeyNotInTheHeader() throws Exception {
        String in = csv().toString();
        assertThatThrownBy(() -> JobRunner.settings("--input", in, "--key", "Sensor"))
                .hasMessageContaining("did you mean 'sensor'?");
    }
}
