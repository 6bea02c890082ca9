package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.EventChunks;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.EventPage;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.SessionSubscription;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.junit.jupiter.api.Test;

/** Reading a session: its status, its history, and a subscription that meets the snapshot without a gap. */
class ReadingSessionsTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor();

    @Test
    void aSubscriberGetsExactlyTheEventsAfterItsSnapshot() {
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);
        core.executor.runNext();
        List<SessionEvent> live = new ArrayList<>();

        SessionSubscription subscription = core.useCases.subscriptions().subscribe(id, live::add);
        core.executor.runAll();

        long seen = subscription.snapshot().lastSeq();
        assertThat(subscription.snapshot().succeeded()).isEqualTo(1);
        assertThat(live).extracting(SessionEvent::seq).first().isEqualTo(seen + 1);
        assertThat(live.getLast().seq())
                .isEqualTo(core.useCases.status().status(id).lastSeq());
        assertThat(subscription.epoch()).isEqualTo(core.memory.epoch());
        subscription.close();
        core.useCases.retryNode().retry(id, "a");
        core.executor.runAll();
        assertThat(live.getLast().seq())
                .as("nothing after the close")
                .isLessThan(core.useCases.status().status(id).lastSeq());
    }

    @Test
    void historyIsReadInPagesAndInChunks() {
        SessionId id = core.analyze(1, "a", "b");
        core.start(id);
        core.executor.runAll();
        long last = core.useCases.status().status(id).lastSeq();

        EventPage page = core.useCases.subscriptions().eventsAfter(id, 2, 3);
        List<Long> chunked = new ArrayList<>();
        try (EventChunks chunks = core.useCases.subscriptions().readEvents(id, 0)) {
            for (List<SessionEvent> chunk = chunks.next(4); !chunk.isEmpty(); chunk = chunks.next(4)) {
                assertThat(chunk).hasSizeLessThanOrEqualTo(4);
                chunk.forEach(e -> chunked.add(e.seq()));
            }
        }

        assertThat(page.events()).extracting(SessionEvent::seq).containsExactly(3L, 4L, 5L);
        assertThat(page.lastSeq()).isEqualTo(last);
        assertThat(chunked)
                .containsExactlyElementsOf(
                        java.util.stream.LongStream.rangeClosed(1, last).boxed().toList());
    }

    @Test
    void theListIsNewestFirstAndAnUnknownSessionIsNotFound() {
        SessionId older = core.analyze(1, "a");
        core.executor.advance(CoreOnAManualExecutor.seconds(1));
        SessionId newer = core.analyze(1, "b");

        assertThat(core.useCases.status().sessions())
                .extracting(SessionSnapshot::id)
                .containsExactly(newer, older);
        assertThatThrownBy(() -> core.useCases.status().status(new SessionId("nope")))
                .isInstanceOf(SessionNotFoundException.class)
                .hasMessage("Session 'nope' not found");
        assertThatThrownBy(() -> core.useCases.subscriptions().subscribe(new SessionId("nope"), e -> {}))
                .isInstanceOf(SessionNotFoundException.class);
    }

    @Test
    void aSessionWhoseHistoryCouldNotBeReadSaysWhyInsteadOfBeingUnknown() {
        CoreOnAManualExecutor before = new CoreOnAManualExecutor();
        SessionId id = before.analyze(1, "a");
        // the journal keeps only what the session never had, and says the rest was damaged
        var damaged = new ForwardingEventLog(new org.canvasbatch.adapters.journal.InMemoryEventLog()) {
            @Override
            public Map<SessionId, String> damage() {
                return Map.of(id, "record 1 of its journal is corrupt; the original is kept as s1.journal.damaged");
            }
        };
        CanvasBatchCore after = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        damaged,
                        before.agent,
                        before.vault,
                        before.executor,
                        before.clock,
                        () -> new SessionId("r1"),
                        new java.util.SplittableRandom(1)),
                CoreSettings.DEFAULT);
        after.recover();

        assertThatThrownBy(() -> after.useCases().status().status(id))
                .isInstanceOf(SessionNotFoundException.class)
                .hasMessageContaining("could not be loaded: record 1 of its journal is corrupt");
        assertThat(after.useCases().status().historyDamage(id)).isPresent();
    }
}
