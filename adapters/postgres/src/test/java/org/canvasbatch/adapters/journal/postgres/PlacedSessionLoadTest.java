package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ForwardingLeases;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A server of a cluster publishes the calls its batches want, and the sessions that load accounts for: every session
 * whose lease it holds. So the moment it holds the lease of a session placed on it, the calls it wants must count that
 * session, or a heartbeat sent then tells the others it is idle and it draws the next batch too.
 */
@ExtendWith(LocalPostgres.class)
class PlacedSessionLoadTest {

    private static final SessionId PLACED = new SessionId("placed-on-b");

    private final LocalPostgres.Server server;
    private final List<AutoCloseable> opened = new java.util.ArrayList<>();

    PlacedSessionLoadTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    @Test
    void aServerCountsTheCallsOfABatchPlacedOnItFromTheMomentItHoldsItsLease() {
        PostgresLocation location = server.newDatabase();
        PostgresEventLog logA = open(PostgresEventLog.open(location));
        PostgresEventLog logB = open(PostgresEventLog.open(location));
        PostgresSessionLeases leasesA = open(PostgresSessionLeases.of(logA, Duration.ofMinutes(1)));
        PostgresSessionLeases leasesB = open(PostgresSessionLeases.of(logB, Duration.ofMinutes(1)));
        AtomicReference<CanvasBatchCore> coreB = new AtomicReference<>();
        AtomicInteger wantedWhenHeld = new AtomicInteger(-1);
        CanvasBatchCore core = ManualCore.on(logB, new ForwardingLeases(leasesB) {
            @Override
            public boolean place(SessionId sessionId) {
                boolean here = super.place(sessionId);
                if (here && sessionId.equals(PLACED)) {
                    // what a heartbeat sent at this moment would publish, with the session among those counted
                    wantedWhenHeld.set(coreB.get().callsWanted());
                }
                return here;
            }
        });
        coreB.set(core);
        core.recover();
        leasesA.publishLoad(() -> 12, 12);
        leasesB.publishLoad(core::callsWanted, 12);

        // confirmed on A after B started: B has never read this session
        logA.append(SampleEvents.history(PLACED, 2));
        assertThat(leasesA.place(PLACED))
                .as("A is busy: B, the idle one, should run it")
                .isFalse();
        SharedEventLogTest.waitUntil(() -> leasesB.holds(PLACED) && wantedWhenHeld.get() >= 0);

        assertThat(wantedWhenHeld.get())
                .as("eight nodes queued in a running batch, counted from the take on")
                .isEqualTo(8);
    }

    private <T extends AutoCloseable> T open(T closeable) {
        opened.add(closeable);
        return closeable;
    }
}
