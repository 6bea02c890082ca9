package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.LongStream;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The connection that hears other servers' appends only ever reads, so a connection cut without a word (a NAT or
 * firewall that forgot it while it was idle, a database host that died and came back on a new connection) looks to it
 * exactly like a quiet cluster. A socket on that server would then never hear the batch another server runs: the
 * plugin's progress stops, and its window waits for a session_completed that never comes (it does not poll while its
 * socket is open).
 */
@ExtendWith(LocalPostgres.class)
class SilentlyCutListenerTest {

    private static final SessionId S = new SessionId("watched-across-a-cut");

    private final LocalPostgres.Server server;
    private CuttableProxy proxy;
    private PostgresEventLog writer;
    private PostgresEventLog watcher;

    SilentlyCutListenerTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @BeforeEach
    void openTwoServersOneBehindTheProxy() throws Exception {
        PostgresLocation direct = server.newDatabase();
        proxy = new CuttableProxy(direct.port());
        writer = PostgresEventLog.open(direct);
        watcher = PostgresEventLog.open(
                new PostgresLocation(direct.user(), direct.password(), direct.host(), proxy.port(), direct.database()));
    }

    @AfterEach
    void closeAll() throws Exception {
        watcher.close();
        writer.close();
        proxy.close();
    }

    private static List<SessionEvent> seqs(long from, long to) {
        return SampleEvents.history(S, (int) to).subList((int) from - 1, (int) to);
    }

    @Test
    void aWatcherWhoseListeningConnectionWasCutSilentlyStillHearsTheOtherServersAppends() {
        List<Long> heard = new CopyOnWriteArrayList<>();
        watcher.subscribe(S, 0, event -> heard.add(event.seq()));
        writer.append(seqs(1, 2));
        waitUntil(() -> heard.size() == 2, Duration.ofSeconds(20));

        proxy.cutSilently();
        writer.append(seqs(3, 5));

        // noticed after 10 s of silence and 5 s without an answer; the bound is for a busy machine
        waitUntil(() -> heard.size() >= 5, Duration.ofSeconds(120));
        assertThat(heard)
                .containsExactlyElementsOf(LongStream.rangeClosed(1, 5).boxed().toList());
    }

    private static void waitUntil(BooleanSupplier condition, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("not reached within " + within.toSeconds() + " s");
            }
            try {
                TimeUnit.MILLISECONDS.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new AssertionError(e);
            }
        }
    }
}
