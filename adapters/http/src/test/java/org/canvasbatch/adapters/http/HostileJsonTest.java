package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.adapters.http.ApiHarness.nodesJson;

import java.io.ByteArrayOutputStream;
import java.net.http.HttpRequest.BodyPublishers;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.canvasbatch.adapters.http.ApiHarness.Answer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * JSON written to hurt: nesting thousands deep, numbers of thousands of digits or exponents, huge strings, bytes that
 * are not UTF-8, more after the value. Each is a 422 that names the place and the limit, logged in one short line
 * without a stack trace (a 2 KB request once wrote 75 KB of stack trace, and any web page could send it).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HostileJsonTest {

    private static final String ANALYZE = "/canvas/intelligent-parallel";
    private static final String NODES = nodesJson("h1", "什么是命题");

    private final ApiHarness api = new ApiHarness().canvas("a.canvas", NODES);
    private final List<LogRecord> logged = new CopyOnWriteArrayList<>();
    private final Logger serverLogs = Logger.getLogger("org.canvasbatch");
    private final Handler recorder = new Handler() {
        @Override
        public void publish(LogRecord record) {
            logged.add(record);
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };

    @BeforeEach
    void recordLogs() {
        serverLogs.addHandler(recorder);
        logged.clear();
    }

    @AfterEach
    void stopRecording() {
        serverLogs.removeHandler(recorder);
    }

    @AfterAll
    void stop() {
        api.close();
    }

    /**
     * The 422 and its log: one line naming the refusal, no stack trace, far shorter than the request.
     *
     * @param field where the problem is, or how that place begins
     */
    private Answer refused(Answer answer, String field, String... words) {
        assertThat(answer.status()).as(answer.text()).isEqualTo(422);
        BadInputTest.assertEnvelope(answer, "ValidationError");
        assertThat(answer.json().getJsonArray("errors").getJsonObject(0).getString("field"))
                .startsWith(field);
        assertThat(answer.json().getString("message")).contains(words);
        assertThat(logged).as("one log line").hasSize(1);
        assertThat(logged.getFirst().getThrown()).as("no stack trace").isNull();
        assertThat(logged.getFirst().getMessage()).contains("422").hasSizeLessThan(1_000);
        return answer;
    }

    @Test
    void nestingThousandsDeepIsRefusedByItsLimit() {
        String deep = "[".repeat(5_000) + "]".repeat(5_000);

        refused(api.post(ANALYZE, deep), "body", "nested deeper than the limit of 64 levels");
        logged.clear();
        refused(
                api.post(
                        ANALYZE,
                        "{\"canvas_path\":\"a.canvas\",\"nodes\":" + "[".repeat(2_000) + "]".repeat(2_000) + "}"),
                "nodes[0][0][0][0]",
                "nested deeper");
    }

    @Test
    void aNumberOfThousandsOfDigitsIsRefusedByItsLimit() {
        String body =
                "{\"canvas_path\":\"a.canvas\",\"max_groups\":1" + "0".repeat(2_000) + ",\"nodes\":" + NODES + "}";

        refused(api.post(ANALYZE, body), "max_groups", "number of 2001 characters", "limit is 100");
    }

    @Test
    void aShortNumberWithAHugeExponentIsRefused() {
        String id = "{\"canvas_path\":\"a.canvas\",\"nodes\":[{\"id\":1e200000,\"text\":\"x\",\"color\":\"1\"}]}";
        String coordinate = "{\"canvas_path\":\"a.canvas\",\"nodes\":[{\"id\":\"n\",\"x\":1e-99999,\"color\":\"1\"}]}";

        refused(api.post(ANALYZE, id), "nodes[0].id", "out of range");
        logged.clear();
        refused(api.post(ANALYZE, coordinate), "nodes[0].x", "out of range");
    }

    @Test
    void aHugeStringIsRefusedByItsLimit() {
        String body = "{\"canvas_path\":\"a.canvas\",\"note\":\"" + "x".repeat(300_000) + "\",\"nodes\":" + NODES + "}";

        refused(api.post(ANALYZE, body), "note", "string of 300000 characters", "limit is 262144");
    }

    @Test
    void bytesThatAreNotUtf8AreRefusedInsteadOfReplaced() {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.writeBytes("{\"canvas_path\":\"a.canvas\",\"nodes\":[{\"id\":\"u1\",\"color\":\"1\",\"text\":\"bad "
                .getBytes(StandardCharsets.UTF_8));
        body.writeBytes(new byte[] {(byte) 0xc3, (byte) 0x28});
        body.writeBytes("\"}]}".getBytes(StandardCharsets.UTF_8));

        Answer answer = api.send("POST", ANALYZE, BodyPublishers.ofByteArray(body.toByteArray()));

        refused(answer, "body", "not valid UTF-8", "offset 70");
    }

    @Test
    void anythingAfterTheJsonValueIsRefused() {
        String valid = "{\"canvas_path\":\"a.canvas\",\"nodes\":" + NODES + "}";

        refused(api.post(ANALYZE, valid + " {\"options\":{\"auto_execute\":true}}"), "body", "more after the end");
        logged.clear();
        refused(api.post(ANALYZE, valid + "garbage"), "body", "more after the end");
        logged.clear();
        assertThat(api.post(ANALYZE, valid + " \n\t ").status())
                .as("white space is fine")
                .isEqualTo(200);
    }

    @Test
    void anEmptyTargetColoursListIsAMistakeNotTheDefault() {
        api.vault.withCanvas(new org.canvasbatch.domain.canvas.Canvas(
                "colours.canvas", List.of(ApiHarness.node("r1", "什么是命题", "1")), List.of()));

        refused(
                api.post(ANALYZE, "{\"canvas_path\":\"colours.canvas\",\"target_colors\":[]}"),
                "target_colors",
                "at least one colour");
        assertThat(api.post(ANALYZE, "{\"canvas_path\":\"colours.canvas\"}").status())
                .as("left out, it is red and purple")
                .isEqualTo(200);
    }

    @Test
    void aByteOrderMarkBeforeTheJsonIsTolerated() {
        byte[] json = ("\uFEFF{\"canvas_path\":\"a.canvas\",\"nodes\":" + NODES + "}").getBytes(StandardCharsets.UTF_8);

        assertThat(api.send("POST", ANALYZE, BodyPublishers.ofByteArray(json)).status())
                .isEqualTo(200);
    }
}
