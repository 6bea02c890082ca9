package org.canvasbatch.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

/** The rules of ARCHITECTURE.md, checked against the main classes of every module. */
class HexagonTest {

    private static JavaClasses production;

    @BeforeAll
    static void importMainClassesOfEveryModule() {
        production = new ClassFileImporter()
                .withImportOption(new ImportOption.DoNotIncludeTests())
                // modules arrive as class folders with -am and as jars in a full `verify`; test jars never count
                .withImportOption(location -> !location.contains("-tests.jar"))
                .importPackages("org.canvasbatch");
    }

    /* Guards against rules that pass because they saw nothing (an import that found no module's classes). */
    @Test
    void theImportHoldsTheMainClassesOfTheCoreAndOfTheAdapters() {
        assertThat(production.contain("org.canvasbatch.domain.session.Session")).isTrue();
        assertThat(production.contain("org.canvasbatch.application.port.in.AnalyzeCanvasUseCase"))
                .isTrue();
        assertThat(production.contain("org.canvasbatch.application.port.out.EventLog"))
                .isTrue();
        assertThat(production.contain("org.canvasbatch.adapters.vault.FileVault"))
                .isTrue();
        assertThat(production.contain("org.canvasbatch.adapters.journal.InMemoryEventLog"))
                .isTrue();
        assertThat(production.contain("org.canvasbatch.adapters.executor.LocalTaskExecutor"))
                .isTrue();
    }

    @Test
    void theImportLeavesOutTheFixturesOfThisModule() {
        assertThat(production.stream().map(JavaClass::getPackageName))
                .noneMatch(pkg -> pkg.startsWith("org.canvasbatch.architecture"));
    }

    @TestFactory
    Stream<DynamicTest> everyRuleHoldsForTheRealCode() {
        return ArchitectureRules.forRoot("org.canvasbatch").all().stream()
                .map(rule -> DynamicTest.dynamicTest(rule.getDescription(), () -> rule.check(production)));
    }
}
