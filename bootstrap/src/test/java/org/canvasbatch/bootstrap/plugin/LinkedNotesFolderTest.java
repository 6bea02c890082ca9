package org.canvasbatch.bootstrap.plugin;

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
import java.util.List;
import java.util.concurrent.Semaphore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A learner whose notes folder is a symbolic link (to a synced folder, say) analysed and confirmed a batch: every
 * question was asked, paid for, and then failed, "notes are never written through one". The link is refused where the
 * batch is asked for — the analysis, the older confirm that plans its own groups, a single node's run — in words
 * naming it, before any model is asked.
 */
class LinkedNotesFolderTest {

    private static final String CANVAS = "数学/离散数学.canvas";

    @TempDir
    Path temp;

    private PluginHarness server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aNotesFolderThatIsALinkOutOfTheVaultIsRefusedBeforeAnyQuestionIsAsked() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        Path synced = Files.createDirectories(temp.resolve("synced"));
        Files.createSymbolicLink(vault.resolve("数学/离散数学-notes"), synced);
        server = new PluginHarness(vault, 0);

        assertRefusedBeforeAsking(
                "The notes folder of '数学/离散数学.canvas' cannot be written: '数学/离散数学-notes' leads outside the vault"
                        + " through a symbolic link. Notes are never written through a symbolic link: replace it"
                        + " with a real folder.");
        try (var inside = Files.list(synced)) {
            assertThat(inside).as("nothing written through the link").isEmpty();
        }
    }

    @Test
    void aNotesFolderThatIsALinkWithinTheVaultIsRefusedBeforeAnyQuestionIsAsked() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        Path elsewhere = Files.createDirectories(vault.resolve("数学/elsewhere"));
        Files.createSymbolicLink(vault.resolve("数学/离散数学-notes"), Path.of("elsewhere"));
        server = new PluginHarness(vault, 0);

        assertRefusedBeforeAsking("The notes folder '数学/离散数学-notes' is a symbolic link; notes are never written"
                + " through one. Replace it with a real folder.");
        try (var inside = Files.list(elsewhere)) {
            assertThat(inside).as("nothing written through the link").isEmpty();
        }
    }

    private void assertRefusedBeforeAsking(String refusal) throws Exception {

        HttpResponse<String> analysis = post("/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}");
        HttpResponse<String> planned = post(
                "/canvas/intelligent-parallel/confirm",
                "{\"canvas_path\": \"" + CANVAS + "\", \"groups\": [{\"group_id\": 1, \"agent_type\": \"auto\","
                        + " \"node_ids\": [\"01001414c343c\"]}]}");
        HttpResponse<String> single = post(
                "/canvas/single-agent",
                "{\"canvas_path\": \"" + CANVAS
                        + "\", \"node_id\": \"01001414c343c\", \"agent\": \"oral-explanation\"}");

        for (HttpResponse<String> answer : List.of(analysis, planned, single)) {
            assertThat(answer.statusCode()).as(answer.body()).isEqualTo(422);
            JsonObject error =
                    Json.createReader(new StringReader(answer.body())).readObject();
            assertThat(error.getJsonArray("errors").getJsonObject(0).getString("field"))
                    .isEqualTo("canvas_path");
            assertThat(error.getString("message")).isEqualTo(refusal);
        }
        assertThat(server.agent.calls()).as("the model is asked nothing").isEmpty();
        assertThat(server.core.useCases().status().sessions()).as("no session").isEmpty();
    }

    /**
     * The plugin's retry button posts {@code /canvas/single-agent} for a node of the batch that failed it: the run
     * goes into that session, and a notes folder made a link since was found only at the note, the model paid for.
     */
    @Test
    void theRetryButtonOfANodeWhoseNotesFolderBecameALinkIsRefusedBeforeTheModelIsAsked() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        server = new PluginHarness(vault, 0);
        org.canvasbatch.testsupport.plugin.ObsidianPlugin plugin = server.plugin();
        try {
            var preview = plugin.runIntelligentParallel(server.vault, CANVAS);
            String failing = preview.groups().getLast().nodes().getFirst().id();
            server.agent.then(failing, org.canvasbatch.testsupport.ScriptedAgent.permanent("refused"));
            var summary = preview.confirm().orElseThrow().awaitSummary();
            assertThat(summary.failedNodes()).hasSize(1);
            Path notes = vault.resolve("数学/离散数学-notes");
            Path moved = Files.move(notes, temp.resolve("synced"));
            Files.createSymbolicLink(notes, moved);
            int calls = server.agent.calls().size();

            HttpResponse<String> retry = post(
                    "/canvas/single-agent",
                    "{\"canvas_path\": \"" + CANVAS + "\", \"node_id\": \"" + failing
                            + "\", \"agent\": \"oral-explanation\"}");

            assertThat(retry.statusCode()).as(retry.body()).isEqualTo(422);
            assertThat(Json.createReader(new StringReader(retry.body()))
                            .readObject()
                            .getString("message"))
                    .isEqualTo("The notes folder of '数学/离散数学.canvas' cannot be written: '数学/离散数学-notes' leads"
                            + " outside the vault through a symbolic link. Notes are never written through a symbolic"
                            + " link: replace it with a real folder.");
            assertThat(server.agent.calls())
                    .as("the model is asked nothing more")
                    .hasSize(calls);
        } finally {
            plugin.close();
        }
    }

    /**
     * The learner looked at the preview, and the notes folder became a link before they confirmed it: the confirm is
     * refused in the same words, the batch waits as analysed, and once the folder is a real one it starts.
     */
    @Test
    void aConfirmAfterTheNotesFolderBecameALinkIsRefusedAndTheBatchStillWaits() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        server = new PluginHarness(vault, 0);
        HttpResponse<String> analysis = post("/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}");
        assertThat(analysis.statusCode()).as(analysis.body()).isEqualTo(200);
        String session = Json.createReader(new StringReader(analysis.body()))
                .readObject()
                .getString("session_id");
        Path synced = Files.createDirectories(temp.resolve("synced"));
        Path notes = Files.createSymbolicLink(vault.resolve("数学/离散数学-notes"), synced);

        HttpResponse<String> refused =
                post("/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");

        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(422);
        assertThat(Json.createReader(new StringReader(refused.body()))
                        .readObject()
                        .getString("message"))
                .startsWith("The notes folder of '数学/离散数学.canvas' cannot be written");
        assertThat(server.agent.calls()).as("the model is asked nothing").isEmpty();

        Files.delete(notes);
        HttpResponse<String> started =
                post("/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session + "\"}");

        assertThat(started.statusCode()).as(started.body()).isEqualTo(202);
    }

    /**
     * A batch paused on the dashboard, its notes folder made a link meanwhile: its Resume, and a socket's retry of its
     * failed node, would have its questions paid for and refused at their notes. Both are refused in the same words,
     * the batch stays paused, and it resumes once the folder is a real one.
     */
    @Test
    void aResumeOrASocketRetryAfterTheNotesFolderBecameALinkIsRefusedAndTheBatchStaysPaused() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        server = new PluginHarness(vault, 0);
        JsonObject analysis = Json.createReader(
                        new StringReader(post("/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}")
                                .body()))
                .readObject();
        SessionId session = new SessionId(analysis.getString("session_id"));
        List<String> nodes = analysis.getJsonArray("groups").getValuesAs(JsonObject.class).stream()
                .flatMap(g -> g.getJsonArray("nodes").getValuesAs(JsonObject.class).stream())
                .map(n -> n.getString("id"))
                .toList();
        String failing = nodes.getFirst();
        Semaphore permits = new Semaphore(0);
        nodes.forEach(id -> server.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
        server.agent.then(failing, ScriptedAgent.permanent("refused"));
        assertThat(post("/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session.value() + "\"}")
                        .statusCode())
                .isEqualTo(202);
        EventRecorder.awaitCondition(
                () -> server.core.useCases().status().status(session).failed() == 1, "the first node failed");
        // its slot went to the next node: every slot now waits for a permit, and nothing more is asked on its own
        int slotsTaken = Math.min(nodes.size(), 12 + 1);
        EventRecorder.awaitCondition(
                () -> server.agent.calls().size() >= slotsTaken, "the failed node's slot taken by the next");
        assertThat(post("/canvas/intelligent-parallel/pause/" + session.value(), "")
                        .statusCode())
                .isEqualTo(200);
        Path synced = Files.createDirectories(temp.resolve("synced"));
        Path notes = Files.createSymbolicLink(vault.resolve("数学/离散数学-notes"), synced);
        int calls = server.agent.calls().size();

        HttpResponse<String> resume = post("/canvas/intelligent-parallel/resume/" + session.value(), "");
        TestSocket socket = TestSocket.connect(
                URI.create("ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + session.value()));
        socket.send("{\"type\":\"retry\",\"node_id\":\"" + failing + "\",\"request_id\":\"t\"}");
        JsonObject retry = socket.await("error");

        assertThat(resume.statusCode()).as(resume.body()).isEqualTo(422);
        assertThat(Json.createReader(new StringReader(resume.body()))
                        .readObject()
                        .getString("message"))
                .startsWith("The notes folder of '数学/离散数学.canvas' cannot be written");
        assertThat(retry.getJsonObject("data").getString("error_type")).isEqualTo("invalid_command");
        assertThat(retry.getJsonObject("data").getString("message"))
                .startsWith("canvas_path: The notes folder of '数学/离散数学.canvas' cannot be written");
        assertThat(server.core.useCases().status().status(session).state()).isEqualTo(SessionState.PAUSED);
        assertThat(server.agent.calls()).as("the model is asked nothing more").hasSize(calls);

        Files.delete(notes);
        assertThat(post("/canvas/intelligent-parallel/resume/" + session.value(), "")
                        .statusCode())
                .isEqualTo(200);
        permits.release(nodes.size());
        socket.closeFromClient();
    }

    @Test
    void aNotesFolderNotThereYetIsNoRefusal() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        server = new PluginHarness(vault, 0);

        HttpResponse<String> analysis = post("/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}");

        assertThat(analysis.statusCode()).as(analysis.body()).isEqualTo(200);
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.base() + path))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofString(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
    }
}
