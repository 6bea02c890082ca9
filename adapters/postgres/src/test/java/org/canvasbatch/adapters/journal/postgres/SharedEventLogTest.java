package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.application.port.out.EventLogConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Two servers' logs on one database: races decided by the table, appends heard across servers without a gap. */
@ExtendWith(LocalPostgres.class)
class SharedEventLogTest {

    private static final SessionId S = new SessionId("shared-session");

    private final LocalPostgres.Server server;
    private PostgresEventLog first;
    private PostgresEventLog second;

    SharedEventLogTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @BeforeEach
    void openTwoServers() {
        PostgresLocation location = server.newDatabase();
        first = PostgresEventLog.open(location);
        second = PostgresEventLog.open(location);
    }

    @AfterEach
    void closeThem() {
        first.close();
        second.close();
    }

    private static List<SessionEvent> seqs(long from, long to) {
        return SampleEvents.history(S, (int) to).subList((int) from - 1, (int) to);
    }

    @Test
    void anAppendMadeFromAStaleCopyLosesWithAConflictAndStoresNothing() {
        first.append(seqs(1, 2));
        second.append(seqs(3, 4));

        assertThatThrownBy(() -> first.append(seqs(3, 3))).isInstanceOf(EventLogConflict.class);

        assertThat(first.readAfter(S, 0, 10)).containsExactlyElementsOf(seqs(1, 4));
    }

    @Test
    void writersRacingForEachNextSeqEachStoreItExactlyOnceAfterReloading() throws Exception {
        int total = 60;
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch go = new CountDownLatch(1);
        List<Integer> conflicts = new CopyOnWriteArrayList<>();
        try {
            List<Future<?>> writers = new ArrayList<>();
            for (PostgresEventLog log : List.of(first, second, first, second)) {
                writers.add(threads.submit(() -> {
                    go.await();
                    while (true) {
                        List<SessionEvent> stored = log.readAfter(S, 0, 1_000);
                        long next = stored.isEmpty() ? 1 : stored.getLast().seq() + 1;
                        if (next > total) {
                            return null;
                        }
                        try {
                            log.append(seqs(next, next));
                        } catch (EventLogConflict lost) {
                            conflicts.add(1);
                        }
                    }
                }));
            }
            go.countDown();
            for (Future<?> writer : writers) {
                writer.get(60, TimeUnit.SECONDS);
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(second.readAfter(S, 0, 1_000)).containsExactlyElementsOf(seqs(1, total));
        assertThat(conflicts)
                .as("four writers on one session must have lost some races")
                .isNotEmpty();
    }

    @Test
    void aSubscriberOnOneServerHearsTheOtherServersAppendsOnceInOrder() {
        List<Long> heard = new CopyOnWriteArrayList<>();
        second.subscribe(S, event -> heard.add(event.seq()));

        for (long seq = 1; seq <= 40; seq += 4) {
            first.append(seqs(seq, seq + 3));
        }

        waitUntil(() -> heard.size() >= 40);
        assertThat(heard)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 40).boxed().toList());
    }

    @Test
    void aSubscriptionFromASeqGetsWhatWasStoredSinceThenAndThenTheLiveEvents() {
        first.append(seqs(1, 6));
        List<Long> heard = new CopyOnWriteArrayList<>();

        second.subscribe(S, 2, event -> heard.add(event.seq()));
        assertThat(heard).containsExactly(3L, 4L, 5L, 6L);

        first.append(seqs(7, 8));
        second.append(seqs(9, 9));
        waitUntil(() -> heard.size() >= 7);
        assertThat(heard).containsExactly(3L, 4L, 5L, 6L, 7L, 8L, 9L);
    }

    @Test
    void aServerIsToldOfOtherServersAppendsButNotOfItsOwn() {
        List<String> told = new CopyOnWriteArrayList<>();
        second.onStoredElsewhere((id, seq) -> told.add(id + "@" + seq));

        second.append(seqs(1, 2));
        first.append(seqs(3, 5));

        waitUntil(() -> !told.isEmpty());
        assertThat(told).containsExactly("shared-session@5");
    }

    @Test
    void afterTheDatabaseRestartsAppendsGoOnAndAWatcherGetsWhatItsListenerMissed() {
        List<Long> heard = new CopyOnWriteArrayList<>();
        second.subscribe(S, event -> heard.add(event.seq()));
        first.append(seqs(1, 2));
        waitUntil(() -> heard.size() == 2);

        server.stopProcess();
        assertThatThrownBy(() -> first.append(seqs(3, 3)))
                .isInstanceOf(org.canvasbatch.application.port.out.EventLogException.class)
                .isNotInstanceOf(EventLogConflict.class);
        assertThat(first.writeProblem()).isPresent();
        server.startProcess();

        first.append(seqs(3, 5));
        assertThat(first.writeProblem()).isEmpty();
        waitUntil(() -> heard.size() >= 5);
        assertThat(heard).containsExactly(1L, 2L, 3L, 4L, 5L);
        assertThat(second.readAfter(S, 0, 10)).containsExactlyElementsOf(seqs(1, 5));
    }

    static void waitUntil(BooleanSupplier condition) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within 20 s");
            }
            Thread.onSpinWait();
            try {
                TimeUnit.MILLISECONDS.sleep(5);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
