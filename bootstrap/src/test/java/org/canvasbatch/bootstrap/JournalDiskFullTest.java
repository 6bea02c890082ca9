package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.LongStream;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.EmbeddingConfig;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.canvasbatch.adapters.http.CanvasBatchServer;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.journal.FaultyDisk;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.testsupport.CapturedLogs;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The server as {@code serve} wires it — durable journal, real HTTP and WebSocket, health, a fake model over HTTP —
 * with the journal's disk filling up mid-batch and freeing again, through the journal's own file channel seam. The
 * batch used to hang "running" for good: no {@code error}, no {@code session_completed}, readiness DOWN after space
 * came back, nothing resumed before a restart.
 */
class JournalDiskFullTest {

    private static final String CANVAS = "CS/Data Structures.canvas";
    private static final Duration PATIENCE = Duration.ofSeconds(60);

    @TempDir
    Path temp;

    private final FaultyDisk disk = new FaultyDisk();
    private final HttpClient http = HttpClient.newHttpClient();
    private Wiring wiring;
    private CanvasBatchServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop();
        }
        if (wiring != null) {
            wiring.close();
        }
    }

    @Test
    void theDiskFillsMidBatchSocketsAndStatusSayWhyAndWhenSpaceReturnsTheBatchEndsByItselfAndReadinessRecovers()
            throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        Path data = temp.resolve("data");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(100), Reply.echo()));
            start(vault, data, llm);
            JsonObject analysis = send("POST", "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}");
            String session = analysis.getString("session_id");
            int total = analysis.getInt("total_nodes");
            TestSocket socket = confirmAndWatchTillTheFirstOutcome(session);

            disk.fill();
            int callsWhenFull = llm.calls();

            JsonObject error = socket.await(JournalDiskFullTest::isTheOutageNotice, PATIENCE);
            String folder = data.toRealPath().resolve("sessions").toString();
            assertThat(error.getJsonObject("data").getBoolean("recoverable")).isTrue();
            assertThat(error.getJsonObject("data").getString("message"))
                    .startsWith("Cannot save progress: no space left on device in " + folder);
            assertThat(error.getJsonObject("data").getJsonNumber("retry_after")).isNotNull();
            TestSocket late =
                    TestSocket.connect("ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + session);
            late.await(m -> m.getString("type").equals("snapshot"), PATIENCE);
            assertThat(late.await(m -> m.getString("type").equals("error"), PATIENCE)
                            .getJsonObject("data")
                            .getString("message"))
                    .as("a socket that connects during the outage hears of it too")
                    .startsWith("Cannot save progress: no space left on device in " + folder);
            JsonObject status = get("/canvas/intelligent-parallel/" + session, 200);
            assertThat(status.getString("status")).isEqualTo("running");
            assertThat(status.getJsonObject("storage_problem").getString("message"))
                    .isEqualTo("Cannot save progress: no space left on device in " + folder);
            JsonObject notReady = get("/health/ready", 503);
            assertThat(notReady.toString()).contains("no space left on device");
            String firstCheck = status.getJsonObject("storage_problem").getString("next_check_at");
            EventRecorder.awaitCondition(
                    () -> !get("/canvas/intelligent-parallel/" + session, 200)
                            .getJsonObject("storage_problem")
                            .getString("next_check_at")
                            .equals(firstCheck),
                    "the journal was tried again while full");
            assertThat(llm.calls())
                    .as("only calls whose start was already stored reach the model while the disk is full")
                    .isLessThanOrEqualTo(callsWhenFull + 2);

            disk.free();

            socket.await(m -> m.getString("type").equals("session_completed"), PATIENCE);
            assertThat(socket.awaitEnd(PATIENCE)).isEqualTo(1000);
            EventRecorder.awaitCondition(() -> ready() == 200, "ready again");
            JsonObject done = get("/canvas/intelligent-parallel/" + session, 200);
            assertThat(done.getString("status")).isEqualTo("completed");
            assertThat(done.getInt("completed_nodes")).isEqualTo(total);
            assertThat(done.containsKey("storage_problem")).isFalse();
            assertThat(llm.calls()).as("no node was asked twice").isEqualTo(total);
            List<Long> seqs = socket.primarySeqs();
            assertThat(new HashSet<>(seqs)).hasSameSizeAs(seqs);
            assertThat(seqs)
                    .containsExactlyElementsOf(LongStream.rangeClosed(seqs.getFirst(), seqs.getLast())
                            .boxed()
                            .toList());
            assertThat(seqs.getLast()).isEqualTo(done.getJsonNumber("last_seq").longValue());
        }
    }

    @Test
    void aCommandTheFullJournalRefusesIsAnsweredWithTheReasonNotAnInternalErrorAndAStackTrace() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        Path data = temp.resolve("data");
        try (FakeLlmServer llm = FakeLlmServer.start();
                CapturedLogs logs = CapturedLogs.of("org.canvasbatch.adapters.http.ws")) {
            llm.defaultReply(Reply.delayed(Duration.ofMillis(100), Reply.echo()));
            start(vault, data, llm);
            String session = send("POST", "/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}")
                    .getString("session_id");
            TestSocket socket = confirmAndWatchTillTheFirstOutcome(session);
            disk.fill();
            socket.await(JournalDiskFullTest::isTheOutageNotice, PATIENCE);

            socket.send("{\"type\": \"pause\", \"request_id\": \"pause-1\"}");

            JsonObject answer = socket.await(
                    m -> m.getString("type").equals("error")
                            && "pause-1".equals(m.getJsonObject("data").getString("request_id", null)),
                    PATIENCE);
            assertThat(answer.getJsonObject("data").getString("error_type")).isEqualTo("storage_unavailable");
            assertThat(answer.getJsonObject("data").getString("message"))
                    .contains("'pause'")
                    .contains("no space left on device")
                    .doesNotContain("could not carry out");
            assertThat(logs.visibleRecordsContaining("'pause'"))
                    .as("one line for a refusal the disk caused, no stack trace")
                    .hasSize(1)
                    .allSatisfy(record -> assertThat(record.getThrown()).isNull());

            disk.free();
            socket.await(m -> m.getString("type").equals("session_completed"), PATIENCE);
            assertThat(get("/canvas/intelligent-parallel/" + session, 200).getString("status"))
                    .as("the pause was not carried out, as its answer said")
                    .isEqualTo("completed");
        }
    }

    /** Confirms the analysed batch, two nodes at a time, and watches it until its first node is done. */
    private TestSocket confirmAndWatchTillTheFirstOutcome(String session) throws Exception {
        send(
                "POST",
                "/canvas/intelligent-parallel/confirm",
                "{\"session_id\": \"" + session + "\", \"max_concurrent\": 2}");
        TestSocket socket =
                TestSocket.connect("ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + session);
        socket.await(m -> m.getString("type").equals("task_completed"), PATIENCE);
        return socket;
    }

    private static boolean isTheOutageNotice(JsonObject message) {
        return message.getString("type").equals("error")
                && "storage_unavailable".equals(message.getJsonObject("data").getString("error_type", null));
    }

    private void start(Path vault, Path data, FakeLlmServer llm) {
        var agent = new AgentConfig(
                AgentConfig.Provider.OPENAI,
                llm.openAiBaseUrl(),
                "fake-model",
                "test-key",
                Duration.ofSeconds(30),
                null,
                null,
                null);
        var settings = new Wiring.Settings(
                vault,
                data.toString(),
                agent,
                EmbeddingConfig.none(),
                CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(20), Duration.ofMillis(100)),
                VaultOptions.defaults(),
                WsSettings.DEFAULT,
                Map.of());
        wiring = Wiring.create(settings, disk);
        wiring.core().recover();
        server = new CanvasBatchServer(
                        wiring.useCases(), wiring.operations(wiring.serverExtensions(ServerSettings.onPort(0))))
                .start();
    }

    private int ready() {
        try {
            return http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/health/ready"))
                                    .build(),
                            HttpResponse.BodyHandlers.discarding())
                    .statusCode();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonObject get(String path, int expected) {
        try {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(expected);
            return Json.createReader(new StringReader(answer.body())).readObject();
        } catch (java.io.IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonObject send(String method, String path, String body) throws Exception {
        HttpResponse<String> answer = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Content-Type", "application/json")
                        .method(method, HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isBetween(200, 299);
        return Json.createReader(new StringReader(answer.body())).readObject();
    }
}
