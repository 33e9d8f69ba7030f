package org.flinox.nn;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/** {@code org.flinox.nn} is plain Java over ND4J: it must never depend on Flink. */
class NoFlinkInNnTest {

    static final ArchRule NO_FLINK = noClasses().that().resideInAPackage("org.flinox.nn..")
            .should().dependOnClassesThat().resideInAPackage("org.apache.flink..");

    /** Test code only: proves the rule catches a dependency when there is one. */
    static final class FlinkCanary {
        org.apache.flink.api.common.functions.MapFunction<String, String> function;
    }

    @Test
    void nnDoesNotDependOnFlink() {
        JavaClasses nn = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("org.flinox.nn");
        // an empty import would make the rule pass vacuously
        assertThat(nn.stream().map(JavaClass::getName))
                .contains(State.class.getName(), Parameters.class.getName(), Npz.class.getName())
                .doesNotContain(FlinkCanary.class.getName());

        NO_FLINK.check(nn);
    }

    @Test
    void theRuleFailsOnAClassThatUsesFlink() {
        JavaClasses canary = new ClassFileImporter().importClasses(FlinkCanary.class);

        assertThatThrownBy(() -> NO_FLINK.check(canary))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("org.apache.flink.api.common.functions.MapFunction");
    }
}
