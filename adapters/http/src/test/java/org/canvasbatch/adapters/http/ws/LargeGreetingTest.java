package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.buffers.BufferData;
import io.helidon.websocket.WsSession;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.adapters.http.ws.RawSocket.Frame;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The greeting of a socket on a large session — {@code connected}, a {@code progress_update} per group, the snapshot
 * with a result for every finished node — is hundreds of kilobytes. It goes out whole and valid, and the connection
 * keeps no buffer of that size afterwards: an idle socket costs the same whatever the size of the session it watches
 * (issue 12). Helidon's {@code WsSession.send} copies each message into a per-connection send buffer that grows to the
 * largest message and stays, so a server that greeted through it would hold a snapshot's size for every idle socket.
 */
class LargeGreetingTest {

    private static final int NODES = 1_500;
    private static final int SOCKETS = 4;
    /** What a connection may hold in buffers while idle: Helidon's 1 KiB send buffer and its control frames. */
    private static final int IDLE_BUFFER_LIMIT = 4 * 1024;

    private final TestServer server = new TestServer(WsSettings.DEFAULT);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void socketsGreetedWithALargeSnapshotHoldNoBufferOfItsSize() {
        SessionId id = runningSessionWithManyResults();
        List<RawSocket> clients = new ArrayList<>();
        try {
            for (int i = 0; i < SOCKETS; i++) {
                RawSocket raw = RawSocket.connect(server.port(), "/ws/intelligent-parallel/" + id.value(), 64 * 1024);
                clients.add(raw);
                List<Frame> greeting = readGreeting(raw);
                assertThat(greeting)
                        .extracting(frame -> parse(frame).getString("type"))
                        .containsExactly(
                                "connected", "progress_update", "progress_update", "progress_update", "snapshot");
                Frame snapshot = greeting.getLast();
                assertThat(snapshot.payload().length)
                        .as("a snapshot larger than the 64 KiB a 16-bit frame length can carry")
                        .isGreaterThan(100 * 1024);
                assertThat(parse(snapshot).getJsonObject("data").getJsonArray("node_results"))
                        .as("the result of every finished node")
                        .hasSize(NODES - 1);
            }

            List<WsSession> sockets = server.channel.sockets();
            assertThat(sockets).hasSize(SOCKETS);
            for (WsSession socket : sockets) {
                List<Integer> buffers = buffersHeldBy(socket);
                assertThat(buffers)
                        .as("Helidon's connection keeps its send buffer")
                        .isNotEmpty();
                assertThat(buffers.stream().mapToLong(Integer::longValue).sum())
                        .as("bytes the connection holds in buffers after a greeting of over 100 KiB")
                        .isLessThanOrEqualTo(IDLE_BUFFER_LIMIT);
            }
        } finally {
            clients.forEach(RawSocket::close);
        }
    }

    /** Every node but one answered (its result in the snapshot), the last one still thinking: the session runs on. */
    private SessionId runningSessionWithManyResults() {
        SessionId id = server.analyze(NODES);
        for (int n = 1; n < NODES; n++) {
            server.agent.always("n" + n, new ScriptedAgent.Answer("A short note on node " + n + "."));
        }
        server.agent.always("n" + NODES, new ScriptedAgent.Hang());
        EventRecorder recorder = server.record(id);
        server.start(id);
        EventRecorder.awaitCondition(
                () -> recorder.events().stream()
                                .filter(TaskSucceeded.class::isInstance)
                                .count()
                        == NODES - 1,
                "every node but the hanging one answered");
        return id;
    }

    private static List<Frame> readGreeting(RawSocket raw) {
        List<Frame> frames = new ArrayList<>();
        while (true) {
            Frame frame = raw.read();
            assertThat(frame).as("the greeting goes out whole").isNotNull();
            if (frame.opcode() != 1) {
                continue;
            }
            frames.add(frame);
            if (parse(frame).getString("type").equals("snapshot")) {
                return frames;
            }
        }
    }

    private static JsonObject parse(Frame frame) {
        return Json.createReader(new StringReader(frame.text())).readObject();
    }

    /**
     * The size of every buffer Helidon's connection object keeps in its own fields: the byte arrays each holds (its
     * {@code capacity()} is only the room left after the last write, which a buffer filled by its last message lacks).
     */
    private static List<Integer> buffersHeldBy(WsSession socket) {
        List<Integer> sizes = new ArrayList<>();
        for (Object buffer : fieldValues(socket, BufferData.class)) {
            int bytes = 0;
            for (Object array : fieldValues(buffer, byte[].class)) {
                bytes += ((byte[]) array).length;
            }
            sizes.add(bytes);
        }
        return sizes;
    }

    /** The values of {@code owner}'s own (non-static) fields of type {@code type}, in its class and superclasses. */
    private static List<Object> fieldValues(Object owner, Class<?> type) {
        List<Object> values = new ArrayList<>();
        for (Class<?> c = owner.getClass(); c != null; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (Modifier.isStatic(field.getModifiers()) || !type.isAssignableFrom(field.getType())) {
                    continue;
                }
                field.setAccessible(true);
                try {
                    Object value = field.get(owner);
                    if (value != null) {
                        values.add(value);
                    }
                } catch (IllegalAccessException e) {
                    throw new AssertionError("cannot read " + field, e);
                }
            }
        }
        return values;
    }
}
