package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.testsupport.socket.TestSocket.isPrimaryEvent;
import static org.canvasbatch.testsupport.socket.TestSocket.primarySeqs;

import jakarta.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import java.util.stream.LongStream;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Lossless resume (CONTRACT §3.3): replay from the journal, then live, with no gap and no duplicate. */
class ResumeTest {

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    private Semaphore gateEveryNode(int count) {
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= count; i++) {
            server.agent.always("n" + i, new WaitForPermit(permits));
        }
        return permits;
    }

    private static long seq(JsonObject message) {
        return message.getJsonNumber("seq").longValue();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    @Test
    void aClientThatDropsThirtyTimesDuringA200NodeBatchSeesEveryEventExactlyOnce() {
        SessionId id = server.analyze(200);
        Semaphore permits = gateEveryNode(200);
        server.start(id);
        SplittableRandom random = new SplittableRandom(2026);
        List<JsonObject> received = new ArrayList<>();
        long last = 0;

        TestSocket socket = TestSocket.connect(server.socket(id, "?last_seq=0"));
        for (int drop = 0; drop < 30; drop++) {
            // each permit ends a running node and starts a queued one: two events, so the drop lands mid-stream
            long before = last;
            int wanted = 1 + random.nextInt(4);
            permits.release(wanted);
            TestSocket current = socket;
            current.await("connected");
            current.awaitState(
                    () -> current.messages().stream()
                                            .filter(m -> isPrimaryEvent(m) && seq(m) > before)
                                            .count()
                                    >= wanted
                            ? true
                            : null,
                    wanted + " new events");
            socket.abort();
            for (JsonObject message : socket.messages()) {
                if (message.containsKey("derived")) {
                    received.add(message);
                    if (isPrimaryEvent(message)) {
                        last = Math.max(last, seq(message));
                    }
                }
            }
            socket = TestSocket.connect(server.socket(id, "?last_seq=" + last));
        }
        permits.release(1_000);
        socket.await("session_completed");
        for (JsonObject message : socket.messages()) {
            if (message.containsKey("derived")) {
                received.add(message);
            }
        }

        long lastSeq = server.core.useCases().status().status(id).lastSeq();
        assertThat(primarySeqs(received)).containsExactlyElementsOf(range(1, lastSeq));
        Map<Integer, Integer> outcomes = new HashMap<>();
        received.stream()
                .filter(m -> List.of("task_completed", "task_failed").contains(m.getString("type")))
                .forEach(m -> outcomes.merge(m.getJsonObject("data").getInt("group_id"), 1, Integer::sum));
        var status = server.core.useCases().status().status(id);
        status.groups()
                .forEach(g -> assertThat(outcomes.get(g.id()))
                        .isEqualTo(status.progress().group(g.id()).total()));
        assertThat(outcomes.values().stream().mapToInt(Integer::intValue).sum()).isEqualTo(200);
        EventRecorder.awaitCondition(
                () -> server.channel.connectionCount() == 0,
                "every dropped socket was cleaned up without a close callback");
    }

    @Test
    void aResumeMessageBackfillsWhatTheClientMissedWithoutRepeatingWhatItGot() {
        SessionId id = server.analyze(6);
        Semaphore permits = gateEveryNode(6);
        EventRecorder core = server.record(id);
        server.start(id);
        permits.release(3);
        core.await(
                TaskSucceeded.class,
                e -> core.events().stream()
                                .filter(TaskSucceeded.class::isInstance)
                                .count()
                        >= 3);

        TestSocket socket = TestSocket.connect(server.socket(id));
        long snapshotSeq = seq(socket.await("snapshot"));
        socket.send("{\"type\":\"resume\",\"last_seq\":2,\"request_id\":\"r1\"}");
        JsonObject ack = socket.await("ack");
        JsonObject connected =
                socket.await("connected", m -> m.getJsonObject("data").getBoolean("resumed"));
        permits.release(3);
        socket.await("session_completed");

        assertThat(ack.getJsonObject("data").getString("request_id")).isEqualTo("r1");
        assertThat(ack.getJsonObject("data").getString("command")).isEqualTo("resume");
        assertThat(connected.getJsonObject("data").getInt("last_seq")).isGreaterThanOrEqualTo((int) snapshotSeq);
        List<Long> seqs = primarySeqs(socket.messages());
        assertThat(seqs).doesNotHaveDuplicates();
        assertThat(seqs)
                .containsExactlyInAnyOrderElementsOf(
                        range(3, server.core.useCases().status().status(id).lastSeq()));
        assertThat(seqs.stream().filter(s -> s <= snapshotSeq).toList())
                .containsExactlyElementsOf(range(3, snapshotSeq));
    }

    @Test
    void resumingAFinishedSessionReplaysTheRestThenCompletesAndCloses() {
        SessionId id = server.analyze(4);
        server.runToEnd(id);
        long lastSeq = server.core.useCases().status().status(id).lastSeq();

        TestSocket socket = TestSocket.connect(server.socket(id, "?last_seq=" + (lastSeq - 3)));

        assertThat(socket.awaitClose()).isEqualTo(1000);
        assertThat(socket.messages().getFirst().getJsonObject("data").getBoolean("resumed"))
                .isTrue();
        assertThat(primarySeqs(socket.messages())).containsExactlyElementsOf(range(lastSeq - 2, lastSeq));
        assertThat(socket.messages().getLast().getString("type")).isEqualTo("session_completed");
        assertThat(socket.messages()).noneMatch(m -> m.getString("type").equals("snapshot"));
    }

    /**
     * The {@code session_completed} of a long batch lists every node and is far larger than one write to a socket (a
     * reconnect storm on a 10 000-node session resends 3.5 MB of it per socket, so it is written as it is, not copied
     * into a joined write). Several clients resuming from different places at once each get exactly the events after
     * their position, then that whole {@code session_completed}, then the close.
     */
    @Test
    void resumesOfAFinishedSessionWhoseEndIsLargerThanAWriteGetTheRestThenTheWholeEndThenTheClose() {
        int nodes = 400;
        SessionId id = server.analyze(nodes);
        server.runToEnd(id);
        long lastSeq = server.core.useCases().status().status(id).lastSeq();
        List<Long> from = List.of(lastSeq, lastSeq - 1, lastSeq - 7, lastSeq - 60, lastSeq - 300);

        List<TestSocket> sockets = new ArrayList<>();
        for (long position : from) {
            sockets.add(TestSocket.connectHoldingTheStreamUntilOpen(server.socket(id, "?last_seq=" + position)));
        }

        for (int i = 0; i < sockets.size(); i++) {
            TestSocket socket = sockets.get(i);
            assertThat(socket.awaitClose()).as("resuming after %d", from.get(i)).isEqualTo(1000);
            List<JsonObject> messages = socket.messages();
            assertThat(messages.getFirst().getJsonObject("data").getBoolean("resumed"))
                    .isTrue();
            assertThat(primarySeqs(messages))
                    .as("resuming after %d", from.get(i))
                    .containsExactlyElementsOf(range(from.get(i) + 1, lastSeq));
            JsonObject end = messages.getLast();
            assertThat(end.getString("type")).isEqualTo("session_completed");
            assertThat(end.getJsonObject("data").getJsonArray("node_results")).hasSize(nodes);
            assertThat(end.toString().length())
                    .as("a session_completed larger than the server's 32 KiB writes")
                    .isGreaterThan(64 * 1024);
        }
    }

    /**
     * Sockets that come back at a finished session's very end (windows left open while the batch ended) are each sent
     * its whole {@code session_completed}: the same message for all of them, stamped with the session's finishing
     * time, which the server renders once and writes to each from the same frame.
     */
    @Test
    void socketsReconnectingAtAFinishedSessionsEndAreEachSentTheSameWholeEnd() {
        int nodes = 120;
        SessionId id = server.analyze(nodes);
        server.runToEnd(id);
        long lastSeq = server.core.useCases().status().status(id).lastSeq();

        List<TestSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 6; i++) {
            sockets.add(TestSocket.connectHoldingTheStreamUntilOpen(server.socket(id, "?last_seq=" + lastSeq)));
        }
        List<String> ends = new ArrayList<>();
        for (TestSocket socket : sockets) {
            assertThat(socket.awaitClose()).isEqualTo(1000);
            List<JsonObject> messages = socket.messages();
            assertThat(messages.getFirst().getJsonObject("data").getBoolean("resumed"))
                    .isTrue();
            JsonObject end = messages.getLast();
            assertThat(end.getString("type")).isEqualTo("session_completed");
            assertThat(end.getJsonNumber("seq").longValue()).isEqualTo(lastSeq);
            assertThat(end.getJsonObject("data").getJsonArray("node_results")).hasSize(nodes);
            ends.add(end.toString());
        }
        assertThat(ends).as("one end, whichever socket it went to").containsOnly(ends.getFirst());
        String finishedAt = ends.getFirst();

        // a socket that comes back later still gets it, the same
        TestSocket later = TestSocket.connectHoldingTheStreamUntilOpen(server.socket(id, "?last_seq=" + lastSeq));
        assertThat(later.awaitClose()).isEqualTo(1000);
        assertThat(later.messages().getLast().toString()).isEqualTo(finishedAt);
    }

    @Test
    void aPositionTheServerCannotContinueFromGetsResumedFalseAndASnapshot() {
        SessionId id = server.analyze(3);
        server.runToEnd(id);
        long lastSeq = server.core.useCases().status().status(id).lastSeq();

        TestSocket ahead = TestSocket.connect(server.socket(id, "?last_seq=" + (lastSeq + 50)));
        TestSocket otherEpoch = TestSocket.connect(server.socket(id, "?last_seq=2&epoch=lost-history"));

        for (TestSocket socket : List.of(ahead, otherEpoch)) {
            assertThat(socket.awaitClose()).isEqualTo(1000);
            assertThat(socket.messages().getFirst().getJsonObject("data").getBoolean("resumed"))
                    .isFalse();
            assertThat(socket.messages()).anyMatch(m -> m.getString("type").equals("snapshot"));
            assertThat(primarySeqs(socket.messages())).isEmpty();
        }
    }
}
