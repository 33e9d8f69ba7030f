package org.flinox.job.spec;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import org.flinox.spec.ModuleSpec;
import org.flinox.spec.ModuleType;
import org.flinox.spec.Size;
import org.flinox.spec.SpecNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --module-jar} is checked at start, each refusal saying what to fix. */
class ModuleJarsTest {

    @TempDir
    Path dir;

    /** Test code only: a module type, registered by the jars these tests write. */
    public static final class Twice implements ModuleType {
        @Override
        public String name() {
            return "twice";
        }

        @Override
        public List<String> fields() {
            return List.of();
        }

        @Override
        public ModuleSpec read(SpecNode node) {
            return (tree, path, in) -> tree.node(path, Size.NONE, in.value(), () -> new org.flinox.nn.Activation.ReLU());
        }
    }

    private Path jar(String name, String services) throws Exception {
        Path jar = dir.resolve(name);
        try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar))) {
            out.putNextEntry(new JarEntry(ModuleJars.SERVICES));
            out.write(services.getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        return jar;
    }

    private static void withContextLoader(ClassLoader loader, Runnable body) {
        ClassLoader old = Thread.currentThread().getContextClassLoader();
        Thread.currentThread().setContextClassLoader(loader);
        try {
            body.run();
        } finally {
            Thread.currentThread().setContextClassLoader(old);
        }
    }

    @Test
    void noJarsIsNothingToCheck() {
        assertThatCode(() -> ModuleJars.check(null)).doesNotThrowAnyException();
        assertThatCode(() -> ModuleJars.check(List.of())).doesNotThrowAnyException();
    }

    @Test
    void aDirectoryOrAFileThatIsNotAJarIsRefused() throws Exception {
        assertThatThrownBy(() -> ModuleJars.check(List.of(dir)))
                .hasMessage("--module-jar " + dir + " is a directory; give the jar of your module types"
                        + " (mvn package builds it into target/)");
        Path text = Files.writeString(dir.resolve("modules.jar"), "not a zip");
        assertThatThrownBy(() -> ModuleJars.check(List.of(text)))
                .hasMessageStartingWith("--module-jar " + text + " is not a readable jar: ");
    }

    @Test
    void aJarWhoseServicesFileListsNothingRegistersNoType() throws Exception {
        Path jar = jar("empty.jar", "# nothing here yet\n\n");
        assertThatThrownBy(() -> ModuleJars.check(List.of(jar)))
                .hasMessageStartingWith("--module-jar " + jar + " registers no module type: list your");
    }

    @Test
    void theSameJarTwiceIsRefused() throws Exception {
        Path jar = jar("a.jar", Twice.class.getName() + "\n");
        Path again = dir.resolve("sub/../a.jar");
        Files.createDirectories(dir.resolve("sub"));
        assertThatThrownBy(() -> ModuleJars.check(List.of(jar, again)))
                .hasMessage("--module-jar " + again + " is given twice (also as " + jar + ")");
    }

    @Test
    void aJarNotOnTheClassPathSaysHowToPutItThere() throws Exception {
        Path jar = jar("a.jar", "org.example.NotHere\n");
        assertThatThrownBy(() -> ModuleJars.check(List.of(jar)))
                .hasMessage("--module-jar " + jar + " is not on the class path of this run (org.example.NotHere is not"
                        + " found): under flink run, give it as -C file://" + jar.toAbsolutePath() + " as well (java -jar"
                        + " puts --module-jar jars on the class path itself)");
    }

    @Test
    void aTypeThatComesFromAnotherJarOrDirectoryIsRefused() throws Exception {
        // the jar lists Twice, but the class loader takes Twice from the test classes, not from the jar
        Path jar = jar("a.jar", Twice.class.getName() + "\n");
        ClassLoader loader = new URLClassLoader(new URL[] {jar.toUri().toURL()}, getClass().getClassLoader());
        withContextLoader(loader, () -> assertThatThrownBy(() -> ModuleJars.check(List.of(jar)))
                .hasMessageStartingWith("--module-jar " + jar + " registers " + Twice.class.getName()
                        + ", but that class is taken from ")
                .hasMessageEndingWith("two jars hold the same module type; give only one of them"));
    }
}
