package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.LongStream;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.canvasbatch.adapters.journal.postgres.LocalPostgres;
import org.canvasbatch.adapters.journal.postgres.PostgresLocation;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/**
 * Cluster mode with real processes: several {@code serve} processes on one PostgreSQL database and one vault, a fake
 * model that counts every call, and a real WebSocket client on a server other than the one running the batch.
 */
@ExtendWith(LocalPostgres.class)
class ClusterProcessTest {

    private static final String EXAM = "Exam Prep/期末复习-170.canvas";
    private static final String SMALL = "CS/Data Structures.canvas";
    private static final int NODES = 145;
    private static final int CONCURRENCY = 12;
    private static final Duration PATIENCE = Duration.ofSeconds(90);

    @TempDir
    Path temp;

    private final LocalPostgres.Server postgres;
    private final HttpClient http = HttpClient.newHttpClient();
    private final List<Process> started = new ArrayList<>();

    ClusterProcessTest(LocalPostgres.Server postgres) {
        this.postgres = postgres;
    }

    @AfterEach
    void stopProcesses() throws InterruptedException {
        ServeProcess.stopAll(started);
    }

    @Test
    void aBatchAnalysedOnOneServerAndConfirmedOnAnotherIsWatchedLiveFromTheFirstAndAnsweredForByBoth()
            throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        String data = postgres.newDatabase().toString();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(100), Reply.echo()));
            int a = freePort();
            int b = freePort();
            serve(vault, data, a, llm, "a");
            serve(vault, data, b, llm, "b");

            JsonObject analysis = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + EXAM + "\"}");
            String session = analysis.getString("session_id");
            TestSocket watcherOnA = TestSocket.connect(socketUrl(a, session, null));
            watcherOnA.await(m -> m.getString("type").equals("snapshot"), PATIENCE);
            assertThat(get(b, "/canvas/intelligent-parallel/" + session).getString("status"))
                    .as("the other server knows the session it did not analyse")
                    .isEqualTo("pending");

            post(b, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");

            watcherOnA.await(m -> m.getString("type").equals("session_completed"), PATIENCE);
            assertThat(watcherOnA.awaitEnd(PATIENCE)).isEqualTo(1000);
            List<Long> seqs = watcherOnA.primarySeqs();
            assertThat(seqs)
                    .as("every event of the batch run by B, once, in order, on A's socket")
                    .containsExactlyElementsOf(LongStream.rangeClosed(seqs.getFirst(), seqs.getLast())
                            .boxed()
                            .toList());
            assertThat(seqs.getFirst()).isEqualTo(2);
            assertThat(succeededNodes(watcherOnA.messages())).hasSize(NODES);
            for (int port : List.of(a, b)) {
                JsonObject status = get(port, "/canvas/intelligent-parallel/" + session);
                assertThat(status.getString("status")).isEqualTo("completed");
                assertThat(status.getInt("completed_nodes")).isEqualTo(NODES);
            }
            assertThat(llm.calls())
                    .as("each node sent to the model once, by one server")
                    .isEqualTo(NODES);
            assertThat(notes(vault)).isEqualTo(NODES);
        }
    }

    @Test
    void batchesConfirmedOnOneServerSpreadOverTheIdleServersWhichAllListEveryBatchAndKeepTheConfiguredLease()
            throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        PostgresLocation location = postgres.newDatabase();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            // slow calls: each batch keeps its server's two slots busy for the whole test, however long a slow machine
            // takes to place and take the batches (with 5 s, the smallest batch's first round could end first, and the
            // test waited for a moment that had passed)
            llm.defaultReply(Reply.delayed(Duration.ofSeconds(60), Reply.echo()));
            List<Integer> ports = List.of(freePort(), freePort(), freePort());
            // 8 s: told apart from the default 10 s, and long enough for a loaded machine's fresh server to take a
            // batch placed on it before the lease runs out (one that does not is passed over, as a broken server)
            for (int i = 0; i < ports.size(); i++) {
                serve(vault, location.toString(), ports.get(i), llm, "s" + i, 2, List.of("--cluster-lease", "8s"));
            }
            int a = ports.getFirst();
            List<String> sessions = new ArrayList<>();
            for (String canvas : List.of(SMALL, "数学/离散数学.canvas", "数学/线性代数.canvas")) {
                sessions.add(post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + canvas + "\"}")
                        .getString("session_id"));
            }
            for (String session : sessions) {
                post(a, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");
            }

            awaitCondition(
                    () -> {
                        try {
                            for (int port : ports) {
                                if (metric(port, "canvasbatch_cluster_sessions_held") != 1
                                        || metric(port, "canvasbatch_agent_calls_in_flight") != 2) {
                                    return false;
                                }
                            }
                            return true;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "each of the three servers runs one of the three batches confirmed on the first, with both its"
                            + " slots busy",
                    () -> describeServers(ports, List.of("s0", "s1", "s2")));
            assertThat(metric(a, "canvasbatch_cluster_placements_total"))
                    .as("the first server handed two batches on")
                    .isEqualTo(2);
            for (int port : ports) {
                List<String> listed = get(port, "/canvas/intelligent-parallel")
                        .getJsonArray("sessions")
                        .getValuesAs(JsonObject.class)
                        .stream()
                        .map(session -> session.getString("session_id"))
                        .toList();
                assertThat(listed)
                        .as("the dashboard of every server lists the cluster's batches, not only its own")
                        .containsExactlyInAnyOrderElementsOf(sessions);
            }
            try (Connection connection = postgres.connect(location.database());
                    Statement statement = connection.createStatement();
                    ResultSet leases = statement.executeQuery(
                            "select extract(epoch from expires_at - now()) from canvas_batch_leases")) {
                int count = 0;
                while (leases.next()) {
                    count++;
                    assertThat(leases.getDouble(1))
                            .as("a lease runs out at most --cluster-lease after its last renewal")
                            .isPositive()
                            .isLessThanOrEqualTo(8.0);
                }
                assertThat(count).isEqualTo(3);
            }
        }
    }

    @Test
    void twoServersOfTwelveKeepToAClusterLimitOfFiveCallsAndAKilledServersPermitsComeBack() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        String data = postgres.newDatabase().toString();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(300), Reply.echo()));
            int a = freePort();
            int b = freePort();
            // renewed every third of it: a renewal would have to be 4 s late on a loaded machine for a permit to lapse
            List<String> limited = List.of("--cluster-provider-limit", "5", "--cluster-lease", "6s");
            Process first = serve(vault, data, a, llm, "a", CONCURRENCY, limited);
            serve(vault, data, b, llm, "b", CONCURRENCY, limited);
            List<String> sessions = new ArrayList<>();
            for (String canvas : List.of(EXAM, "Grouping/sciences-grid.canvas")) {
                sessions.add(post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + canvas + "\"}")
                        .getString("session_id"));
            }
            for (String session : sessions) {
                post(a, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");
            }
            awaitCondition(
                    () -> {
                        try {
                            return metric(a, "canvasbatch_cluster_sessions_held") == 1
                                    && metric(b, "canvasbatch_cluster_sessions_held") == 1;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "one batch on each server, each wanting twelve calls at once");
            assertThat(llm.awaitCalls(30, PATIENCE)).isTrue();

            // killed while its calls hold permits: they are never given back, only their lease runs out
            first.destroyForcibly();
            assertThat(first.waitFor(20, TimeUnit.SECONDS)).isTrue();

            for (String session : sessions) {
                assertThat(awaitEnd(b, session).getString("status"))
                        .as("the survivor finishes both batches: the dead server's permits came back")
                        .isEqualTo("completed");
            }
            assertThat(llm.mostCallsAtOnce())
                    .as("24 slots over two servers, never more than the cluster's 5 calls at the model")
                    .isEqualTo(5);
        }
    }

    @Test
    void aServerIsNotReadyWhileTheDatabaseIsDownAndReadyAgainWhenItIsBack() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        PostgresLocation location = postgres.newDatabase();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            int port = freePort();
            serve(vault, location.toString(), port, llm, "a");
            assertThat(send(port, "/health/ready").statusCode()).isEqualTo(200);

            postgres.stopProcess();
            try {
                HttpResponse<String> down = send(port, "/health/ready");
                assertThat(down.statusCode()).isEqualTo(503);
                assertThat(down.body()).contains("DOWN").contains(location.database());
            } finally {
                postgres.startProcess();
            }
            awaitCondition(
                    () -> {
                        try {
                            return send(port, "/health/ready").statusCode() == 200;
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "ready again once the database is back");
        }
    }

    @Test
    void whenTheServerRunningABatchIsKilledAnotherTakesItOverAndASocketElsewhereSeesEveryEventOnce() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        String data = postgres.newDatabase().toString();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(150), Reply.echo()));
            int a = freePort();
            int b = freePort();
            int c = freePort();
            // the server killed writes its canvas's first link at once, then none for a minute: every later node it
            // finishes is still unlinked when it is killed
            Process runner = ServeProcess.start(
                    temp.resolve("a.log"),
                    PATIENCE,
                    serveArguments(vault, data, a, llm, CONCURRENCY),
                    java.util.Map.of("CANVASBATCH_WRITE_BACK_COALESCE_INTERVAL", "1m"));
            started.add(runner);
            serve(vault, data, b, llm, "b");
            serve(vault, data, c, llm, "c");
            JsonObject analysis = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + EXAM + "\"}");
            String session = analysis.getString("session_id");
            TestSocket watcherOnB = TestSocket.connect(socketUrl(b, session, null));
            watcherOnB.await(m -> m.getString("type").equals("snapshot"), PATIENCE);
            post(a, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");
            assertThat(llm.awaitCalls(40, PATIENCE)).isTrue();

            runner.destroyForcibly(); // SIGKILL of the server running the batch
            assertThat(runner.waitFor(20, TimeUnit.SECONDS)).isTrue();
            Set<String> succeededBeforeKill = succeededNodes(watcherOnB.messages());

            watcherOnB.await(m -> m.getString("type").equals("session_completed"), PATIENCE);
            assertThat(watcherOnB.awaitEnd(PATIENCE))
                    .as("the socket on B outlives the server that ran the batch")
                    .isEqualTo(1000);
            List<Long> seqs = watcherOnB.primarySeqs();
            assertThat(seqs)
                    .as("every event once, in order, across the takeover")
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(2, seqs.getLast()).boxed().toList());
            assertThat(succeededNodes(watcherOnB.messages())).hasSize(NODES);
            for (int port : List.of(b, c)) {
                JsonObject status = get(port, "/canvas/intelligent-parallel/" + session);
                assertThat(status.getString("status")).isEqualTo("completed");
                assertThat(status.getInt("completed_nodes")).isEqualTo(NODES);
            }
            assertThat(notes(vault)).as("one note per node").isEqualTo(NODES);
            long linkDeadline = System.nanoTime() + PATIENCE.toNanos();
            while (linkedNotes(vault).size() < NODES && System.nanoTime() < linkDeadline) {
                // polled: the survivor writes its last links at most a coalesce interval after the batch ends
                java.util.concurrent.locks.LockSupport.parkNanos(
                        Duration.ofMillis(20).toNanos());
            }
            assertThat(linkedNotes(vault))
                    .as("every note linked into the canvas exactly once, those of the killed server too")
                    .hasSize(NODES)
                    .allSatisfy((note, links) -> assertThat(links).as(note).isEqualTo(1L));
            for (String node : succeededBeforeKill) {
                assertThat(llm.callsWithPrompt("<question>\n" + nodeText(vault, node) + "\n</question>"))
                        .as("node %s succeeded before the kill and was not sent to the model again", node)
                        .isEqualTo(1);
            }
            // only nodes still running at the kill are asked twice: every call follows its node's durable start, and
            // the survivor starts again only nodes whose outcome was not stored (calls in flight, and those whose model
            // had answered, their slot already given to the next node, how many depending on the machine's load)
            Map<String, Long> starts = watcherOnB.messages().stream()
                    .filter(m -> m.getString("type").equals("task_started"))
                    .collect(Collectors.groupingBy(
                            m -> m.getJsonObject("data").getString("node_id"), Collectors.counting()));
            assertThat(starts.values())
                    .as("a node is started again only by the takeover")
                    .allSatisfy(n -> assertThat(n).isBetween(1L, 2L));
            long chatCalls = llm.recordedCalls().stream()
                    .filter(call -> call.api().equals("openai"))
                    .count();
            assertThat(chatCalls)
                    .as("no model call without its node's start: only the nodes running at the kill were sent twice")
                    .isLessThanOrEqualTo(
                            starts.values().stream().mapToLong(Long::longValue).sum());
            assertThat(metric(b, "canvasbatch_cluster_lease_moves_total")
                            + metric(c, "canvasbatch_cluster_lease_moves_total"))
                    .as("one of the two survivors took the batch over")
                    .isEqualTo(1);
        }
    }

    @Test
    void aServerKilledRightAfterItsBatchCompletedHasItsLastLinksWrittenOnceByAnotherServer() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        String data = postgres.newDatabase().toString();
        List<String> shortLease = List.of("--cluster-lease", "2s");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.echo());
            int a = freePort();
            int b = freePort();
            // after its canvas's first link the killed server writes none for a minute: when its batch completes,
            // almost every note is on disk and only in its ledger
            List<String> runnerArguments = serveArguments(vault, data, a, llm, CONCURRENCY);
            runnerArguments.addAll(shortLease);
            Process runner = ServeProcess.start(
                    temp.resolve("a.log"),
                    PATIENCE,
                    runnerArguments,
                    java.util.Map.of("CANVASBATCH_WRITE_BACK_COALESCE_INTERVAL", "1m"));
            started.add(runner);
            JsonObject analysis = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + EXAM + "\"}");
            String session = analysis.getString("session_id");
            TestSocket watcher = TestSocket.connect(socketUrl(a, session, null));
            watcher.await(m -> m.getString("type").equals("snapshot"), PATIENCE);
            post(a, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");
            watcher.await(m -> m.getString("type").equals("session_completed"), PATIENCE);

            runner.destroyForcibly(); // SIGKILL within the coalesce interval after the batch's last event
            assertThat(runner.waitFor(20, TimeUnit.SECONDS)).isTrue();
            assertThat(notes(vault)).as("one note per node").isEqualTo(NODES);
            assertThat(linkedNotes(vault).size())
                    .as("the killed server's last links were never written")
                    .isLessThan(NODES);

            serve(vault, data, b, llm, "b", CONCURRENCY, shortLease);
            long linkDeadline = System.nanoTime() + PATIENCE.toNanos();
            while (linkedNotes(vault).size() < NODES && System.nanoTime() < linkDeadline) {
                // polled: B finds A stopped a lease after A's last heartbeat, then writes the links A left
                java.util.concurrent.locks.LockSupport.parkNanos(
                        Duration.ofMillis(20).toNanos());
            }
            assertThat(linkedNotes(vault))
                    .as("every note linked into the canvas exactly once, by the server that survived")
                    .hasSize(NODES)
                    .allSatisfy((note, links) -> assertThat(links).as(note).isEqualTo(1L));
            assertThat(llm.calls()).as("no node sent to the model again").isEqualTo(NODES);
            awaitCondition(
                    () -> ledgers(vault).isEmpty(), "the killed server's ledger adopted, and nothing waits any more");
        }
    }

    @Test
    void aCancelSentToAnotherServerStopsTheCallsOfTheServerRunningTheBatch() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        String data = postgres.newDatabase().toString();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.hang());
            int a = freePort();
            int b = freePort();
            serve(vault, data, a, llm, "a");
            serve(vault, data, b, llm, "b");
            JsonObject analysis = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + EXAM + "\"}");
            String session = analysis.getString("session_id");
            post(a, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");
            assertThat(llm.awaitCalls(CONCURRENCY, PATIENCE)).isTrue();
            TestSocket watcherOnB = TestSocket.connect(socketUrl(b, session, null));
            watcherOnB.await(m -> m.getString("type").equals("snapshot"), PATIENCE);

            post(b, "/canvas/intelligent-parallel/pause/" + session, "{}");
            assertThat(get(a, "/canvas/intelligent-parallel/" + session).getString("state"))
                    .isEqualTo("paused");
            post(b, "/canvas/intelligent-parallel/cancel/" + session, "{}");

            watcherOnB.await(m -> m.getString("type").equals("session_completed"), PATIENCE);
            JsonObject status = get(a, "/canvas/intelligent-parallel/" + session);
            assertThat(status.getString("state")).isEqualTo("cancelled");
            assertThat(llm.calls()).as("nothing was started after the pause").isEqualTo(CONCURRENCY);

            // A's twelve slots were all taken by calls the model never answers: a next batch on A can only run if the
            // cancel sent to B reached A and interrupted them
            llm.defaultReply(Reply.echo());
            JsonObject next = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + SMALL + "\"}");
            post(
                    a,
                    "/canvas/intelligent-parallel/confirm",
                    "{\"session_id\": \"" + next.getString("session_id") + "\"}");
            awaitCondition(
                    () -> {
                        try {
                            return get(a, "/canvas/intelligent-parallel/" + next.getString("session_id"))
                                    .getString("status")
                                    .equals("completed");
                        } catch (Exception e) {
                            throw new IllegalStateException(e);
                        }
                    },
                    "the next batch on A completed");
        }
    }

    @Test
    void postgresRestartedMidBatchLosesNothingAndTheBatchFinishes() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        String data = postgres.newDatabase().toString();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(150), Reply.echo()));
            int a = freePort();
            int b = freePort();
            serve(vault, data, a, llm, "a");
            serve(vault, data, b, llm, "b");
            JsonObject analysis = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + EXAM + "\"}");
            String session = analysis.getString("session_id");
            post(a, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");
            assertThat(llm.awaitCalls(30, PATIENCE)).isTrue();
            // the learner's plugin, watching on the server that does not run the batch, through the restart
            TestSocket watcherOnB = TestSocket.connect(socketUrl(b, session, null));
            watcherOnB.await(m -> m.getString("type").equals("snapshot"), PATIENCE);

            postgres.stopProcess();
            try {
                awaitCondition(
                        () -> {
                            try {
                                return send(a, "/health/ready").statusCode() == 503;
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "A not ready while the database is down");
            } finally {
                postgres.startProcess();
            }

            JsonObject status = awaitEnd(b, session);
            assertThat(status.getString("status")).isEqualTo("completed");
            assertThat(status.getInt("completed_nodes")).isEqualTo(NODES);
            watcherOnB.await(m -> m.getString("type").equals("session_completed"), PATIENCE);
            List<Long> live = watcherOnB.primarySeqs();
            assertThat(live)
                    .as("the live watcher saw every event after its snapshot once, in order, across the restart")
                    .containsExactlyElementsOf(LongStream.rangeClosed(live.getFirst(), live.getLast())
                            .boxed()
                            .toList());
            for (int port : List.of(a, b)) {
                awaitCondition(
                        () -> {
                            try {
                                return send(port, "/health/ready").statusCode() == 200;
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        },
                        "each server ready again once the database is back");
            }
            TestSocket replay = TestSocket.connect(socketUrl(b, session, 0L));
            replay.await(m -> m.getString("type").equals("session_completed"), PATIENCE);
            List<Long> seqs = replay.primarySeqs();
            assertThat(seqs)
                    .as("the stored history has every seq once, without a gap")
                    .containsExactlyElementsOf(
                            LongStream.rangeClosed(1, seqs.getLast()).boxed().toList());
            assertThat(notes(vault)).isEqualTo(NODES);
            // outcomes made while the database was down are held by the running server, not asked for again; only a
            // lease lost to an outage longer than the lease would send the calls then in flight once more
            assertThat(llm.calls()).isLessThanOrEqualTo(NODES + CONCURRENCY);
        }
    }

    @Test
    void aSessionWhoseHistoryAnotherServerDamagedStaysAloneInItsTroubleWhileTheServerRunsTheOthers() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        PostgresLocation location = postgres.newDatabase();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(50), Reply.echo()));
            int a = freePort();
            serve(vault, location.toString(), a, llm, "a");
            String damaged = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + SMALL + "\"}")
                    .getString("session_id");
            // the next event of the session, as a newer (or buggy) server of the cluster wrote it: unreadable here
            try (Connection connection = postgres.connect(location.database());
                    java.sql.PreparedStatement insert = connection.prepareStatement("insert into canvas_batch_events"
                            + " (session_id, seq, event_type, recorded_at, body) values (?, 2, 'FromANewerServer', now(),"
                            + " convert_to('{\"type\": \"from_a_newer_server\"}', 'UTF8'))")) {
                insert.setString(1, damaged);
                insert.executeUpdate();
            }

            HttpResponse<String> confirmDamaged =
                    send(a, "POST", "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + damaged + "\"}");
            assertThat(confirmDamaged.statusCode()).as(confirmDamaged.body()).isNotEqualTo(500);
            assertThat(confirmDamaged.body()).contains("damaged");
            JsonObject status = get(a, "/canvas/intelligent-parallel/" + damaged);
            assertThat(status.getString("status"))
                    .as("the batch did not start, and its status does not pretend it runs")
                    .isEqualTo("pending");
            assertThat(status.getString("history_damage")).contains("event 2");
            assertThat(send(a, "/health/ready").statusCode())
                    .as("one damaged session does not take the server out of its load balancer")
                    .isEqualTo(200);

            String healthy = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"数学/离散数学.canvas\"}")
                    .getString("session_id");
            post(a, "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + healthy + "\"}");
            assertThat(awaitEnd(a, healthy).getString("status"))
                    .as("the other batches of the server are not held back by one damaged session")
                    .isEqualTo("completed");
        }
    }

    @Test
    void theDatabasePasswordIsShownOnNoSurfaceAServerHasWhetherTheDatabaseIsUpDownOrNeverReached() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        PostgresLocation location = postgres.newDatabase();
        String password = "Pw-" + java.util.UUID.randomUUID(); // the test's database trusts every password
        String data = "postgresql://" + location.user() + ":" + password + "@" + location.host() + ":" + location.port()
                + "/" + location.database();
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            int a = freePort();
            serve(vault, data, a, llm, "a");
            String session = post(a, "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + SMALL + "\"}")
                    .getString("session_id");
            List<String> shown = new ArrayList<>();
            for (String path :
                    List.of("/health/ready", "/health", "/metrics", "/dashboard", "/canvas/intelligent-parallel")) {
                shown.add(send(a, path).body());
            }
            String whileDown;
            postgres.stopProcess();
            try {
                whileDown = send(a, "/health/ready").body();
                shown.add(whileDown);
                shown.add(send(a, "/canvas/intelligent-parallel/" + java.util.UUID.randomUUID())
                        .body());
                shown.add(
                        send(a, "POST", "/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}")
                                .body());
                shown.add(send(a, "/metrics").body());
            } finally {
                postgres.startProcess();
            }
            int closedPort = freePort();
            Process unreachable = new ProcessBuilder(List.of(
                            ProcessHandle.current().info().command().orElse("java"),
                            "-cp",
                            System.getProperty("java.class.path"),
                            Main.class.getName(),
                            "serve",
                            "--port",
                            String.valueOf(freePort()),
                            "--vault",
                            vault.toString(),
                            "--data",
                            "postgresql://" + location.user() + ":" + password + "@127.0.0.1:" + closedPort + "/db"))
                    .redirectErrorStream(true)
                    .start();
            started.add(unreachable);
            String refusal =
                    new String(unreachable.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            assertThat(unreachable.waitFor(60, TimeUnit.SECONDS)).isTrue();
            shown.add(refusal);
            shown.add(Files.readString(temp.resolve("a.log")));

            assertThat(whileDown)
                    .as("the location is shown, without its password")
                    .contains(location.user() + ":***@");
            assertThat(refusal).contains(":***@");
            assertThat(shown).allSatisfy(text -> assertThat(text).doesNotContain(password));
        }
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    /**
     * Waits up to {@link #PATIENCE} until {@code condition} holds. Not {@code EventRecorder.awaitCondition}'s 20 s: what
     * these tests wait for happens in other processes (JVMs starting, placements, leases, a database coming back), and
     * a fresh 2-core CI machine running three servers and the build took longer than 20 s to place three batches.
     */
    private static void awaitCondition(java.util.function.BooleanSupplier condition, String what) {
        awaitCondition(condition, what, () -> "");
    }

    /** As above; on a timeout the message ends with what {@code seen} tells of the servers then. */
    private static void awaitCondition(
            java.util.function.BooleanSupplier condition, String what, java.util.function.Supplier<String> seen) {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError(
                        "timed out after " + PATIENCE.toSeconds() + " s waiting until " + what + seen.get());
            }
            java.util.concurrent.locks.LockSupport.parkNanos(
                    Duration.ofMillis(20).toNanos());
        }
    }

    /** Polls the status until the batch has ended (the plugin's own fallback does the same). */
    private JsonObject awaitEnd(int port, String session) throws Exception {
        // a batch may wait for a dead server's lease before it runs on: longer than an ordinary wait's 20 s
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        JsonObject last = get(port, "/canvas/intelligent-parallel/" + session);
        while (!List.of("completed", "failed").contains(last.getString("status"))) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting until the batch ended: " + last);
            }
            Thread.sleep(50);
            last = get(port, "/canvas/intelligent-parallel/" + session);
        }
        return last;
    }

    private Process serve(Path vault, String data, int port, FakeLlmServer llm, String name) throws Exception {
        return serve(vault, data, port, llm, name, CONCURRENCY, List.of());
    }

    private Process serve(
            Path vault, String data, int port, FakeLlmServer llm, String name, int concurrency, List<String> more)
            throws Exception {
        List<String> args = serveArguments(vault, data, port, llm, concurrency);
        args.addAll(more);
        Process process = ServeProcess.start(temp.resolve(name + ".log"), PATIENCE, args);
        started.add(process);
        return process;
    }

    private static List<String> serveArguments(Path vault, String data, int port, FakeLlmServer llm, int concurrency) {
        List<String> args = new ArrayList<>(List.of(
                "--port",
                String.valueOf(port),
                "--vault",
                vault.toString(),
                "--data",
                data,
                "--concurrency",
                String.valueOf(concurrency),
                "--shutdown-grace",
                "5",
                "--model-provider",
                "openai",
                "--base-url",
                llm.openAiBaseUrl(),
                "--model",
                "fake-model"));
        return args;
    }

    private JsonObject post(int port, String path, String body) throws Exception {
        HttpResponse<String> response = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).as(response.body()).isBetween(200, 299);
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    private JsonObject get(int port, String path) throws Exception {
        HttpResponse<String> response = send(port, path);
        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        return Json.createReader(new StringReader(response.body())).readObject();
    }

    private HttpResponse<String> send(int port, String method, String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(int port, String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /**
     * What each server holds and runs, and the lines of its log about leases and placements: a cluster test that times
     * out on a CI machine can only be understood from these.
     */
    private String describeServers(List<Integer> ports, List<String> names) {
        StringBuilder seen = new StringBuilder();
        for (int i = 0; i < ports.size(); i++) {
            seen.append("\n").append(names.get(i)).append(':');
            try {
                for (String name : List.of(
                        "canvasbatch_cluster_sessions_held",
                        "canvasbatch_agent_calls_in_flight",
                        "canvasbatch_cluster_placements_total")) {
                    seen.append(' ').append(name).append('=').append(metric(ports.get(i), name));
                }
                try (Stream<String> lines = Files.lines(temp.resolve(names.get(i) + ".log"))) {
                    lines.filter(line -> line.contains("session") || line.contains("lease"))
                            .forEach(line -> seen.append("\n  ").append(line));
                }
            } catch (Exception e) {
                seen.append(' ').append(e);
            }
        }
        return seen.toString();
    }

    private double metric(int port, String name) throws Exception {
        return send(port, "/metrics")
                .body()
                .lines()
                .filter(line -> line.startsWith(name + " ") || line.startsWith(name + "{"))
                .mapToDouble(line -> Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1)))
                .sum();
    }

    private static String socketUrl(int port, String session, Long lastSeq) {
        return "ws://127.0.0.1:" + port + "/ws/intelligent-parallel/" + session
                + (lastSeq == null ? "" : "?last_seq=" + lastSeq);
    }

    private static Set<String> succeededNodes(List<JsonObject> messages) {
        Set<String> nodes = new HashSet<>();
        messages.stream()
                .filter(m -> m.getString("type").equals("task_completed"))
                .forEach(m -> nodes.add(m.getJsonObject("data").getString("node_id")));
        return nodes;
    }

    private static String nodeText(Path vault, String nodeId) throws IOException {
        JsonObject canvas = Json.createReader(new StringReader(Files.readString(vault.resolve(EXAM))))
                .readObject();
        return canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(n -> n.getString("id").equals(nodeId))
                .findFirst()
                .orElseThrow()
                .getString("text");
    }

    private static long notes(Path vault) throws IOException {
        try (Stream<Path> notes = Files.list(vault.resolve("Exam Prep/期末复习-170-notes"))) {
            // a server killed mid-write leaves its hidden temporary file beside the notes: that is no note
            return notes.filter(note -> note.getFileName().toString().endsWith(".md")
                            && !note.getFileName().toString().startsWith("."))
                    .count();
        }
    }

    /** How many file nodes of the canvas link each note of the notes folder (links are read once the vault is idle). */
    private static java.util.Map<String, Long> linkedNotes(Path vault) throws IOException {
        JsonObject canvas = Json.createReader(new StringReader(Files.readString(vault.resolve(EXAM))))
                .readObject();
        return canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(n -> "file".equals(n.getString("type", "")))
                .map(n -> n.getString("file"))
                .filter(file -> file.startsWith("Exam Prep/期末复习-170-notes/"))
                .collect(java.util.stream.Collectors.groupingBy(file -> file, java.util.stream.Collectors.counting()));
    }

    /** The pending-links ledgers in the vault. */
    private static List<String> ledgers(Path vault) {
        Path folder = vault.resolve(".canvas-batch");
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> files = Files.list(folder)) {
            return files.map(file -> file.getFileName().toString())
                    .filter(name -> name.startsWith("pending-links"))
                    .toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
