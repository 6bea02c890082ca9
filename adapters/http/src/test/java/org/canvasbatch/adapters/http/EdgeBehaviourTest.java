package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.PLUGIN_ORIGIN;
import static org.canvasbatch.adapters.http.ApiHarness.nodesJson;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Paths as users configure base URLs, CORS as browsers enforce it, and the answers for routes that do not exist. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class EdgeBehaviourTest {

    private static final String ANALYZE_BODY =
            "{\"canvas_path\":\"a.canvas\",\"nodes\":" + nodesJson("e1", "什么是命题") + "}";

    private final ApiHarness api = new ApiHarness().canvas("a.canvas", nodesJson("e1", "什么是命题"));

    @AfterAll
    void stop() {
        api.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "/canvas/intelligent-parallel",
                "/canvas/intelligent-parallel/",
                "//canvas/intelligent-parallel",
                "//canvas//intelligent-parallel/",
                "/api/v1/canvas/intelligent-parallel",
                "/api/v1/canvas/intelligent-parallel/",
                "/api/v1//canvas/intelligent-parallel",
                "//api/v1/canvas/intelligent-parallel"
            })
    void analyzeAnswersDirectlyWhateverTheSlashes(String path) {
        Answer answer = api.post(path, ANALYZE_BODY);

        assertThat(answer.status()).as(answer.text()).isEqualTo(200);
        assertThat(answer.header("Location")).isNull();
    }

    @Test
    void statusAndConfirmTolerateTrailingAndDoubledSlashes() {
        String id =
                api.post("/canvas/intelligent-parallel", ANALYZE_BODY).json().getString("session_id");

        assertThat(api.get("//canvas/intelligent-parallel/" + id + "/").status())
                .isEqualTo(200);
        assertThat(api.get("/canvas/intelligent-parallel/status/" + id + "/").status())
                .isEqualTo(200);
        Answer confirm = api.post("//canvas/intelligent-parallel/confirm/", "{\"session_id\":\"" + id + "\"}");
        assertThat(confirm.status()).as(confirm.text()).isEqualTo(202);
    }

    @Test
    void aGetWithAJsonContentTypeAndNoBodyIsFine() {
        Answer answer = api.get("/canvas/intelligent-parallel", "Content-Type", "application/json");

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.json().getJsonArray("sessions")).isNotNull();
    }

    @Test
    void underApiV1TheWebsocketUrlKeepsThePrefixAndFollowsTheHostTheCallerUsed() throws IOException {
        String id = api.post("/api/v1/canvas/intelligent-parallel", ANALYZE_BODY)
                .json()
                .getString("session_id");

        String response = rawRequest("POST /api/v1/canvas/intelligent-parallel/confirm HTTP/1.1\r\n"
                + "Host: localhost:8000\r\nContent-Type: application/json\r\nContent-Length: "
                + ("{\"session_id\":\"" + id + "\"}").length() + "\r\nConnection: close\r\n\r\n"
                + "{\"session_id\":\"" + id + "\"}");

        assertThat(response)
                .startsWith("HTTP/1.1 202")
                .contains("\"websocket_url\":\"ws://localhost:8000/api/v1/ws/intelligent-parallel/" + id + "\"");
    }

    @Test
    void aDisallowedOriginIsRefusedWithoutCorsHeadersAndItsPreflightGrantsNothing() {
        Answer answer = api.post("/canvas/intelligent-parallel", ANALYZE_BODY, "Origin", "https://evil.example");
        Answer preflight = api.send(
                "OPTIONS",
                "/canvas/intelligent-parallel",
                BodyPublishers.noBody(),
                "Origin",
                "https://evil.example",
                "Access-Control-Request-Method",
                "POST");

        assertThat(answer.status()).isEqualTo(403);
        assertThat(answer.json().getString("error")).isEqualTo("OriginNotAllowedError");
        assertThat(answer.allowOrigin()).isNull();
        assertThat(preflight.status()).isEqualTo(204);
        assertThat(preflight.allowOrigin()).isNull();
        assertThat(preflight.header("Access-Control-Allow-Methods")).isNull();
    }

    @Test
    void aRequestWithoutOriginIsServedWithoutCorsHeaders() {
        Answer answer = api.get("/canvas/intelligent-parallel", "Origin", null);

        assertThat(answer.status()).isEqualTo(200);
        assertThat(answer.allowOrigin()).isNull();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "app://obsidian.md",
                "capacitor://localhost",
                "http://localhost",
                "http://localhost:5173",
                "http://127.0.0.1:8000",
                "http://127.0.0.1"
            })
    void theDefaultOriginsAreEchoed(String origin) {
        Answer answer = api.get("/canvas/intelligent-parallel", "Origin", origin);
        Answer preflight = api.send(
                "OPTIONS",
                "/canvas/intelligent-parallel/confirm",
                BodyPublishers.noBody(),
                "Origin",
                origin,
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Headers",
                "content-type");

        assertThat(answer.allowOrigin()).isEqualTo(origin);
        assertThat(preflight.allowOrigin()).isEqualTo(origin);
        assertThat(preflight.header("Vary")).contains("Origin");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "http://localhost.evil.example",
                "http://localhost:80x",
                "https://localhost:5173",
                "http://127.0.0.1.nip.io",
                "app://obsidian.md.evil"
            })
    void lookAlikeOriginsAreNotAllowed(String origin) {
        assertThat(api.get("/canvas/intelligent-parallel", "Origin", origin).allowOrigin())
                .isNull();
    }

    @Test
    void chromiumsPrivateNetworkPreflightIsGranted() {
        Answer preflight = api.send(
                "OPTIONS",
                "/canvas/intelligent-parallel",
                BodyPublishers.noBody(),
                "Access-Control-Request-Method",
                "POST",
                "Access-Control-Request-Private-Network",
                "true");

        assertThat(preflight.header("Access-Control-Allow-Private-Network")).isEqualTo("true");
        assertThat(preflight.header("Access-Control-Allow-Headers"))
                .contains("content-type", "user-agent", "authorization");
    }

    @Test
    void anUnknownRouteIsA404Envelope() {
        Answer answer = api.get("/canvas/nothing-here");

        assertThat(answer.status()).isEqualTo(404);
        BadInputTest.assertEnvelope(answer, "NotFoundError");
        assertThat(answer.json().getString("message")).contains("/canvas/nothing-here");
    }

    @Test
    void aWrongMethodIsA405EnvelopeThatSaysWhatIsAllowed() {
        List<Answer> answers = List.of(
                api.get("/canvas/intelligent-parallel/confirm"),
                api.get("/canvas/single-agent"),
                api.send("DELETE", "/canvas/intelligent-parallel", BodyPublishers.noBody()),
                api.get("/canvas/intelligent-parallel/cancel/s1"),
                api.post("/canvas/intelligent-parallel/s1", "{}"),
                api.send("PUT", "/api/v1/canvas/intelligent-parallel/status/s1", BodyPublishers.noBody()));

        for (Answer answer : answers) {
            assertThat(answer.status()).as(answer.text()).isEqualTo(405);
            BadInputTest.assertEnvelope(answer, "MethodNotAllowedError");
            assertThat(answer.header("Allow")).isNotBlank();
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"/canvas/intelligent-parallel", "/canvas/intelligent-parallel/confirm", "/nothing-here"})
    void aHeadAnswerCarriesNoBodySoTheNextAnswerOnTheConnectionIsIntact(String path) throws IOException {
        String twoRequests = "HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n"
                + "GET /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

        String answers;
        try (Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(twoRequests.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            InputStream in = socket.getInputStream();
            answers = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }

        int endOfFirstHead = answers.indexOf("\r\n\r\n");
        assertThat(endOfFirstHead).as(answers).isPositive();
        assertThat(answers.substring(endOfFirstHead + 4))
                .as("what follows the HEAD answer's headers")
                .startsWith("HTTP/1.1 200");
    }

    /**
     * HEAD needs no preflight, so any web page can send it, with its own Origin or through a name re-pointed at this
     * machine: refused at the edge, it gets the refusal's status line without a body, never a 500 and a stack trace in
     * the log (a page in a loop would fill the learner's log). Found by a hostile test.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "localhost   | https://evil.example | /canvas/intelligent-parallel | 403",
                "evil.example| -                    | /canvas/intelligent-parallel | 403",
                "localhost   | -                    | /canvas/%2e%2e/x             | 400"
            })
    void aHeadRefusedAtTheEdgeGetsTheRefusalWithoutABodyAndNoStackTrace(
            String host, String origin, String path, int status) throws IOException {
        String twoRequests = "HEAD " + path + " HTTP/1.1\r\nHost: " + host + "\r\n"
                + (origin.equals("-") ? "" : "Origin: " + origin + "\r\n") + "\r\n"
                + "GET /canvas/intelligent-parallel HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

        String answers;
        try (CapturedLogs logs = CapturedLogs.of("org.canvasbatch");
                Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(twoRequests.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(logs.visibleRecords())
                    .as("one INFO line for the client's mistake, nothing worse")
                    .allSatisfy(record -> {
                        assertThat(record.getLevel()).isEqualTo(java.util.logging.Level.INFO);
                        assertThat(record.getThrown()).isNull();
                    });
        }
        assertThat(answers).startsWith("HTTP/1.1 " + status + " ");
        int endOfHead = answers.indexOf("\r\n\r\n");
        assertThat(endOfHead).as(answers).isPositive();
        assertThat(answers.substring(endOfHead + 4))
                .as("what follows the HEAD answer's headers: the next answer, no body")
                .startsWith("HTTP/1.1 200");
    }

    /** HEAD is GET without the body (RFC 9110): a monitor's HEAD of the session list gets what GET gets, less the body. */
    @ParameterizedTest
    @ValueSource(strings = {"/canvas/intelligent-parallel", "/api/v1/canvas/intelligent-parallel"})
    void aHeadOfAReadableResourceIsAnsweredAsItsGetWithoutTheBody(String path) throws IOException {
        String twoRequests = "HEAD " + path + " HTTP/1.1\r\nHost: localhost\r\n\r\n" + "GET " + path
                + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n";

        String answers;
        try (Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(twoRequests.getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            socket.shutdownOutput();
            answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }

        assertThat(answers).as(answers).startsWith("HTTP/1.1 200 ");
        String head = answers.substring(0, answers.indexOf("\r\n\r\n"));
        assertThat(head).containsIgnoringCase("content-type: application/json");
        assertThat(answers.substring(head.length() + 4))
                .as("no body: the next answer, the GET's, follows the headers")
                .startsWith("HTTP/1.1 200 ");
    }

    @ParameterizedTest
    @ValueSource(strings = {"/canvas/intelligent-parallel", "/nothing-here"})
    void aClientThatAsksToCloseTheConnectionSeesItClosedAfterTheAnswer(String path) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();

            // the client keeps its side open: only the server's close ends this read (else it times out)
            String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);

            assertThat(answer).startsWith("HTTP/1.1 ").containsIgnoringCase("connection: close");
        }
    }

    @Test
    void customOriginsReplaceTheDefaults() {
        try (ApiHarness custom = new ApiHarness(ServerSettings.onPort(0)
                .withAllowedOrigins(List.of("https://notes.example.org", "http://192.168.1.5[:port]")))) {
            assertThat(custom.get("/canvas/intelligent-parallel", "Origin", "https://notes.example.org")
                            .allowOrigin())
                    .isEqualTo("https://notes.example.org");
            assertThat(custom.get("/canvas/intelligent-parallel", "Origin", "http://192.168.1.5:3000")
                            .allowOrigin())
                    .isEqualTo("http://192.168.1.5:3000");
            assertThat(custom.get("/canvas/intelligent-parallel", "Origin", PLUGIN_ORIGIN)
                            .allowOrigin())
                    .isNull();
        }
    }

    /** A request written by hand, for what the JDK client will not send (its own Host header); reads one response. */
    private String rawRequest(String request) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", api.server.port())) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            out.write(request.getBytes(StandardCharsets.UTF_8));
            out.flush();
            InputStream in = socket.getInputStream();
            java.io.ByteArrayOutputStream head = new java.io.ByteArrayOutputStream();
            while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
                int b = in.read();
                if (b < 0) {
                    break;
                }
                head.write(b);
            }
            String headers = head.toString(StandardCharsets.ISO_8859_1);
            java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                    .matcher(headers);
            byte[] body = length.find() ? in.readNBytes(Integer.parseInt(length.group(1))) : new byte[0];
            return headers + new String(body, StandardCharsets.UTF_8);
        }
    }
}
