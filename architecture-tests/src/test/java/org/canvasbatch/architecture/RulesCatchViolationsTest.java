package org.canvasbatch.architecture;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.Convertible;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaField;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Proves every rule can fail: applied to the fixtures under {@code fixtures.bad}, a copy of the real package layout
 * with planted mistakes, each rule names exactly the classes that make those mistakes and spares their well-behaved
 * neighbours.
 */
class RulesCatchViolationsTest {

    private static final String BAD = "org.canvasbatch.architecture.fixtures.bad";
    private static final ArchitectureRules RULES = ArchitectureRules.forRoot(BAD);

    private static JavaClasses fixtures;

    @BeforeAll
    static void importFixtures() {
        // the fixtures are test classes, so unlike the real-code check this import must not skip tests
        fixtures = new ClassFileImporter().importPackages("org.canvasbatch.architecture.fixtures");
    }

    @Test
    void theCoreMayNotTalkHttpJsonSocketsFilesOrSql() {
        assertThat(offendersOf(RULES.coreUsesNoFrameworkNetworkOrDisk()))
                .containsExactlyInAnyOrder(
                        "domain.session.NetworkedSession",
                        "domain.session.SocketSession",
                        "application.batch.DiskReadingService",
                        "application.batch.SqlQueryingService",
                        "application.batch.OldSchoolFileService",
                        "application.batch.JsonSpeakingService",
                        "application.batch.ServerStartingService");
    }

    @Test
    void aUriValueIsNotTheNetwork() {
        EvaluationResult result = RULES.coreUsesNoFrameworkNetworkOrDisk().evaluate(fixtures);

        assertThat(offenders(result)).doesNotContain("domain.canvas.LinkNode");
        assertThat(result.getFailureReport().getDetails()).anyMatch(line -> line.contains("java.net.Socket"));
    }

    @Test
    void theCoreMayNotReachIntoAdaptersOrBootstrap() {
        assertThat(offendersOf(RULES.coreKnowsNoAdapterOrBootstrap()))
                .containsExactlyInAnyOrder(
                        "application.batch.AdapterCallingService",
                        "application.batch.SettingsReadingService",
                        "application.port.in.ImportCanvasUseCase");
    }

    @Test
    void theDomainKnowsNothingButJavaAndItself() {
        assertThat(offendersOf(RULES.domainDependsOnlyOnJava()))
                .containsExactlyInAnyOrder("domain.canvas.PlanningCanvas", "domain.session.ManagedSession");
    }

    @Test
    void theApplicationKnowsNothingButJavaTheDomainAndItself() {
        assertThat(offendersOf(RULES.applicationDependsOnlyOnDomainAndJava()))
                .containsExactlyInAnyOrder(
                        "application.batch.JsonSpeakingService",
                        "application.batch.ServerStartingService",
                        "application.batch.AdapterCallingService",
                        "application.batch.SettingsReadingService",
                        "application.batch.InjectedService",
                        "application.port.in.ImportCanvasUseCase");
    }

    @Test
    void portsMentionOnlyTheDomainAndOtherPorts() {
        assertThat(offendersOf(RULES.portsDependOnlyOnDomainAndEachOther()))
                .containsExactlyInAnyOrder(
                        "application.port.out.PlanningShelf", "application.port.in.ImportCanvasUseCase");
    }

    @Test
    void anAdapterMayNotUseAnotherAdapter() {
        assertThat(offendersOf(RULES.adaptersDoNotKnowEachOther()))
                .containsExactly("adapters.agents.VaultPeekingAgent");
    }

    @Test
    void anAdapterMayNotUseBootstrap() {
        assertThat(offendersOf(RULES.adaptersDoNotKnowBootstrap()))
                .containsExactly("adapters.journal.ConfiguredJournal");
    }

    @Test
    void anAdapterMayNotHoldTheCoreOrAServiceOnlyItsPorts() {
        assertThat(offendersOf(RULES.adaptersReachTheCoreOnlyThroughItsPorts()))
                .containsExactly("adapters.http.CoreHoldingRoutes");
    }

