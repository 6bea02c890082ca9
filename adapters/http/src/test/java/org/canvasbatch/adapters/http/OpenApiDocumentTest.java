package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import org.canvasbatch.adapters.http.DocumentedServer.Answer;
import org.canvasbatch.adapters.http.ops.Operations;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code docs/openapi.yaml} against the server that serves it: every documented operation exists, every route exists
 * in the document, and every real answer carries every field its documented schema requires, with its type.
 */
class OpenApiDocumentTest {

    private static final List<String> METHODS = List.of("get", "post", "put", "delete", "patch");

    private final ApiDocuments docs = new ApiDocuments();
    private final DocumentedServer api = new DocumentedServer();

    @AfterEach
    void stop() {
        api.close();
    }

    @Test
    void theServerServesBothDocumentsExactlyAsTheDocsFolderHasThem() throws IOException {
        Path docsFolder = repositoryRoot().resolve("docs");
        for (String name : Operations.DOCUMENT_NAMES) {
            Answer served = api.get("/" + name);

            assertThat(served.status()).isEqualTo(200);
            assertThat(served.contentType()).startsWith("application/yaml");
            assertThat(served.text())
                    .as(name + " is the one in docs/")
                    .isEqualTo(Files.readString(docsFolder.resolve(name)));
        }
        assertThat(docs.openApi().get("openapi")).isEqualTo("3.1.0");
        assertThat(docs.asyncApi().get("asyncapi")).isEqualTo("3.0.0");
    }

    @Test
    void everyDocumentedOperationIsAnsweredByTheServer() {
        String session = api.analyze("n1", "什么是命题").json().getString("session_id");
        List<String> missing = new ArrayList<>();
        docs.paths().forEach((path, item) -> {
            for (String method : METHODS) {
                if (!(item.get(method) instanceof Map<?, ?> operation)) {
                    continue;
                }
                String url = concrete(path, ApiDocuments.map(operation), item, session);
                Answer answer = api.send(method.toUpperCase(Locale.ROOT), url, method.equals("post") ? "{}" : null);
                boolean routeMissing = answer.status() == 405
                        || answer.status() == 404
                                && answer.isJson()
                                && answer.json().getString("error").equals("NotFoundError");
                if (routeMissing) {
                    missing.add(method.toUpperCase(Locale.ROOT) + " " + url + " -> " + answer);
                }
                assertThat(answer.status())
                        .as(method + " " + url + ": " + answer)
                        .isLessThan(500);
            }
        });

        assertThat(missing).as("documented operations the server does not have").isEmpty();
    }

    @Test
    void everyRouteOfTheServerIsDocumentedAndNothingElseIs() {
        RouteRecorder api = new RouteRecorder();
        RestApi.register(
                api,
                this.api.core.useCases(),
                ServerSettings.DEFAULT,
                Instant::now,
                new SocketUrls(() -> "localhost"),
                new org.canvasbatch.adapters.http.wire.PluginCancels(),
                new org.canvasbatch.adapters.http.wire.PluginPolls());
        Set<String> served = new TreeSet<>(api.routes());
        Operations.PATHS.forEach(p -> served.add("GET " + p));
        SessionSocketChannel.EVENTS_PATHS.forEach(p -> served.add("GET " + p));
        // the socket paths as plain HTTP: a refused handshake (unknown session) or a GET without an upgrade
        SessionSocketChannel.SOCKET_PATHS.forEach(p -> served.add("GET " + p));
        // the dashboard extension's routes: its page twice and its files
        served.addAll(List.of("GET /", "GET /dashboard", "GET /dashboard/{file}"));

        Set<String> documented = new TreeSet<>();
        docs.paths()
                .forEach((path, item) -> METHODS.stream()
                        .filter(item::containsKey)
                        .forEach(m -> documented.add(m.toUpperCase(Locale.ROOT) + " " + path)));

        assertThat(documented).isEqualTo(served);
    }

