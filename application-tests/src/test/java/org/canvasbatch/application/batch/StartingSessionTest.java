package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.StartSessionUseCase.PlannedGroup;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartPlannedBatchCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.Started;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;
import org.junit.jupiter.api.Test;

/** Confirming a batch: its limits, its estimate, its timeout, and the older form that names its own groups. */
class StartingSessionTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor();

    @Test
    void theConfirmsOwnLimitAndTimeoutReplaceTheAnalysedOnesAndTheEstimateFollowsThem() {
        SessionId id = core.analyze(5, "a", "b", "c", "d", "e");

        Started started = core.useCases
                .start()
                .start(new StartSessionCommand(id, Optional.of(2), Optional.of(Duration.ofSeconds(300))));

        SessionSnapshot s = started.session();
        assertThat(s.state()).isEqualTo(SessionState.RUNNING);
        assertThat(s.settings().maxConcurrent()).isEqualTo(2);
        assertThat(s.settings().batchTimeout()).isEqualTo(Duration.ofSeconds(300));
        assertThat(core.executor.waiting()).hasSize(2);
        assertThat(started.estimatedCompletion())
                .as("three rounds of two calls, each assumed to take 20 s")
                .isEqualTo(s.startedAt().plusSeconds(3 * 20));
    }

    @Test
    void aSessionStartsOnce() {
        SessionId id = core.analyze(1, "a");
        core.start(id);

        assertThatThrownBy(() -> core.start(id))
                .isInstanceOfSatisfying(
                        SessionConflict.class,
                        e -> assertThat(e.kind()).isEqualTo(SessionConflict.Kind.ALREADY_STARTED));
    }

    @Test
    void aBatchOverItsTimeoutFailsWithEveryUnfinishedNodeAndStopsItsRunningCall() {
        SessionId id = core.analyze(1, "a", "b");
        core.useCases.start().start(new StartSessionCommand(id, Optional.empty(), Optional.of(Duration.ofSeconds(60))));
        assertThat(core.executor.waiting()).containsExactly("s1/a");

        core.executor.advance(Duration.ofSeconds(61));
        core.executor.runAll();

        assertThat(core.calls).as("the stopped call never reached its agent").isEmpty();
        SessionSnapshot s = core.useCases.status().status(id);
        assertThat(s.state()).isEqualTo(SessionState.FAILED);
        assertThat(s.batchError()).startsWith("The batch exceeded its timeout of 60 s");
        assertThat(s.failed()).isEqualTo(2);
        assertThat(core.core.tasksInFlight()).isZero();
    }

    @Test
    void theTimeoutOfABatchThatAlreadyEndedChangesNothing() {
        SessionId id = core.analyze(1, "a");
        core.start(id);
        core.executor.runAll();
        long lastSeq = core.useCases.status().status(id).lastSeq();

        core.executor.advance(core.settings.sessionDefaults().batchTimeout().plusSeconds(1));

        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(core.useCases.status().status(id).lastSeq()).isEqualTo(lastSeq);
    }

    @Test
    void theOlderFormPlansTheGroupsItNamesFromTheCanvasAndStartsThem() {
        core.withCanvas("a", "b", "c");

        Started started = core.useCases
                .start()
                .startPlanned(new StartPlannedBatchCommand(
                        CoreOnAManualExecutor.CANVAS,
                        List.of(
                                new PlannedGroup("g1", AgentChoice.named(AgentId.MEMORY_ANCHOR), List.of("a", "b")),
                                new PlannedGroup("", AgentChoice.AUTO, List.of("c"))),
                        Optional.empty(),
                        Optional.empty()));

        SessionSnapshot s = started.session();
        assertThat(s.state()).isEqualTo(SessionState.RUNNING);
        assertThat(s.groups()).extracting(g -> g.name()).containsExactly("g1", "Group 2");
        assertThat(s.task("a").orElseThrow().agent()).isEqualTo(AgentId.MEMORY_ANCHOR);
        assertThat(s.task("c").orElseThrow().text()).isEqualTo("What is topic c?");
    }

    @Test
    void theOlderFormRefusesANodeTheCanvasLacksOrThatTwoGroupsName() {
        core.withCanvas("a", "b");

        assertThatThrownBy(() -> startPlanned(List.of(new PlannedGroup("g", AgentChoice.AUTO, List.of("a", "zz")))))
                .isInstanceOfSatisfying(
                        InvalidCommandException.class,
                        e -> assertThat(e.getMessage()).contains("node 'zz' of group g is not in"));
        assertThatThrownBy(() -> startPlanned(List.of(
                        new PlannedGroup("g", AgentChoice.AUTO, List.of("a")),
                        new PlannedGroup("h", AgentChoice.AUTO, List.of("a")))))
                .isInstanceOfSatisfying(
                        InvalidCommandException.class,
                        e -> assertThat(e.getMessage()).contains("node 'a' is named in two groups"));
        assertThat(core.useCases.status().sessions()).as("nothing was created").isEmpty();
    }

    private Started startPlanned(List<PlannedGroup> groups) {
        return core.useCases
                .start()
                .startPlanned(new StartPlannedBatchCommand(
                        CoreOnAManualExecutor.CANVAS, groups, Optional.empty(), Optional.empty()));
    }
}
