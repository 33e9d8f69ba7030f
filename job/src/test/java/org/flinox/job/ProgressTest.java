package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The progress bar's drawing, and the byte count it is drawn from. */
class ProgressTest {
    @TempDir
    Path dir;

    @Test
    void theBarFillsInProportionToTheBytesRead() {
        assertThat(Progress.bar(0, 1_000_000, 0)).startsWith("[" + ".".repeat(30) + "]   0%");
        assertThat(Progress.bar(500_000, 1_000_000, 1234)).isEqualTo("[" + "#".repeat(15) + ".".repeat(15)
                + "]  50% 0.5 of 1.0 MB, 1,234 records");
        assertThat(Progress.bar(1_000_000, 1_000_000, 7)).startsWith("[" + "#".repeat(30) + "] 100%");
    }

    @Test
    void utf8LengthCountsBytesAsTheEncoderDoes() {
        for (String s : List.of("", "abc", "é", "€uro", "😀 smile", "mixed é € 😀")) {
            assertThat(Tally.utf8Length(s)).as(s).isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    /** Every byte of the input but the header is read as a record's line: the bar ends at the file's size. */
    @Test
    void aBoundedRunCountsEveryLineAndByteOfItsInput() throws Exception {
        String header = "k,a";
        List<String> rows = List.of("x,1", "y,2.5", "x,é", "y,4");
        Path input = Files.write(dir.resolve("in.csv"), concat(header, rows), StandardCharsets.UTF_8);
        RunOptions o = CommandLine.populateCommand(new RunOptions(), "--input", input.toString(), "--key", "k",
                "--features", "a", "--output", dir.resolve("out").toString());
        RunSummary s = JobRunner.run(JobRunner.resolve(o), Duration.ZERO);
        long expectedBytes = Files.size(input) - header.length() - 1;
        assertThat(s.bytesIn()).isEqualTo(expectedBytes);
        assertThat(s.recordsIn()).isEqualTo(4);
        assertThat(s.outputs()).isEqualTo(3);
        assertThat(s.keys()).isEqualTo(2);
        assertThat(s.deadLetters()).containsOnlyKeys("NON_NUMERIC").containsEntry("NON_NUMERIC", 1L);
        assertThat(s.examples()).singleElement().satisfies(e -> assertThat(e.seq()).isEqualTo(2));
    }

    private static List<String> concat(String first, List<String> rest) {
        var all = new java.util.ArrayList<String>();
        all.add(first);
        all.addAll(rest);
        return all;
    }
}
