package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin polls when its sockets fail, and each poll answer replaces its groups' counts and results wholesale; a
 * socket it opens afterwards (a reconnect it had scheduled before it fell back) must go on from what that poll showed,
 * not from where its last socket got, or every outcome the poll already counted is counted again: "✅ 全部处理完成:
 * 44个节点" for 32, groups past 100 % (a hostile test, a proxy that refused upgrades for 3.5 s while HTTP went through).
 */
class PluginPollMovesItsWindowTest {

    private static final String CANVAS = "Poll/polled.canvas";
    private static final String ORIGIN = "app://obsidian.md";

    @TempDir
    Path temp;

    private PluginHarness server;
    private final HttpClient http = HttpClient.newHttpClient();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSocketOpenedAfterAPollSendsOnlyTheOutcomesThePollDidNotShow() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        server = new PluginHarness(vault, 0);
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 6);
        JsonObject analysis = post("/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}");
        SessionId session = new SessionId(analysis.getString("session_id"));
        Semaphore permits = new Semaphore(0);
        for (int i = 0; i < 6; i++) {
            server.agent.always("q" + i, new ScriptedAgent.WaitForPermit(permits));
        }

        Listened first = open(session);
        post("/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session.value() + "\"}");
        permits.release(2);
        first.awaitTaskMessages(2);
        // past the margin within which what a closing window's socket was sent goes again on its next one
        server.socketClock.advance(java.time.Duration.ofSeconds(2));
        first.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        first.closed.get(30, TimeUnit.SECONDS);

        permits.release(2);
        EventRecorder.awaitCondition(
                () -> server.core.useCases().status().status(session).succeeded() == 4, "four nodes done");
        JsonObject polled = get("/canvas/intelligent-parallel/" + session.value());
        int shownByThePoll = polled.getJsonArray("groups").getValuesAs(JsonObject.class).stream()
                .mapToInt(group -> group.getJsonArray("results").size())
                .sum();
        assertThat(shownByThePoll).isEqualTo(4);

        permits.release(2);
        Listened after = open(session);
        after.completed.get(60, TimeUnit.SECONDS);

        assertThat(after.taskMessages())
                .as("the outcomes the poll did not show, each once: the window ends at 6 of 6")
                .hasSize(2);
    }

    /** A HEAD of the status shows the window nothing (no body): its next socket still sends what it did not see. */
    @Test
    void aHeadOfTheStatusDoesNotMoveTheWindow() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        server = new PluginHarness(vault, 0);
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 4);
        JsonObject analysis = post("/canvas/intelligent-parallel", "{\"canvas_path\": \"" + CANVAS + "\"}");
        SessionId session = new SessionId(analysis.getString("session_id"));
        Semaphore permits = new Semaphore(0);
        for (int i = 0; i < 4; i++) {
            server.agent.always("q" + i, new ScriptedAgent.WaitForPermit(permits));
        }
        Listened first = open(session);
        post("/canvas/intelligent-parallel/confirm", "{\"session_id\": \"" + session.value() + "\"}");
        permits.release(1);
        first.awaitTaskMessages(1);
        server.socketClock.advance(java.time.Duration.ofSeconds(2));
        first.socket.sendClose(WebSocket.NORMAL_CLOSURE, "").join();
        first.closed.get(30, TimeUnit.SECONDS);
        permits.release(2);
        EventRecorder.awaitCondition(
                () -> server.core.useCases().status().status(session).succeeded() == 3, "three nodes done");

        HttpResponse<String> head = http.send(
                HttpRequest.newBuilder(URI.create(server.base() + "/canvas/intelligent-parallel/" + session.value()))
                        .header("Origin", ORIGIN)
                        .method("HEAD", HttpRequest.BodyPublishers.noBody())
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.body()).isEmpty();

        permits.release(1);
        Listened after = open(session);
        after.completed.get(60, TimeUnit.SECONDS);
        assertThat(after.taskMessages())
                .as("the three outcomes its first socket did not send, each once")
                .hasSize(3);
    }

    private Listened open(SessionId session) {
        Listened listened = new Listened();
        listened.socket = http.newWebSocketBuilder()
                .header("Origin", ORIGIN)
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + session.value()),
                        listened)
                .join();
        return listened;
    }

    private JsonObject post(String path, String body) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(server.base() + path))
                .header("Content-Type", "application/json")
                .header("Origin", ORIGIN)
                .POST(HttpRequest.BodyPublishers.ofString(body)));
    }

    private JsonObject get(String path) throws Exception {
        return send(HttpRequest.newBuilder(URI.create(server.base() + path))
                .header("Content-Type", "application/json")
                .header("Origin", ORIGIN)
                .GET());
    }

    private JsonObject send(HttpRequest.Builder request) throws Exception {
        HttpResponse<String> answer = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).as(answer.body()).isBetween(200, 299);
        return Json.createReader(new StringReader(answer.body())).readObject();
    }

    /** A plugin socket: the messages it got, in order. */
    private static final class Listened implements WebSocket.Listener {
        WebSocket socket;
        final List<JsonObject> messages = new CopyOnWriteArrayList<>();
        final CompletableFuture<Void> completed = new CompletableFuture<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();
        private final StringBuilder parts = new StringBuilder();

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                JsonObject message =
                        Json.createReader(new StringReader(parts.toString())).readObject();
                parts.setLength(0);
                messages.add(message);
                if ("session_completed".equals(message.getString("type", ""))) {
                    completed.complete(null);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closed.complete(null);
            return null;
        }

        List<JsonObject> taskMessages() {
            return messages.stream()
                    .filter(m -> List.of("task_completed", "task_failed").contains(m.getString("type", "")))
                    .toList();
        }

        void awaitTaskMessages(int count) {
            EventRecorder.awaitCondition(() -> taskMessages().size() >= count, count + " task messages");
        }
    }
}
