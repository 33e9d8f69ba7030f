package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line: help, describe, and errors a user can act on. */
class CliTest {
    @TempDir
    Path dir;

    @Test
    void helpListsEveryFlagOfTheContractWithDefaults() {
        CliRun r = CliRun.of("--help");
        assertThat(r.code()).isZero();
        for (String flag : new String[] {"--input", "--format", "--key", "--features", "--model", "--weights",
                "--output", "--dead-letter", "--parallelism", "--checkpoint-dir", "--checkpoint-interval",
                "--state-backend", "--restore", "--state-ttl", "--watch"}) {
            assertThat(r.out()).contains(flag);
        }
        assertThat(r.out()).contains("default: 10s").contains("default: rocksdb").contains("describe");
    }

    @Test
    void describePrintsTheSeedMlpsParametersAndStateKeys() throws Exception {
        Path spec = Files.writeString(dir.resolve("mlp.json"), "{\"name\":\"clf\",\"seed\":3,\"module\":{\"type\":\"mlp\",\"out\":3}}");
        CliRun r = CliRun.of("describe", "--model", spec.toString(), "--features", "a,b,c,d");
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
        CliRun r = CliRun.of("--input", input.toString(), "--key", "k", "--model", spec.toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("bad.json").contains("momentun");
    }

    @Test
    void aMissingInputIsAClearError() {
        CliRun r = CliRun.of("--input", dir.resolve("nope.csv").toString());
        assertThat(r.code()).isEqualTo(1);
        assertThat(r.err()).contains("nope.csv").contains("does not exist");
    }
}
