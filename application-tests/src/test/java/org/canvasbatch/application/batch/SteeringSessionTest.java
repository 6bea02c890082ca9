package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.canvasbatch.application.port.in.CancelSessionUseCase;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.EventRecorder;
import org.junit.jupiter.api.Test;

/** A person steering a running batch: pause, resume, cancel, priorities. */
class SteeringSessionTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor();

    @Test
    void aPausedBatchLetsItsRunningCallFinishStartsNothingNewAndGoesOnWhenResumed() {
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);

        core.useCases.pause().pause(id, "lunch");
        core.executor.runAll();

        assertThat(core.calls).containsExactly("a");
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.PAUSED);
        core.useCases.resume().resume(id, "back");
        core.executor.runAll();
        assertThat(core.calls).containsExactly("a", "b");
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.COMPLETED);
    }

    @Test
    void cancellingStopsTheCallUnderWayDropsItsLateAnswerAndCancelsTheQueue() {
        SessionId id = core.analyze(1, "a", "b");
        core.then("a", request -> {
            // the person cancels while the model is still writing, and the model answers anyway
            core.useCases.cancel().cancel(id, "enough");
            return new AgentAnswer("# late", "scripted");
        });
        core.start(id);

        core.executor.runAll();

        SessionSnapshot s = core.useCases.status().status(id);
        assertThat(s.state()).isEqualTo(SessionState.CANCELLED);
        assertThat(s.cancelled()).isEqualTo(2);
        assertThat(core.vault.notes()).as("the late answer is not written").isEmpty();
        assertThat(core.calls).containsExactly("a");
        assertThat(core.trace(id)).noneMatch(line -> line.startsWith("TaskSucceeded"));
    }

    @Test
    void aCancellationAnsweredFirstReachesTheSessionsWatchersOnlyOnceTheAnswerIsOut() {
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);
        EventRecorder watcher = core.record(id);
        List<String> heardBefore = watcher.trace();
        int storedBefore = core.trace(id).size();

        CancelSessionUseCase.Cancellation cancellation =
                core.useCases.cancel().cancelAnsweringFirst(id, "cancelled by request");

        assertThat(cancellation.snapshot().state()).isEqualTo(SessionState.CANCELLED);
        assertThat(core.trace(id)).as("stored at once").anyMatch(line -> line.startsWith("SessionCancelled"));
        assertThat(watcher.trace()).as("but not yet told").isEqualTo(heardBefore);
        core.executor.runAll();
        assertThat(watcher.trace()).as("nothing overtakes the held news").isEqualTo(heardBefore);

        cancellation.close();
        cancellation.close();

        List<String> stored = core.trace(id);
        assertThat(watcher.trace())
                .as("told in order, once")
                .isEqualTo(stored.subList(storedBefore, stored.size()))
                .anyMatch(line -> line.startsWith("SessionCancelled"));
    }

    @Test
    void aWatcherThatArrivesWhileACancellationIsBeingAnsweredSeesTheSessionOnlyOnceTheAnswerIsOut() throws Exception {
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);
        List<String> order = java.util.Collections.synchronizedList(new java.util.ArrayList<>());
        CancelSessionUseCase.Cancellation cancellation =
                core.useCases.cancel().cancelAnsweringFirst(id, "cancelled by request");

        // the first socket of a session subscribes now: the snapshot it starts from must not carry the cancellation
        java.util.concurrent.atomic.AtomicReference<SessionState> seen =
                new java.util.concurrent.atomic.AtomicReference<>();
        Thread watcher = Thread.ofPlatform().start(() -> {
            var subscription = core.useCases.subscriptions().subscribe(id, event -> {});
            seen.set(subscription.snapshot().state());
            order.add("subscribed");
        });
        while (watcher.getState() != Thread.State.TIMED_WAITING && watcher.isAlive()) {
            Thread.onSpinWait();
        }
        order.add("answered");
        cancellation.close();
        watcher.join();

        assertThat(order).containsExactly("answered", "subscribed");
        assertThat(seen.get()).isEqualTo(SessionState.CANCELLED);
    }

    @Test
    void aGroupRaisedToUrgentGoesNext() {
        core.withCanvas("a1", "a2", "b1");
        var started = core.useCases
                .start()
                .startPlanned(new org.canvasbatch.application.port.in.StartSessionUseCase.StartPlannedBatchCommand(
                        CoreOnAManualExecutor.CANVAS,
                        java.util.List.of(
                                new org.canvasbatch.application.port.in.StartSessionUseCase.PlannedGroup(
                                        "first",
                                        org.canvasbatch.application.port.in.AgentChoice.AUTO,
                                        java.util.List.of("a1", "a2")),
                                new org.canvasbatch.application.port.in.StartSessionUseCase.PlannedGroup(
                                        "second",
                                        org.canvasbatch.application.port.in.AgentChoice.AUTO,
                                        java.util.List.of("b1"))),
                        java.util.Optional.of(1),
                        java.util.Optional.empty()));
        SessionId id = started.session().id();

        core.useCases.changePriority().changePriority(id, 2, Priority.URGENT);
        core.executor.runAll();

        assertThat(core.calls).containsExactly("a1", "b1", "a2");
    }

    @Test
    void aFinishedBatchCannotBePausedOrCancelled() {
        SessionId id = core.analyze(1, "a");
        core.start(id);
        core.executor.runAll();

        assertThatThrownBy(() -> core.useCases.pause().pause(id, "too late"))
                .isInstanceOfSatisfying(
                        SessionConflict.class,
                        e -> assertThat(e.kind()).isEqualTo(SessionConflict.Kind.ALREADY_FINISHED));
        assertThatThrownBy(() -> core.useCases.cancel().cancel(id, "too late"))
                .isInstanceOfSatisfying(
                        SessionConflict.class,
                        e -> assertThat(e.kind()).isEqualTo(SessionConflict.Kind.ALREADY_FINISHED));
        assertThat(core.useCases.status().status(id).task("a").orElseThrow().state())
                .isEqualTo(NodeState.SUCCEEDED);
    }
}
