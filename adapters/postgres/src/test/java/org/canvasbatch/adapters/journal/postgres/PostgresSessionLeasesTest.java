package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Leases decide which server runs a session: one at a time, renewed while it lives, taken when it stops. */
@ExtendWith(LocalPostgres.class)
class PostgresSessionLeasesTest {

    private static final SessionId S = new SessionId("leased-session");
    private static final Duration SHORT = Duration.ofMillis(600);

    private final LocalPostgres.Server server;
    private final List<AutoCloseable> opened = new ArrayList<>();
    private PostgresEventLog log;

    PostgresSessionLeasesTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @BeforeEach
    void openDatabase() {
        log = PostgresEventLog.open(server.newDatabase());
        opened.add(log);
    }

    @AfterEach
    void closeAll() throws Exception {
        for (AutoCloseable closeable : opened.reversed()) {
            closeable.close();
        }
    }

    /** Places three sessions from the first of {@code servers}; the servers that run them, each as it heard. */
    private Set<String> runnersOfThreeConfirmedOnTheFirst(List<PostgresSessionLeases> servers) {
        Map<SessionId, String> runner = new ConcurrentHashMap<>();
        log.onPlacement((id, owner) -> runner.put(id, owner));
        for (SessionId session : List.of(new SessionId("s1"), new SessionId("s2"), new SessionId("s3"))) {
            if (servers.getFirst().place(session)) {
                runner.put(session, servers.getFirst().owner());
            }
        }
        SharedEventLogTest.waitUntil(() -> runner.size() == 3);
        return Set.copyOf(runner.values());
    }

    private PostgresSessionLeases server(String name) {
        return server(name, SHORT);
    }

    private PostgresSessionLeases server(String name, Duration lease) {
        PostgresSessionLeases leases = new PostgresSessionLeases(log.database(), lease, name);
        opened.add(0, leases);
        return leases;
    }

    @Test
    void aLeaseHeldAndRenewedIsNotTakenByAnotherServer() {
        // A lease of its own, long enough that a renewal a loaded machine delays by a few hundred milliseconds is still
        // in time: with the 600 ms one, a heartbeat 280 ms late made a's own holds() false, and 400 ms late let b take
        // it.
        Duration lease = Duration.ofSeconds(2);
        PostgresSessionLeases a = server("a", lease);
        PostgresSessionLeases b = server("b", lease);

        assertThat(a.take(S)).isTrue();
        long until = System.nanoTime() + lease.multipliedBy(3).toNanos();
        while (System.nanoTime() < until) {
            assertThat(b.take(S)).as("a renews its lease").isFalse();
            assertThat(b.abandoned()).doesNotContain(S);
            java.util.concurrent.locks.LockSupport.parkNanos(10_000_000);
        }
        assertThat(a.holds(S)).isTrue();
        assertThat(b.holds(S)).isFalse();
    }

    @Test
    void aServerThatStopsRenewingLosesItsSessionToAnotherWhichCountsTheMove() {
        PostgresSessionLeases a = server("a");
        PostgresSessionLeases b = server("b");
        assertThat(a.take(S)).isTrue();

        a.stopRenewing();
        SharedEventLogTest.waitUntil(() -> b.abandoned().contains(S));

        assertThat(b.take(S)).isTrue();
        assertThat(b.moves()).isEqualTo(1);
        a.renew();
        assertThat(a.holds(S))
                .as("a learns at its next renewal that it lost the lease")
                .isFalse();
        assertThat(a.take(S)).isFalse();
    }

    @Test
    void aRenewalUnderWayWhenTheServerStopsDoesNotKeepItsSessionFromTheOthers() throws Exception {
        Duration lease = Duration.ofSeconds(3);
        CountDownLatch renewalBegun = new CountDownLatch(1);
        java.util.concurrent.atomic.AtomicReference<Thread> heartbeat =
                new java.util.concurrent.atomic.AtomicReference<>();
        java.util.concurrent.atomic.AtomicBoolean holdNextRenewal = new java.util.concurrent.atomic.AtomicBoolean();
        PostgresSessionLeases stopping = new PostgresSessionLeases(log.database(), lease, "stopping", () -> {
            // the heartbeat reads the clock as its renewal begins: held there, as a slow round trip to the database
            // would hold it, until the stop began (it interrupts the heartbeat) and the stop's expiry is written
            if (Thread.currentThread().getName().equals("canvas-batch-lease-heartbeat")
                    && holdNextRenewal.compareAndSet(true, false)) {
                heartbeat.set(Thread.currentThread());
                renewalBegun.countDown();
                try {
                    Thread.sleep(TimeUnit.MINUTES.toMillis(1));
                } catch (InterruptedException stopBegan) {
                    // bounded: a stop that waits for this renewal writes its expiry only after it
                    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(3);
                    while (!leaseRanOut(S) && System.nanoTime() < until) {
                        java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
                    }
                }
            }
            return System.nanoTime();
        });
        opened.add(0, stopping);
        PostgresSessionLeases other = server("other", lease);
        assertThat(stopping.take(S)).isTrue();
        holdNextRenewal.set(true);
        assertThat(renewalBegun.await(30, TimeUnit.SECONDS)).isTrue();

        stopping.close(); // a graceful stop: it gives its leases back
        heartbeat.get().join(TimeUnit.SECONDS.toMillis(30));

        assertThat(other.take(S))
                .as("another server takes the session at once, not a whole lease later")
                .isTrue();
    }

