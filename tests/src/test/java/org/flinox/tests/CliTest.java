package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, describe, and errors a user can act on. */
class CliTest {
    @TempDir
    Path dir;

    private record Run(int code, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = FlinoxCli.execute(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void helpListsEveryFlagOfTheContractWithDefaults() {
        Run r = run("--help");
        assertThat(r.code()).isZero();
        for (String flag : new String[] {"--input", "--format", "--key", "--features", "--model", "--weights",
                "--output", "--dead-letter", "--parallelism", "--checkpoint-dir", "--checkpoint-interval",
                "--state-backend", "--restore", "--state-ttl", "--watch"}) {
            assertThat(r.out()).contains(flag);
        }
        assertThat(r.out()).contains("default: 10000").contains("default: rocksdb").contains("describe");
    }

    @Test
    void describePrintsTheSeedMlpsParametersAndStateKeys() throws Exception {
        Path spec = Files.writeString(dir.resolve("mlp.json"), "{\"name\":\"clf\",\"seed\":3,\"module\":{\"type\":\"mlp\",\"out\":3}}");
        Run r = run("describe", "--model", spec.toString(), "--features", "a,b,c,d");
        assertThat(r.code()).as(r.err()).isZero();
        JsonNode d = JobFiles.JSON.readTree(r.out());
        assertThat(d.get("name").asText()).isEqualTo("clf");
        assertThat(d.get("uid").asText()).isEqualTo("flinox-model-clf");
        assertThat(d.get("state").findValuesAsText("key")).containsExactly(
                ".inStats.first", ".inStats.second", ".outStats.first", ".outStats.second");
        JsonNode firstState = d.get("state").get(0);
        assertThat(firstState.get("dtype").asText()).isEqualTo("float32");
        assertThat(firstState.get("shape").get(0).asInt()).isEqualTo(4);
        assertThat(d.get("parameters").findValuesAsText("path")).containsExactly(
                ".l1.bias", ".l1.weight", ".l2.bias", ".l2.weight", ".l3.bias", ".l3.weight");
        JsonNode l1 = d.get("parameters").get(1);
        assertThat(l1.get("shape").toString()).isEqualTo("[4,64]");
        assertThat(d.get("module").get("type").asText()).isEqualTo("MLP");
    }

    @Test
    void aBadModelSpecFailsWithThePathInTheSpec() throws Exception {
        Path spec = Files.writeString(dir.resolve("bad.json"), "{\"module\":{\"type\":\"standardize\",\"momentun\":0.5}}");
        Path input = Files.writeString(dir.resolve("x.csv"), "k,a\nq,1\n");
        Run r = run("--input", input.toString(), "--key", "k", "--model", spec.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bad.json").contains("momentun");
    }

    @Test
    void aMissingInputIsAClearError() {
        Run r = run("--input", dir.resolve("nope.csv").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("nope.csv").contains("does not exist");
    }
}