    @Test
    void thePluginFlowAnswersCarryEveryDocumentedField() {
        CountDownLatch gate = new CountDownLatch(1);
        api.agent.then("a1", new ScriptedAgent.WaitFor(gate));
        api.agent.then("a3", ScriptedAgent.permanent("The model refused: content policy"));

        Answer analysis = api.analyze("a1", "什么是命题", "a2", "什么是逆否命题", "a3", "命题和逆命题的区别");
        assertDocumented("/canvas/intelligent-parallel", "POST", analysis);
        String id = analysis.json().getString("session_id");
        EventRecorder events = api.record(id);

        Answer confirmed = api.post("/api/v1/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");
        assertDocumented("/api/v1/canvas/intelligent-parallel/confirm", "POST", confirmed);
        events.await(TaskStarted.class, e -> e.nodeId().equals("a1"));

        assertDocumented(
                "/canvas/intelligent-parallel/pause/{session_id}",
                "POST",
                api.post("/canvas/intelligent-parallel/pause/" + id, null));
        assertDocumented(
                "/canvas/intelligent-parallel/resume/{session_id}",
                "POST",
                api.post("/canvas/intelligent-parallel/resume/" + id, null));
        assertDocumented("/canvas/intelligent-parallel", "GET", api.get("/canvas/intelligent-parallel"));
        assertDocumented(
                "/canvas/intelligent-parallel/{session_id}", "GET", api.get("/canvas/intelligent-parallel/" + id));
        gate.countDown();
        events.await(SessionFinished.class);

        Answer status = api.get("/canvas/intelligent-parallel/status/" + id);
        assertDocumented("/canvas/intelligent-parallel/status/{session_id}", "GET", status);
        assertThat(status.json().getJsonArray("node_results"))
                .as("results are there to be checked")
                .hasSize(3);
        assertDocumented(
                "/canvas/intelligent-parallel/{session_id}/events",
                "GET",
                api.get("/canvas/intelligent-parallel/" + id + "/events?after_seq=0&limit=50"));

        Answer retried = api.post(
                "/canvas/single-agent",
                Json.createObjectBuilder()
                        .add("canvas_path", "docs/check.canvas")
                        .add("node_id", "a3")
                        .add("agent", "comparison-table")
                        .build()
                        .toString());
        assertDocumented("/canvas/single-agent", "POST", retried);
        assertThat(retried.status()).isEqualTo(200);
    }

    @Test
    void theOlderConfirmFormAndCancelCarryEveryDocumentedField() {
        Answer planned = api.post(
                "/canvas/intelligent-parallel/confirm",
                "{\"canvas_path\":\"docs/check.canvas\","
                        + "\"groups\":[{\"group_id\":\"g\",\"agent_type\":\"auto\",\"node_ids\":[\"x1\"]}]}");
        assertThat(planned.status()).as(planned.text()).isEqualTo(202);
        assertDocumented("/canvas/intelligent-parallel/confirm", "POST", planned);

        String pending = api.analyze("c1", "什么是命题").json().getString("session_id");
        Answer cancelled = api.post("/canvas/intelligent-parallel/cancel/" + pending, null);
        assertThat(cancelled.status()).isEqualTo(200);
        assertDocumented("/canvas/intelligent-parallel/cancel/{session_id}", "POST", cancelled);
    }

