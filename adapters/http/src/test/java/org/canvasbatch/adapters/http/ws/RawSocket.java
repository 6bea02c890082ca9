package org.canvasbatch.adapters.http.ws;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.concurrent.ThreadLocalRandom;
import org.canvasbatch.testsupport.socket.TestSocket;

/**
 * A bare-bones WebSocket client over a plain socket, for the clients the JDK's cannot imitate: one that stops reading
 * (with a tiny receive buffer, so the server feels it at once), one that never answers a ping, and one that sends
 * frames no well-behaved client would (reserved opcodes, invalid UTF-8, lengths beyond every limit).
 */
final class RawSocket implements AutoCloseable {

    /**
     * A frame as received: opcode and payload (a close frame's payload starts with its code), and the header bits a
     * server frame must have — FIN set, RSV clear ({@code flags} is the first byte's high nibble) and no mask.
     */
    record Frame(int opcode, byte[] payload, int flags, boolean masked) {
        Frame(int opcode, byte[] payload) {
            this(opcode, payload, 0x80, false);
        }

        boolean isClose() {
            return opcode == 8;
        }

        int closeCode() {
            return ((payload[0] & 0xff) << 8) | (payload[1] & 0xff);
        }

        String text() {
            return new String(payload, isClose() ? 2 : 0, payload.length - (isClose() ? 2 : 0), StandardCharsets.UTF_8);
        }
    }

    private final Socket socket;
    private final InputStream in;
    private final OutputStream out;

    private RawSocket(Socket socket) throws IOException {
        this.socket = socket;
        this.in = socket.getInputStream();
        this.out = socket.getOutputStream();
    }

    /** Connects and completes the handshake; after that nothing is read unless the test asks. */
    static RawSocket connect(int port, String path, int receiveBuffer) {
        return connect(port, path, receiveBuffer, null);
    }

    /** As {@link #connect(int, String, int)}, with an {@code Origin} header when {@code origin} is not null. */
    static RawSocket connect(int port, String path, int receiveBuffer, String origin) {
        try {
            Socket socket = new Socket();
            socket.setReceiveBufferSize(receiveBuffer);
            socket.setSoTimeout((int) TestSocket.PATIENCE.toMillis());
            socket.connect(new InetSocketAddress("127.0.0.1", port));
            RawSocket raw = new RawSocket(socket);
            byte[] nonce = new byte[16];
            ThreadLocalRandom.current().nextBytes(nonce);
            raw.out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + port + "\r\nUpgrade: websocket\r\n"
                            + "Connection: Upgrade\r\nSec-WebSocket-Key: "
                            + Base64.getEncoder().encodeToString(nonce)
                            + "\r\nSec-WebSocket-Version: 13\r\n"
                            + (origin == null ? "" : "Origin: " + origin + "\r\n")
                            + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            raw.out.flush();
            String response = raw.readHead();
            if (!response.startsWith("HTTP/1.1 101")) {
                throw new IllegalStateException("handshake refused: " + response);
            }
            return raw;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String readHead() throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        byte[] end = {'\r', '\n', '\r', '\n'};
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake");
            }
            head.write(b);
            matched = b == end[matched] ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /**
     * Sends one masked frame as written by hand: {@code opcode} may be any 4-bit value, the payload anything; the
     * length is encoded in the shortest form unless {@code declaredLength} says otherwise (to claim more than is sent).
     */
    void sendFrame(int opcode, boolean fin, byte[] payload, long declaredLength) {
        try {
            byte[] mask = new byte[4];
            ThreadLocalRandom.current().nextBytes(mask);
            byte[] frame = ClientFrames.masked((fin ? 0x80 : 0) | (opcode & 0x7f), payload, declaredLength, mask);
            out.write(frame);
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    void sendFrame(int opcode, byte[] payload) {
        sendFrame(opcode, true, payload, payload.length);
    }

    void sendText(String text) {
        sendFrame(1, text.getBytes(StandardCharsets.UTF_8));
    }

    /** Every byte the server sends from now until it ends the connection, undecoded. */
    byte[] readToEnd() {
        try {
            return in.readAllBytes();
        } catch (java.net.SocketException e) {
            return new byte[0];
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The next frame from the server; null when the connection has ended. */
    Frame read() {
        try {
            int first = in.read();
            if (first < 0) {
                return null;
            }
            int second = readByte();
            boolean masked = (second & 0x80) != 0;
            long length = second & 0x7f;
            if (length == 126) {
                length = (readByte() << 8) | readByte();
            } else if (length == 127) {
                length = 0;
                for (int i = 0; i < 8; i++) {
                    length = (length << 8) | readByte();
                }
            }
            if (masked) {
                in.readNBytes(4);
            }
            byte[] payload = in.readNBytes((int) length);
            if (payload.length < length) {
                return null;
            }
            return new Frame(first & 0x0f, payload, first & 0xf0, masked);
        } catch (java.net.SocketException e) {
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Reads everything the server sent until its close frame (or the end of the connection, then null). */
    Frame readUntilClose() {
        Frame frame;
        do {
            frame = read();
        } while (frame != null && !frame.isClose());
        return frame;
    }

    private int readByte() throws IOException {
        int b = in.read();
        if (b < 0) {
            throw new IOException("connection ended inside a frame");
        }
        return b;
    }

    @Override
    public void close() {
        try {
            socket.close();
        } catch (IOException e) {
            // closing a test socket: nothing to do
        }
    }
}
