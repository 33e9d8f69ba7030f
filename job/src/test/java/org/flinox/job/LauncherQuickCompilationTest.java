package org.flinox.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The child JVM gets the JIT's quick tier only for runs that end soon, and never over the user's own JIT flags. */
class LauncherQuickCompilationTest {
    private static final List<String> QUICK = List.of("-XX:TieredStopAtLevel=1");

    @Test
    void aSmallLocalFileOrDirectoryAndTheDemoEndSoon(@TempDir Path dir) throws Exception {
        Path small = Files.writeString(dir.resolve("two.csv"), "id,a\nx,1\ny,2\n");
        assertThat(Launcher.quickCompilation(new String[] {"run", "--input", small.toString(), "--key", "id"}, List.of()))
                .isEqualTo(QUICK);
        assertThat(Launcher.quickCompilation(new String[] {"run", "--input=" + small.toUri()}, List.of())).isEqualTo(QUICK);
        assertThat(Launcher.quickCompilation(new String[] {"run", "--input", dir.toString()}, List.of("-Xmx1g")))
                .isEqualTo(QUICK);
        assertThat(Launcher.quickCompilation(new String[] {"--input", small.toString()}, List.of()))
                .as("run is the default subcommand").isEqualTo(QUICK);
        assertThat(Launcher.quickCompilation(new String[0], List.of())).as("the demo").isEqualTo(QUICK);
    }

    @Test
    void aLargeUnboundedRemoteOrMissingInputAndOtherCommandsKeepTheDefault(@TempDir Path dir) throws Exception {
        Path small = Files.writeString(dir.resolve("a.csv"), "id,a\nx,1\n");
        Files.write(dir.resolve("b.csv"), new byte[(int) Launcher.SMALL_INPUT_BYTES]); // the directory: just over
        assertThat(Launcher.quickCompilation(new String[] {"run", "--input", dir.toString()}, List.of())).isEmpty();
        assertThat(Launcher.quickCompilation(new String[] {"run", "--input", small.toString(), "--watch"}, List.of()))
                .isEmpty();
        assertThat(Launcher.quickCompilation(new String[] {"run", "--input", "kafka://localhost:9092/t"}, List.of()))
                .isEmpty();
        assertThat(Launcher.quickCompilation(new String[] {"run", "--input", dir.resolve("nope.csv").toString()}, List.of()))
                .isEmpty();
        assertThat(Launcher.quickCompilation(new String[] {"inspect", "--input", small.toString()}, List.of())).isEmpty();
        assertThat(Launcher.quickCompilation(new String[] {"run", "--input", small.toString()},
                List.of("-XX:-TieredCompilation"))).as("the user's own JIT flags").isEmpty();
    }
}
