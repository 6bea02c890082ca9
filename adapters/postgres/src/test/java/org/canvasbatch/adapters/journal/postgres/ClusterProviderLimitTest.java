package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The cluster's limit per provider: a semaphore in the database, shared by servers, healed by leases. */
@ExtendWith(LocalPostgres.class)
class ClusterProviderLimitTest {

    private static final Duration SHORT = Duration.ofMillis(600);

    private final LocalPostgres.Server server;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private PostgresEventLog log;

    ClusterProviderLimitTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @BeforeEach
    void openDatabase() {
        log = PostgresEventLog.open(server.newDatabase());
        opened.add(log);
    }

    @AfterEach
    void closeAll() throws Exception {
        threads.shutdownNow();
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    private ClusterProviderLimit server(String name, int limit) {
        return server(name, limit, SHORT);
    }

    private ClusterProviderLimit server(String name, int limit, Duration lease) {
        ClusterProviderLimit permits = new ClusterProviderLimit(log.database(), limit, lease, name);
        opened.add(0, permits);
        return permits;
    }

    @Test
    void callsOfTwoServersTogetherNeverExceedTheLimit() throws Exception {
        AtomicInteger atOnce = new AtomicInteger();
        AtomicInteger most = new AtomicInteger();
        AgentRunner model = new AgentRunner() {
            @Override
            public AgentAnswer run(AgentRequest request) throws InterruptedException {
                most.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
                try {
                    // a model that answers nobody until it has been asked by as many at once as the limit allows:
                    // the calls overlap for sure, and one more in flight would show in the peak
                    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
                    while (most.get() < 3 && System.nanoTime() < deadline) {
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                    }
                    return null;
                } finally {
                    atOnce.decrementAndGet();
                }
            }

            @Override
            public String model() {
                return "openai:fake";
            }
        };
        List<AgentRunner> servers =
                List.of(server("a", 3).limit(model), server("b", 3).limit(model));
        List<Future<?>> calls = new ArrayList<>();
        for (int i = 0; i < 40; i++) {
            AgentRunner through = servers.get(i % 2);
            calls.add(threads.submit(() -> through.run(null)));
        }
        for (Future<?> call : calls) {
            call.get(60, TimeUnit.SECONDS);
        }

        assertThat(most.get()).isEqualTo(3);
    }

    @Test
    void aFrozenServersPermitsComeBackWhenTheirLeaseRunsOut() throws Exception {
        ClusterProviderLimit frozen = server("frozen", 2);
        frozen.acquire("openai");
        frozen.acquire("openai");
        frozen.stopRenewing();
        ClusterProviderLimit survivor = server("survivor", 2);

        Future<Integer> first = threads.submit(() -> survivor.acquire("openai").slot());
        Future<Integer> second = threads.submit(() -> survivor.acquire("openai").slot());

        assertThat(List.of(first.get(30, TimeUnit.SECONDS), second.get(30, TimeUnit.SECONDS)))
                .containsExactlyInAnyOrder(0, 1);
        assertThat(survivor.heldCount()).isEqualTo(2);
    }

    @Test
    void aServerThatKeepsRenewingKeepsItsPermits() throws Exception {
        // a lease of its own, long enough that a renewal a loaded machine delays by a few hundred milliseconds is still
        // in time (with the 600 ms one, 400 ms late let the other take the permit)
        Duration lease = Duration.ofSeconds(2);
        ClusterProviderLimit holder = server("holder", 1, lease);
        holder.acquire("openai");
        ClusterProviderLimit other = server("other", 1, lease);

        Future<Integer> waiting = threads.submit(() -> other.acquire("openai").slot());
        // three leases long: renewed all along, the permit stays with its holder
        long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
        while (System.nanoTime() < until) {
            assertThat(waiting.isDone()).isFalse();
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
        }
        waiting.cancel(true);
    }

    @Test
    void aPermitWhoseGivingBackTheDatabaseMissedIsNotRenewedByItsBusyServerAndComesBack() throws Exception {
        ClusterProviderLimit busy = server("busy", 2);
        int held = busy.acquire("openai").slot();
        // the row of a permit busy gave back while the database was away: busy no longer holds it, yet it is there
        write("insert into canvas_batch_permits (provider, slot, owner, expires_at)" + " values ('openai', "
                + (1 - held) + ", 'busy', now() + interval '600 milliseconds')");
        ClusterProviderLimit other = server("other", 2);

        Future<Integer> waiting = threads.submit(() -> other.acquire("openai").slot());

        assertThat(waiting.get(30, TimeUnit.SECONDS))
                .as("busy renews the permit it holds, not the one it gave back")
                .isEqualTo(1 - held);
    }

    @Test
    void aPermitRowThatNeverExpiresDoesNotTakeItsSlotFromTheClusterForever() throws Exception {
        // written by a buggy or hostile client of the database, for a server that does not exist
        write("insert into canvas_batch_permits (provider, slot, owner, expires_at)"
                + " values ('openai', 0, 'no-such-server', 'infinity')");
        ClusterProviderLimit only = server("only", 1);

        Future<Integer> waiting = threads.submit(() -> only.acquire("openai").slot());

        assertThat(waiting.get(30, TimeUnit.SECONDS)).isZero();
    }

    @Test
    void aCallWhosePermitRanOutDoesNotGiveBackThePermitTheNextCallTookInItsSlot() throws Exception {
        Duration lease = Duration.ofSeconds(5);
        ClusterProviderLimit busy = server("busy", 1, lease);
        ClusterProviderLimit.Grant late = busy.acquire("openai");
        // its renewals fail (the database away for a whole lease) while the model takes its time
        busy.stopRenewing();
        awaitPermitsRunOut(1);
        // the server's next call takes the slot whose lease ran out: its own, the only one
        ClusterProviderLimit.Grant next = busy.acquire("openai");
        assertThat(next.slot()).isEqualTo(late.slot());

        busy.release(late); // the late call's answer comes at last

        assertThat(permitsInForce())
                .as("the next call's permit still counts in the cluster: no other server may take the slot")
                .isEqualTo(1);
        assertThat(busy.heldCount()).as("and this server still holds it").isEqualTo(1);
        busy.release(next);
        assertThat(permitsInForce()).isZero();
    }

    private void awaitPermitsRunOut(int count) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (count("select count(*) from canvas_batch_permits where expires_at < now()") < count) {
            assertThat(System.nanoTime()).as("the permits' lease ran out").isLessThan(deadline);
            java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
        }
    }

