package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A stand-alone run over a small local input compiles with the JIT's quick tier only (the
 * launcher gives its child JVM {@code -XX:TieredStopAtLevel=1}); a run over more keeps the
 * JVM's default. {@code -XX:+PrintFlagsFinal} reaches both JVMs: the launcher's own line says 4,
 * the child's what it was given.
 */
class QuickStartTest {
    private static final Pattern QUICK_TIER = Pattern.compile("TieredStopAtLevel\\s+= 1\\b");

    @TempDir
    Path dir;

    @Test
    void aSmallInputRunsOnTheQuickTierAndALargeOneOnTheDefault() throws Exception {
        Path small = Files.writeString(dir.resolve("small.csv"), "id,x\na,1\nb,2\n");
        JarRun quick = JarRun.of(dir, List.of("-XX:+PrintFlagsFinal"), "--input", small.toString(), "--key", "id",
                "--output", dir.resolve("out-small").toString());
        assertThat(quick.code()).as(quick.err()).isZero();
        assertThat(QUICK_TIER.matcher(quick.out()).find()).as("the child's flags").isTrue();

        StringBuilder rows = new StringBuilder("id,x\n");
        for (int i = 0; rows.length() <= 1 << 20; i++) {
            rows.append('k').append(i % 100).append(',').append(i % 7).append(".25\n");
        }
        Path large = Files.writeString(dir.resolve("large.csv"), rows);
        JarRun full = JarRun.of(dir, List.of("-XX:+PrintFlagsFinal"), "run", "--input", large.toString(), "--key", "id",
                "--output", dir.resolve("out-large").toString());
        assertThat(full.code()).as(full.err()).isZero();
        assertThat(full.out()).contains("TieredStopAtLevel");
        assertThat(QUICK_TIER.matcher(full.out()).find()).as("over 1 MiB: the default").isFalse();
    }
}
