package org.flinox.nn;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The code in {@code package-info.java} is the code the tests run: each example there is
 * copied verbatim into a test (between {@code // ---- verbatim from package-info.java ----}
 * and {@code // ---- end ----}) or, for "Writing a module", is the module's whole source
 * file after its {@code package} line.
 */
class PackageDocIsVerbatimTest {

    private static final Path PACKAGE_DOC = Path.of("src/main/java/org/flinox/nn/package-info.java");
    private static final Path TESTS = Path.of("src/test/java/org/flinox");
    private static final String BEGIN = "// ---- verbatim from package-info.java ----";
    private static final String END = "// ---- end ----";

    @Test
    void theHandBuiltExampleIsWhatPackageDocExampleTestRuns() {
        assertThat(block("Map<String, Object> tree"))
                .isEqualTo(JavadocCode.between(TESTS.resolve("nn/PackageDocExampleTest.java"), BEGIN, END, 8));
    }

    @Test
    void theWrittenModuleIsTheSourceThatSmoothTestCompiles() throws IOException {
        String source = Files.readString(TESTS.resolve("usermodule/Smooth.java"));
        String withoutPackage = source.substring(source.indexOf('\n') + 1).stripLeading();
        assertThat(block("public record Smooth")).isEqualTo(withoutPackage);
    }

    @Test
    void theWrittenModulesUsageIsWhatSmoothTestRuns() {
        assertThat(block("Smooth.create(2, 0.25)"))
                .isEqualTo(JavadocCode.between(TESTS.resolve("usermodule/SmoothTest.java"), BEGIN, END, 8));
    }

    @Test
    void aBlockReadsAsItsReaderSeesIt(@TempDir Path dir) throws IOException {
        Path file = dir.resolve("Example.java");
        Files.writeString(file, String.join("\n",
                "/**", " * Text.", " *", " * <pre>{@code", " * if (x) {", " *", " *     y();", " * }", " * }</pre>", " */", ""));
        assertThat(JavadocCode.blocks(file)).containsExactly("if (x) {\n\n    y();\n}\n");
    }

    /** The one code block of the package doc that contains {@code marker}. */
    private static String block(String marker) {
        List<String> found = JavadocCode.blocks(PACKAGE_DOC).stream().filter(b -> b.contains(marker)).toList();
        assertThat(found).as("code blocks of %s containing %s", PACKAGE_DOC, marker).hasSize(1);
        return found.get(0);
    }
}
