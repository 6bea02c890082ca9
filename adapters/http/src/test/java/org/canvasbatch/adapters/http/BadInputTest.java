package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.PLUGIN_ORIGIN;
import static org.canvasbatch.adapters.http.ApiHarness.nodesJson;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.io.ByteArrayInputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.util.List;
import java.util.stream.Stream;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad input is refused with the exact status, the whole envelope (top-level for the plugin, {@code detail} for
 * older callers), the field to fix, and the CORS header the browser needs to let the plugin read the message.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class BadInputTest {

    private static final String ANALYZE = "/canvas/intelligent-parallel";
    private static final String GOOD_NODES = nodesJson("n1", "什么是命题");

    private final ApiHarness api = new ApiHarness().canvas("a.canvas", GOOD_NODES);

    @AfterAll
    void stop() {
        api.close();
    }

    private static String analyzeWith(String canvasPath) {
        return Json.createObjectBuilder()
                .add("canvas_path", canvasPath)
                .build()
                .toString()
                .replaceFirst("}$", ",\"nodes\":" + GOOD_NODES + "}");
    }

    static Stream<Arguments> invalidAnalyzeBodies() {
        return Stream.of(
                Arguments.of("malformed JSON", "{\"canvas_path\": \"a.canvas\", ", "body"),
                Arguments.of("JSON that is not an object", "[1, 2]", "body"),
                Arguments.of(
                        "a name given twice",
                        "{\"canvas_path\":\"a.canvas\",\"canvas_path\":\"b.canvas\",\"nodes\":" + GOOD_NODES + "}",
                        "canvas_path"),
                Arguments.of("no canvas_path", "{\"nodes\":" + GOOD_NODES + "}", "canvas_path"),
                Arguments.of(
                        "canvas_path a number", "{\"canvas_path\":12,\"nodes\":" + GOOD_NODES + "}", "canvas_path"),
                Arguments.of("nodes not an array", "{\"canvas_path\":\"a.canvas\",\"nodes\":\"n1\"}", "nodes"),
                Arguments.of(
                        "a node that is not an object", "{\"canvas_path\":\"a.canvas\",\"nodes\":[3]}", "nodes[0]"),
                Arguments.of(
                        "a node without id",
                        "{\"canvas_path\":\"a.canvas\",\"nodes\":[{\"text\":\"x\"}]}",
                        "nodes[0].id"),
                Arguments.of(
                        "node text not a string",
                        "{\"canvas_path\":\"a.canvas\",\"nodes\":[{\"id\":\"a\",\"text\":{}}]}",
                        "nodes[0].text"),
                Arguments.of(
                        "max_groups a string",
                        "{\"canvas_path\":\"a.canvas\",\"max_groups\":\"6\",\"nodes\":" + GOOD_NODES + "}",
                        "max_groups"),
                Arguments.of(
                        "options.max_groups a string",
                        "{\"canvas_path\":\"a.canvas\",\"options\":{\"max_groups\":\"6\"}," + "\"nodes\":" + GOOD_NODES
                                + "}",
                        "options.max_groups"),
                Arguments.of(
                        "options not an object",
                        "{\"canvas_path\":\"a.canvas\",\"options\":true,\"nodes\":" + GOOD_NODES + "}",
                        "options"),
                Arguments.of(
                        "max_groups out of range",
                        "{\"canvas_path\":\"a.canvas\",\"max_groups\":21,\"nodes\":" + GOOD_NODES + "}",
                        "max_groups"),
                Arguments.of(
                        "min_nodes_per_group zero",
                        "{\"canvas_path\":\"a.canvas\",\"min_nodes_per_group\":0," + "\"nodes\":" + GOOD_NODES + "}",
                        "min_nodes_per_group"),
                Arguments.of(
                        "auto_execute a string",
                        "{\"canvas_path\":\"a.canvas\",\"options\":{\"auto_execute\":\"yes\"}," + "\"nodes\":"
                                + GOOD_NODES + "}",
                        "options.auto_execute"),
                Arguments.of(
                        "an unknown agent",
                        "{\"canvas_path\":\"a.canvas\",\"agent\":\"poet\",\"nodes\":" + GOOD_NODES + "}",
                        "agent"),
                Arguments.of(
                        "target_colors not an array",
                        "{\"canvas_path\":\"a.canvas\",\"target_colors\":\"1\"}",
                        "target_colors"),
                Arguments.of(
                        "max_concurrent too high",
                        "{\"canvas_path\":\"a.canvas\",\"max_concurrent\":51,\"nodes\":" + GOOD_NODES + "}",
                        "max_concurrent"),
                Arguments.of(
                        "timeout too short",
                        "{\"canvas_path\":\"a.canvas\",\"timeout\":5,\"nodes\":" + GOOD_NODES + "}",
                        "timeout"),
                Arguments.of("canvas_path with ..", analyzeWith("../secret.canvas"), "canvas_path"),
                Arguments.of("canvas_path absolute", analyzeWith("/etc/x.canvas"), "canvas_path"),
                Arguments.of("canvas_path a Windows drive", analyzeWith("C:\\x.canvas"), "canvas_path"),
                Arguments.of("canvas_path not a canvas", analyzeWith("notes/a.md"), "canvas_path"),
                Arguments.of("canvas_path with NUL", analyzeWith("a\u0000b.canvas"), "canvas_path"),
                Arguments.of("canvas_path too long", analyzeWith("a".repeat(501) + ".canvas"), "canvas_path"),
                Arguments.of(
                        "a node id too long",
                        "{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson("x".repeat(201), "什么是命题") + "}",
                        "nodes[0].id"),
                Arguments.of(
                        "a node text over 64 KiB",
                        "{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson("big", "问".repeat(22_000)) + "}",
                        "nodes[0].text"),
                Arguments.of(
                        "two nodes with one id",
                        "{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson("same", "什么是命题", "same", "什么是否命题") + "}",
                        "nodes[1].id"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("invalidAnalyzeBodies")
    void analyzeRefusesWith422NamingTheField(String why, String body, String field) {
        assertUnprocessable(api.post(ANALYZE, body), field);
    }

    /** The plugin shows the message as it comes: a sentence, not the field's name glued to another sentence. */
    @Test
    void anUnknownAgentIsRefusedInOneReadableSentence() {
        Answer answer =
                api.post(ANALYZE, "{\"canvas_path\":\"a.canvas\",\"agent\":\"poet\",\"nodes\":" + GOOD_NODES + "}");

        assertUnprocessable(answer, "agent");
        assertThat(answer.json().getString("message"))
                .startsWith("Unknown agent 'poet'; use auto or one of ")
                .doesNotStartWith("agent ");
    }

    @Test
    void moreThanTenThousandNodesAreRefusedNamingTheLimit() {
        JsonArrayBuilder nodes = Json.createArrayBuilder();
        for (int i = 0; i <= 10_000; i++) {
            nodes.add(Json.createObjectBuilder().add("id", "n" + i).add("text", "q"));
        }
        String body = Json.createObjectBuilder()
                .add("canvas_path", "a.canvas")
                .add("nodes", nodes)
                .build()
                .toString();

        Answer answer = api.post(ANALYZE, body);

        assertUnprocessable(answer, "nodes");
        assertThat(answer.json().getString("message")).contains("10000");
    }

    @Test
    void aBodyOverEightMebibytesIsRefusedWithOurEnvelopeNamingTheLimit() {
        byte[] huge = new byte[8 * 1024 * 1024 + 10];
        java.util.Arrays.fill(huge, (byte) ' ');

        Answer declared = api.send("POST", ANALYZE, BodyPublishers.ofByteArray(huge));
        Answer chunked = api.send("POST", ANALYZE, BodyPublishers.ofInputStream(() -> new ByteArrayInputStream(huge)));

        for (Answer answer : List.of(declared, chunked)) {
            assertUnprocessable(answer, "body");
            assertThat(answer.json().getString("message")).contains("8 MiB");
        }
        assertThat(api.post(ANALYZE, "{\"canvas_path\":\"a.canvas\",\"nodes\":" + GOOD_NODES + "}")
                        .status())
                .as("the server still answers afterwards")
                .isEqualTo(200);
    }

    @Test
    void noEligibleNodeInTheCanvasSaysWhichColoursWereLookedFor() {
        api.vault.withCanvas(new Canvas(
                "plain.canvas",
                List.of(ApiHarness.node("y", "my understanding", "3"), ApiHarness.node("g", "done", "4")),
                List.of()));

        Answer answer = api.post(ANALYZE, "{\"canvas_path\":\"plain.canvas\"}");

        assertUnprocessable(answer, "target_colors");
        assertThat(answer.json().getString("message")).contains("1 (red)", "6 (purple)");
        Answer yellow = api.post(ANALYZE, "{\"canvas_path\":\"plain.canvas\",\"target_color\":\"2\"}");
        assertThat(yellow.json().getString("message")).contains("2 (orange)");
    }

    @Test
    void aCanvasMissingFromTheVaultIsNotFoundAndTheMessageSaysWhichVaultAndHowToFixIt() {
        int sessionsBefore = api.core.useCases().status().sessions().size();
        for (String body : List.of(
                "{\"canvas_path\":\"nowhere/x.canvas\"}",
                "{\"canvas_path\":\"nowhere/x.canvas\",\"nodes\":" + GOOD_NODES + "}")) {
            Answer answer = api.post(ANALYZE, body);

            assertThat(answer.status()).as(answer.text()).isEqualTo(404);
            assertEnvelope(answer, "CanvasNotInVaultError");
            assertThat(answer.json().getString("message"))
                    .contains("'nowhere/x.canvas'", "this server's vault", "--vault <the folder that holds .obsidian>");
            assertThat(answer.json().getJsonObject("details").getString("canvas_path"))
                    .isEqualTo("nowhere/x.canvas");
        }
        assertThat(api.core.useCases().status().sessions())
                .as("no session was created")
                .hasSize(sessionsBefore);
    }

    @Test
    void aVaultRefusingThePathIsACanvasPathProblem() {
        api.canvases("link/out.canvas");
        api.vaultFailures.put("link/out.canvas", ApiHarness.outsideVault("link/out.canvas"));

        Answer answer = api.post(ANALYZE, "{\"canvas_path\":\"link/out.canvas\"}");

        assertUnprocessable(answer, "canvas_path");
        assertThat(answer.json().getString("message")).contains("outside the vault");
    }

    /**
     * A hostile tester's reproduction: {@code ln -s selfloop VAULT/selfloop}, then {@code selfloop/x.canvas} asked
     * for. The file vault took the system's ELOOP for a disk that failed (reason IO), and the analysis answered 503
     * VaultUnavailableError, without Retry-After, with a 76-line stack trace in the log; a single node's run 502. The
     * file vault now refuses such a path as it refuses one through a broken link (OUTSIDE_VAULT, SandboxTest): every
     * route answers it with 422 on {@code canvas_path}, in one log line without a stack trace, and runs nothing.
     */
    @Test
    void aPathThroughALoopOfSymbolicLinksIsACanvasPathProblemOnEveryRoute() {
        String loop = "selfloop/x.canvas";
        api.pathFailures.put(
                loop,
                new VaultException(
                        VaultException.Reason.OUTSIDE_VAULT,
                        loop,
                        "'selfloop/x.canvas' goes through a loop of symbolic links: 'selfloop' leads back to itself,"
                                + " never to a file or folder."));
        int sessionsBefore = api.core.useCases().status().sessions().size();

        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch")) {
            for (String[] call : List.of(
                    new String[] {ANALYZE, "{\"canvas_path\":\"" + loop + "\"}"},
                    new String[] {ANALYZE, analyzeWith(loop)},
                    new String[] {
                        "/canvas/single-agent",
                        "{\"canvas_path\":\"" + loop + "\",\"node_id\":\"q1\",\"agent\":\"oral-explanation\"}"
                    })) {
                Answer answer = api.post(call[0], call[1]);

                assertUnprocessable(answer, "canvas_path");
                assertThat(answer.json().getString("message"))
                        .as(call[0])
                        .contains("'selfloop/x.canvas' goes through a loop of symbolic links");
                assertThat(answer.header("Retry-After")).isNull();
            }
            assertThat(logs.visibleRecords())
                    .as("one line per refused request, none with a stack trace")
                    .hasSize(3)
                    .allSatisfy(r -> {
                        assertThat(r.getThrown()).isNull();
                        assertThat(r.getLevel()).isEqualTo(java.util.logging.Level.INFO);
                    });
        }
        assertThat(api.core.useCases().status().sessions()).hasSize(sessionsBefore);
        assertThat(api.vault.notes()).isEmpty();
    }

    @Test
    void anUnexpectedFailureIsA500EnvelopeNotAStackTrace() {
        api.canvases("bug.canvas");
        api.vaultFailures.put("bug.canvas", new IllegalStateException("a bug in a port"));

        Answer answer = api.post(ANALYZE, "{\"canvas_path\":\"bug.canvas\"}");

        assertThat(answer.status()).isEqualTo(500);
        assertEnvelope(answer, "InternalError");
        assertThat(answer.text()).doesNotContain("a bug in a port").doesNotContain("at org.");
    }

    static Stream<Arguments> unknownSessions() {
        return Stream.of(
                Arguments.of("GET", "/canvas/intelligent-parallel/nope", null),
                Arguments.of("GET", "/canvas/intelligent-parallel/status/nope", null),
                Arguments.of("GET", "/api/v1/canvas/intelligent-parallel/nope", null),
                Arguments.of("POST", "/canvas/intelligent-parallel/cancel/nope", null),
                Arguments.of("POST", "/canvas/intelligent-parallel/pause/nope", null),
                Arguments.of("POST", "/canvas/intelligent-parallel/confirm", "{\"session_id\":\"nope\"}"),
                Arguments.of("POST", "/canvas/intelligent-parallel/confirm", "{\"session_id\":\"no/pe..\"}"),
                Arguments.of(
                        "POST",
                        "/canvas/single-agent",
                        "{\"canvas_path\":\"a.canvas\",\"node_id\":\"n\",\"agent\":\"oral-explanation\",\"session_id\":\"nope\"}"));
    }

    /**
     * From any caller but the plugin (here a page of an allowed local origin); the plugin's own poll of an unknown
     * session is answered otherwise (PluginLostSessionTest, contract §2.3).
     */
    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("unknownSessions")
    void anUnknownSessionIs404OnEveryEndpoint(String method, String path, String body) {
        Answer answer = api.send(
                method,
                path,
                body == null ? BodyPublishers.noBody() : BodyPublishers.ofString(body),
                "Origin",
                "http://localhost:5173");

        assertThat(answer.status()).as(answer.text()).isEqualTo(404);
        assertThat(answer.allowOrigin()).as("CORS on an error too").isEqualTo("http://localhost:5173");
        assertThat(answer.json().getString("error")).isEqualTo("SessionNotFoundError");
        assertThat(answer.json().getString("message")).contains("not found");
    }

    @Test
    void aSessionIdLongerThanTheLimitIs422() {
        assertUnprocessable(api.get("/canvas/intelligent-parallel/" + "s".repeat(201)), "session_id");
        assertUnprocessable(
                api.post("/canvas/intelligent-parallel/confirm", "{\"session_id\":\"" + "s".repeat(201) + "\"}"),
                "session_id");
    }

    static Stream<Arguments> invalidOtherBodies() {
        return Stream.of(
                Arguments.of("/canvas/intelligent-parallel/confirm", "", "session_id"),
                Arguments.of("/canvas/intelligent-parallel/confirm", "{\"session_id\":7}", "session_id"),
                Arguments.of(
                        "/canvas/intelligent-parallel/confirm",
                        "{\"session_id\":\"x\",\"max_concurrent\":\"2\"}",
                        "max_concurrent"),
                Arguments.of(
                        "/canvas/intelligent-parallel/confirm",
                        "{\"canvas_path\":\"a.canvas\",\"groups\":{}}",
                        "groups"),
                Arguments.of(
                        "/canvas/intelligent-parallel/confirm",
                        "{\"canvas_path\":\"a.canvas\",\"groups\":[]}",
                        "groups"),
                Arguments.of(
                        "/canvas/intelligent-parallel/confirm",
                        "{\"canvas_path\":\"a.canvas\",\"groups\":[{\"group_id\":1,\"agent_type\":\"auto\"}]}",
                        "groups[0].node_ids"),
                Arguments.of(
                        "/canvas/intelligent-parallel/confirm",
                        "{\"canvas_path\":\"a.canvas\",\"groups\":[{\"group_id\":1,\"agent_type\":\"poet\",\"node_ids\":[\"a\"]}]}",
                        "groups[0].agent_type"),
                Arguments.of(
                        "/canvas/intelligent-parallel/confirm",
                        "{\"canvas_path\":\"../a.canvas\",\"groups\":[{\"group_id\":1,\"node_ids\":[\"a\"]}]}",
                        "canvas_path"),
                Arguments.of(
                        "/canvas/intelligent-parallel/confirm",
                        "{\"canvas_path\":\"a.canvas\",\"groups\":[{\"group_id\":1,\"node_ids\":[\"" + "x".repeat(201)
                                + "\"]}]}",
                        "groups[0].node_ids[0]"),
                Arguments.of("/canvas/single-agent", "{\"canvas_path\":\"a.canvas\"}", "node_id"),
                Arguments.of(
                        "/canvas/single-agent", "{\"node_id\":\"a\",\"agent\":\"oral-explanation\"}", "canvas_path"),
                Arguments.of(
                        "/canvas/single-agent",
                        "{\"canvas_path\":\"a.canvas\",\"node_id\":\"a\",\"agent\":\"poet\"}",
                        "agent"),
                Arguments.of(
                        "/canvas/single-agent",
                        "{\"canvas_path\":\"a.canvas\",\"node_id\":\"" + "x".repeat(201) + "\"}",
                        "node_id"),
                Arguments.of(
                        "/canvas/single-agent",
                        "{\"canvas_path\":\"missing.canvas\",\"node_id\":\"a\"}",
                        "canvas_path"),
                Arguments.of("/canvas/single-agent", "not json", "body"));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("invalidOtherBodies")
    void confirmAndSingleAgentRefuseBadBodiesWith422(String path, String body, String field) {
        assertUnprocessable(api.post(path, body), field);
    }

    static Stream<Arguments> canvasPathsThatTouchObsidianOrCarryControlCharacters() {
        return Stream.of(
                        ".obsidian/plugins/x.canvas",
                        ".Obsidian/x.canvas",
                        "Inbox/q\"\nx: y.canvas",
                        "gpj\u202Eexe.canvas")
                .flatMap(path -> {
                    String quoted = Json.createValue(path).toString();
                    return Stream.of(
                            Arguments.of(ANALYZE, analyzeWith(path)),
                            Arguments.of(
                                    ANALYZE + "/confirm",
                                    "{\"canvas_path\":" + quoted
                                            + ",\"groups\":[{\"group_id\":1,\"node_ids\":[\"a\"]}]}"),
                            Arguments.of(
                                    "/canvas/single-agent",
                                    "{\"canvas_path\":" + quoted
                                            + ",\"node_id\":\"a\",\"agent\":\"oral-explanation\"}"));
                });
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource("canvasPathsThatTouchObsidianOrCarryControlCharacters")
    void aCanvasPathIntoObsidiansFolderOrWithControlCharactersIsRefusedEverywhere(String path, String body) {
        Answer answer = api.post(path, body);

        assertUnprocessable(answer, "canvas_path");
        assertThat(answer.json().getString("message"))
                .containsAnyOf("hidden folder or file such as .obsidian", "control or text-direction");
        assertThat(api.vault.notes()).isEmpty();
    }

    private static void assertUnprocessable(Answer answer, String field) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(422);
        assertEnvelope(answer, "ValidationError");
        assertThat(answer.json().getJsonArray("errors"))
                .extracting(e -> e.asJsonObject().getString("field"))
                .contains(field);
        String fieldMessage = answer.json().getJsonArray("errors").stream()
                .map(e -> e.asJsonObject())
                .filter(e -> e.getString("field").equals(field))
                .findFirst()
                .orElseThrow()
                .getString("message");
        assertThat(answer.json().getString("message"))
                .as("names the field or says it all")
                .satisfiesAnyOf(
                        m -> assertThat(m).contains(field + " " + fieldMessage),
                        m -> assertThat(m).isEqualTo(fieldMessage));
    }

    static void assertEnvelope(Answer answer, String error) {
        assertThat(answer.allowOrigin()).as("CORS on an error too").isEqualTo(PLUGIN_ORIGIN);
        assertThat(answer.header("Content-Type")).startsWith("application/json");
        JsonObject json = answer.json();
        assertThat(json.getString("error")).isEqualTo(error);
        assertThat(json.getString("message")).isNotBlank();
        assertThat(json.get("details")).isInstanceOf(JsonObject.class);
        JsonObject detail = json.getJsonObject("detail");
        assertThat(detail.getString("error")).isEqualTo(error);
        assertThat(detail.getString("message")).isEqualTo(json.getString("message"));
        assertThat(detail.getJsonObject("details")).isEqualTo(json.getJsonObject("details"));
    }
}
