package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.flinox.nn.DType;
import org.flinox.nn.Npz;
import org.flinox.nn.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile configuration, refused at start with one clear line: a model too big for the heap,
 * a weights file that lies about its size or holds NaN, bootstrap state that breaks its
 * module's invariants. Each case runs the command line in this JVM and fails in well under a
 * second, before any Flink job starts.
 */
class HostileConfigurationTest {
    @TempDir
    Path dir;

    private static String stateRow(String key, String stateKey, double... values) {
        StringBuilder v = new StringBuilder();
        for (double d : values) {
            v.append(v.length() == 0 ? "" : ",").append(d);
        }
        return "{\"key\":\"" + key + "\",\"stateKey\":\"" + stateKey + "\",\"shape\":[" + values.length
                + "],\"dtype\":\"float64\",\"values\":[" + v + "]}";
    }

    private CliRun bootstrapFails(String... lines) throws Exception {
        Path state = Files.write(dir.resolve("state.jsonl"), List.of(lines));
        Path savepoint = dir.resolve("savepoint");
        CliRun r = CliRun.of("bootstrap", "--state", state.toString(), "--features", "a,b",
                "--output", savepoint.toString());
        assertThat(r.code()).as(r.err()).isEqualTo(1);
        assertThat(savepoint).doesNotExist();
        return r;
    }

    @Test
    void bootstrapRefusesANegativeCountNamingTheLine() throws Exception {
        CliRun r = bootstrapFails(stateRow("k1", ".mean", 1, 2), stateRow("k1", ".count", -5));
        assertThat(r.err()).contains("state.jsonl:2:").contains("key k1").contains("stateKey .count")
                .contains("whole number >= 0").contains("-5.0");
    }

    @Test
    void bootstrapRefusesAFractionalCount() throws Exception {
        CliRun r = bootstrapFails(stateRow("k1", ".count", 2.5));
        assertThat(r.err()).contains("state.jsonl:1:").contains("stateKey .count").contains("2.5");
    }

    @Test
    void bootstrapRefusesANegativeM2NamingTheValue() throws Exception {
        CliRun r = bootstrapFails(stateRow("k1", ".count", 3), stateRow("k1", ".m2", 0.5, -1e-3));
        assertThat(r.err()).contains("state.jsonl:2:").contains("key k1").contains("stateKey .m2")
                .contains(">= 0").contains("value 1").contains("-0.001");
    }

    @Test
    void bootstrapRefusesAnEmptyKey() throws Exception {
        CliRun r = bootstrapFails(stateRow("k1", ".count", 3), "", stateRow("", ".count", 3));
        assertThat(r.err()).contains("state.jsonl:3:").contains("key is empty");
    }

    @Test
    void aCsvHeaderThatNamesAColumnTwiceIsRefusedAtStartNamingFileAndColumn() throws Exception {
        Path in = Files.createDirectories(dir.resolve("in"));
        Files.writeString(in.resolve("a.csv"), "k,a,b\nu,1,2\n");
        Files.writeString(in.resolve("b.csv"), "k,a,b,a\nu,1,2,3\n");
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("--input", in.toString(), "--key", "k", "--features", "a,b", "--output", out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("b.csv").contains("'a'").contains("k,a,b,a");
        assertThat(out).doesNotExist();
        // and when the features are inferred from that very file
        CliRun inferred = CliRun.of("--input", in.resolve("b.csv").toString(), "--key", "k");
        assertThat(inferred.code()).isNotZero();
        assertThat(inferred.err()).contains("b.csv").contains("'a'");
    }

    @Test
    void nanWeightsAreRefusedAtStartNamingTheUsersFileNotATemporaryCopy() throws Exception {
        Path spec = Files.writeString(dir.resolve("linear.json"),
                "{\"name\":\"lin\",\"module\":{\"type\":\"linear\",\"out\":1}}");
        Path weights = dir.resolve("my-weights.npz");
        Npz.write(weights, java.util.Map.of(
                ".weight", Tensor.of(DType.FLOAT32, new int[] {2, 1}, 0.5, Double.NaN),
                ".bias", Tensor.vector(DType.FLOAT32, 0)));
        CliRun r = CliRun.of("describe", "--features", "a,b", "--model", spec.toString(), "--weights", weights.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains(weights.toString()).contains(".weight: value 1 is NaN")
                .doesNotContain("flinox-weights");
    }

    private CliRun describe(String module) throws Exception {
        Path spec = Files.writeString(dir.resolve("spec.json"), "{\"name\":\"big\",\"module\":" + module + "}");
        return CliRun.of("describe", "--features", "a,b,c", "--model", spec.toString());
    }

    @Test
    void modelsTooBigForTheHeapAreRefusedNamingTheNodeTheSizeAndTheMemory() throws Exception {
        for (String module : List.of("{\"type\":\"mlp\",\"hidden\":30000}",
                "{\"type\":\"linear\",\"out\":300000000}",
                "{\"type\":\"sequential\",\"layers\":[{\"type\":\"standardize\"},{\"type\":\"gru\",\"hidden\":20000}]}")) {
            CliRun r = describe(module);
            assertThat(r.code()).as(module).isNotZero();
            assertThat(r.err()).as(module).contains("spec.json: module").contains("values").contains("MiB")
                    .contains("memory is available").doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
        }
        assertThat(describe("{\"type\":\"sequential\",\"layers\":[{\"type\":\"standardize\"},"
                + "{\"type\":\"gru\",\"hidden\":20000}]}").err()).contains("module.layers[1]");
    }

    @Test
    void sizesWhoseArraysNoJavaArrayHoldsNameTheNodeInsteadOfAnIntegerOverflow() throws Exception {
        for (String module : List.of("{\"type\":\"mlp\",\"hidden\":10000000}",
                "{\"type\":\"mlp\",\"hidden\":2000000000}", "{\"type\":\"linear\",\"out\":1000000000}")) {
            CliRun r = describe(module);
            assertThat(r.code()).as(module).isNotZero();
            assertThat(r.err()).as(module).contains("spec.json: module:").contains("a Java array holds at most")
                    .doesNotContain("integer overflow");
        }
    }

    @Test
    void aModelTooBigIsRefusedByRunBeforeTheJobStarts() throws Exception {
        Path in = Files.writeString(dir.resolve("in.csv"), "a,b,c\n1,2,3\n");
        Path spec = Files.writeString(dir.resolve("spec.json"), "{\"name\":\"big\",\"module\":{\"type\":\"mlp\",\"hidden\":30000}}");
        Path out = dir.resolve("out");
        CliRun r = CliRun.of("--input", in.toString(), "--model", spec.toString(), "--output", out.toString());
        assertThat(r.code()).isNotZero();
        assertThat(r.err()).contains("spec.json: module").contains("memory is available");
        assertThat(out).doesNotExist();
    }
}
