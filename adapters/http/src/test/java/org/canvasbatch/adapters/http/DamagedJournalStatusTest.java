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
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;
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
        CanvasBatchCore core = coreOn(data);
        core.recover();
        server = new CanvasBatchServer(core.useCases(), ServerSettings.onPort(0)).start();
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
}
