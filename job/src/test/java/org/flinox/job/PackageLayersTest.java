package org.flinox.job;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The job's packages import what their package docs say: the CLI and dataflow
 * ({@code org.flinox.job}) sit on top, and no subpackage reaches back up into it.
 */
class PackageLayersTest {

    private static final String ROOT = "org.flinox.job";

    static final List<ArchRule> RULES = List.of(
            noClasses().that().resideInAnyPackage(ROOT + ".spec..", ROOT + ".input..", ROOT + ".kafka..", ROOT + ".state..",
                            ROOT + ".report..", ROOT + ".serving..")
                    .should().dependOnClassesThat().resideInAPackage(ROOT)
                    .as("no job subpackage depends on the CLI and dataflow package"),
            noClasses().that().resideInAPackage(ROOT + ".spec..")
                    .should().dependOnClassesThat().resideInAnyPackage(
                            "org.apache.flink..", ROOT + ".input..", ROOT + ".kafka..", ROOT + ".state..")
                    .as("the model spec depends on no Flink and no other job package"),
            noClasses().that().resideInAPackage(ROOT + ".input..")
                    .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".spec..", ROOT + ".kafka..", ROOT + ".state..")
                    .as("input depends on no other job package"),
            noClasses().that().resideInAPackage(ROOT + ".kafka..")
                    .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".spec..", ROOT + ".state..")
                    .as("kafka depends only on input among the job packages"),
            noClasses().that().resideInAPackage(ROOT + ".state..")
                    .should().dependOnClassesThat().resideInAPackage(ROOT + ".kafka..")
                    .as("state does not depend on kafka"),
            noClasses().that().resideInAPackage(ROOT + ".report..")
                    .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".spec..", ROOT + ".kafka..", ROOT + ".state..")
                    .as("report depends only on input among the job packages"),
            noClasses().that().resideInAPackage(ROOT + ".serving..")
                    .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".spec..", ROOT + ".input..", ROOT + ".report..")
                    .as("serving depends only on kafka (its sink) and state (the inspect rows) among the job packages"));

    @Test
    void everyJobPackageImportsOnlyWhatItsDocSays() {
        JavaClasses job = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages(ROOT);
        // an empty import would make the rules pass vacuously
        assertThat(job.stream().map(JavaClass::getPackageName).distinct())
                .contains(ROOT, ROOT + ".spec", ROOT + ".input", ROOT + ".kafka", ROOT + ".state", ROOT + ".report", ROOT + ".serving");

        RULES.forEach(rule -> rule.check(job));
    }

    @Test
    void theUpwardRuleFailsOnASpecClassThatUsesTheDataflow() throws ClassNotFoundException {
        JavaClasses canary = new ClassFileImporter().importClasses(Class.forName(ROOT + ".spec.UpwardCanary"));

        assertThatThrownBy(() -> RULES.get(0).check(canary))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining(JobSettings.class.getName());
    }
}
