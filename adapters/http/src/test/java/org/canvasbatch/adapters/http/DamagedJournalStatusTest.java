package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A pending session is one record in its journal. A bit flipped in it used to be taken for a torn write: the file was
 * deleted and the session answered 404 as if it had never been. Now the plugin's status call still finds the session
 * when the record reads, and says what happened to it when it does not.
 */
class DamagedJournalStatusTest {

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicInteger ids = new AtomicInteger();
    private LocalTaskExecutor executor;
    private FileJournal journal;
    private CanvasBatchServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        if (executor != null) {
            executor.shutdown(Duration.ofSeconds(1));
        }
        if (journal != null) {
            journal.close();
        }
    }

    private static final List<CanvasNode> NODES = List.of(
            CanvasNode.text("n1", "什么是逆否命题？", "1", 0, 0, 250, 60),
            CanvasNode.text("n2", "What is a tautology?", "1", 0, 100, 250, 60));

    private CanvasBatchCore coreOn(Path data) {
        executor = new LocalTaskExecutor(8);
        journal = FileJournal.open(data);
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        journal,
                        new ScriptedAgent(),
                        new InMemoryVault().withCanvas(new Canvas("study/logic.canvas", NODES, List.of())),
                        executor,
                        Instant::now,
                        () -> new SessionId("pending-" + ids.incrementAndGet()),
                        new SplittableRandom(7)),
                CoreSettings.DEFAULT);
    }

    /** Analyzes two nodes into a pending session (one SessionCreated record), then stops. */
    private SessionId pendingSessionIn(Path data) {
        CanvasBatchCore core = coreOn(data);
        SessionId id = core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        "study/logic.canvas",
                        Optional.of(NODES),
                        Set.of(),
                        3,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.empty(),
                        Optional.empty()))
                .session()
                .id();
        executor.shutdown(Duration.ofSeconds(1));
        journal.close();
        return id;
    }

    private JsonObject status(SessionId id, int expectedStatus) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create(
                                "http://127.0.0.1:" + server.port() + "/canvas/intelligent-parallel/" + id.value()))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isEqualTo(expectedStatus);
        return Json.createReader(new StringReader(answer.body())).readObject();
    }

    private void serve(Path data) {
        serve(data, WsSettings.DEFAULT);
    }

    private void serve(Path data, WsSettings socketSettings) {
        CanvasBatchCore core = coreOn(data);
        core.recover();
        ServerSettings settings = ServerSettings.onPort(0);
        var sockets = new SessionSocketChannel(core.useCases(), socketSettings);
        server = new CanvasBatchServer(core.useCases(), settings.withExtension(sockets.asServerExtension(settings)))
                .start();
    }

    private static void flip(Path file, long at) throws Exception {
        byte[] bytes = Files.readAllBytes(file);
        bytes[(int) at] ^= 0x5A;
        Files.write(file, bytes);
    }

    @Test
    void aPendingSessionWhoseOnlyRecordHasAFlippedBitStillAnswersItsStatusAndSaysItsHistoryIsDamaged()
            throws Exception {
        Path data = temp.resolve("data");
        SessionId id = pendingSessionIn(data);
        Path file = data.resolve("sessions").resolve(id.value() + ".journal");
        // a byte of the second node's text, "What is a tautology?"
        byte[] bytes = Files.readAllBytes(file);
        int at = new String(bytes, java.nio.charset.StandardCharsets.ISO_8859_1).indexOf("tautology");
        flip(file, at);

        serve(data);

        JsonObject status = status(id, 200);
        assertThat(status.getString("state")).isEqualTo("pending");
        assertThat(status.getInt("total_nodes")).isEqualTo(2);
        assertThat(status.getString("history_damage"))
                .contains("failed its checksum", "kept its only event", id.value() + ".journal.damaged");
        assertThat(data.resolve("sessions").resolve(id.value() + ".journal.damaged"))
                .exists();
    }

    @Test
    void aPendingSessionWhoseOnlyRecordNoLongerReadsIsNotFoundWithTheReasonAndItsOriginalIsKept() throws Exception {
        Path data = temp.resolve("data");
        SessionId id = pendingSessionIn(data);
        Path file = data.resolve("sessions").resolve(id.value() + ".journal");
        // the record's event type: nothing of the session can be read any more
        flip(file, 17);
        byte[] damaged = Files.readAllBytes(file);

        serve(data);

        JsonObject answer = status(id, 404);
        assertThat(answer.getString("error")).isEqualTo("SessionNotFoundError");
        assertThat(answer.getString("message"))
                .startsWith("Session '" + id.value() + "' could not be loaded: journal damaged")
                .contains("nothing in it could be read", id.value() + ".journal.damaged");
        assertThat(data.resolve("sessions").resolve(id.value() + ".journal.damaged"))
                .hasBinaryContent(damaged);
    }

    /**
     * A journal tester's case: a record in the middle of a finished batch's journal damaged at rest, the server
     * restarted, the nodes whose outcomes were lost run again. Their events took the lost seqs again, so a socket
     * resuming from the last seq it had before was told it resumed and never sent them.
     */
    /** History is replayed in pages of this many seqs: small ones put the lost seqs across pages. */
    @org.junit.jupiter.params.ParameterizedTest(name = "pages of {0}")
    @org.junit.jupiter.params.provider.ValueSource(ints = {500, 2, 3})
    void aSocketResumingFromASeqTheDamagedJournalLostIsSentEveryEventTheBatchWentOnWith(int page) throws Exception {
        Path data = temp.resolve("data");
        SessionId id = pendingSessionIn(data);
        CanvasBatchCore core = coreOn(data);
        core.recover();
        EventRecorder recorder = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, recorder::accept);
        core.useCases().start().start(StartSessionCommand.of(id));
        recorder.await(SessionFinished.class);
        long hadSeq = recorder.events().getLast().seq();
        List<String> lostOutcomes = recorder.events().stream()
                .filter(event -> event.seq() >= 5)
                .filter(TaskSucceeded.class::isInstance)
                .map(event -> ((TaskSucceeded) event).nodeId())
                .toList();
        assertThat(lostOutcomes).as("the outcomes the damage takes away").isNotEmpty();
        executor.shutdown(Duration.ofSeconds(1));
        journal.close();
        Path file = data.resolve("sessions").resolve(id.value() + ".journal");
        // the first byte of the fifth record's length: seqs 5 on no longer read
        flip(file, recordOffset(file, 4));

        serve(data, WsSettings.DEFAULT.withReplayPageSize(page));
        // the nodes run again before the socket comes back, as when a window reopens on a finished batch
        EventRecorder.awaitCondition(
                () -> {
                    try {
                        return "completed".equals(status(id, 200).getString("state"));
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                },
                "the batch run again to its end");
        String url = "ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + id.value() + "?last_seq=";
        TestSocket resumed = TestSocket.connect(URI.create(url + hadSeq));
        resumed.await(message -> "session_completed".equals(message.getString("type")), Duration.ofSeconds(20));
        TestSocket fromTheStart = TestSocket.connect(URI.create(url + 0));
        fromTheStart.await(message -> "session_completed".equals(message.getString("type")), Duration.ofSeconds(20));

        List<JsonObject> messages = resumed.messages();
        assertThat(messages.getFirst().getString("type")).isEqualTo("connected");
        assertThat(messages.subList(1, messages.size()))
                .as("nothing under a seq the socket had")
                .allSatisfy(message ->
                        assertThat(message.getJsonNumber("seq").longValue()).isGreaterThan(hadSeq));
        // the first four events were kept: every message after them is what the session went on with
        List<String> wentOn = fromTheStart.messages().stream()
                .skip(1)
                .filter(message -> message.getJsonNumber("seq").longValue() > 4)
                .map(DamagedJournalStatusTest::described)
                .toList();
        assertThat(messages.stream().skip(1).map(DamagedJournalStatusTest::described))
                .as("the resumed socket is sent everything the session went on with")
                .containsExactlyElementsOf(wentOn);
        assertThat(messages.stream()
                        .filter(message -> "task_completed".equals(message.getString("type")))
                        .map(message -> message.getJsonObject("data").getString("node_id")))
                .as("every node run again is told")
                .containsAll(lostOutcomes);
        assertThat(status(id, 200).getString("history_damage")).contains("goes on from seq");
        resumed.abort();
        fromTheStart.abort();
    }

    private static String described(JsonObject message) {
        JsonObject data = message.getJsonObject("data");
        return message.getJsonNumber("seq") + " " + message.getString("type") + " "
                + (data != null && data.containsKey("node_id") ? data.get("node_id") : "");
    }

    /** Where the record of index {@code index} starts: a journal is an 8-byte header, then [length][checksum][bytes]. */
    private static long recordOffset(Path file, int index) throws Exception {
        java.nio.ByteBuffer bytes = java.nio.ByteBuffer.wrap(Files.readAllBytes(file));
        int at = 8;
        for (int i = 0; i < index; i++) {
            at += 8 + bytes.getInt(at);
        }
        return at;
    }
}
