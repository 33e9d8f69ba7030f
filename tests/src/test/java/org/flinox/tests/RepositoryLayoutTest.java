package org.flinox.tests;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * The repository's top level is fixed: the build, the three code trees, the deployment, the
 * README and the benchmarks (plus CI and Maven's settings). Anything new belongs in one of them.
 */
class RepositoryLayoutTest {

    private static final Set<String> TOP_LEVEL = Set.of("pom.xml", "job", "operators", "deploy", "tests", "README.md",
            "BENCHMARKS.md", ".ci", ".mvn", ".gitignore");

    @Test
    void everyTrackedFileIsUnderTheFixedTopLevel() throws IOException, InterruptedException {
        Process git = new ProcessBuilder("git", "ls-files").directory(Path.of("..").toFile()).start();
        String files = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(git.waitFor()).as("git ls-files").isZero();
        Set<String> top = new TreeSet<>();
        Arrays.stream(files.split("\n")).filter(f -> !f.isBlank()).forEach(f -> top.add(f.split("/")[0]));
        assertThat(top).as("the top level of the repository").isNotEmpty().isSubsetOf(TOP_LEVEL);
    }
}
