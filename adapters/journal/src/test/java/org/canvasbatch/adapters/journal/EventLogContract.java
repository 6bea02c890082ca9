package org.canvasbatch.adapters.journal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import java.util.stream.LongStream;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** What every {@link EventLog} promises the core, run against each implementation. */
public abstract class EventLogContract {

    static final SessionId A = new SessionId("session-a");
    static final SessionId B = new SessionId("session-b");

    protected EventLog log;

    /** A new, empty log. */
    protected abstract EventLog createLog();

    @BeforeEach
    void openLog() {
        log = createLog();
    }

    @AfterEach
    void closeLog() throws Exception {
        if (log instanceof AutoCloseable closeable) {
            closeable.close();
        }
    }

    static List<SessionEvent> seqs(SessionId id, long from, long to) {
        return SampleEvents.history(id, (int) to).subList((int) from - 1, (int) to);
    }

    @Test
    void eventsAreReadBackInTheOrderTheyWereAppended() {
        log.append(seqs(A, 1, 3));
        log.append(seqs(A, 4, 4));
        log.append(seqs(A, 5, 7));

        assertThat(log.readAfter(A, 0, 100)).containsExactlyElementsOf(seqs(A, 1, 7));
    }

    @Test
    void everyKindOfEventIsStoredAsAppended() {
        List<SessionEvent> events = SampleEvents.everyKind(A);
        log.append(events.subList(0, 1));
        log.append(events.subList(1, events.size()));

        assertThat(log.readAfter(A, 0, Integer.MAX_VALUE)).containsExactlyElementsOf(events);
    }

    @Test
    void readAfterStartsAfterTheGivenSeqAndStopsAtTheLimit() {
        log.append(seqs(A, 1, 6));

        assertThat(log.readAfter(A, 2, 2)).containsExactlyElementsOf(seqs(A, 3, 4));
        assertThat(log.readAfter(A, 4, 100)).containsExactlyElementsOf(seqs(A, 5, 6));
        assertThat(log.readAfter(A, 5, 1)).containsExactlyElementsOf(seqs(A, 6, 6));
        assertThat(log.readAfter(A, 6, 100)).isEmpty();
        assertThat(log.readAfter(A, 60, 100)).isEmpty();
        assertThat(log.readAfter(A, 0, 0)).isEmpty();
        assertThat(log.readAfter(A, -5, 2)).containsExactlyElementsOf(seqs(A, 1, 2));
    }

    @Test
    void aReaderReadsChunkByChunkWhatReadAfterReadsAndPicksUpEventsAppendedSinceItOpened() {
        log.append(seqs(A, 1, 10));

        try (EventLog.EventReader reader = log.read(A, 2)) {
            assertThat(reader.next(3)).containsExactlyElementsOf(seqs(A, 3, 5));
            assertThat(reader.next(3)).containsExactlyElementsOf(seqs(A, 6, 8));
            log.append(seqs(A, 11, 12));
            assertThat(reader.next(100)).containsExactlyElementsOf(seqs(A, 9, 12));
            assertThat(reader.next(100)).isEmpty();
            log.append(seqs(A, 13, 13));
            assertThat(reader.next(1)).containsExactlyElementsOf(seqs(A, 13, 13));
        }
    }

    @Test
    void aReaderOfAnUnknownSessionOrOfOneDeletedMeanwhileReadsNothingMore() {
        log.append(seqs(A, 1, 3));

        try (EventLog.EventReader unknown = log.read(B, 0);
                EventLog.EventReader reader = log.read(A, 0)) {
            assertThat(unknown.next(10)).isEmpty();
            assertThat(reader.next(1)).containsExactlyElementsOf(seqs(A, 1, 1));
            log.delete(A);
            assertThat(reader.next(10)).isEmpty();
        }
    }

