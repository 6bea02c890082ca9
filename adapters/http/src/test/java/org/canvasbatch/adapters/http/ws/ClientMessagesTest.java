package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.ScriptedAgent.WaitForPermit;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Client → server messages (CONTRACT §3.4): commands answered with ack or a clear error; bad frames never fatal. */
class ClientMessagesTest {

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    private static JsonObject data(JsonObject message) {
        return message.getJsonObject("data");
    }

    private static boolean answers(JsonObject message, String requestId) {
        return data(message).containsKey("request_id")
                && !data(message).isNull("request_id")
                && data(message).getString("request_id").equals(requestId);
    }

    private TestSocket runningSessionWithAFailedNode() {
        SessionId id = server.analyze(6);
        Semaphore permits = new Semaphore(0);
        for (int i = 2; i <= 6; i++) {
            server.agent.always("n" + i, new WaitForPermit(permits));
        }
        server.agent.then("n1", ScriptedAgent.permanent("The model refused"));
        TestSocket socket = TestSocket.connect(server.socket(id));
        socket.await("snapshot");
        server.start(id);
        socket.await("task_failed");
        return socket;
    }

    @Test
    void everyCommandIsAcknowledgedAndItsEffectArrivesAsAnEvent() {
        TestSocket socket = runningSessionWithAFailedNode();

        socket.send("{\"type\":\"pause\",\"request_id\":\"p\"}");
        assertThat(data(socket.await("ack", m -> answers(m, "p"))).getString("command"))
                .isEqualTo("pause");
        socket.await("session_paused");

        socket.send("{\"type\":\"resume\",\"request_id\":\"r\"}");
        socket.await("ack", m -> answers(m, "r"));
        socket.await("session_resumed");

        socket.send("{\"type\":\"set_priority\",\"group_id\":1,\"priority\":\"urgent\",\"request_id\":\"s\"}");
        socket.await("ack", m -> answers(m, "s"));
        JsonObject changed = socket.await("priority_changed");
        assertThat(data(changed).getInt("group_id")).isEqualTo(1);
        assertThat(data(changed).getString("priority")).isEqualTo("urgent");

        socket.send("{\"type\":\"retry\",\"node_id\":\"n1\",\"request_id\":\"t\"}");
        socket.await("ack", m -> answers(m, "t"));
        assertThat(data(socket.await("task_requeued")).getString("node_id")).isEqualTo("n1");

        socket.send("{\"type\":\"ping\",\"request_id\":\"q\"}");
        socket.await("pong", m -> answers(m, "q"));

        socket.send("{\"type\":\"cancel\",\"request_id\":\"c\"}");
        JsonObject cancelAck = socket.await("ack", m -> answers(m, "c"));
        socket.await("session_cancelled");
        JsonObject completed = socket.await("session_completed");
        assertThat(data(completed).getString("state")).isEqualTo("cancelled");
        assertThat(socket.awaitClose()).isEqualTo(1000);
        List<JsonObject> all = socket.messages();
        assertThat(all.indexOf(cancelAck))
                .as("the ack comes before the events the command caused")
                .isLessThan(all.indexOf(completed));
        assertThat(all.indexOf(socket.await("ack", m -> answers(m, "p"))))
                .isLessThan(all.indexOf(socket.await("session_paused")));
    }

    /**
     * A socket onto a finished session sends its summary and closes at once. A retry sent the moment it opened was
     * carried out and never answered (a hostile client: 5 of 5), and when its events got in first the socket ended
     * with the old summary after them. Over the socket, a finished batch's node is not run again: the single-agent
     * route does that. Whichever way the race goes, the session stays as it was and the socket's last word is its end.
     */
    @Test
    void aRetrySentAsTheSocketOpensOntoAFinishedSessionIsNotCarriedOut() {
        for (int round = 0; round < 10; round++) {
            SessionId id = server.analyze(2);
            server.agent.then("n1", ScriptedAgent.permanent("The model refused"));
            server.runToEnd(id);
            EventRecorder afterwards = server.record(id);

            TestSocket socket = TestSocket.connect(server.socket(id));
            try {
                socket.send("{\"type\":\"retry\",\"node_id\":\"n1\",\"request_id\":\"again\"}");
            } catch (CompletionException closedBeforeItWent) {
                // the socket's close reached the client first: the retry was never sent
            }
            assertThat(socket.awaitClose()).isEqualTo(1000);

            List<JsonObject> got = socket.messages();
            assertThat(afterwards.events())
                    .as("round %d: nothing was run again", round)
                    .isEmpty();
            assertThat(got.getLast().getString("type")).as("round %d", round).isEqualTo("session_completed");
            assertThat(data(got.getLast()).getString("state")).isEqualTo("partial_failure");
            assertThat(got.stream().filter(m -> answers(m, "again")))
                    .as("round %d: an answer, if it came before the close, says why", round)
                    .allSatisfy(answer -> {
                        assertThat(answer.getString("type")).isEqualTo("error");
                        assertThat(data(answer).getString("message")).contains("already finished");
                    });
        }
    }

