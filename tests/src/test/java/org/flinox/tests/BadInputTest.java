package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.flinox.job.FlinoxCli;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Good rows give outputs, each bad row a dead letter with its reason, and nothing is lost. */
class BadInputTest {
    @TempDir
    Path dir;

    @Test
    void everyRowEndsUpInExactlyOneOfOutputsAndDeadLetters() throws Exception {
        // data rows, seq from 0; the expected reason of each bad one
        List<String> lines = List.of(
                "k,a,b,note",
                "x,1,2,plain",             // 0 good
                "x,3,4,\"quoted, comma\"", // 1 good
                "y,5,6,\"say \"\"hi\"\"\"", // 2 good (doubled quotes)
                "x,abc,4,bad",             // 3 NON_NUMERIC
                "x,1,2",                   // 4 WRONG_COLUMN_COUNT (missing)
                "x,1,2,n,extra",           // 5 WRONG_COLUMN_COUNT (extra)
                "y,NaN,1,n",               // 6 NOT_FINITE
                "y,1,Infinity,n",          // 7 NOT_FINITE
                "",                        // 8 EMPTY
                "x,\"7,8,n",               // 9 UNPARSEABLE (broken quote)
                "y,,3,n",                  // 10 MISSING_FIELD
                "y,7,8,after bad rows",    // 11 good
                "x,5,6,last");             // 12 good
        Map<Long, String> badReasons = Map.of(3L, "NON_NUMERIC", 4L, "WRONG_COLUMN_COUNT", 5L, "WRONG_COLUMN_COUNT",
                6L, "NOT_FINITE", 7L, "NOT_FINITE", 8L, "EMPTY", 9L, "UNPARSEABLE", 10L, "MISSING_FIELD");
        Path input = Files.write(dir.resolve("mixed.csv"), lines);
        Path out = dir.resolve("out");
        Path dead = dir.resolve("rejected");

        int code = FlinoxCli.execute("--input", input.toString(), "--key", "k", "--features", "a,b",
                "--output", out.toString(), "--dead-letter", dead.toString());
        assertThat(code).isZero();

        List<JsonNode> outputs = JobFiles.jsonLines(out);
        List<JsonNode> deadLetters = JobFiles.jsonLines(dead);
        assertThat(outputs.size() + deadLetters.size()).isEqualTo(lines.size() - 1);

        Map<Long, JsonNode> deadBySeq = new HashMap<>();
        for (JsonNode d : deadLetters) {
            deadBySeq.put(d.get("seq").asLong(), d);
            assertThat(d.get("source").asText()).isEqualTo("mixed.csv");
            assertThat(d.get("detail").asText()).isNotBlank();
        }
        assertThat(deadBySeq.keySet()).containsExactlyInAnyOrderElementsOf(badReasons.keySet());
        badReasons.forEach((seq, reason) -> {
            assertThat(deadBySeq.get(seq).get("reason").asText()).as("seq %d", seq).isEqualTo(reason);
            assertThat(deadBySeq.get(seq).get("raw").asText()).isEqualTo(lines.get((int) (seq + 1)));
        });
        assertThat(deadBySeq.get(3L).get("detail").asText()).contains("a").contains("abc");

        // the good rows, and only they, moved the statistics
        List<Reference.Row> good = new ArrayList<>();
        good.add(new Reference.Row("x", "mixed.csv", 0, new double[] {1, 2}));
        good.add(new Reference.Row("x", "mixed.csv", 1, new double[] {3, 4}));
        good.add(new Reference.Row("y", "mixed.csv", 2, new double[] {5, 6}));
        good.add(new Reference.Row("y", "mixed.csv", 11, new double[] {7, 8}));
        good.add(new Reference.Row("x", "mixed.csv", 12, new double[] {5, 6}));
        Map<String, double[]> expected = Reference.cumulative(good);
        assertThat(outputs).hasSize(good.size());
        for (JsonNode o : outputs) {
            String id = Reference.id(o.get("source").asText(), o.get("seq").asLong());
            assertThat(JobFiles.doubles(o.get("output"))).as(id).containsExactly(expected.get(id), within(1e-12));
        }
    }
}
