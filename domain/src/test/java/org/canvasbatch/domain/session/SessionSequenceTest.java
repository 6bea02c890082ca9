package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.LongStream;
import org.canvasbatch.domain.session.SessionConflict.Kind;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** CONTRACT §3.3: a session's events are numbered 1, 2, 3 … with no gaps, in the order they happened. */
class SessionSequenceTest {

    static List<SessionTours.Tour> tours() {
        return SessionTours.all();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("tours")
    void everyCommandNumbersItsEventsRightAfterThePreviousOnesAndStampsThemWithItsTime(SessionTours.Tour tour) {
        TrackedSession tracked = tour.setUp().get();
        List<SessionEvent> returned = new ArrayList<>(tracked.history());

        for (SessionTours.Step step : tour.steps()) {
            long before = tracked.session().lastSeq();
            List<SessionEvent> events = step.command().apply(tracked);

            assertThat(events).as(step.name()).isNotEmpty();
            assertThat(events)
                    .as(step.name())
                    .extracting(SessionEvent::seq)
                    .containsExactlyElementsOf(LongStream.rangeClosed(before + 1, before + events.size())
                            .boxed()
                            .toList());
            assertThat(events).as(step.name()).extracting(SessionEvent::at).containsOnly(tracked.now());
            assertThat(events)
                    .as(step.name())
                    .extracting(SessionEvent::sessionId)
                    .containsOnly(tracked.session().id());
            assertThat(tracked.session().lastSeq()).isEqualTo(events.getLast().seq());
            returned.addAll(events);
        }

        assertThat(returned)
                .extracting(SessionEvent::seq)
                .containsExactlyElementsOf(
                        LongStream.rangeClosed(1, returned.size()).boxed().toList());
        assertThat(tracked.snapshot().lastSeq()).isEqualTo(returned.size());
    }

    @Test
    void aRefusedCommandUsesNoNumber() {
        TrackedSession tracked = TrackedSession.runningWith("a", "b");
        tracked.startTask("a");
        tracked.assertRejected(Kind.ALREADY_STARTED, s -> s.start(null, tracked.tick()));
        tracked.assertRejected(Kind.STALE_RESULT, s -> s.recordSuccess("a", 7, "a.md", 1, 1, "x", "m", tracked.tick()));
        tracked.assertRejected(Kind.NOT_PAUSED, s -> s.resume("r", tracked.tick()));

        List<SessionEvent> next = tracked.succeed("a");

        assertThat(next.getFirst().seq()).isEqualTo(4);
    }
}
