package dev.switchboard.adapter;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import org.junit.jupiter.api.Test;

/** Adapters talk to the use cases and their ports, never to the storage behind them. */
class AdapterDependenciesTest {

    static ArchRule adaptersNeverReachTheStore(String root) {
        return noClasses().that().resideInAPackage(root + ".adapter..")
                .should().dependOnClassesThat().resideInAPackage(root + ".store..")
                .because("a platform adapter goes through the use case or a port; the store behind it may change");
    }

    @Test
    void adaptersNeverReachTheStore() {
        JavaClasses main = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.switchboard");

        adaptersNeverReachTheStore("dev.switchboard").check(main);
    }

    @Test
    void theRuleCatchesAnAdapterThatWritesThroughTheStore() {
        JavaClasses fixture = new ClassFileImporter().importPackages("dev.switchboard.adapter.fixture");

        EvaluationResult result = adaptersNeverReachTheStore("dev.switchboard.adapter.fixture").evaluate(fixture);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails()).anySatisfy(line ->
                assertThat(line).contains("LeakyAdapter").contains("FileStore"));
    }
}
