package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.testsupport.socket.TestSocket.primarySeqs;

import jakarta.json.Json;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Replays stream from the journal in bounded chunks (issue 14: thirty full replays of a 20 000-event session made the
 * server answer 503 and grow by a gigabyte, each replay materialising the history). The rule of CONTRACT §3.3 holds
 * across chunk borders, under live events, for many sockets at once: every event once, in order, no gap — with the
 * counts each {@code progress_update} had when it happened. A JDK socket that is sent a long replay the moment it opens
 * connects through {@link TestSocket#connectHoldingTheStreamUntilOpen}, as the JDK's client would otherwise lose part of
 * it; what the server writes is checked frame by frame on the wire as well.
 */
class ReplayStreamingTest {

    private static final int CHUNK = 16;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** Events read back from the journal, whichever way (a page, or a streaming reader). */
    private final AtomicLong eventsRead = new AtomicLong();

    private final TestServer server = new TestServer(
            WsSettings.DEFAULT.withReplayPageSize(CHUNK), options -> {}, log -> new ForwardingEventLog(log) {
                @Override
                public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
                    List<SessionEvent> page = super.readAfter(sessionId, afterSeq, limit);
                    eventsRead.addAndGet(page.size());
                    return page;
                }

                @Override
                public EventReader read(SessionId sessionId, long afterSeq) {
                    EventReader reader = super.read(sessionId, afterSeq);
                    return new EventReader() {
                        @Override
                        public List<SessionEvent> next(int max) {
                            List<SessionEvent> chunk = reader.next(max);
                            eventsRead.addAndGet(chunk.size());
                            return chunk;
                        }

                        @Override
                        public void close() {
                            reader.close();
                        }
                    };
                }
            });

    @AfterEach
    void stop() {
        server.close();
    }

    private static List<Long> range(long fromInclusive, long toInclusive) {
        return LongStream.rangeClosed(fromInclusive, toInclusive).boxed().toList();
    }

    private long lastSeq(SessionId id) {
        return server.core.useCases().status().status(id).lastSeq();
    }

    /** The session-wide succeeded/failed counts as of every seq, straight from the journal. */
    private Map<Long, long[]> countsBySeq(SessionId id) {
        Map<Long, long[]> counts = new HashMap<>();
        long succeeded = 0;
        long failed = 0;
        for (SessionEvent event : server.log.readAfter(id, 0, Integer.MAX_VALUE)) {
            if (event instanceof TaskSucceeded) {
                succeeded++;
            } else if (event instanceof TaskFailed) {
                failed++;
            }
            counts.put(event.seq(), new long[] {succeeded, failed});
        }
        return counts;
    }

    /** A long batch, part done, whose remaining nodes are released one by one from now on. */
    private record LiveBatch(SessionId id, List<Long> resumePoints, Thread live) {}

    /**
     * 150 nodes, 60 of them done; then resume points from everywhere in the history, chunk borders included, while the
     * rest of the batch goes on live.
     */
    private LiveBatch longBatchGoingOnLive() {
        int nodes = 150;
        SessionId id = server.analyze(nodes);
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= nodes; i++) {
            server.agent.always("n" + i, new WaitForPermit(permits));
        }
        EventRecorder core = server.record(id);
        server.start(id);
        permits.release(60);
        core.await(
                TaskSucceeded.class,
                e -> core.events().stream()
                                .filter(TaskSucceeded.class::isInstance)
                                .count()
                        >= 60);

        SplittableRandom random = new SplittableRandom(14);
        List<Long> from = new ArrayList<>(List.of(0L, 1L, (long) CHUNK - 1, (long) CHUNK, (long) CHUNK + 1));
        long now = lastSeq(id);
        for (int i = 0; i < 7; i++) {
            from.add(random.nextLong(now));
        }
        from.add(now);
        Thread live = Thread.ofVirtual().start(() -> {
            for (int i = 0; i < nodes; i++) {
                permits.release(1);
                Thread.yield();
            }
        });
        return new LiveBatch(id, from, live);
    }

    @Test
    void replaysOfALongSessionUnderLiveEventsCarryEverySeqOnceInOrderWithTheCountsOfTheirTime() {
        LiveBatch batch = longBatchGoingOnLive();
        SessionId id = batch.id();
        List<Long> from = batch.resumePoints();
        Thread live = batch.live();
        List<TestSocket> sockets = new ArrayList<>();
        for (long lastSeq : from) {
            sockets.add(TestSocket.connectHoldingTheStreamUntilOpen(server.socket(id, "?last_seq=" + lastSeq)));
        }
        for (TestSocket socket : sockets) {
            socket.await("session_completed");
        }
        EventRecorder.awaitCondition(() -> !live.isAlive(), "every node released");

        long end = lastSeq(id);
        Map<Long, long[]> counts = countsBySeq(id);
        for (int i = 0; i < sockets.size(); i++) {
            List<JsonObject> messages = sockets.get(i).messages();
            long lastSeq = from.get(i);
            assertThat(messages.getFirst().getJsonObject("data").getBoolean("resumed"))
                    .isTrue();
            assertThat(primarySeqs(messages))
                    .as("socket resuming after %d", lastSeq)
                    .containsExactlyElementsOf(range(lastSeq + 1, end));
            for (JsonObject message : messages) {
                if (message.getString("type").equals("progress_update")) {
                    long seq = message.getJsonNumber("seq").longValue();
                    JsonObject data = message.getJsonObject("data");
                    assertThat(new long[] {data.getInt("completed_nodes"), data.getInt("failed_nodes")})
                            .as("the counts of the progress_update of seq %d, resuming after %d", seq, lastSeq)
                            .containsExactly(counts.get(seq));
                }
            }
        }
    }

    /**
     * The same replays read frame by frame off the wire, no WebSocket library in between: every frame the server writes
     * is whole, every text frame valid UTF-8 holding one JSON message, and the primary seqs run on without gap or
     * repeat. (The JDK's client once failed this scenario with "Invalid UTF-8 in frame TEXT": its own loss of bytes,
     * not the server's; see docs/architecture.md.)
     */
    @Test
    void replaysThatStartTheMomentTheSocketOpensAreWholeAndValidOnTheWire() throws Exception {
        LiveBatch batch = longBatchGoingOnLive();
        List<Long> from = batch.resumePoints();
        List<RawSocket> sockets = new ArrayList<>();
        for (long lastSeq : from) {
            sockets.add(RawSocket.connect(
                    server.port(), "/ws/intelligent-parallel/" + batch.id().value() + "?last_seq=" + lastSeq, 1 << 16));
        }
        List<Future<WireRead>> reads = new ArrayList<>();
        try (ExecutorService readers = Executors.newVirtualThreadPerTaskExecutor()) {
            for (RawSocket socket : sockets) {
                reads.add(readers.submit(() -> readStrictly(socket)));
            }
        }
        batch.live().join();

        long end = lastSeq(batch.id());
        for (int i = 0; i < sockets.size(); i++) {
            WireRead read = reads.get(i).get();
            sockets.get(i).close();
            assertThat(read.problems())
                    .as("frames resuming after %d", from.get(i))
                    .isEmpty();
            assertThat(read.closeCode()).isEqualTo(1000);
            assertThat(read.messages().getFirst().getString("type")).isEqualTo("connected");
            assertThat(primarySeqs(read.messages()))
                    .as("socket resuming after %d", from.get(i))
                    .containsExactlyElementsOf(range(from.get(i) + 1, end));
        }
    }

    private record WireRead(List<JsonObject> messages, List<String> problems, int closeCode) {}

    /** Reads frames until the close, decoding text strictly (invalid UTF-8 is a problem, not a replacement character). */
    private static WireRead readStrictly(RawSocket socket) {
        List<JsonObject> messages = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        RawSocket.Frame frame;
        while ((frame = socket.read()) != null && !frame.isClose()) {
            if (frame.opcode() != 1) {
                continue;
            }
            try {
                String text = StandardCharsets.UTF_8
                        .newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .onUnmappableCharacter(CodingErrorAction.REPORT)
                        .decode(ByteBuffer.wrap(frame.payload()))
                        .toString();
                messages.add(Json.createReader(new StringReader(text)).readObject());
            } catch (CharacterCodingException e) {
                problems.add("invalid UTF-8 in the text frame after message " + messages.size());
            } catch (JsonException e) {
                problems.add("not one JSON object after message " + messages.size() + ": " + e.getMessage());
            }
        }
        if (frame == null) {
            problems.add("the connection ended without a close frame after message " + messages.size());
        }
        return new WireRead(messages, problems, frame == null ? -1 : frame.closeCode());
    }

    @Test
    void theNextChunkIsReadFromTheJournalOnlyOnceTheReplayTookThePreviousOne() throws Exception {
        SessionId id = server.analyze(60);
        server.runToEnd(id);
        long end = lastSeq(id);
        History history = new History(
                server.core.useCases().subscriptions(),
                server.core.useCases().status(),
                CHUNK,
                1,
                History.CACHE_BYTES,
                new ReplayBudget(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4));
        List<Long> readWhenTaken = new ArrayList<>();
        List<Long> seqs = new ArrayList<>();

        History.Replayed outcome = history.replay(id, 0, end, message -> {
            readWhenTaken.add(eventsRead.get());
            seqs.add(message.seq());
            return true;
        });

        assertThat(outcome).isEqualTo(History.Replayed.COMPLETE);
        assertThat(end).isGreaterThan(5L * CHUNK);
        for (int i = 0; i < seqs.size(); i++) {
            long chunkOfMessage = (seqs.get(i) - 1) / CHUNK;
            assertThat(readWhenTaken.get(i))
                    .as("events read from the journal when the message of seq %d was taken", seqs.get(i))
                    .isLessThanOrEqualTo((chunkOfMessage + 1) * CHUNK);
        }
        assertThat(eventsRead.get()).isEqualTo(end);
    }

    @Test
    void aChunkIsReadAndRenderedOnceForEveryReplayThatNeedsItAtTheSameTime() {
        SessionId id = server.analyze(80);
        server.runToEnd(id);
        long end = lastSeq(id);
        long before = eventsRead.get();
        List<TestSocket> sockets = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            sockets.add(TestSocket.connectHoldingTheStreamUntilOpen(server.socket(id, "?last_seq=0")));
        }
        for (TestSocket socket : sockets) {
            assertThat(socket.awaitClose()).isEqualTo(1000);
            assertThat(primarySeqs(socket.messages())).containsExactlyElementsOf(range(1, end));
        }

        // each socket first checks that the journal still holds its range: one event, and the first one as well
        // until the session is known to start whole
        assertThat(eventsRead.get() - before)
                .as("ten full replays read the history once")
                .isBetween(end + 10 + 1, end + 10 * 2);
    }

    @Test
    void renderedHistoryNobodyReplaysAnyMoreIsDroppedAndReadAgainWhenNeeded() throws Exception {
        SessionId id = server.analyze(40);
        server.runToEnd(id);
        long end = lastSeq(id);
        History history = new History(
                server.core.useCases().subscriptions(),
                server.core.useCases().status(),
                CHUNK,
                1,
                History.CACHE_BYTES,
                new ReplayBudget(Long.MAX_VALUE / 4, Long.MAX_VALUE / 4));
        history.replay(id, 0, end, message -> true);
        long once = eventsRead.get();
        history.replay(id, 0, end, message -> true);
        assertThat(eventsRead.get()).as("kept while it is used").isEqualTo(once);

        history.forgetUnused(Duration.ZERO);
        history.replay(id, 0, end, message -> true);

        assertThat(eventsRead.get() - once).as("read again once dropped").isEqualTo(end);
    }

    @Test
    void aResumeNearTheEndOfALongSessionReadsAboutOneChunkNotTheWholeHistory() {
        SessionId id = server.analyze(100);
        server.runToEnd(id);
        long end = lastSeq(id);
        long before = eventsRead.get();
        // short as these resumes are, the summary that ends a 100-node session makes each stream tens of KiB the
        // moment the socket opens (about 39 and 53 KiB), more than the JDK client reads in one go
        TestSocket first = TestSocket.connectHoldingTheStreamUntilOpen(server.socket(id, "?last_seq=" + (end - 3)));
        assertThat(first.awaitClose()).isEqualTo(1000);
        long afterFirst = eventsRead.get();

        TestSocket second = TestSocket.connectHoldingTheStreamUntilOpen(server.socket(id, "?last_seq=" + (end - 20)));
        assertThat(second.awaitClose()).isEqualTo(1000);

        assertThat(primarySeqs(second.messages())).containsExactlyElementsOf(range(end - 19, end));
        assertThat(afterFirst - before)
                .as("the first resume folds the counts through the history once")
                .isLessThanOrEqualTo(end + 2);
        assertThat(eventsRead.get() - afterFirst)
                .as("a later resume starts from the checkpoint of its chunk")
                .isLessThanOrEqualTo(2L * CHUNK + 2);
    }

    @Test
    void theEventsEndpointPagesThroughALongHistoryWithExactlyTheSocketsMessages() throws Exception {
        SessionId id = server.analyze(70);
        server.runToEnd(id);
        long end = lastSeq(id);
        TestSocket socket = TestSocket.connectHoldingTheStreamUntilOpen(server.socket(id, "?last_seq=0"));
        socket.awaitClose();
        List<JsonObject> fromSocket =
                socket.messages().stream().filter(m -> m.containsKey("derived")).toList();

        List<JsonObject> fromHttp = new ArrayList<>();
        long after = 0;
        boolean more = true;
        while (more) {
            HttpResponse<String> answer = HTTP.send(
                    HttpRequest.newBuilder(server.http("/canvas/intelligent-parallel/" + id.value()
                                    + "/events?limit=37&after_seq=" + after))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).isEqualTo(200);
            JsonObject page = Json.createReader(new StringReader(answer.body())).readObject();
            fromHttp.addAll(page.getJsonArray("events").getValuesAs(JsonObject.class));
            after = page.getJsonNumber("next_after_seq").longValue();
            more = page.getBoolean("has_more");
            assertThat(page.getJsonNumber("last_seq").longValue()).isEqualTo(end);
        }

        assertThat(primarySeqs(fromHttp)).containsExactlyElementsOf(range(1, end));
        assertThat(fromHttp).containsExactlyElementsOf(fromSocket);
    }
}
