package dev.switchboard.store;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaMethod;
import com.tngtech.archunit.core.domain.JavaType;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The ports the domain declares can be implemented by a database: none of them speaks of files. */
class PortShapeTest {

    /** Port methods whose parameters or result involve a {@code java.nio.file} or {@code java.io.File} type. */
    static List<String> fileTypesIn(JavaClasses classes) {
        List<String> found = new ArrayList<>();
        for (JavaClass port : classes) {
            if (!port.isInterface()) {
                continue;
            }
            for (JavaMethod method : port.getMethods()) {
                Stream.concat(method.getParameterTypes().stream(), Stream.of(method.getReturnType()))
                        .map(JavaType::getAllInvolvedRawTypes).flatMap(java.util.Set::stream)
                        .filter(t -> t.getPackageName().equals("java.nio.file") || t.isEquivalentTo(java.io.File.class))
                        .forEach(t -> found.add(method.getFullName() + " uses " + t.getName()));
            }
        }
        return found;
    }

    @Test
    void noPortSpeaksOfFiles() {
        JavaClasses domain = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.switchboard.conversation");

        assertThat(domain.stream().filter(JavaClass::isInterface).map(JavaClass::getSimpleName))
                .contains("ConversationStore", "SeenMessages", "SettingsStore", "AuditLog", "UsageLedger");
        assertThat(fileTypesIn(domain)).isEmpty();
    }

    /** A port that would tie its implementations to files. */
    interface LeakyPort {
        java.util.Optional<Path> where(String id);

        void save(List<Path> files);
    }

    @Test
    void theCheckCatchesAPortThatSpeaksOfFiles() {
        JavaClasses fixture = new ClassFileImporter().importClasses(LeakyPort.class);

        assertThat(fileTypesIn(fixture)).hasSize(2).allSatisfy(line -> assertThat(line).contains("java.nio.file.Path"));
    }
}