    @Test
    void readersChunkingThroughAGrowingSessionEachSeeEveryEventOnceInOrder() throws Exception {
        int total = 600;
        log.append(seqs(A, 1, 100));
        ExecutorService threads = Executors.newFixedThreadPool(5);
        try {
            List<Future<List<Long>>> readers = new ArrayList<>();
            for (int r = 0; r < 4; r++) {
                int chunk = 7 + r * 5;
                readers.add(threads.submit(() -> {
                    List<Long> seen = new ArrayList<>();
                    try (EventLog.EventReader reader = log.read(A, 0)) {
                        while (seen.size() < total) {
                            reader.next(chunk).forEach(e -> seen.add(e.seq()));
                        }
                    }
                    return seen;
                }));
            }
            Future<?> appender = threads.submit(() -> {
                for (int seq = 101; seq <= total; seq += 10) {
                    log.append(seqs(A, seq, seq + 9));
                }
                return null;
            });
            appender.get(60, TimeUnit.SECONDS);
            for (Future<List<Long>> reader : readers) {
                assertThat(reader.get(60, TimeUnit.SECONDS))
                        .containsExactlyElementsOf(
                                LongStream.rangeClosed(1, total).boxed().toList());
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void anUnknownSessionHasNoEvents() {
        assertThat(log.readAfter(B, 0, 10)).isEmpty();
    }

    @Test
    void aGapInTheSeqsIsRefusedAndStoresNothing() {
        log.append(seqs(A, 1, 2));

        assertThatThrownBy(() -> log.append(seqs(A, 4, 5))).isInstanceOf(EventLogException.class);
        assertThatThrownBy(() -> log.append(seqs(A, 2, 3))).isInstanceOf(EventLogException.class);
        assertThatThrownBy(() -> log.append(seqs(B, 2, 2))).isInstanceOf(EventLogException.class);

        assertThat(log.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 2));
        assertThat(log.readAfter(B, 0, 10)).isEmpty();
        log.append(seqs(A, 3, 3));
        assertThat(log.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 3));
    }

    @Test
    void anotherSessionsEventInAnAppendIsRefusedAndNothingIsStoredOrPublished() {
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        log.subscribe(A, heard::add);
        List<SessionEvent> mixed = List.of(SampleEvents.event(A, 1), SampleEvents.event(B, 2));

        assertThatThrownBy(() -> log.append(mixed)).isInstanceOf(EventLogException.class);

        assertThat(log.readAfter(A, 0, 10)).isEmpty();
        assertThat(log.sessionIds()).isEmpty();
        assertThat(heard).isEmpty();
    }

    @Test
    void aSubscriberHearsOnlyEventsAppendedAfterItSubscribed() {
        log.append(seqs(A, 1, 2));
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        log.subscribe(A, heard::add);

        log.append(seqs(A, 3, 4));
        log.append(seqs(B, 1, 1));

        assertThat(heard).containsExactlyElementsOf(seqs(A, 3, 4));
    }

    @Test
    void aSubscriberHearsAnAppendBeforeItReturns() {
        // heard on the appending thread or on the one that made the events durable, but always before append returns
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        log.subscribe(A, heard::add);

        log.append(seqs(A, 1, 2));

        assertThat(heard).containsExactlyElementsOf(seqs(A, 1, 2));
    }

    @Test
    void anUnsubscribedListenerHearsNothingMore() {
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        EventLog.Subscription subscription = log.subscribe(A, heard::add);
        log.append(seqs(A, 1, 1));

        subscription.close();
        log.append(seqs(A, 2, 3));

        assertThat(heard).containsExactlyElementsOf(seqs(A, 1, 1));
    }

    @Test
    void aThrowingListenerNeitherBreaksTheAppendNorSilencesOthers() {
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        log.subscribe(A, event -> {
            throw new IllegalStateException("a broken WebSocket");
        });
        log.subscribe(A, heard::add);

        log.append(seqs(A, 1, 2));
        log.append(seqs(A, 3, 3));

        assertThat(heard).containsExactlyElementsOf(seqs(A, 1, 3));
        assertThat(log.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 3));
    }

