package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;
import org.canvasbatch.adapters.http.ws.RawSocket.Frame;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A plugin window that reads slowly (a busy renderer: the browser takes no more bytes, and the TCP window fills) is
 * minimized while the server's write of its history (up to 32 KiB) waits on it. The write began long before the close,
 * more than the settle margin ({@link WsSettings#pluginSettleMargin}), but its last bytes reach the browser only just
 * before the plugin's {@code ws.close()}, or after it: (browser) what reaches the socket behind the click, or after the
 * close, is dropped. Those messages must come again on the window's next socket, or its "N个节点" comes up short: a
 * write can have been handled only once its bytes were all with the client, which is no sooner than the write returned.
 */
class SlowWindowMinimizedTest {

    /** A history of far more than one write (32 KiB) and the sockets' buffers (a few KiB here). */
    private static final int NODES = 60;
    /** Larger than the default, so that how fast this machine reads the backlog does not matter. */
    private static final Duration MARGIN = Duration.ofSeconds(1);
    /** The renderer stays busy this long: three times the margin, so the write under way began long before the close. */
    private static final long BUSY_MILLIS = 3_000;
    /** A seq past the end of the history's first write (some 64 of its 123 events) and before the history's end. */
    private static final long PAST_THE_FIRST_WRITE = 100;

    private TestServer server;
    private String path;
    private RawSocket slow;
    private final List<JsonObject> handled = new ArrayList<>();
    private final List<JsonObject> dropped = new ArrayList<>();

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    /**
     * The renderer gets to the 📤 click once the browser has read the backlog: every message of the write that waited on
     * it reached the browser behind the click, and the write returned only a moment before the close.
     */
    @Test
    void theOutcomesOfALongWriteThatEndedJustBeforeTheWindowsCloseComeAgainOnItsNextSocket() throws Exception {
        aWindowWhoseRendererIsBusyWhileAWriteWaitsOnIt();
        // the browser reads on, behind the click: the write that waited returns, the next one begins
        for (JsonObject message = json(slow.read()); ; message = json(slow.read())) {
            dropped.add(message);
            if (TestSocket.isPrimaryEvent(message)
                    && message.getJsonNumber("seq").longValue() >= PAST_THE_FIRST_WRITE) {
                break;
            }
        }
        minimize();

        assertEveryNodeCountedOnceTheWindowReconnects();
    }

    /** The plugin closes while the write still waits on it: the rest of that write reaches the socket after its close. */
    @Test
    void theOutcomesOfALongWriteStillUnderWayWhenTheWindowClosedComeAgainOnItsNextSocket() throws Exception {
        aWindowWhoseRendererIsBusyWhileAWriteWaitsOnIt();
        minimize();

        assertEveryNodeCountedOnceTheWindowReconnects();
    }

    private void aWindowWhoseRendererIsBusyWhileAWriteWaitsOnIt() throws InterruptedException {
        // a small send buffer: the first write of the history waits until the client reads on
        server = new TestServer(
                WsSettings.DEFAULT.withPluginSettleMargin(MARGIN), options -> options.socketSendBufferSize(4096));
        SessionId id = server.analyze(NODES);
        server.runToEnd(id);
        path = "/ws/intelligent-parallel/" + id.value();

        // the window's socket (the plugin's origin: the server replays it the history) with a tiny receive buffer
        slow = RawSocket.connect(server.port(), path, 1024, TestSocket.PLUGIN_ORIGIN);
        for (int i = 0; i < 3; i++) {
            handled.add(json(slow.read()));
        }
        // the renderer is busy, and the learner clicks 📤 meanwhile: the browser takes no more bytes, and the write of
        // the history under way waits on it
        Thread.sleep(BUSY_MILLIS);
    }

    /** (plugin) {@code ws.close()} (1000); the browser reads on until the server's answer and drops it all. */
    private void minimize() {
        slow.sendFrame(8, new byte[] {0x03, (byte) 0xe8});
        for (Frame frame = slow.read(); frame != null && !frame.isClose(); frame = slow.read()) {
            dropped.add(json(frame));
        }
        slow.close();
        EventRecorder.awaitCondition(
                () -> server.channel.connectionCount() == 0, "the server to see the window's socket closed");
    }

    private void assertEveryNodeCountedOnceTheWindowReconnects() {
        assertThat(outcomes(dropped))
                .as("the case under test: outcomes of the write that waited reached the browser behind the click")
                .isNotEmpty();

        // (plugin) its onclose, the session neither completed nor cancelled for the window, reconnects
        RawSocket next = RawSocket.connect(server.port(), path, 64 * 1024, TestSocket.PLUGIN_ORIGIN);
        List<JsonObject> resumed = new ArrayList<>();
        Frame end;
        for (end = next.read(); end != null && !end.isClose(); end = next.read()) {
            resumed.add(json(end));
        }
        next.close();
        assertThat(end).as("the next socket closed by the session's end").isNotNull();
        assertThat(end.closeCode()).isEqualTo(1000);

        List<String> counted = new ArrayList<>(outcomes(handled));
        counted.addAll(outcomes(resumed));
        assertThat(counted)
                .as(
                        "what the window counts: what it handled before the click, and its next socket (which began"
                                + " after %s); dropped: %s",
                        TestSocket.primarySeqs(resumed).stream().findFirst().orElse(null), outcomes(dropped))
                .containsAll(allNodes());
    }

    private static JsonObject json(Frame frame) {
        assertThat(frame).as("a message").isNotNull();
        assertThat(frame.opcode()).as("a text frame").isEqualTo(1);
        return Json.createReader(new StringReader(frame.text())).readObject();
    }

    private static List<String> outcomes(List<JsonObject> messages) {
        return messages.stream()
                .filter(m -> m.getString("type").equals("task_completed")
                        || m.getString("type").equals("task_failed"))
                .map(m -> m.getJsonObject("data").getString("node_id"))
                .toList();
    }

    private static List<String> allNodes() {
        return IntStream.rangeClosed(1, NODES).mapToObj(i -> "n" + i).toList();
    }
}