    @Test
    void errorAnswersCarryTheDocumentedEnvelope() {
        api.agent.always("e1", ScriptedAgent.permanent("The model refused again"));
        String id = api.analyze("e1", "什么是命题").json().getString("session_id");
        EventRecorder events = api.record(id);
        api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");
        events.await(SessionFinished.class);

        Answer unknown = api.get("/canvas/intelligent-parallel/no-such-session");
        assertThat(unknown.status()).isEqualTo(404);
        assertDocumented("/canvas/intelligent-parallel/{session_id}", "GET", unknown);
        Answer invalid = api.post("/canvas/intelligent-parallel", "{\"canvas_path\":\"x.txt\"}");
        assertThat(invalid.status()).isEqualTo(422);
        assertDocumented("/canvas/intelligent-parallel", "POST", invalid);
        Answer again = api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + id + "\"}");
        assertThat(again.status()).isEqualTo(409);
        assertDocumented("/canvas/intelligent-parallel/confirm", "POST", again);
        Answer agentFailed = api.post(
                "/canvas/single-agent",
                "{\"canvas_path\":\"docs/check.canvas\",\"node_id\":\"e1\",\"agent\":\"oral-explanation\"}");
        assertThat(agentFailed.status()).isEqualTo(502);
        assertDocumented("/canvas/single-agent", "POST", agentFailed);
        api.agent.then("x1", ScriptedAgent.transientFailure("HTTP 429: quota", java.time.Duration.ofHours(1)));
        Answer busy = api.post(
                "/canvas/single-agent",
                "{\"canvas_path\":\"docs/check.canvas\",\"node_id\":\"x1\",\"agent\":\"oral-explanation\"}");
        assertThat(busy.status()).isEqualTo(503);
        assertDocumented("/canvas/single-agent", "POST", busy);
        Answer badPage = api.get("/canvas/intelligent-parallel/" + id + "/events?limit=0");
        assertThat(badPage.status()).isEqualTo(422);
        assertDocumented("/canvas/intelligent-parallel/{session_id}/events", "GET", badPage);
        Answer foreignPage = api.send(
                "GET",
                "/canvas/intelligent-parallel",
                null,
                "Origin",
                "https://evil.example",
                "Content-Type",
                "application/json");
        assertThat(foreignPage.status()).isEqualTo(403);
        assertDocumented("/canvas/intelligent-parallel", "GET", foreignPage);
        Answer plainText = api.send(
                "POST", "/canvas/intelligent-parallel/confirm", "{\"session_id\":\"x\"}", "Content-Type", "text/plain");
        assertThat(plainText.status()).isEqualTo(415);
        assertDocumented("/canvas/intelligent-parallel/confirm", "POST", plainText);
    }

    @Test
    void thePluginsPollOfALostSessionIsTheDocumentedLostSessionStatus() {
        for (String path : List.of("/canvas/intelligent-parallel/", "/canvas/intelligent-parallel/status/")) {
            Answer lost = api.send(
                    "GET", path + "gone-session", null, "Origin", "app://obsidian.md", "Accept-Language", "zh-CN");

            assertThat(lost.status()).as(lost.text()).isEqualTo(200);
            assertThat(lost.json().getString("state")).isEqualTo("not_found");
            assertDocumented(path + "{session_id}", "GET", lost);
        }
        Answer snapshot = api.get("/canvas/intelligent-parallel/"
                + api.analyze("s1", "什么是命题").json().getString("session_id"));
        assertThat(docs.problems(
                        docs.responseSchema(
                                "/canvas/intelligent-parallel/{session_id}", "GET", 200, "application/json"),
                        snapshot.json()))
                .as("a real session's status is a Status, not a LostSessionStatus")
                .isEmpty();
    }

    @Test
    void tooManyPendingSessionsIsTheDocumented429() {
        // a client past its own limit has its oldest replaced: the server's, full of another client's, answers 429
        try (DocumentedServer full = new DocumentedServer(CoreSettings.DEFAULT.withPendingLimits(1, 1))) {
            assertThat(full.analyze("p1", "什么是命题 1").status()).isEqualTo(200);
            Answer answer = full.analyzeFrom("127.0.0.2", "p2", "什么是命题 2");
            assertThat(answer.status()).as(answer.text()).isEqualTo(429);
            assertDocumented("/canvas/intelligent-parallel", "POST", answer);
        }
    }

    @Test
    void healthAnswersCarryTheDocumentedFields() {
        for (String path : List.of("/health", "/health/live", "/health/ready")) {
            Answer health = api.get(path);
            assertThat(health.status()).isEqualTo(200);
            assertDocumented(path, "GET", health);
        }
    }

    /** The real answer holds every field the document requires for its path, method and status. */
    private void assertDocumented(String path, String method, Answer answer) {
        assertThat(answer.isJson())
                .as(method + " " + path + " answers JSON: " + answer)
                .isTrue();
        var schema = docs.responseSchema(path, method, answer.status(), "application/json");
        assertThat(docs.problems(schema, answer.json()))
                .as(method + " " + path + " " + answer.status())
                .isEmpty();
    }

    private static String concrete(
            String path, Map<String, Object> operation, Map<String, Object> item, String session) {
        String url = path.replace("{session_id}", session);
        List<Object> parameters = new ArrayList<>();
        if (operation.get("parameters") instanceof List<?> own) {
            parameters.addAll(own);
        }
        if (item.get("parameters") instanceof List<?> shared) {
            parameters.addAll(shared);
        }
        for (Object parameter : parameters) {
            Map<String, Object> p = ApiDocuments.map(parameter);
            if ("path".equals(p.get("in")) && p.get("example") != null) {
                url = url.replace("{" + p.get("name") + "}", String.valueOf(p.get("example")));
            }
        }
        return url;
    }

    /** The repository's root: the folder above this module that holds docs/ and the parent pom. */
    static Path repositoryRoot() {
        for (Path dir = Path.of("").toAbsolutePath(); dir != null; dir = dir.getParent()) {
            if (Files.isRegularFile(dir.resolve("docs/openapi.yaml")) && Files.isRegularFile(dir.resolve("pom.xml"))) {
                return dir;
            }
        }
        throw new AssertionError("no docs/openapi.yaml above " + Path.of("").toAbsolutePath());
    }
}
