package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code in {@code package-info.java} is the code the tests run: each example there is
 * copied verbatim into a test (between {@code // ---- verbatim from package-info.java ----}
 * and {@code // ---- end ----}) or, for inox's {@code Moments} and {@code MLP}, is the user
 * module's whole source file in {@code deploy/examples/custom-module} after its {@code package} line. README.md's "The state API"
 * shows the same code.
 */
class PackageDocIsVerbatimTest {

    private static final Path PACKAGE_DOC = Path.of("src/main/java/org/flinox/nn/package-info.java");
    private static final Path TESTS = Path.of("src/test/java/org/flinox");
    private static final Path README = Path.of("..", "README.md");
    /** The user-written modules the example jar ships (and these tests compile, see the pom). */
    private static final Path USER_MODULES = Path.of("..", "deploy/examples/custom-module/src/main/java/org/example/modules");
    private static final String BEGIN = "// ---- verbatim from package-info.java ----";
    private static final String END = "// ---- end ----";

    @Test
    void theHandBuiltExampleIsWhatPackageDocExampleTestRuns() {
        assertThat(block("Map<String, Object> tree"))
                .isEqualTo(JavadocCode.between(TESTS.resolve("nn/PackageDocExampleTest.java"), BEGIN, END, 8));
    }

    @Test
    void inoxsMomentsIsTheSourceTheUserModuleTestsCompile() throws IOException {
        assertThat(block("public record Moments")).isEqualTo(withoutPackage(USER_MODULES.resolve("Moments.java")));
    }

    @Test
    void inoxsMlpIsTheSourceTheUserModuleTestsCompile() throws IOException {
        assertThat(block("public record MLP")).isEqualTo(withoutPackage(USER_MODULES.resolve("MLP.java")));
    }

    @Test
    void theirUsageIsWhatMLPTestRuns() {
        assertThat(block("MLP.create(16, 3, 64, new Rng(0))"))
                .isEqualTo(JavadocCode.between(TESTS.resolve("usermodule/MLPTest.java"), BEGIN, END, 8));
    }

    @Test
    void theReadmesStateApiSectionShowsTheSameCode() throws IOException {
        List<String> readme = readmeStateApiBlocks();
        assertThat(readme).as("the java blocks of README.md's \"The state API\"").containsExactly(
                block("public record Moments"), block("public record MLP"), block("MLP.create(16, 3, 64, new Rng(0))"));
    }

    @Test
    void aBlockReadsAsItsReaderSeesIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("Example.java");
        Files.writeString(file, String.join("\n",
                "/**", " * Text.", " *", " * <pre>{@code", " * if (x) {", " *", " *     y();", " * }", " * }</pre>", " */", ""));
        assertThat(JavadocCode.blocks(file)).containsExactly("if (x) {\n\n    y();\n}\n");
    }

    private static String withoutPackage(Path source) throws IOException {
        String text = Files.readString(source);
        return text.substring(text.indexOf('\n') + 1).stripLeading();
    }

    /** The {@code ```java} blocks of README.md's section "The state API", in order. */
    private static List<String> readmeStateApiBlocks() throws IOException {
        List<String> lines = Files.readAllLines(README);
        int from = lines.indexOf("## The state API (`org.flinox.nn`)");
        assertThat(from).as("README.md's heading ## The state API (`org.flinox.nn`)").isNotNegative();
        List<String> blocks = new ArrayList<>();
        StringBuilder block = null;
        for (String line : lines.subList(from + 1, lines.size())) {
            if (block == null && line.startsWith("## ")) {
                break;
            } else if (block == null && line.equals("```java")) {
                block = new StringBuilder();
            } else if (block != null && line.equals("```")) {
                blocks.add(block.toString());
                block = null;
            } else if (block != null) {
                block.append(line).append('\n');
            }
        }
        return blocks;
    }

    /** The one code block of the package doc that contains {@code marker}. */
    private static String block(String marker) {
        List<String> found = JavadocCode.blocks(PACKAGE_DOC).stream().filter(b -> b.contains(marker)).toList();
        assertThat(found).as("code blocks of %s containing %s", PACKAGE_DOC, marker).hasSize(1);
        return found.get(0);
    }
}
