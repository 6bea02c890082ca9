package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.canvasbatch.domain.session.SessionEvent.EventsLost;
import org.canvasbatch.domain.session.SessionEvent.SessionPaused;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** The event log is the source of truth: folding a session's events must rebuild exactly the live session. */
class SessionFoldingTest {

    static List<SessionTours.Tour> tours() {
        return SessionTours.all();
    }

    /** What a fold must reproduce: the snapshot, and the hidden dispatch queue as seen through its queries. */
    static void assertSameSession(Session folded, Session live, Instant now, String step) {
        assertThat(folded.snapshot()).as("snapshot after: " + step).isEqualTo(live.snapshot());
        assertThat(folded.dispatchable(Integer.MAX_VALUE, now))
                .as("dispatch order after: " + step)
                .isEqualTo(live.dispatchable(Integer.MAX_VALUE, now));
        Instant farFuture = now.plusSeconds(86_400);
        assertThat(folded.dispatchable(Integer.MAX_VALUE, farFuture))
                .as("queue after: " + step)
                .isEqualTo(live.dispatchable(Integer.MAX_VALUE, farFuture));
        assertThat(folded.nextRetryAt()).as("next retry after: " + step).isEqualTo(live.nextRetryAt());
        assertThat(folded.freeCapacity()).as("free capacity after: " + step).isEqualTo(live.freeCapacity());
        assertThat(folded.runningCount()).as("running after: " + step).isEqualTo(live.runningCount());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tours")
    void afterEveryCommandTheFoldedHistoryEqualsTheLiveSession(SessionTours.Tour tour) {
        TrackedSession tracked = tour.setUp().get();
        Session replayed = tracked.folded();
        assertSameSession(replayed, tracked.session(), tracked.now(), "create");

        for (SessionTours.Step step : tour.steps()) {
            List<SessionEvent> events = step.command().apply(tracked);

            assertSameSession(tracked.folded(), tracked.session(), tracked.now(), step.name());
            events.forEach(replayed::replay);
            assertSameSession(replayed, tracked.session(), tracked.now(), step.name() + " (replayed one by one)");
        }
    }

    @Test
    void theToursEmitEveryKindOfEvent() {
        Set<Class<?>> seen = new HashSet<>();
        for (SessionTours.Tour tour : SessionTours.all()) {
            TrackedSession tracked = tour.setUp().get();
            tour.steps().forEach(step -> step.command().apply(tracked));
            tracked.history().forEach(event -> seen.add(event.getClass()));
        }

        // the seqs a damaged journal lost are told by its recovery, never by a command
        seen.add(EventsLost.class);
        assertThat(seen).containsExactlyInAnyOrder(SessionEvent.class.getPermittedSubclasses());
    }

    /**
     * A damaged journal loses events clients may have had: the session is folded from what was kept, takes the lost
     * seqs in one event, and goes on after them, so no seq is ever issued twice.
     */
    @Test
    void lostSeqsAreTakenByOneEventThatChangesNothingElseAndTheSessionGoesOnAfterThem() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.startTask("a");
        List<SessionEvent> kept = tracked.history();
        Session folded = Session.fromHistory(kept);
        SessionSnapshot before = folded.snapshot();
        long last = folded.lastSeq();

        folded.replay(new EventsLost(folded.id(), last + 7, tracked.now(), last + 1));

        assertThat(folded.lastSeq()).isEqualTo(last + 7);
        assertThat(folded.snapshot().tasks()).isEqualTo(before.tasks());
        assertThat(folded.snapshot().state()).isEqualTo(before.state());
        assertThat(folded.pause("a break", tracked.now()))
                .singleElement()
                .extracting(SessionEvent::seq)
                .isEqualTo(last + 8);
        assertThatThrownBy(() ->
                        Session.fromHistory(List.of(kept.getFirst(), new EventsLost(folded.id(), 9, tracked.now(), 3))))
                .as("the lost seqs must follow the last kept one")
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new EventsLost(folded.id(), 4, tracked.now(), 5))
                .isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void aFoldedSessionAnswersTheNextCommandExactlyAsTheLiveOne() {
        TrackedSession tracked =
                TrackedSession.plan().nodes(1, "a", "b").nodes(2, "c").create();
        tracked.start();
        tracked.changePriority(2, Priority.URGENT);
        tracked.startTask("c");
        tracked.failTransiently("c", tracked.now().plusSeconds(3));
        tracked.startTask("a");
        Session folded = tracked.folded();
        Instant later = tracked.now().plusSeconds(10);

        assertThat(folded.dispatchable(5, later)).containsExactly("c", "b");
        assertThat(folded.startTask("c", later)).isEqualTo(tracked.session().startTask("c", later));
        assertThat(folded.recordSuccess("a", 1, "a.md", 5, 5, "ok", "m", later))
                .isEqualTo(tracked.session().recordSuccess("a", 1, "a.md", 5, 5, "ok", "m", later));
        assertThat(folded.cancel("stop", later)).isEqualTo(tracked.session().cancel("stop", later));
        assertThat(folded.snapshot()).isEqualTo(tracked.snapshot());
    }

    @Test
    void replayRefusesAGapARepeatAndAnotherSessionsEventAndStaysUnchanged() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.startTask("a");
        Session folded = tracked.folded();
        SessionSnapshot before = folded.snapshot();
        long last = folded.lastSeq();
        Instant at = tracked.now();

        assertThatThrownBy(() -> folded.replay(new SessionPaused(folded.id(), last + 2, at, "gap")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(String.valueOf(last + 1));
        assertThatThrownBy(() -> folded.replay(new SessionPaused(folded.id(), last, at, "repeat")))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> folded.replay(new SessionPaused(new SessionId("other"), last + 1, at, "foreign")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("other");
        assertThat(folded.snapshot()).isEqualTo(before);

        folded.replay(new SessionPaused(folded.id(), last + 1, at, "in order"));
        assertThat(folded.state()).isEqualTo(SessionState.PAUSED);
    }

    @Test
    void aHistoryMustStartWithTheCreationAndHaveNoHoles() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.startTask("a");
        tracked.startTask("b");
        List<SessionEvent> history = tracked.history();
        List<SessionEvent> withHole = new ArrayList<>(history);
        withHole.remove(2);

        assertThatThrownBy(() -> Session.fromHistory(List.of())).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Session.fromHistory(history.subList(1, history.size())))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Session.fromHistory(withHole)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Session.fromHistory(List.of(history.get(0), history.get(0))))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