    @Test
    void aServiceWiredAfterItsConstructionIsReported() {
        assertThat(offendersOf(RULES.servicesGetTheirCollaboratorsInTheirConstructors()))
                .containsExactly("application.batch.LateWiredService");
    }

    @Test
    void twoServicesThatUseEachOtherAreACycle() {
        EvaluationResult result =
                RULES.servicesDoNotDependOnEachOtherInCircles().evaluate(fixtures);

        assertThat(result.getFailureReport().getDetails())
                .singleElement()
                .satisfies(cycle -> assertThat(cycle).contains("AnalyzingLesson", "StartingLesson"));
    }

    @Test
    void aCycleBetweenTwoPackagesIsReportedWithBothSides() {
        EvaluationResult result = RULES.topLevelPackagesAreFreeOfCycles().evaluate(fixtures);

        assertThat(result.getFailureReport().getDetails())
                .singleElement()
                .satisfies(cycle -> assertThat(cycle)
                        .contains("domain.grouping", "domain.routing")
                        .contains(BAD + ".domain.grouping.TopicClusters", BAD + ".domain.routing.CueTable"));
    }

    @Test
    void anInPortInterfaceMustSayUseCaseOrQuery() {
        assertThat(offendersOf(RULES.inPortsAreNamedUseCaseOrQuery()))
                .containsExactly("application.port.in.SessionStarter");
    }

    @Test
    void anOutPortMustNotBeNamedForATechnology() {
        assertThat(offendersOf(RULES.outPortsAreNamedForCapabilities()))
                .containsExactlyInAnyOrder(
                        "application.port.out.JsonEventStore",
                        "application.port.out.HTTPAgentGateway",
                        "application.port.out.NoteFiles");
    }

    @Test
    void aFrameworkAnnotationAnywhereInTheCoreIsReported() {
        EvaluationResult result = RULES.coreIsNotAnnotatedByFrameworks().evaluate(fixtures);

        assertThat(offenders(result))
                .containsExactlyInAnyOrder("domain.session.ManagedSession", "application.batch.InjectedService");
        assertThat(result.getFailureReport().getDetails())
                .anyMatch(line -> line.contains("InjectedService") && line.contains("Parameter"));
    }

    @Test
    void everyRuleCheckedOnTheRealCodeCanFail() {
        List<ArchRule> rules = RULES.all();

        assertThat(rules)
                .hasSize(14)
                .allSatisfy(rule -> assertThat(rule.evaluate(fixtures).hasViolation())
                        .as(rule.getDescription())
                        .isTrue());
    }

    private static Set<String> offendersOf(ArchRule rule) {
        EvaluationResult result = rule.evaluate(fixtures);
        assertThat(result.hasViolation()).as(rule.getDescription()).isTrue();
        return offenders(result);
    }

    /** The top-level classes, relative to the fixture root, whose code caused the violations. */
    private static Set<String> offenders(EvaluationResult result) {
        Set<String> offenders = new TreeSet<>();
        result.handleViolations((Collection<Object> violating, String message) -> {
            for (Object each : violating) {
                List<JavaClass> origins = switch (each) {
                    case Dependency dependency -> List.of(dependency.getOriginClass());
                    case JavaClass type -> List.of(type);
                    case JavaField field -> List.of(field.getOwner());
                    // a dependency between two slices stands for the class dependencies that make it up
                    case Convertible slices ->
                        slices.convertTo(Dependency.class).stream()
                                .map(Dependency::getOriginClass)
                                .toList();
                    default -> throw new AssertionError("unexpected violation " + each + ": " + message);
                };
                origins.forEach(
                        origin -> offenders.add(topLevel(origin).getName().substring(BAD.length() + 1)));
            }
        });
        return offenders;
    }

    private static JavaClass topLevel(JavaClass type) {
        JavaClass top = type;
        while (top.getEnclosingClass().isPresent()) {
            top = top.getEnclosingClass().get();
        }
        return top;
    }
}
