package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionCancelled;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A cancel sent to a server of a cluster that does not run the batch: only the server running it knows which of its
 * notes are being written, and waits for them before the end, so that no note in the vault belongs to a node the
 * batch's status lists as never processed. So the cancel is asked of that server, and stored here only if it does not
 * end the batch in time (it died, or lost the database).
 */
@ExtendWith(LocalPostgres.class)
class CancelAskedOfTheHolderTest {

    private static final SessionId RUNNING = new SessionId("running-on-a");

    private final LocalPostgres.Server server;
    private final List<AutoCloseable> opened = new java.util.ArrayList<>();

    CancelAskedOfTheHolderTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void aCancelSentToAnotherServerIsStoredByTheServerRunningTheBatch() {
        PostgresLocation location = server.newDatabase();
        CancelsStored onA = new CancelsStored(open(PostgresEventLog.open(location)));
        CancelsStored onB = new CancelsStored(open(PostgresEventLog.open(location)));
        PostgresSessionLeases leasesA = open(PostgresSessionLeases.of(onA.log, Duration.ofMinutes(1)));
        PostgresSessionLeases leasesB = open(PostgresSessionLeases.of(onB.log, Duration.ofMinutes(1)));
        onA.append(SampleEvents.history(RUNNING, 2));
        assertThat(leasesA.take(RUNNING)).isTrue();
        CanvasBatchCore a = ManualCore.on(onA, leasesA);
        a.recover();
        CanvasBatchCore b = ManualCore.on(onB, leasesB);
        b.recover();

        var cancelled = b.useCases().cancel().cancel(RUNNING, "cancelled by request");

        assertThat(cancelled.state()).isEqualTo(SessionState.CANCELLED);
        assertThat(onA.cancels).as("stored by A, which runs the batch").hasSize(1);
        assertThat(onA.cancels.getFirst().reason()).isEqualTo("cancelled by request");
        assertThat(onB.cancels).as("not stored by B as well").isEmpty();
        assertThat(a.useCases().status().status(RUNNING).state()).isEqualTo(SessionState.CANCELLED);
    }

    /**
     * A holder cancelling one batch may wait up to 5 s for its notes; a second batch's cancel asked meanwhile must not
     * queue behind it, or the server asking gives up at 8 s and stores the cancel without that wait.
     */
    @Test
    void aCancelAskedWhileTheHolderIsStillEndingAnotherBatchIsNotKeptWaitingBehindIt() throws Exception {
        SessionId other = new SessionId("also-running-on-a");
        PostgresLocation location = server.newDatabase();
        java.util.concurrent.CountDownLatch firstEnding = new java.util.concurrent.CountDownLatch(1);
        java.util.concurrent.CountDownLatch firstEnds = new java.util.concurrent.CountDownLatch(1);
        CancelsStored onA = new CancelsStored(open(PostgresEventLog.open(location))) {
            @Override
            public void append(List<SessionEvent> events) {
                if (events.stream()
                        .anyMatch(e ->
                                e instanceof SessionCancelled c && c.sessionId().equals(RUNNING))) {
                    firstEnding.countDown();
                    awaitQuietly(firstEnds);
                }
                super.append(events);
            }
        };
        CancelsStored onB = new CancelsStored(open(PostgresEventLog.open(location)));
        PostgresSessionLeases leasesA = open(PostgresSessionLeases.of(onA.log, Duration.ofMinutes(1)));
        PostgresSessionLeases leasesB = open(PostgresSessionLeases.of(onB.log, Duration.ofMinutes(1)));
        onA.append(SampleEvents.history(RUNNING, 2));
        onA.append(SampleEvents.history(other, 2));
        assertThat(leasesA.take(RUNNING)).isTrue();
        assertThat(leasesA.take(other)).isTrue();
        CanvasBatchCore a = ManualCore.on(onA, leasesA);
        a.recover();
        CanvasBatchCore b = ManualCore.on(onB, leasesB);
        b.recover();

        Thread first = Thread.ofVirtual().start(() -> b.useCases().cancel().cancel(RUNNING, "cancelled by request"));
        awaitQuietly(firstEnding);
        var second = b.useCases().cancel().cancel(other, "cancelled by request");
        firstEnds.countDown();
        first.join();

        assertThat(second.state()).isEqualTo(SessionState.CANCELLED);
        assertThat(onA.cancels)
                .as("both stored by A, the second while the first was still being ended")
                .extracting(SessionCancelled::sessionId)
                .containsExactly(other, RUNNING);
        assertThat(onB.cancels).isEmpty();
    }

