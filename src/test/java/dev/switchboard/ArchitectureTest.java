package dev.switchboard;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The dependency rules of the tree: adapters outside, the core inside, and nothing inside reaches out. Each rule is
 * built for a root package, so that it is checked on the real tree and, against {@code archfixture}, proven to catch
 * the violation it names.
 */
class ArchitectureTest {

    private static final String ROOT = "dev.switchboard";

    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages(ROOT);

    private static final JavaClasses FIXTURE = new ClassFileImporter().importPackages(ROOT + ".archfixture");

    /** The packages of the core: the domain, the use case, routing, live replies and the store. */
    private static String[] core(String root) {
        return Stream.of("conversation", "answering", "routing", "live", "store")
                .map(name -> root + "." + name + "..")
                .toArray(String[]::new);
    }

    /** Everything but the adapters and the composition root (the root package itself) is core or beside it. */
    static ArchRule coreNeverImportsAnAdapter(String root) {
        return noClasses().that().resideInAPackage(root + "..")
                .and().resideOutsideOfPackage(root + ".adapter..")
                .and().resideOutsideOfPackage(root)
                .should().dependOnClassesThat().resideInAPackage(root + ".adapter..")
                .because("the core must work with any chat platform; only the composition root wires adapters in");
    }

    static ArchRule coreNeverReachesOut(String root) {
        return noClasses().that().resideInAnyPackage(core(root))
                .should().dependOnClassesThat()
                .resideInAnyPackage(root + ".config..", root + ".adapter..", root + ".ops..")
                .because("the core takes its own options records and ports; the composition root builds them from the"
                        + " config and plugs in the platforms and operations");
    }

    static ArchRule noPackageCycles(String root) {
        return slices().matching(root + ".(*)..").should().beFreeOfCycles()
                .because("a cycle makes two packages one, and neither can change alone");
    }

    static ArchRule adaptersNeverReachTheStore(String root) {
        return noClasses().that().resideInAPackage(root + ".adapter..")
                .should().dependOnClassesThat().resideInAPackage(root + ".store..")
                .because("adapters go through the use case and its ports, so every backend serves every platform");
    }

    @Test
    void coreNeverImportsAnAdapter() {
        coreNeverImportsAnAdapter(ROOT).check(MAIN);
    }

    @Test
    void theRuleCatchesACoreThatImportsAnAdapter() {
        EvaluationResult result = coreNeverImportsAnAdapter(ROOT + ".archfixture").evaluate(FIXTURE);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().getDetails()).anySatisfy(line ->
                assertThat(line).contains("LeakyCore").contains("ChatAdapter"));
    }

    @Test
    void coreNeverImportsTheConfigAnAdapterOrOps() {
        coreNeverReachesOut(ROOT).check(MAIN);
    }

    @Test
    void theRuleCatchesACoreThatReadsTheConfigOrAsksOps() {
        EvaluationResult result = coreNeverReachesOut(ROOT + ".archfixture").evaluate(FIXTURE);

        assertThat(result.getFailureReport().getDetails())
                .anySatisfy(line -> assertThat(line).contains("ConfigReadingRouter").contains("FixtureConfig"))
                .anySatisfy(line -> assertThat(line).contains("OpsPeekingLive").contains("Probe"));
    }

    @Test
    void packagesFormNoCycles() {
        noPackageCycles(ROOT).check(MAIN);
    }

    @Test
    void theRuleCatchesAPackageCycle() {
        EvaluationResult result = noPackageCycles(ROOT + ".archfixture").evaluate(FIXTURE);

        assertThat(result.hasViolation()).isTrue();
        assertThat(result.getFailureReport().toString()).contains("conversation").contains("store")
                .contains("Thread").contains("FileStore");
    }

    @Test
    void adaptersNeverReachTheStore() {
        adaptersNeverReachTheStore(ROOT).check(MAIN);
    }

    @Test
    void theRuleCatchesAnAdapterThatReadsTheStore() {
        EvaluationResult result = adaptersNeverReachTheStore(ROOT + ".archfixture").evaluate(FIXTURE);

        assertThat(result.getFailureReport().getDetails()).anySatisfy(line ->
                assertThat(line).contains("StoreReachingAdapter").contains("FileStore"));
    }

    @Test
    void theUseCaseKnowsOnlyTheDomainAndItsOwnPorts() {
        noClasses().that().resideInAPackage(ROOT + ".answering..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".routing..", ROOT + ".live..",
                        ROOT + ".config..", ROOT + ".store..", ROOT + ".adapter..", ROOT + ".ops..", ROOT + ".admin..")
                .because("the use case declares its ports: the composition root adapts the router and the live"
                        + " engine to them and builds its options from the config")
                .check(MAIN);
    }

    @Test
    void theLiveEngineKnowsNeitherTheUseCaseNorTheConfig() {
        noClasses().that().resideInAPackage(ROOT + ".live..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".answering..", ROOT + ".config..",
                        ROOT + ".admin..")
                .check(MAIN);
    }

    @Test
    void theDomainDependsOnNothingElseOfOurs() {
        noClasses().that().resideInAPackage(ROOT + ".conversation..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".store..", ROOT + ".config..",
                        ROOT + ".ops..", ROOT + ".logging..", ROOT + ".adapter..")
                .check(MAIN);
    }

    @Test
    void theStoreKnowsItsOptionsNotTheConfigFile() {
        noClasses().that().resideInAPackage(ROOT + ".store..")
                .should().dependOnClassesThat().resideInAnyPackage(ROOT + ".config..", ROOT + ".ops..")
                .check(MAIN);
    }
}
