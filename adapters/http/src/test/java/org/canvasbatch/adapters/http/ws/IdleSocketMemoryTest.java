package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.common.buffers.DataReader;
import io.helidon.common.socket.PlainSocket;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.websocket.WsCloseException;
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
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An upgraded WebSocket gives up Helidon's 8 KiB read buffer for a small one and its 1 KiB send buffer for Helidon's
 * smallest (an idle plugin socket holds 8.5 KiB less), on Helidon's real sockets and connections; the connection still
 * reads every byte the client sends, in order and once, a large frame in few pieces that grow from Helidon's own read
 * size, and Helidon's close answers go out whole. If a Helidon release moves a buffer out of reach, these tests say so,
 * instead of the saving disappearing without a word.
 */
@Timeout(60)
class IdleSocketMemoryTest {

    private static final byte[] UPGRADE_REQUEST = ("GET /ws/intelligent-parallel/s HTTP/1.1\r\nHost: localhost\r\n"
                    + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII);

    private ServerSocket listener;
    private Socket client;
    private Socket accepted;
    private PlainSocket serverSide;

    @BeforeEach
    void connect() throws IOException {
        listener = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        client = new Socket(InetAddress.getLoopbackAddress(), listener.getLocalPort());
        accepted = listener.accept();
        accepted.setSoTimeout(20_000); // a lost byte fails the test instead of hanging it
        serverSide = PlainSocket.server(accepted, "1", "0");
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
        send(sent);

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
    void framesSentWithTheUpgradeRequestComeFirstThenTheSocketsInOrderAndOnce() throws IOException {
        byte[] first = maskedFrame(0x81, "{\"type\":\"ping\"}");
        byte[] second = maskedFrame(0x81, "{\"type\":\"ping\",\"padding\":\"" + "x".repeat(3_000) + "\"}");
        byte[] third = maskedFrame(0x8a, "pong");
        int half = second.length / 2;
        // Helidon read the request together with the first frame and half of the second, as a client writing them at
        // once makes it, and parsed the request
        byte[] readWithTheRequest = join(UPGRADE_REQUEST, first, Arrays.copyOf(second, half));
        DataReader helidonReader = readerWithFirstRead(readWithTheRequest);
        helidonReader.readBytes(UPGRADE_REQUEST.length);

        DataReader connectionReader = upgradedReader(helidonReader);
        assertThat(bytesIn(serverSide, "readBuffer")).isEqualTo(IdleSocketMemory.READ_BUFFER_BYTES);
        send(join(Arrays.copyOfRange(second, half, second.length), third));

        byte[] expected = join(first, second, third);
        assertThat(connectionReader.readBytes(expected.length)).isEqualTo(expected);
        assertThat(arraysHeldBy(helidonReader))
                .as("Helidon's reader no longer holds the read that carried the upgrade request")
                .noneMatch(held -> held == readWithTheRequest);
    }

    @Test
    void aLargeFrameReachesHelidonInFewPiecesThatGrowFromTheSizeOfItsOwnReads() {
        byte[] payload = new byte[1 << 20];
        new Random(11).nextBytes(payload);
        byte[] frame = maskedFrame(0x82, payload);
        DataReader connectionReader = upgradedReader(readerWithFirstRead(null));
        FutureTask<Void> writer = new FutureTask<>(() -> send(frame), null);
        Thread.ofVirtual().start(writer);

        List<Integer> pieces = new ArrayList<>();
        try {
            while (connectionReader.available() < frame.length) {
                int before = connectionReader.available();
                connectionReader.pullData();
                pieces.add(connectionReader.available() - before);
            }
            writer.get();
        } catch (RuntimeException | ExecutionException | InterruptedException e) {
            throw new AssertionError("the frame did not arrive (the writer: " + writer.state() + ")", e);
        }
        assertThat(connectionReader.readBytes(frame.length)).isEqualTo(frame);
        // Helidon unmasks a payload by walking its pieces from the first for every byte: in 512-byte pieces a 1 MiB
        // frame took it over a second of a carrier thread; its own 8 KiB reads made 129 pieces, growing ones far fewer
        assertThat(pieces).hasSizeLessThanOrEqualTo(24);
        List<Integer> gathered = pieces.subList(1, pieces.size() - 1); // the first read and the frame's tail aside
        assertThat(gathered).as("gathered pieces").isSorted();
        // a frame that announces a megabyte but sends a little has the server hold no more than Helidon's 8 KiB
        assertThat(gathered.getFirst()).as("the payload's first gathered piece").isLessThanOrEqualTo(8 * 1024);
    }

    @Test
    void aBadByteInALargeTextFrameIsRefusedWhenItArrivesNotWhenThePieceWouldBeFull() {
        byte[] text = "a".repeat(40_000).getBytes(StandardCharsets.UTF_8);
        text[9_000] = (byte) 0xff; // never valid in UTF-8
        byte[] frame = maskedFrame(0x81, text);
        DataReader connectionReader = upgradedReader(readerWithFirstRead(null));
        // the client sends a little past the bad byte and then waits, as a hostile one may
        send(Arrays.copyOf(frame, 9_100));

        assertThatThrownBy(() -> connectionReader.readBytes(frame.length))
                .isInstanceOfSatisfying(
                        WsCloseException.class,
                        refused -> assertThat(refused.closeCode()).isEqualTo(1007));
    }

    @Test
    void aLargeFrameCutShortByTheClientsEndGivesWhatArrivedThenEndsTheReader() throws IOException {
        byte[] frame = maskedFrame(0x82, new byte[40_000]);
        DataReader connectionReader = upgradedReader(readerWithFirstRead(null));
        send(Arrays.copyOf(frame, 20_000));
        client.shutdownOutput();

        assertThat(connectionReader.readBytes(20_000)).isEqualTo(Arrays.copyOf(frame, 20_000));
        assertThatThrownBy(connectionReader::ensureAvailable)
                .isInstanceOf(DataReader.InsufficientDataAvailableException.class);
    }

    @Test
    void theClientClosingItsEndEndsTheReaderAsHelidonsWould() throws IOException {
        DataReader connectionReader = upgradedReader(readerWithFirstRead(null));
        byte[] ping = maskedFrame(0x89, "");
        send(ping);
        assertThat(connectionReader.readBytes(ping.length)).isEqualTo(ping);

        client.shutdownOutput();

        assertThatThrownBy(connectionReader::ensureAvailable)
                .isInstanceOf(DataReader.InsufficientDataAvailableException.class);
    }

    @Test
    void aReadThatFailsEndsTheConnectionAsHelidonsFailedReadsDo() throws IOException {
        DataReader connectionReader = upgradedReader(readerWithFirstRead(null));
        byte[] ping = maskedFrame(0x89, "");
        send(ping);
        assertThat(connectionReader.readBytes(ping.length)).isEqualTo(ping);

        accepted.setSoTimeout(1); // the next read fails as a socket's read does when the network goes away

        assertThatThrownBy(connectionReader::ensureAvailable).isInstanceOf(ServerConnectionException.class);
    }

    @Test
    void aPluginSocketOnARealServerReadsWithSmallBuffersAndHelidonsCloseAnswerGoesOutWhole() {
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
                    .as("Helidon's send buffer: the smallest a growing buffer of Helidon's can be")
                    .isEqualTo(256);

            // a command larger than the read buffer arrives whole; Helidon answers the client's close through its
            // small send buffer
            plugin.send(
                    "{\"type\":\"ping\",\"padding\":\"" + "x".repeat(5 * IdleSocketMemory.READ_BUFFER_BYTES) + "\"}");
            plugin.await("pong");
            plugin.closeFromClient();
            assertThat(plugin.awaitClose()).isEqualTo(1000);
        }
    }