    @Test
    void aCommandTheSessionRefusesIsAnUnrecoverableErrorThatSaysWhy() {
        TestSocket socket = runningSessionWithAFailedNode();

        socket.send("{\"type\":\"resume\",\"request_id\":1}");
        socket.send("{\"type\":\"retry\",\"node_id\":\"n2\",\"request_id\":2}");
        socket.send("{\"type\":\"set_priority\",\"group_id\":99,\"priority\":\"high\",\"request_id\":3}");
        socket.send("{\"type\":\"set_priority\",\"group_id\":1,\"priority\":\"asap\",\"request_id\":4}");
        socket.send("{\"type\":\"retry\",\"request_id\":5}");

        List<JsonObject> errors = List.of(1, 2, 3, 4, 5).stream()
                .map(n -> socket.await(
                        "error",
                        m -> data(m).containsKey("request_id")
                                && data(m).get("request_id").toString().equals("" + n)))
                .toList();
        assertThat(errors)
                .allSatisfy(e -> assertThat(data(e).getBoolean("recoverable")).isFalse());
        assertThat(data(errors.get(0)).getString("message")).contains("only a paused session can be resumed");
        assertThat(data(errors.get(0)).getString("command")).isEqualTo("resume");
        assertThat(data(errors.get(1)).getString("message")).contains("only a failed node can be retried");
        assertThat(data(errors.get(2)).getString("message")).contains("has no group 99");
        assertThat(data(errors.get(3)).getString("message")).contains("urgent, high, medium, low");
        assertThat(data(errors.get(4)).getString("message")).contains("node_id");
        assertThat(socket.isClosed()).isFalse();
    }

    @Test
    void badFramesAreAnsweredWithAnErrorEventAndTheSocketStaysOpen() {
        TestSocket socket = runningSessionWithAFailedNode();

        socket.send("{not json");
        socket.send("{\"type\":\"launch_rockets\"}");
        socket.sendBinary(new byte[] {1, 2, 3});
        socket.send("{\"type\":\"ping\",\"padding\":\"" + "x".repeat(70 * 1024) + "\"}");
        socket.send("[1,2]");

        socket.awaitState(() -> errors(socket).size() >= 5 ? true : null, "five errors");
        assertThat(errors(socket))
                .extracting(e -> data(e).getString("error_type"))
                .containsExactly(
                        "malformed_json", "unknown_type", "binary_frame", "frame_too_large", "malformed_message");
        assertThat(errors(socket))
                .allSatisfy(e -> assertThat(data(e).getString("message")).isNotBlank());
        assertThat(data(errors(socket).get(3)).getString("message")).contains("65536");
        socket.send("{\"type\":\"ping\",\"request_id\":\"still-here\"}");
        socket.await("pong", m -> answers(m, "still-here"));
        assertThat(socket.isClosed()).isFalse();
    }

    /** Contract §1: a leading byte order mark is skipped, in a message as in a body (a hostile tester: it was refused). */
    @Test
    void aMessageWithALeadingByteOrderMarkIsReadAsWithout() {
        TestSocket socket = runningSessionWithAFailedNode();

        socket.send("\uFEFF{\"type\":\"ping\",\"request_id\":\"marked\"}");

        socket.await("pong", m -> answers(m, "marked"));
        assertThat(errors(socket)).isEmpty();
    }

    @Test
    void aFloodOfMoreThanTwentyBadFramesInAMinuteClosesWith1008() {
        TestSocket socket = runningSessionWithAFailedNode();

        for (int i = 0; i < 21; i++) {
            socket.send(("garbage " + i));
        }

        assertThat(socket.awaitClose()).isEqualTo(1008);
        assertThat(errors(socket)).hasSizeLessThanOrEqualTo(20);
    }

    @Test
    void aMessageInPiecesIsPutTogetherBeforeItIsRead() {
        TestSocket socket = runningSessionWithAFailedNode();

        socket.sendPartial("{\"type\":\"pi", false);
        socket.sendPartial("ng\",\"request_id\":\"joined\"}", true);

        socket.await("pong", m -> answers(m, "joined"));
        assertThat(errors(socket)).isEmpty();
    }

    private static List<JsonObject> errors(TestSocket socket) {
        return socket.messages().stream()
                .filter(m -> m.getString("type").equals("error"))
                .toList();
    }

    @Test
    void deeplyNestedJsonAndHugeNumbersGetAnErrorMessageAndTheSocketStaysOpen() {
        SessionId id = server.analyze(2);
        TestSocket socket = TestSocket.connect(server.socket(id));
        socket.await("snapshot");

        socket.send("[".repeat(5_000) + "]".repeat(5_000));
        JsonObject deep = socket.await(
                "error", m -> m.getJsonObject("data").getString("message").contains("nested"));
        socket.send("{\"type\":\"set_priority\",\"group_id\":1" + "0".repeat(2_000) + ",\"priority\":\"high\"}");
        JsonObject huge = socket.await(
                "error", m -> m.getJsonObject("data").getString("message").contains("number of"));
        socket.send("{\"type\":\"ping\",\"request_id\":\"still-there\"}");
        socket.await("pong");

        assertThat(deep.getJsonObject("data").getString("message")).contains("limit of 64 levels");
        assertThat(huge.getJsonObject("data").getString("message"))
                .contains("group_id")
                .contains("limit is 100");
        assertThat(socket.isClosed()).isFalse();
    }

    @Test
    void trailingBytesAfterTheJsonOfAFrameAreAnError() {
        SessionId id = server.analyze(2);
        TestSocket socket = TestSocket.connect(server.socket(id));
        socket.await("snapshot");

        socket.send("{\"type\":\"ping\"} {\"type\":\"cancel\"}");

        JsonObject error = socket.await("error");
        assertThat(error.getJsonObject("data").getString("message")).contains("after the end");
        assertThat(socket.messages()).noneMatch(m -> m.getString("type").equals("session_cancelled"));
    }
}