    private boolean leaseRanOut(SessionId id) {
        try {
            return log.database().withConnection(connection -> {
                try (java.sql.PreparedStatement query = connection.prepareStatement(
                        "select expires_at < now() from canvas_batch_leases where session_id = ?")) {
                    query.setString(1, id.value());
                    try (java.sql.ResultSet result = query.executeQuery()) {
                        return result.next() && result.getBoolean(1);
                    }
                }
            });
        } catch (java.sql.SQLException e) {
            return false;
        }
    }

    @Test
    void aMachineSuspendedLongerThanALeaseNoLongerHoldsItWhenItWakesThoughItsMonotonicClockStoodStill() {
        AtomicLong monotonic = new AtomicLong();
        AtomicLong wall = new AtomicLong(System.currentTimeMillis());
        PostgresSessionLeases suspended =
                new PostgresSessionLeases(log.database(), SHORT, "suspended", monotonic::get, wall::get);
        opened.add(0, suspended);
        PostgresSessionLeases b = server("b");
        assertThat(suspended.take(S)).isTrue();
        assertThat(suspended.holds(S)).isTrue();

        suspended.stopRenewing(); // the lid closed: everything of the machine stops, its heartbeat too
        SharedEventLogTest.waitUntil(() -> b.abandoned().contains(S));
        assertThat(b.take(S)).isTrue();
        // it wakes: the wall clock went on for the time it slept, the monotonic clock (CLOCK_MONOTONIC) did not
        wall.addAndGet(SHORT.multipliedBy(2).toMillis());

        assertThat(suspended.holds(S))
                .as("it must not dispatch (call the model, write) on a lease another server took while it slept")
                .isFalse();
    }

    @Test
    void aServerFrozenLongerThanItsLeaseNoLongerHoldsItTheMomentItResumesBeforeItsHeartbeatRuns() {
        AtomicLong monotonic = new AtomicLong();
        PostgresSessionLeases frozen = new PostgresSessionLeases(log.database(), SHORT, "frozen", monotonic::get);
        opened.add(0, frozen);
        PostgresSessionLeases b = server("b");
        assertThat(frozen.take(S)).isTrue();
        monotonic.addAndGet(SHORT.dividedBy(2).toNanos());
        assertThat(frozen.holds(S)).as("half a lease after taking it").isTrue();

        frozen.stopRenewing(); // SIGSTOP or a long GC pause: its heartbeat stops with everything else
        SharedEventLogTest.waitUntil(() -> b.abandoned().contains(S));
        assertThat(b.take(S)).isTrue();
        monotonic.addAndGet(SHORT.toNanos()); // resumed: its own clock says a lease went by

        assertThat(frozen.holds(S))
                .as("it must not dispatch (call the model, write) before it could renew")
                .isFalse();
        assertThat(b.holds(S)).isTrue();
    }

    @Test
    void aServerFrozenLongerThanItsLeaseThatNobodyReplacedHoldsItAgainOnceItRenews() {
        AtomicLong monotonic = new AtomicLong();
        PostgresSessionLeases frozen = new PostgresSessionLeases(log.database(), SHORT, "frozen", monotonic::get);
        opened.add(0, frozen);
        assertThat(frozen.take(S)).isTrue();
        frozen.stopRenewing();
        monotonic.addAndGet(SHORT.toNanos());
        assertThat(frozen.holds(S)).isFalse();

        frozen.renew(); // its heartbeat's first beat after the pause

        assertThat(frozen.holds(S)).as("the row still named it").isTrue();
    }

