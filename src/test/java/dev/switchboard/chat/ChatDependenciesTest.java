package dev.switchboard.chat;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The use case talks to ports it declares: it knows neither the router, the live engine, nor the config file. */
class ChatDependenciesTest {

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.switchboard");

    @Test
    void chatKnowsOnlyTheDomainAndItsOwnPorts() {
        noClasses().that().resideInAPackage("dev.switchboard.chat..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.switchboard.routing..",
                        "dev.switchboard.live..", "dev.switchboard.config..", "dev.switchboard.store..",
                        "dev.switchboard.adapter..", "dev.switchboard.ops..", "dev.switchboard.admin..")
                .because("chat is the use case: the composition root adapts the router and the live engine to its"
                        + " ports and builds its options from the config")
                .check(MAIN);
    }

    @Test
    void theLiveEngineKnowsNeitherTheUseCaseNorTheConfig() {
        noClasses().that().resideInAPackage("dev.switchboard.live..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.switchboard.chat..",
                        "dev.switchboard.config..", "dev.switchboard.admin..")
                .check(MAIN);
    }
}
