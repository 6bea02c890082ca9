package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.PlainSocket;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsSession;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.Proxy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Random;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * An upgraded WebSocket gives up Helidon's 8 KiB read buffer for a small one and its 1 KiB send buffer for Helidon's
 * smallest (an idle plugin socket holds 8.2 KiB less), on Helidon's real sockets and connections, and still reads a client
 * frame many times that size byte for byte and answers pings. If a Helidon release moves a buffer out of reach, these
 * tests say so, instead of the saving disappearing without a word.
 */
class IdleSocketMemoryTest {

    private ServerSocket listener;
    private Socket client;
    private PlainSocket serverSide;

    @BeforeEach
    void connect() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        serverSide = PlainSocket.server(listener.accept(), "1", "0");
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        serverSide.close();
        listener.close();
    }

    @Test
    void aShrunkSocketReadsEveryByteOfALargeWriteInSmallReads() throws IOException {
        assertThat(bytesIn(serverSide, "readBuffer")).as("Helidon's buffer").isEqualTo(8 * 1024);
        assertThat(IdleSocketMemory.shrinkReadBuffer(serverSide))
                .as("the buffer was swapped")
                .isTrue();
        assertThat(bytesIn(serverSide, "readBuffer")).isEqualTo(IdleSocketMemory.READ_BUFFER_BYTES);

        byte[] sent = new byte[20_000];
        new Random(7).nextBytes(sent);
        client.getOutputStream().write(sent);
        client.getOutputStream().flush();

        ByteArrayOutputStream received = new ByteArrayOutputStream();
        int largestRead = 0;
        while (received.size() < sent.length) {
            byte[] read = serverSide.get();
            largestRead = Math.max(largestRead, read.length);
            received.writeBytes(read);
        }
        assertThat(received.toByteArray()).isEqualTo(sent);
        assertThat(largestRead).isLessThanOrEqualTo(IdleSocketMemory.READ_BUFFER_BYTES);
    }

    @Test
    void theConnectionAWebSocketUpgradeMakesReadsWithTheSmallBufferAndGetsItsFramesWhole() throws IOException {
        ConnectionContext helidonContext = connectionContextOf(serverSide);
        AtomicReference<DataReader> connectionReader = new AtomicReference<>();
        // Helidon's WebSocket connection takes its reader from the context it is given, as WsConnection does
        Http1Upgrader helidon = new Http1Upgrader() {
            @Override
            public String supportedProtocol() {
                return "websocket";
            }

            @Override
            public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
                connectionReader.set(ctx.dataReader());
                return null;
            }
        };
        WritableHeaders<?> headers = WritableHeaders.create();
        headers.set(HeaderNames.create("Sec-WebSocket-Key"), "dGhlIHNhbXBsZSBub25jZQ==");

        FrameCheckingUpgrader.wrap(helidon, 1 << 20).upgrade(helidonContext, null, headers);

        assertThat(bytesIn(serverSide, "readBuffer")).isEqualTo(IdleSocketMemory.READ_BUFFER_BYTES);
        byte[] frame = maskedTextFrame("{\"type\":\"ping\",\"padding\":\"" + "x".repeat(3_000) + "\"}");
        OutputStream out = client.getOutputStream();
        out.write(frame);
        out.flush();
        DataReader reader = connectionReader.get();
        assertThat(reader.readBytes(frame.length)).isEqualTo(frame);
    }

    @Test
    void aPluginSocketOnARealServerKeepsNeitherOfHelidonsBuffersYetAnswersPingsAndCommands() {
        try (TestServer server = new TestServer(WsSettings.DEFAULT)) {
            SessionId id = server.analyze(2);
            TestSocket plugin = TestSocket.connectAsPlugin(server.socket(id));
            plugin.await("connected");

            List<WsSession> sockets = server.channel.sockets();
            assertThat(sockets).hasSize(1);
            WsSession helidonSide = sockets.getFirst();
            ConnectionContext context = (ConnectionContext) helidonSide.socketContext();
            assertThat(bytesIn(context.serverSocket(), "readBuffer"))
                    .as("the connection's read buffer")
                    .isEqualTo(IdleSocketMemory.READ_BUFFER_BYTES);
            assertThat(bytesIn(helidonSide, "sendBuffer"))
                    .as("Helidon's send buffer, never written: the smallest a growing buffer of Helidon's can be")
                    .isEqualTo(256);

            // Helidon answers a ping through the emptied send buffer, and a command larger than the read buffer
            // arrives whole
            plugin.ping();
            plugin.awaitPongs(1);
            plugin.send(
                    "{\"type\":\"ping\",\"padding\":\"" + "x".repeat(5 * IdleSocketMemory.READ_BUFFER_BYTES) + "\"}");
            plugin.await("pong");
            assertThat(plugin.isClosed()).isFalse();
        }
    }

    /**
     * The bytes a Helidon object keeps in its field {@code name}: an array's length, or the length of the arrays a
     * buffer keeps (a buffer's own {@code capacity()} is the room after its last write, not what it holds).
     */
    private static int bytesIn(Object owner, String name) {
        Object value = fieldValue(owner, owner.getClass(), name);
        if (value instanceof byte[] array) {
            return array.length;
        }
        int bytes = 0;
        for (Class<?> c = value.getClass(); c != Object.class; c = c.getSuperclass()) {
            for (Field field : c.getDeclaredFields()) {
                if (field.getType() == byte[].class && !Modifier.isStatic(field.getModifiers())) {
                    bytes += ((byte[]) fieldValue(value, c, field.getName())).length;
                }
            }
        }
        return bytes;
    }

    private static Object fieldValue(Object owner, Class<?> declaring, String name) {
        try {
            Field field = declaring.getDeclaredField(name);
            field.setAccessible(true);
            return field.get(owner);
        } catch (ReflectiveOperationException e) {
            throw new AssertionError("Helidon's " + declaring.getName() + "." + name + " is out of reach", e);
        }
    }

    /** Helidon's context of a connection on this socket: its socket and its reader, nothing else is asked for. */
    private static ConnectionContext connectionContextOf(PlainSocket socket) {
        DataReader reader = DataReader.create(socket::get);
        return (ConnectionContext) Proxy.newProxyInstance(
                ConnectionContext.class.getClassLoader(),
                new Class<?>[] {ConnectionContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "serverSocket" -> socket;
                    case "dataReader" -> reader;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private static byte[] maskedTextFrame(String text) {
        byte[] payload = text.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        byte[] mask = {0x5a, 0x1b, 0x33, 0x04};
        ByteArrayOutputStream frame = new ByteArrayOutputStream();
        frame.write(0x81);
        frame.write(0x80 | 126);
        frame.write(payload.length >> 8);
        frame.write(payload.length & 0xff);
        frame.writeBytes(mask);
        for (int i = 0; i < payload.length; i++) {
            frame.write(payload[i] ^ mask[i % 4]);
        }
        return frame.toByteArray();
    }
}