    @Test
    void ofServersRacingForAnAbandonedSessionExactlyOneWins() throws Exception {
        PostgresSessionLeases dead = server("dead");
        assertThat(dead.take(S)).isTrue();
        dead.stopRenewing();
        List<PostgresSessionLeases> racers = List.of(server("r1"), server("r2"), server("r3"), server("r4"));
        SharedEventLogTest.waitUntil(() -> racers.getFirst().abandoned().contains(S));

        ExecutorService threads = Executors.newFixedThreadPool(racers.size());
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Boolean>> outcomes = new ArrayList<>();
        try {
            for (PostgresSessionLeases racer : racers) {
                outcomes.add(threads.submit(() -> {
                    go.await();
                    return racer.take(S);
                }));
            }
            go.countDown();
            int winners = 0;
            for (Future<Boolean> outcome : outcomes) {
                winners += outcome.get(30, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertThat(winners).isEqualTo(1);
        } finally {
            threads.shutdownNow();
        }
        assertThat(racers.stream().filter(r -> r.holds(S)).count()).isEqualTo(1);
    }

    @Test
    void ofServersClaimingAStoppedServerAtOnceExactlyOneClearsUpAfterItAndNoLiveServerIsEverClaimed() throws Exception {
        PostgresSessionLeases dead = server("dead");
        List<PostgresSessionLeases> survivors = List.of(server("r1"), server("r2"), server("r3"), server("r4"));
        dead.publishLoad(() -> 0, 12);
        survivors.forEach(s -> s.publishLoad(() -> 0, 12));
        assertThat(survivors.getFirst().claimStoppedServers())
                .as("every server is alive")
                .isEmpty();
        dead.stopRenewing();
        // a server that is stopped is stopped for every asker: wait a lease and a half past its last heartbeat
        long staleAt = System.nanoTime() + SHORT.multipliedBy(3).dividedBy(2).toNanos();
        SharedEventLogTest.waitUntil(() -> System.nanoTime() > staleAt);

        ExecutorService threads = Executors.newFixedThreadPool(survivors.size());
        CountDownLatch go = new CountDownLatch(1);
        Map<PostgresSessionLeases, Future<List<String>>> outcomes = new java.util.LinkedHashMap<>();
        try {
            for (PostgresSessionLeases survivor : survivors) {
                outcomes.put(survivor, threads.submit(() -> {
                    go.await();
                    return survivor.claimStoppedServers();
                }));
            }
            go.countDown();
            List<String> claimed = new ArrayList<>();
            PostgresSessionLeases winner = null;
            for (var outcome : outcomes.entrySet()) {
                List<String> mine = outcome.getValue().get(30, TimeUnit.SECONDS);
                claimed.addAll(mine);
                if (!mine.isEmpty()) {
                    winner = outcome.getKey();
                }
            }
            assertThat(claimed)
                    .as("the stopped server, claimed once; no live one")
                    .containsExactly("dead");

            for (PostgresSessionLeases other : survivors) {
                assertThat(other.claimStoppedServers())
                        .as("its own claim is its own until it forgets it")
                        .isEqualTo(other == winner ? List.of("dead") : List.of());
            }
            winner.forgetStoppedServer("dead");
            for (PostgresSessionLeases other : survivors) {
                assertThat(other.claimStoppedServers()).isEmpty();
            }
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aStoppedServerWhoseClaimantStopsTooIsClaimedByAnotherAndAGracefulStopIsClaimedAtOnce() {
        PostgresSessionLeases dead = server("dead");
        PostgresSessionLeases claimant = server("claimant");
        PostgresSessionLeases survivor = server("survivor");
        PostgresSessionLeases leaving = server("leaving");
        Stream.of(dead, claimant, survivor, leaving).forEach(s -> s.publishLoad(() -> 0, 12));
        dead.stopRenewing();
        SharedEventLogTest.waitUntil(() -> !claimant.claimStoppedServers().isEmpty());
        assertThat(survivor.claimStoppedServers())
                .as("claimed by a live server")
                .isEmpty();

        claimant.stopRenewing(); // it dies before it is done with "dead"
        leaving.close(); // a graceful stop: its vault wrote what it could, a survivor looks at once

        List<String> claimed = new ArrayList<>();
        SharedEventLogTest.waitUntil(() -> {
            claimed.addAll(survivor.claimStoppedServers());
            return Set.copyOf(claimed).equals(Set.of("dead", "claimant", "leaving"));
        });
    }

    @Test
    void aServerStoppingGracefullyGivesItsSessionsUpAtOnce() {
        PostgresSessionLeases a = new PostgresSessionLeases(log.database(), Duration.ofMinutes(5), "a");
        PostgresSessionLeases b = server("b");
        assertThat(a.take(S)).isTrue();
        assertThat(b.abandoned()).doesNotContain(S);

        a.close();

        assertThat(b.abandoned()).contains(S);
        assertThat(b.take(S)).isTrue();
    }

    @Test
    void aReleasedLeaseIsGoneAndAFinishedSessionIsNotAbandoned() {
        PostgresSessionLeases a = server("a");
        assertThat(a.take(S)).isTrue();

        a.release(S);

        assertThat(a.holds(S)).isFalse();
        assertThat(a.abandoned()).isEmpty();
    }

    @Test
    void aSessionConfirmedOnABusyServerGoesToTheIdleOneWhichHearsOfItAndRunsIt() {
        PostgresSessionLeases busy = server("busy");
        PostgresSessionLeases idle = server("idle");
        busy.publishLoad(() -> 12, 12);
        idle.publishLoad(() -> 0, 12);
        List<SessionId> placedOnIdle = new CopyOnWriteArrayList<>();
        idle.onPlacedHere(placedOnIdle::add);
        log.onPlacement(idle::placed);

        assertThat(busy.place(S)).as("the busy server does not run it").isFalse();

        SharedEventLogTest.waitUntil(() -> placedOnIdle.contains(S));
        assertThat(idle.place(S)).as("placed on it, the idle server takes it").isTrue();
        assertThat(idle.holds(S)).isTrue();
        assertThat(busy.holds(S)).isFalse();
        assertThat(busy.placements()).isEqualTo(1);
        assertThat(idle.moves()).as("a handover at confirm is no takeover").isZero();
    }

    @Test
    void aForgedPlacementIsNotTakenButARealPlacementHeardAfterItIs() throws Exception {
        PostgresSessionLeases busy = server("busy");
        PostgresSessionLeases idle = server("idle");
        busy.publishLoad(() -> 12, 12);
        idle.publishLoad(() -> 0, 12);
        List<SessionId> placedOnIdle = new CopyOnWriteArrayList<>();
        idle.onPlacedHere(id -> {
            idle.place(id); // as the core claims what it is told was placed on it
            placedOnIdle.add(id); // only once claimed: the test waits on this list, then asks who holds it
        });
        log.onPlacement(idle::placed);
        SessionId pending = new SessionId("pending-session"); // analysed, not confirmed: nobody runs it yet
        assertThat(busy.take(S)).isTrue();

        // anyone who can connect may notify the channel, naming a server and any session
        notifyPlacement("pending-session idle");
        notifyPlacement("leased-session idle");
        SessionId real = new SessionId("really-placed");
        assertThat(busy.place(real)).as("placed on the idle server").isFalse();

        SharedEventLogTest.waitUntil(() -> placedOnIdle.contains(real));
        assertThat(placedOnIdle).as("only what the lease table places on it").containsExactly(real);
        assertThat(idle.holds(pending)).isFalse();
        assertThat(leaseOwners(pending)).as("a pending session stays unplaced").isEmpty();
        assertThat(leaseOwners(S)).containsExactly("busy");
        assertThat(idle.holds(real)).isTrue();
    }

    @Test
    void aBurstOfSessionsConfirmedOnOneServerSpreadsOverTheIdleServersBeforeTheirNextHeartbeat() {
        // heartbeats far apart: the spread must come from the sessions placed, not from loads published since
        List<PostgresSessionLeases> servers = Stream.of("a", "b", "c")
                .map(name -> {
                    PostgresSessionLeases leases =
                            new PostgresSessionLeases(log.database(), Duration.ofMinutes(5), name);
                    opened.add(0, leases);
                    return leases;
                })
                .toList();
        servers.forEach(s -> s.publishLoad(() -> 0, 12));
        assertThat(runnersOfThreeConfirmedOnTheFirst(servers)).containsExactlyInAnyOrder("a", "b", "c");
    }

    /**
     * A heartbeat of the server a session was placed on, sent before that server took the session, published a load
     * without it; the session's lease no longer counted either (it was placed before that heartbeat), so the server
     * looked idle and drew the next session too, while another server stood idle (a cluster test's timeout on CI).
     */
    @Test
    void aServerWhoseHeartbeatCameBetweenAPlacementAndItsTakeStillCountsTheSessionPlacedOnIt() {
        List<PostgresSessionLeases> servers = Stream.of("a", "b", "c")
                .map(name -> server(name, Duration.ofMinutes(5)))
                .toList();
        PostgresSessionLeases a = servers.getFirst();
        java.util.concurrent.atomic.AtomicInteger wantedOnA = new java.util.concurrent.atomic.AtomicInteger();
        a.publishLoad(wantedOnA::get, 2);
        servers.get(1).publishLoad(() -> 0, 2);
        servers.get(2).publishLoad(() -> 0, 2);
        Map<SessionId, String> runner = new ConcurrentHashMap<>();
        log.onPlacement((id, owner) -> runner.put(id, owner));

        assertThat(a.place(new SessionId("s1")))
                .as("all idle: the first stays where it was confirmed")
                .isTrue();
        wantedOnA.set(2);
        assertThat(a.place(new SessionId("s2"))).isFalse();
        SharedEventLogTest.waitUntil(() -> runner.containsKey(new SessionId("s2")));
        assertThat(runner).containsEntry(new SessionId("s2"), "b");

        servers.get(1).publishLoad(() -> 0, 2); // b's heartbeat, before it has taken s2
        assertThat(a.place(new SessionId("s3"))).isFalse();
        SharedEventLogTest.waitUntil(() -> runner.containsKey(new SessionId("s3")));

        assertThat(runner).as("b has s2 to take, c nothing").containsEntry(new SessionId("s3"), "c");
    }

    /**
     * The sessions a server row says its load accounts for are hostile data like the rest of the row: a NULL among
     * them made {@code <> all(counted)} NULL for every lease, so no session placed on that server counted, and it drew
     * the whole burst while another server stood idle.
     */
    @Test
    void aServerRowCountingANullSessionStillCountsEachSessionPlacedOnIt() throws Exception {
        List<PostgresSessionLeases> servers = Stream.of("a", "b", "c")
                .map(name -> server(name, Duration.ofMinutes(5)))
                .toList();
        servers.forEach(s -> s.publishLoad(() -> 0, 12));
        write("update canvas_batch_servers set counted = '{NULL}' where owner = 'b'");
        assertThat(runnersOfThreeConfirmedOnTheFirst(servers)).containsExactlyInAnyOrder("a", "b", "c");
    }

    /**
     * A lease that holds nothing is no work on its server: a finished session's lease its server could not give back
     * (SessionBook.giveLeaseBack: "it runs out by itself"), once run out, and a row no server of this build wrote (it
     * runs out later than any lease; not a well-formed session id, so abandoned() skips it and no server ever places it
     * elsewhere). Counted as a whole server's load, from the moment the server's heartbeat no longer named it, an idle
     * server looked full and the busy one kept the next batch.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(
            strings = {
                "('leased-session', 'a', now() - interval '1 millisecond', now() - interval '20 seconds')",
                "('not a session!', 'a', 'infinity', now())"
            })
    void aLeaseThatHoldsNothingDoesNotMakeItsIdleServerLookFull(String row) throws Exception {
        Duration lease = Duration.ofSeconds(10);
        PostgresSessionLeases a = server("a", lease);
        a.publishLoad(() -> 0, 12);
        PostgresSessionLeases b = server("b", lease);
        b.publishLoad(() -> 6, 12);
        write("insert into canvas_batch_leases (session_id, owner, expires_at, taken_at) values " + row);
        a.publishLoad(() -> 0, 12); // a's heartbeat: it holds nothing

        SessionId next = new SessionId("next-batch");
        assertThat(b.place(next)).as("a is idle, b half busy: a runs it").isFalse();
        assertThat(leaseOwners(next)).containsExactly("a");
    }

    @Test
    void aDeadServersSessionGoesToTheLeastLoadedSurvivorWhichCountsTheMoveOnce() {
        PostgresSessionLeases dead = server("dead");
        PostgresSessionLeases busy = server("busy");
        PostgresSessionLeases idle = server("idle");
        busy.publishLoad(() -> 10, 12);
        idle.publishLoad(() -> 1, 12);
        assertThat(dead.take(S)).isTrue();
        dead.stopRenewing();
        SharedEventLogTest.waitUntil(() -> busy.abandoned().contains(S));

        assertThat(busy.place(S)).isFalse();
        assertThat(idle.abandoned())
                .as("placed on it: found even without the notification")
                .contains(S);
        assertThat(idle.place(S)).isTrue();

        assertThat(busy.moves() + idle.moves()).isEqualTo(1);
        assertThat(idle.moves()).isEqualTo(1);
    }

    /**
     * The longest lease a server may be given, read a moment later than it was written: a renewal committed after the
     * reader's transaction began (READ COMMITTED reads the newest row version), or the database's clock stepped back a
     * little. Rows "too far ahead" were cut off at exactly the longest lease, so such a live lease read as a hostile
     * row, and another server took the session while its owner still held it: one session on two servers.
     */
    @Test
    void theLongestLeaseReadAMomentAheadOfTheLongestIsStillHeldAgainstAnotherServer() throws Exception {
        PostgresSessionLeases a = server("a", PostgresSessionLeases.LONGEST_LEASE);
        PostgresSessionLeases b = server("b", PostgresSessionLeases.LONGEST_LEASE);
        assertThat(a.take(S)).isTrue();

        write("update canvas_batch_leases set expires_at = expires_at + interval '2 seconds'");

        assertThat(b.abandoned()).as("a live lease").doesNotContain(S);
        assertThat(b.take(S)).as("a live lease").isFalse();
        assertThat(a.holds(S)).isTrue();
    }

    /**
     * The database is gone for longer than a lease while this server runs a session: it must stop dispatching it, but
     * it still has the session's calls in flight. It forgot it had taken the lease, so once the database was back its
     * own expired row, abandoned, was claimed here like another server's: the session taken over from itself, its calls
     * in flight queued again and sent to the model a second time (what a late renewal no longer does, 6ebafd2). Nobody
     * else took it meanwhile, so its renewal makes it hold the lease again.
     */
    @Test
    void aServerThatCouldNotRenewForAWholeLeaseNeverTakesItsOwnSessionOverAndHoldsItAgainOnceTheDatabaseIsBack()
            throws Exception {
        Duration lease = Duration.ofSeconds(2);
        PostgresSessionLeases a = server("a", lease);
        assertThat(a.take(S)).isTrue();

        try (CapturedLogs logs = CapturedLogs.of(PostgresSessionLeases.class.getName())) {
            server.stopProcess();
            try {
                // a whole lease passes without a renewal, as the server itself says: waited for, not slept through
                SharedEventLogTest.waitUntil(() -> !a.holds(S)
                        && logs.visibleLines().stream().anyMatch(line -> line.contains("for a whole lease time")));
                assertThat(a.holds(S))
                        .as("not dispatched while its lease cannot be renewed")
                        .isFalse();
                assertThat(a.taken(S)).as("its calls are still in flight here").isTrue();
            } finally {
                server.startProcess();
            }
            // its expired row is listed as abandoned, but a session taken here is not claimed here again (SessionBook)
            assertThat(a.taken(S)).as("taken here, once the database is back").isTrue();
            SharedEventLogTest.waitUntil(() -> a.holds(S));

            // what the operator read: the outage's first failure, the lapse, the database's return; one line each
            assertThat(logs.visibleLines())
                    .hasSize(3)
                    .satisfiesExactly(
                            first -> assertThat(first)
                                    .startsWith("WARNING")
                                    .contains("session leases: could not renew the leases (1 held here)"),
                            lapse -> assertThat(lapse).startsWith("WARNING").contains("for a whole lease time"),
                            back -> assertThat(back).startsWith("INFO").contains("could renew the leases again after"));
        }
    }

    @Test
    void aLeaseRowThatNeverExpiresIsTakenOverLikeAnyAbandonedOne() throws Exception {
        write("insert into canvas_batch_leases (session_id, owner, expires_at) values ('leased-session',"
                + " 'no-such-server', 'infinity')");
        PostgresSessionLeases a = server("a");

        assertThat(a.abandoned()).contains(S);
        assertThat(a.take(S)).isTrue();
    }

    @Test
    void aServerRowThatNeverAgesIsNoCandidateForTheSessionsPlaced() throws Exception {
        write("insert into canvas_batch_servers (owner, running, concurrency, seen_at)"
                + " values ('never-ages', 0, 12, 'infinity')");
        PostgresSessionLeases a = server("a");
        a.publishLoad(() -> 1, 12);

        assertThat(a.place(S))
                .as("no server has been seen in the future: a runs it")
                .isTrue();
    }

    @Test
    void aServerRowClaimingLessThanNoLoadDoesNotDrawTheSessionsOfAnIdleServer() throws Exception {
        write("insert into canvas_batch_servers (owner, running, concurrency, seen_at)"
                + " values ('negative', -1000, 12, now())");
        PostgresSessionLeases a = server("a");
        a.publishLoad(() -> 0, 12);

        assertThat(a.place(S)).as("idle is as idle as it gets: a runs it").isTrue();
    }

    @Test
    void aServerRowClaimingMoreConcurrencyThanAnyServerMayHaveDoesNotDrawTheSessions() throws Exception {
        // --concurrency is at most 200: a row of two billion slots was written by no server of this build, and would
        // look idle however busy it is
        write("insert into canvas_batch_servers (owner, running, concurrency, seen_at)"
                + " values ('boundless', 1000, 2000000000, now())");
        PostgresSessionLeases a = server("a");
        a.publishLoad(() -> 6, 12);

        assertThat(a.place(S)).as("a runs it").isTrue();
    }

    @Test
    void aServerThatLetTheLeaseOfASessionPlacedOnItExpireIsNotGivenItAgain() throws Exception {
        // a live server (it keeps publishing its load) that never takes what is placed on it: a buggy version
        write("insert into canvas_batch_servers (owner, running, concurrency, seen_at) values ('deaf', 0, 12, now())");
        PostgresSessionLeases a = server("a");
        a.publishLoad(() -> 6, 12);
        assertThat(a.place(S)).as("placed on the idle-looking deaf server").isFalse();
        SharedEventLogTest.waitUntil(() -> a.abandoned().contains(S));

        write("update canvas_batch_servers set seen_at = now() where owner = 'deaf'");

        assertThat(a.place(S)).as("the deaf server had its chance: a runs it").isTrue();
    }

    /**
     * Two live servers that never take what is placed on them (two nodes of a broken build): only the server that let
     * the lease run out last was passed over, so the session went from one to the other and back, a lease each time,
     * while the busy but healthy server never ran it.
     */
    @Test
    void twoServersThatNeverTakeWhatIsPlacedOnThemDoNotDrawASessionBackAndForth() throws Exception {
        write("insert into canvas_batch_servers (owner, running, concurrency, seen_at) values"
                + " ('deaf-1', 0, 12, now()), ('deaf-2', 0, 12, now())");
        PostgresSessionLeases a = server("a", Duration.ofSeconds(10));
        a.publishLoad(() -> 6, 12);
        List<String> placedOn = new ArrayList<>();
        for (int placement = 0; placement < 3; placement++) {
            // the deaf servers keep publishing a load of none; the lease placed on one of them runs out untaken
            write("update canvas_batch_servers set seen_at = now() where owner like 'deaf-%'");
            a.place(S);
            placedOn.add(leaseOwners(S).getFirst());
            write("update canvas_batch_leases set expires_at = now() - interval '1 millisecond'"
                    + " where owner like 'deaf-%'");
        }

        assertThat(placedOn)
                .as("each deaf server had its chance, then a runs it")
                .containsExactly("deaf-1", "deaf-2", "a");
        assertThat(a.holds(S)).isTrue();
    }

    /** No server of this build passes another over for longer than ten leases of ten minutes: a row that says so lies. */
    @Test
    void aPassOverFurtherAheadThanAnyServerWritesHoldsNothing() throws Exception {
        write("insert into canvas_batch_servers (owner, running, concurrency, seen_at, passed_over_until) values"
                + " ('forever-passed-over', 0, 12, now(), 'infinity')");
        PostgresSessionLeases a = server("a", Duration.ofSeconds(10));
        a.publishLoad(() -> 6, 12);

        assertThat(a.place(S)).as("placed on the idle server").isFalse();
        assertThat(leaseOwners(S)).containsExactly("forever-passed-over");
    }

    @Test
    void aServerPassedOverLongAgoIsACandidateAgain() throws Exception {
        write("insert into canvas_batch_servers (owner, running, concurrency, seen_at, passed_over_until) values"
                + " ('recovered', 0, 12, now(), now() - interval '1 second')");
        PostgresSessionLeases a = server("a", Duration.ofSeconds(10));
        a.publishLoad(() -> 6, 12);

        assertThat(a.place(S)).as("placed on the idle server").isFalse();
        assertThat(leaseOwners(S)).containsExactly("recovered");
    }

    /**
     * The pass-over is a data-modifying statement beside the placement's upsert, and its look at the lapsed lease is of
     * the statement's snapshot. A placement that found a's lease run out while a's late renewal (a database blip, a
     * pause) was being committed loses the session to that renewal (a runs it on): it must not pass a over (it did, in
     * the first version of the pass-over).
     */
    @Test
    void aPlacementThatLosesTheSessionToItsHoldersLateRenewalDoesNotPassTheHolderOver() throws Exception {
        Duration lease = Duration.ofSeconds(10);
        PostgresSessionLeases a = server("a", lease);
        a.publishLoad(() -> 0, 12);
        assertThat(a.take(S)).isTrue();
        PostgresSessionLeases b = server("b", lease);
        b.publishLoad(() -> 6, 12);
        write("update canvas_batch_leases set expires_at = now() - interval '1 millisecond' where owner = 'a'");

        ExecutorService placing = Executors.newSingleThreadExecutor();
        try (java.sql.Connection renewal = log.database().open()) {
            // a's renewal under way: the same statement as renew(), not yet committed
            renewal.setAutoCommit(false);
            try (java.sql.PreparedStatement update = renewal.prepareStatement("update canvas_batch_leases"
                    + " set expires_at = now() + interval '10 seconds' where owner = 'a' and session_id = ?")) {
                update.setString(1, S.value());
                assertThat(update.executeUpdate()).isEqualTo(1);
            }
            Future<Boolean> placed = placing.submit(() -> b.place(S));
            SharedEventLogTest.waitUntil(this::aStatementWaitsForALock);
            renewal.commit();

            assertThat(placed.get(10, TimeUnit.SECONDS))
                    .as("a's renewal came first: b places nothing")
                    .isFalse();
        } finally {
            placing.shutdownNow();
        }
        assertThat(leaseOwners(S)).containsExactly("a");
        assertThat(passedOver("a"))
                .as("a renewed its lease and runs the session: it let nothing run out")
                .isFalse();
    }

    /**
     * A finished session whose lease could not be given back (SessionBook.giveLeaseBack: "it runs out by itself") is
     * found abandoned by another server, which places it: the healthy server that ran it (and renewed its lease) is not
     * passed over. The first version of the pass-over passed it over for ten leases.
     */
    @Test
    void aServerWhoseFinishedSessionsLeaseRanOutBecauseItsReleaseFailedIsNotPassedOver() throws Exception {
        Duration lease = Duration.ofSeconds(10);
        PostgresSessionLeases a = server("a", lease);
        a.publishLoad(() -> 0, 12);
        PostgresSessionLeases b = server("b", lease);
        b.publishLoad(() -> 6, 12);
        // a ran S to its end; its release failed (a blip), so the lease ran out by itself as designed
        write("insert into canvas_batch_leases (session_id, owner, expires_at, taken_at)"
                + " values ('leased-session', 'a', now() - interval '1 millisecond', now() - interval '20 seconds')");
        assertThat(b.abandoned()).contains(S);

        b.place(S);

        assertThat(passedOver("a"))
                .as("a is healthy: it finished the session, only its release failed")
                .isFalse();
    }

    /**
     * A statement that keeps failing for a reason of its own (here a constraint refuses this server's row: a revoked
     * grant, a trigger, a statement timeout do the same) while the renewals succeed is one WARNING line. With one
     * Outage for all the leases' statements (99b9b34) it was a WARNING at every heartbeat, each followed by a false
     * "the database answers again".
     */
    @Test
    void oneStatementThatKeepsFailingWhileTheOthersSucceedIsToldOnceAndNoRecoveryIsClaimed() throws Exception {
        PostgresSessionLeases a = server("a", Duration.ofSeconds(30));
        assertThat(a.take(S)).isTrue();
        write("alter table canvas_batch_servers add constraint review_refuses_a check (owner <> 'a')");

        try (CapturedLogs logs = CapturedLogs.of(PostgresSessionLeases.class.getName())) {
            for (int beat = 0; beat < 5; beat++) {
                a.renew();
                a.publishLoad(() -> 0, 12); // publishes at once, as every heartbeat does after the renewal
            }
            assertThat(a.holds(S)).isTrue();

            assertThat(logs.visibleLines())
                    .as("the one failing statement told once; the database never went away")
                    .hasSize(1)
                    .allSatisfy(line -> assertThat(line).startsWith("WARNING").contains("publish"));
        }
    }

    private boolean aStatementWaitsForALock() {
        try {
            return log.database().withConnection(connection -> {
                try (java.sql.Statement select = connection.createStatement();
                        java.sql.ResultSet row = select.executeQuery("select count(*) from pg_stat_activity"
                                + " where datname = current_database() and wait_event_type = 'Lock'")) {
                    return row.next() && row.getInt(1) > 0;
                }
            });
        } catch (java.sql.SQLException e) {
            throw new AssertionError(e);
        }
    }

    private boolean passedOver(String owner) throws java.sql.SQLException {
        return log.database().withConnection(connection -> {
            try (java.sql.PreparedStatement select = connection.prepareStatement("select coalesce(bool_or("
                    + "passed_over_until > now()), false) from canvas_batch_servers where owner = ?")) {
                select.setString(1, owner);
                try (java.sql.ResultSet row = select.executeQuery()) {
                    return row.next() && row.getBoolean(1);
                }
            }
        });
    }

    private void notifyPlacement(String payload) throws java.sql.SQLException {
        log.database().withConnection(connection -> {
            try (java.sql.PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
                notify.setString(1, Notifications.PLACEMENTS);
                notify.setString(2, payload);
                return notify.execute();
            }
        });
    }

    private List<String> leaseOwners(SessionId id) throws java.sql.SQLException {
        return log.database().withConnection(connection -> {
            try (java.sql.PreparedStatement select =
                    connection.prepareStatement("select owner from canvas_batch_leases where session_id = ?")) {
                select.setString(1, id.value());
                List<String> owners = new ArrayList<>();
                try (java.sql.ResultSet rows = select.executeQuery()) {
                    while (rows.next()) {
                        owners.add(rows.getString(1));
                    }
                }
                return owners;
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
}
