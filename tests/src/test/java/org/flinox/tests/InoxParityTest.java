package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Parity with inox, for every spec type: the job's {@code run} on generated records of
 * several keys, with random weights that numpy writes under inox's paths
 * ({@code .lin_h.weight.value}), against operators/MODULES.md's numpy snippets, which transcribe inox's
 * functions (each snippet cites its inox file and function). {@code inox_parity.py check}
 * compares every output and every key's final state; it shares nothing with the Java code
 * but the spec, the {@code .npz} and the records.
 */
class InoxParityTest {

    private static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    private static final Path HARNESS = ROOT.resolve("tests/src/test/python/inox_parity.py");
    private static final Path MODULES = ROOT.resolve("operators/MODULES.md");
    private static final int FEATURES = 3;
    private static final double FLOAT32 = 1e-5;
    private static final Set<String> STATELESS = Set.of("linear", "layernorm", "layernorm-affine");

    @TempDir
    Path dir;

    /** Each type at least once; the activations in chains, each behind a linear (inputs of both signs). */
    static Stream<Arguments> types() {
        return Stream.of(
                Arguments.of("standardize", "{\"type\":\"standardize\"}", 1e-9),
                Arguments.of("standardize-ema", "{\"type\":\"standardize\",\"mode\":\"ema\",\"momentum\":0.8,\"epsilon\":0.001}", 1e-9),
                Arguments.of("moments", "{\"type\":\"moments\",\"momentum\":0.7}", FLOAT32),
                // stateless: no --final-state (with it, a stateless model fails today: see the report)
                Arguments.of("linear", "{\"type\":\"linear\",\"out\":2}", FLOAT32),
                Arguments.of("layernorm", "{\"type\":\"layernorm\"}", FLOAT32),
                Arguments.of("layernorm-affine", "{\"type\":\"layernorm\",\"eps\":0.01,\"affine\":true}", FLOAT32),
                Arguments.of("batchnorm", "{\"type\":\"batchnorm\"}", FLOAT32),
                Arguments.of("mlp", "{\"type\":\"mlp\",\"hidden\":6,\"out\":2}", FLOAT32),
                Arguments.of("gru", "{\"type\":\"gru\",\"hidden\":4}", FLOAT32),
                Arguments.of("lstm", "{\"type\":\"lstm\",\"hidden\":4}", FLOAT32),
                Arguments.of("gru-lstm-linear-without-bias", "{\"type\":\"sequential\",\"layers\":["
                        + "{\"type\":\"gru\",\"hidden\":3,\"bias\":false},{\"type\":\"lstm\",\"bias\":false},"
                        + "{\"type\":\"linear\",\"out\":2,\"bias\":false}]}", FLOAT32),
                Arguments.of("activations-1", chain("relu", "{\"type\":\"leakyrelu\",\"alpha\":0.2}",
                        "{\"type\":\"elu\",\"alpha\":0.5}", "gelu", "silu"), FLOAT32),
                Arguments.of("activations-2", chain("tanh", "sigmoid", "softplus", "softmax", "identity"), FLOAT32));
    }

    /** standardize, then (linear, activation) for each activation: a sequential. */
    private static String chain(String... activations) {
        StringBuilder s = new StringBuilder("{\"type\":\"sequential\",\"layers\":[{\"type\":\"standardize\"}");
        for (String a : activations) {
            s.append(",{\"type\":\"linear\",\"out\":4},")
                    .append(a.startsWith("{") ? a : "{\"type\":\"" + a + "\"}");
        }
        return s.append("]}").toString();
    }

    /** 4 keys, interleaved, 40 records each, features of both signs and per-key scales. */
    private static String records() {
        SplittableRandom random = new SplittableRandom(14);
        StringBuilder s = new StringBuilder("k,a,b,c\n");
        for (int i = 0; i < 160; i++) {
            int k = random.nextInt(4);
            s.append("key-").append(k);
            for (int j = 0; j < FEATURES; j++) {
                s.append(',').append(String.format(Locale.ROOT, "%.6f", (random.nextDouble() * 4 - 2) * (k + 1) + k));
            }
            s.append('\n');
        }
        return s.toString();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("types")
    void jobMatchesNumpyTranscriptionOfInox(String name, String module, double tolerance) throws Exception {
        String python = Python.withNumpy();
        Path spec = Files.writeString(dir.resolve(name + ".json"),
                "{\"name\":\"parity-" + name + "\",\"seed\":3,\"module\":" + module + "}");
        Path input = Files.writeString(dir.resolve("records.csv"), records());
        Path weights = dir.resolve("weights.npz");
        Python.Result written = Python.run(python, HARNESS.toString(), "weights", spec.toString(),
                String.valueOf(FEATURES), weights.toString(), "14");
        assertThat(written.code()).as(written.out()).isZero();

        Path out = dir.resolve("out");
        boolean stateless = STATELESS.contains(name);
        Path state = dir.resolve("final-state");
        List<String> args = new ArrayList<>(List.of("--input", input.toString(), "--key", "k", "--features", "a,b,c",
                "--model", spec.toString(), "--weights", weights.toString(), "--output", out.toString(),
                "--parallelism", "1"));
        if (!stateless) {
            args.addAll(List.of("--final-state", state.toString()));
        }
        int code = FlinoxCli.execute(args.toArray(String[]::new));
        assertThat(code).isZero();
        assertThat(JobFiles.jsonLines(dir.resolve("out-dead-letters"))).isEmpty();

        Python.Result check = Python.run(python, HARNESS.toString(), "check", MODULES.toString(), spec.toString(),
                String.valueOf(FEATURES), weights.toString(), input.toString(), out.toString(), stateless ? "-" : state.toString(),
                String.valueOf(tolerance));
        assertThat(check.code()).as(check.out()).isZero();
        assertThat(check.out()).startsWith("match: 160 outputs of 4 keys");
    }
}