    private long permitsInForce() throws java.sql.SQLException {
        return count("select count(*) from canvas_batch_permits where expires_at >= now()");
    }

    private long count(String sql) throws java.sql.SQLException {
        return log.database().withConnection(connection -> {
            try (java.sql.Statement statement = connection.createStatement();
                    java.sql.ResultSet result = statement.executeQuery(sql)) {
                result.next();
                return result.getLong(1);
            }
        });
    }

    private void write(String sql) throws java.sql.SQLException {
        log.database().withConnection(connection -> {
            try (java.sql.Statement statement = connection.createStatement()) {
                return statement.executeUpdate(sql);
            }
        });
    }

    @Test
    void aLimitedAgentStillOpensItsConnectionsAheadAndThatTakesNoPermit() throws Exception {
        AtomicInteger preparedFor = new AtomicInteger();
        AgentRunner model = new AgentRunner() {
            @Override
            public AgentAnswer run(AgentRequest request) {
                return null;
            }

            @Override
            public String model() {
                return "openai:fake";
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> prepare(int calls) {
                preparedFor.set(calls);
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
        };
        ClusterProviderLimit permits = server("a", 1);

        permits.limit(model).prepare(7).get(10, TimeUnit.SECONDS);

        assertThat(preparedFor.get()).isEqualTo(7);
        assertThat(permits.heldCount()).isZero();
    }

    /**
     * The database goes away while a call holds a permit: the heartbeat's renewals fail every 200 ms. Before, each
     * failure was logged at DEBUG alone, so an operator's console showed nothing of an outage that let permits run out
     * (and calls wait); now the first is one WARNING line, and the database's return one INFO line.
     */
    @Test
    void aDatabaseOutageUnderAHeldPermitIsToldOnceAndItsEndOnce() throws Exception {
        ClusterProviderLimit permits = server("a", 1);
        try (CapturedLogs logs = CapturedLogs.of(ClusterProviderLimit.class.getName())) {
            ClusterProviderLimit.Grant grant = permits.acquire("openai");

            server.stopProcess();
            try {
                SharedEventLogTest.waitUntil(() -> logs.recordsContaining("could not renew this server's permits")
                                .size()
                        >= 3);
            } finally {
                server.startProcess();
            }
            SharedEventLogTest.waitUntil(
                    () -> !logs.visibleRecordsContaining("again after").isEmpty());
            permits.release(grant);

            assertThat(logs.visibleRecordsContaining("could not renew this server's permits"))
                    .singleElement()
                    .satisfies(record -> {
                        assertThat(record.getLevel()).isEqualTo(java.util.logging.Level.WARNING);
                        assertThat(record.getThrown()).as("no stack trace").isNull();
                    });
            assertThat(logs.visibleLines())
                    .as("the outage, then its end, and nothing else")
                    .hasSize(2)
                    .last()
                    .asString()
                    .contains("provider permits: could renew this server's permits again after");
        }
    }
}
