package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.port.out.SessionLeases;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.ForwardingLeases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Anyone who can connect to the database can notify the channels a server listens to, as often as they like. A flood
 * must cost the server a bounded amount of work — one thread at a time, each session once however often it was named —
 * and a real placement sent in the middle of it must still reach the server it names.
 */
@ExtendWith(LocalPostgres.class)
class NotificationFloodTest {

    private static final int FLOOD = 3_000;
    private static final int WAVE = 100;
    private static final SessionId RUNNING = new SessionId("running-here");
    private static final SessionId PLACED = new SessionId("placed-for-real");

    private final LocalPostgres.Server server;
    private final List<AutoCloseable> opened = new java.util.ArrayList<>();
    private PostgresLocation location;

    NotificationFloodTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void thousandsOfNotificationsAreHandledOneAtATimeAndARealPlacementStillGetsThrough() throws Exception {
        location = server.newDatabase();
        PostgresEventLog logA = open(PostgresEventLog.open(location));
        PostgresEventLog logB = open(PostgresEventLog.open(location));
        PostgresSessionLeases leasesA = open(PostgresSessionLeases.of(logA, Duration.ofMinutes(1)));
        PostgresSessionLeases leasesB = open(PostgresSessionLeases.of(logB, Duration.ofMinutes(1)));
        logA.append(SampleEvents.history(RUNNING, 2));
        logA.append(SampleEvents.history(PLACED, 2));
        assertThat(leasesA.take(RUNNING)).isTrue();
        leasesA.publishLoad(() -> 0, 12);
        leasesB.publishLoad(() -> 12, 12);

        // while the first catch-up of RUNNING waits here, every thread that starts handling a notification shows
        CountDownLatch release = new CountDownLatch(1);
        Set<Thread> handlers = ConcurrentHashMap.newKeySet();
        var flooding = new java.util.concurrent.atomic.AtomicBoolean();
        ForwardingEventLog seenByA = new ForwardingEventLog(logA) {
            @Override
            public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
                if (flooding.get() && sessionId.equals(RUNNING)) {
                    awaitQuietly(release);
                }
                return super.readAfter(sessionId, afterSeq, limit);
            }
        };
        SessionLeases watchedLeases = new ForwardingLeases(leasesA) {
            @Override
            public boolean holds(SessionId sessionId) {
                if (flooding.get()
                        && sessionId.equals(RUNNING)
                        && Thread.currentThread().isVirtual()) {
                    handlers.add(Thread.currentThread());
                }
                return super.holds(sessionId);
            }
        };
        CanvasBatchCore core = ManualCore.on(seenByA, watchedLeases);
        core.recover();
        // heard after the core's own listener, which has had every notification by the time this hears the last
        var heardUpTo = new java.util.concurrent.atomic.AtomicLong();
        logA.onStoredElsewhere((id, seq) -> {
            if (id.equals(RUNNING)) {
                heardUpTo.accumulateAndGet(seq, Math::max);
            }
        });

        flooding.set(true);
        List<String> storedElsewhere = new java.util.ArrayList<>();
        List<String> placedOnA = new java.util.ArrayList<>();
        for (int i = 0; i < FLOOD; i++) {
            storedElsewhere.add(RUNNING.value() + " " + (3 + i));
            placedOnA.add("forged-" + i + " " + leasesA.owner());
        }
        // in waves, each heard before the next is sent: the listener hands on at least one batch per wave
        for (int wave = 0; wave < FLOOD / WAVE; wave++) {
            notifyAll(Notifications.CHANNEL, storedElsewhere.subList(wave * WAVE, (wave + 1) * WAVE));
            long last = 3 + (wave + 1) * WAVE - 1;
            SharedEventLogTest.waitUntil(() -> heardUpTo.get() == last);
        }

        assertThat(handlers)
                .as("%d notifications of a session this server runs, while its first catch-up waits", FLOOD)
                .hasSizeLessThanOrEqualTo(1);
        release.countDown();

        // a real placement behind a flood of forged ones naming this server
        notifyAll(Notifications.PLACEMENTS, placedOnA);
        assertThat(leasesB.place(PLACED))
                .as("B is busy: A, the idle one, should run it")
                .isFalse();
        SharedEventLogTest.waitUntil(() -> leasesA.holds(PLACED));
        assertThat(leaseRowsNamed("forged-%"))
                .as("no forged placement was taken")
                .isZero();
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }

    private void notifyAll(String channel, List<String> payloads) throws Exception {
        try (Connection connection = server.connect(location.database());
                PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
            for (String payload : payloads) {
                notify.setString(1, channel);
                notify.setString(2, payload);
                notify.execute();
            }
        }
    }

    private long leaseRowsNamed(String pattern) throws Exception {
        try (Connection connection = server.connect(location.database());
                PreparedStatement count = connection.prepareStatement(
                        "select count(*) from canvas_batch_leases where session_id like ?")) {
            count.setString(1, pattern);
            try (var rows = count.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static void awaitQuietly(CountDownLatch latch) {
        try {
            if (!latch.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("the test never let the catch-up go on");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
