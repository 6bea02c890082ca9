package org.canvasbatch.adapters.http.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsConnection;
import java.lang.reflect.Field;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Gives back two buffers Helidon 4.5 keeps for a connection's whole life once that connection has become a WebSocket.
 *
 * <p>Why: a plugin's WebSocket sits idle for hours and receives a few commands of under 200 bytes, yet Helidon keeps
 * the 8 KiB read buffer its {@code PlainSocket} makes for HTTP requests, and the 1 KiB send buffer its
 * {@code WsConnection} makes for frames this server never sends through it (every frame goes out through the
 * socket's {@link Wire}; Helidon writes only its own answer to a client's close or ping there). Together they were
 * half of what an idle socket held (docs/benchmarks.md "Idle sockets"), and no setting or SPI of Helidon 4.5 reaches
 * them: each is a final field filled in the constructor.
 *
 * <ul>
 *   <li>{@code PlainSocket.get()} reads into its buffer and hands on a copy of what it read, so a smaller buffer
 *       changes only how many bytes one read may take: a large client frame arrives in more reads, never different.
 *   <li>{@code WsConnection} clears its send buffer before each frame it writes, under its own lock, and a growing
 *       buffer grows to the largest frame written into it: a close answer or a pong of at most 129 bytes, which
 *       fit the smallest one Helidon makes, 256 bytes.
 * </ul>
 *
 * <p>Each swap is a reflective write to a final field, made on the connection's own thread while it runs the upgrade,
 * before the connection reads its first frame or anyone else can reach it (a read under way would copy from the new
 * buffer). If a Helidon release renames a field, or the JVM refuses the write, the connection keeps Helidon's buffer,
 * as before, and one line says so.
 */
final class IdleSocketMemory {

    /** Holds any message the plugin sends, a ping, a pong or a close frame in one read. */
    static final int READ_BUFFER_BYTES = 512;

    private static final System.Logger LOG = System.getLogger(IdleSocketMemory.class.getName());
    private static final Optional<Field> READ_BUFFER = field(PlainSocket.class, "readBuffer", byte[].class);
    private static final Optional<Field> SEND_BUFFER = field(WsConnection.class, "sendBuffer", BufferData.class);
    private static final AtomicBoolean refusalLogged = new AtomicBoolean();

    private IdleSocketMemory() {}

    /**
     * Gives a plain socket a {@value #READ_BUFFER_BYTES}-byte read buffer instead of Helidon's 8 KiB; only on the
     * thread that reads the socket, between two reads.
     *
     * @return whether the buffer was swapped (false for a TLS socket, or when the field is out of reach)
     */
    static boolean shrinkReadBuffer(HelidonSocket socket) {
        return socket.getClass() == PlainSocket.class && swap(READ_BUFFER, socket, new byte[READ_BUFFER_BYTES]);
    }

    /**
     * Gives Helidon's WebSocket connection the smallest send buffer Helidon makes (256 bytes) instead of its 1 KiB one;
     * only before the connection is handled.
     *
     * @return whether the buffer was swapped (false for any other connection, or when the field is out of reach)
     */
    static boolean emptySendBuffer(ServerConnection connection) {
        return connection != null
                && connection.getClass() == WsConnection.class
                && swap(SEND_BUFFER, connection, BufferData.growing(0));
    }

    private static boolean swap(Optional<Field> field, Object owner, Object buffer) {
        if (field.isEmpty()) {
            return false;
        }
        try {
            field.get().set(owner, buffer);
            return true;
        } catch (IllegalAccessException | RuntimeException e) {
            if (!refusalLogged.getAndSet(true)) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "The JVM refused to replace Helidon's " + field.get().getName() + " (" + e
                                + "): each idle WebSocket keeps Helidon's buffers");
            }
            return false;
        }
    }

    private static Optional<Field> field(Class<?> owner, String name, Class<?> type) {
        try {
            Field field = owner.getDeclaredField(name);
            if (field.getType() != type) {
                throw new NoSuchFieldException(name + " is a " + field.getType().getName());
            }
            field.setAccessible(true);
            return Optional.of(field);
        } catch (NoSuchFieldException | RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "Helidon's " + owner.getSimpleName() + "." + name + " is out of reach (" + e
                            + "): each idle WebSocket keeps it");
            return Optional.empty();
        }
    }
}
