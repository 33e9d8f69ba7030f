package org.flinox.spec;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.flinox.nn.Module;
import org.flinox.nn.StateExport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Module types come from ServiceLoader, through the thread's context class loader: a type
 * registered by a jar the built-ins know nothing of reads, builds and describes like theirs.
 */
class RegistryTest {

    @TempDir
    Path dir;

    /** A class loader that also sees {@code META-INF/services/org.flinox.spec.ModuleType} listing {@code classes}. */
    private ClassLoader registering(String... classes) throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.write(services.resolve(ModuleType.class.getName()), List.of(classes));
        return new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader());
    }

    private static <T> T withContextLoader(ClassLoader loader, Callable<T> body) throws Exception {
        Thread thread = Thread.currentThread();
        ClassLoader old = thread.getContextClassLoader();
        thread.setContextClassLoader(loader);
        try {
            return body.call();
        } finally {
            thread.setContextClassLoader(old);
        }
    }

    @Test
    void aTypeRegisteredOnTheContextClassLoaderIsReadBuiltAndDescribed() throws Exception {
        ClassLoader loader = registering(ScaleType.class.getName());
        String json = "{\"module\": {\"type\": \"sequential\", \"layers\": [{\"type\": \"relu\"}, "
                + "{\"type\": \"scale\", \"factor\": 3}]}}";

        ModelSpec spec = withContextLoader(loader, () -> ModelSpec.parse(json));
        Module tree = spec.build(2).module();

        assertThat(tree.forward(new double[] {-1, 2}, StateExport.exportState(tree).state()).output())
                .containsExactly(0, 6); // relu(-1, 2) = (0, 2), times 3
        assertThat(spec.describe(tree)).isEqualTo(Map.of("type", "Sequential", "layers",
                List.of(Map.of("type", "ReLU"), Map.of("type", "scale", "factor", 3.0))));
    }

    @Test
    void withoutTheJarTheTypeIsUnknownAndTheHintsListOnlyTheBuiltIns() {
        assertThatThrownBy(() -> ModelSpec.parse("{\"module\": {\"type\": \"scale\"}}"))
                .isInstanceOf(ModelSpecException.class)
                .hasMessageStartingWith("module.type: unknown type 'scale'; expected one of batchnorm, elu,");
    }

    @Test
    void theTypeListAndDidYouMeanComeFromTheRegistry() throws Exception {
        ClassLoader loader = registering(ScaleType.class.getName());

        assertThat(ModuleTypes.load(loader).names()).contains("scale", "standardize").hasSize(20);
        assertThatThrownBy(() -> withContextLoader(loader, () -> ModelSpec.parse("{\"module\": {\"type\": \"scael\"}}")))
                .hasMessageStartingWith("module.type: unknown type 'scael' (did you mean 'scale'?); expected one of")
                .hasMessageContaining(" relu, scale, sequential,");
    }

    @Test
    void aUserTypesFieldErrorsNameTheirPath() throws Exception {
        ClassLoader loader = registering(ScaleType.class.getName());

        assertThatThrownBy(() -> withContextLoader(loader, () -> ModelSpec.parse(
                "{\"module\": {\"type\": \"sequential\", \"layers\": [{\"type\": \"relu\"}, {\"type\": \"scale\", \"factor\": \"2\"}]}}")))
                .hasMessage("module.layers[1].factor: expected a number, got string \"2\"");
        assertThatThrownBy(() -> withContextLoader(loader, () -> ModelSpec.parse(
                "{\"module\": {\"type\": \"scale\", \"facter\": 2}}")))
                .hasMessage("module.facter: unknown field for type scale (did you mean 'factor'?); the fields are type, factor");
        assertThatThrownBy(() -> withContextLoader(loader, () -> ModelSpec.parse(
                "{\"module\": {\"type\": \"scale\", \"factor\": 0}}")))
                .isInstanceOf(ModelSpecException.class)
                .hasMessage("module: factor 0 would map every record to 0");
    }

    @Test
    void twoTypesOfOneNameAreRefusedNamingBothClasses() throws Exception {
        ClassLoader loader = registering(ScaleType.class.getName(), ScaleType.Again.class.getName());

        assertThatThrownBy(() -> ModuleTypes.load(loader))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("module type 'scale' is registered twice: by " + ScaleType.class.getName())
                .hasMessageContaining("and by " + ScaleType.Again.class.getName());
    }

    @Test
    void theSameClassFoundThroughTwoLoadersIsOneType() throws Exception {
        Path services = Files.createDirectories(dir.resolve("META-INF/services"));
        Files.writeString(services.resolve(ModuleType.class.getName()), BuiltInTypes.Relu.class.getName() + "\n");
        // the same class found twice is one type; a second class of that name is not
        assertThat(ModuleTypes.load(new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader()))
                .names()).hasSize(19);
    }

    @Test
    void aRegisteredClassThatCannotBeLoadedOrIsMisnamedIsRefused() throws Exception {
        assertThatThrownBy(() -> ModuleTypes.load(registering("org.example.Missing")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot be loaded")
                .hasMessageContaining("org.example.Missing");
        assertThatThrownBy(() -> ModuleTypes.load(registering(ScaleType.Capitalised.class.getName())))
                .hasMessageContaining("is named 'Scale': a type name is lower case");
    }

    // ---- the spec package is plain Java ---------------------------------------------------------

    static final ArchRule NO_FLINK = noClasses().that().resideInAPackage("org.flinox.spec..")
            .should().dependOnClassesThat().resideInAnyPackage("org.apache.flink..", "org.flinox.operators..")
            .as("org.flinox.spec depends on no Flink (and not on org.flinox.operators, the Flink side)");

    /** Test code only: proves the rule catches a dependency when there is one. */
    static final class FlinkCanary {
        org.apache.flink.api.common.functions.MapFunction<String, String> function;
    }

    @Test
    void theSpecPackageDependsOnNoFlink() {
        JavaClasses spec = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.flinox.spec");
        assertThat(spec.stream().map(JavaClass::getName))
                .contains(ModelSpec.class.getName(), ModuleTypes.class.getName(), SpecNode.class.getName());

        NO_FLINK.check(spec);
        assertThatThrownBy(() -> NO_FLINK.check(new ClassFileImporter().importClasses(FlinkCanary.class)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("org.apache.flink.api.common.functions.MapFunction");
    }
}