    /**
     * The batch finishes on the server running it while a cancel sent elsewhere waits for its end: that is no cancel,
     * and it is answered as a cancel of any finished batch is (a conflict), not as if it had been cancelled.
     */
    @Test
    void aBatchThatFinishesWhileItsCancelIsAskedElsewhereIsAnsweredAsFinishedNotCancelled() throws Exception {
        PostgresLocation location = server.newDatabase();
        PostgresEventLog runningLog = open(PostgresEventLog.open(location));
        CancelsStored onB = new CancelsStored(open(PostgresEventLog.open(location)));
        PostgresSessionLeases running = open(PostgresSessionLeases.of(runningLog, Duration.ofMinutes(1)));
        PostgresSessionLeases leasesB = open(PostgresSessionLeases.of(onB.log, Duration.ofMinutes(1)));
        runningLog.append(SampleEvents.history(RUNNING, 2));
        assertThat(running.take(RUNNING)).isTrue();
        java.util.concurrent.CountDownLatch asked = new java.util.concurrent.CountDownLatch(1);
        runningLog.onCancelAsked(request -> asked.countDown());
        CanvasBatchCore b = ManualCore.on(onB, leasesB);
        b.recover();

        var answer = new java.util.concurrent.atomic.AtomicReference<Throwable>();
        Thread cancel = Thread.ofVirtual().start(() -> {
            try {
                b.useCases().cancel().cancel(RUNNING, "cancelled by request");
            } catch (RuntimeException e) {
                answer.set(e);
            }
        });
        awaitQuietly(asked);
        runningLog.append(
                List.of(new SessionEvent.SessionFinished(RUNNING, 3, java.time.Instant.now(), SessionState.COMPLETED)));
        cancel.join();

        assertThat(answer.get()).isInstanceOf(org.canvasbatch.domain.session.SessionConflict.class);
        assertThat(b.useCases().status().status(RUNNING).state()).isEqualTo(SessionState.COMPLETED);
        assertThat(onB.cancels).isEmpty();
    }

    private static void awaitQuietly(java.util.concurrent.CountDownLatch latch) {
        try {
            if (!latch.await(30, java.util.concurrent.TimeUnit.SECONDS)) {
                throw new AssertionError("waited 30 s for the first cancel");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aCancelAskedOfAServerThatNeverEndsTheBatchIsStoredWhereItWasSent() {
        PostgresLocation location = server.newDatabase();
        PostgresEventLog silentLog = open(PostgresEventLog.open(location));
        CancelsStored onB = new CancelsStored(open(PostgresEventLog.open(location)));
        // holds the lease and renews it, but no core listens: a server hung, or cut off from its notifications
        PostgresSessionLeases silent = open(PostgresSessionLeases.of(silentLog, Duration.ofMinutes(1)));
        PostgresSessionLeases leasesB = open(PostgresSessionLeases.of(onB.log, Duration.ofMinutes(1)));
        silentLog.append(SampleEvents.history(RUNNING, 2));
        assertThat(silent.take(RUNNING)).isTrue();
        CanvasBatchCore b = ManualCore.on(onB, leasesB);
        b.recover();

        var cancelled = b.useCases().cancel().cancel(RUNNING, "cancelled by request");

        assertThat(cancelled.state()).isEqualTo(SessionState.CANCELLED);
        assertThat(onB.cancels)
                .as("stored by B once the server running it did not end it")
                .hasSize(1);
    }

    /**
     * Anyone who can connect to the database can notify the channel: a request naming another server, a session not
     * run here, or no well-formed session cancels nothing, and a reason is handed on without control characters, cut
     * to 200 characters. (Such a client could store a cancel in the log itself: the channel gives it nothing more.)
     */
    @Test
    void forgedCancelRequestsCancelOnlyWhatTheyNameHereAndTheirReasonIsCutAndCleaned() throws Exception {
        PostgresLocation location = server.newDatabase();
        CancelsStored onA = new CancelsStored(open(PostgresEventLog.open(location)));
        PostgresSessionLeases leasesA = open(PostgresSessionLeases.of(onA.log, Duration.ofMinutes(1)));
        SessionId notRunHere = new SessionId("not-run-here");
        onA.append(SampleEvents.history(RUNNING, 2));
        onA.append(SampleEvents.history(notRunHere, 2));
        assertThat(leasesA.take(RUNNING)).isTrue();
        CanvasBatchCore a = ManualCore.on(onA, leasesA);
        a.recover();

        String me = leasesA.owner();
        notify(
                location,
                List.of(
                        "",
                        "garbage",
                        RUNNING.value(),
                        RUNNING.value() + " someone-else why",
                        notRunHere.value() + " " + me + " why",
                        "../../etc/passwd " + me + " why",
                        RUNNING.value() + " " + me + " \u001b[31mred\u0007 " + "x".repeat(5_000)));
        SharedEventLogTest.waitUntil(() -> !onA.cancels.isEmpty());

        assertThat(onA.cancels).hasSize(1);
        assertThat(onA.cancels.getFirst().sessionId()).isEqualTo(RUNNING);
        assertThat(onA.cancels.getFirst().reason())
                .startsWith("[31mred")
                .doesNotContainPattern("\\p{Cntrl}")
                .hasSizeLessThanOrEqualTo(200);
        assertThat(a.useCases().status().status(notRunHere).state()).isEqualTo(SessionState.RUNNING);
    }

    private void notify(PostgresLocation location, List<String> payloads) throws Exception {
        try (var connection = server.connect(location.database());
                var notify = connection.prepareStatement("select pg_notify(?, ?)")) {
            for (String payload : payloads) {
                notify.setString(1, Notifications.CANCELS);
                notify.setString(2, payload);
                notify.execute();
            }
        }
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    /** A server's log that keeps the cancels it stores. */
    private static class CancelsStored extends ForwardingEventLog {
        final PostgresEventLog log;
        final List<SessionCancelled> cancels = new CopyOnWriteArrayList<>();

        CancelsStored(PostgresEventLog log) {
            super(log);
            this.log = log;
        }

        @Override
        public void append(List<SessionEvent> events) {
            super.append(events);
            events.stream()
                    .filter(SessionCancelled.class::isInstance)
                    .map(SessionCancelled.class::cast)
                    .forEach(cancels::add);
        }
    }
}