    @Test
    void aListenerFailingWithAnErrorNeitherBreaksTheAppendNorSilencesOthers() {
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        log.subscribe(A, event -> {
            throw new StackOverflowError("a listener gone wrong");
        });
        log.subscribe(A, heard::add);

        log.append(seqs(A, 1, 2));

        assertThat(heard).containsExactlyElementsOf(seqs(A, 1, 2));
        log.append(seqs(A, 3, 3));
        assertThat(log.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 3));
    }

    @Test
    void sessionIdsAreTheSessionsWithEvents() {
        log.append(seqs(A, 1, 2));
        log.append(seqs(B, 1, 1));
        log.subscribe(new SessionId("only-watched"), event -> {});

        assertThat(log.sessionIds()).containsExactlyInAnyOrder(A, B);
    }

    @Test
    void aDeletedSessionIsForgottenAndCanStartAgain() {
        log.append(seqs(A, 1, 3));
        log.append(seqs(B, 1, 2));

        log.delete(A);

        assertThat(log.sessionIds()).containsExactly(B);
        assertThat(log.readAfter(A, 0, 10)).isEmpty();
        assertThat(log.readAfter(B, 0, 10)).containsExactlyElementsOf(seqs(B, 1, 2));
        log.append(seqs(A, 1, 1));
        assertThat(log.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 1));
    }

    @Test
    void aLogThatTakesEventsPassesTheProbeAndTheProbeStoresNothing() {
        log.append(seqs(A, 1, 2));

        log.probeWritable();

        assertThat(log.sessionIds()).containsExactly(A);
        assertThat(log.readAfter(A, 0, 10)).containsExactlyElementsOf(seqs(A, 1, 2));
    }

    @Test
    void deletingAnUnknownSessionChangesNothing() {
        log.append(seqs(A, 1, 1));

        log.delete(B);

        assertThat(log.sessionIds()).containsExactly(A);
    }

    @Test
    void concurrentAppendsToFiftySessionsFromEightThreadsLoseNothing() throws Exception {
        int sessions = 50;
        int eventsPerSession = 24;
        List<SessionId> ids = IntStream.range(0, sessions)
                .mapToObj(i -> new SessionId("s" + i))
                .toList();
        Map<SessionId, List<SessionEvent>> heard = new ConcurrentHashMap<>();
        for (SessionId id : ids) {
            List<SessionEvent> mine = new CopyOnWriteArrayList<>();
            heard.put(id, mine);
            log.subscribe(id, mine::add);
        }
        ExecutorService threads = Executors.newFixedThreadPool(8);
        CountDownLatch start = new CountDownLatch(1);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                int thread = t;
                done.add(threads.submit(() -> {
                    start.await();
                    // each session belongs to one thread, as the core serialises a session's appends;
                    // the threads take turns between their sessions so that appends interleave
                    List<SessionId> mine = ids.stream()
                            .filter(id -> ids.indexOf(id) % 8 == thread)
                            .toList();
                    for (int seq = 1; seq <= eventsPerSession; seq += 2) {
                        for (SessionId id : mine) {
                            log.append(seqs(id, seq, seq + 1));
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> future : done) {
                future.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(log.sessionIds()).containsExactlyInAnyOrderElementsOf(ids);
        for (SessionId id : ids) {
            assertThat(log.readAfter(id, 0, 1_000))
                    .as("session %s", id)
                    .containsExactlyElementsOf(seqs(id, 1, eventsPerSession));
            assertThat(heard.get(id)).as("heard of %s", id).containsExactlyElementsOf(seqs(id, 1, eventsPerSession));
        }
    }

    @Test
    void theEpochIsStableWithinOneLog() {
        String epoch = log.epoch();
        log.append(seqs(A, 1, 3));
        log.delete(A);

        assertThat(epoch).isNotBlank();
        assertThat(log.epoch()).isEqualTo(epoch);
    }
}