    /**
     * The reader an upgrade gives Helidon's WebSocket connection, made as Helidon's {@code WsConnection} makes it: from
     * the context it is handed, over a connection whose own reader is {@code helidonReader}.
     */
    private DataReader upgradedReader(DataReader helidonReader) {
        AtomicReference<DataReader> connectionReader = new AtomicReference<>();
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
        FrameCheckingUpgrader.wrap(helidon, 1 << 21).upgrade(connectionContext(helidonReader), null, headers);
        return connectionReader.get();
    }

    /** Helidon's reader of this connection: {@code firstRead} (if any) as its first read, then the socket's. */
    private DataReader readerWithFirstRead(byte[] firstRead) {
        AtomicReference<byte[]> pending = new AtomicReference<>(firstRead);
        Supplier<byte[]> reads = () -> {
            byte[] given = pending.getAndSet(null);
            return given != null ? given : serverSide.get();
        };
        return DataReader.create(reads);
    }

    /** Helidon's context of a connection on this socket: its socket and its reader, nothing else is asked for. */
    private ConnectionContext connectionContext(DataReader helidonReader) {
        return (ConnectionContext) Proxy.newProxyInstance(
                ConnectionContext.class.getClassLoader(),
                new Class<?>[] {ConnectionContext.class},
                (proxy, method, args) -> switch (method.getName()) {
                    case "serverSocket" -> serverSide;
                    case "dataReader" -> helidonReader;
                    default -> throw new UnsupportedOperationException(method.getName());
                });
    }

    private void send(byte[] bytes) {
        try {
            OutputStream out = client.getOutputStream();
            out.write(bytes);
            out.flush();
        } catch (IOException e) {
            throw new AssertionError("the client could not send", e);
        }
    }

    /** The arrays Helidon's reader keeps in its chain of pieces, from its head. */
    private static List<byte[]> arraysHeldBy(DataReader reader) {
        List<byte[]> arrays = new ArrayList<>();
        Object node = fieldValue(reader, DataReader.class, "head");
        while (node != null) {
            arrays.add((byte[]) fieldValue(node, node.getClass(), "bytes"));
            node = fieldValue(node, node.getClass(), "next");
        }
        return arrays;
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

    private static byte[] maskedFrame(int first, String text) {
        return maskedFrame(first, text.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] maskedFrame(int first, byte[] payload) {
        return ClientFrames.masked(first, payload);
    }

    private static byte[] join(byte[]... parts) {
        return ClientFrames.join(parts);
    }
}
