package dev.switchboard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** The dependency rules of the tree: adapters outside, the core inside, and nothing inside reaches out. */
class ArchitectureTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.switchboard");

    /** Everything but the adapters and the composition root (the root package itself) is core or beside it. */
    static ArchRule coreNeverImportsAnAdapter(String root) {
        return noClasses().that().resideInAPackage(root + "..")
                .and().resideOutsideOfPackage(root + ".adapter..")
                .and().resideOutsideOfPackage(root)
                .should().dependOnClassesThat().resideInAPackage(root + ".adapter..")
                .because("the core must work with any chat platform; only the composition root wires adapters in");
    }

    @Test
    void coreNeverImportsAnAdapter() {
        coreNeverImportsAnAdapter("dev.switchboard").check(MAIN);
    }

    @Test
    void theRuleCatchesACoreThatImportsAnAdapter() {
        JavaClasses fixture = new ClassFileImporter().importPackages("dev.switchboard.archfixture");

        EvaluationResult result = coreNeverImportsAnAdapter("dev.switchboard.archfixture").evaluate(fixture);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails()).anySatisfy(line ->
                assertThat(line).contains("LeakyCore").contains("ChatAdapter"));
    }

    @Test
    void theDomainDependsOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage("dev.switchboard.conversation..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.switchboard.store..", "dev.switchboard.config..",
                        "dev.switchboard.ops..", "dev.switchboard.logging..", "dev.switchboard.adapter..")
                .check(MAIN);
    }

    @Test
    void theStoreKnowsItsOptionsNotTheConfigFile() {
        noClasses().that().resideInAPackage("dev.switchboard.store..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.switchboard.config..", "dev.switchboard.ops..")
                .check(MAIN);
    }
}
