package org.canvasbatch.adapters.http.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.common.socket.PlainSocket;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.websocket.WsConnection;
import java.lang.reflect.Field;
import java.util.Optional;

/**
 * Makes small two buffers Helidon 4.5 keeps for a connection's whole life once that connection has become a
 * WebSocket.
 *
 * <p>Why: a plugin's WebSocket sits idle for hours and receives a few commands of under 200 bytes, yet Helidon keeps
 * the 8 KiB read buffer its {@code PlainSocket} makes for HTTP requests, and the 1 KiB send buffer its
 * {@code WsConnection} makes for frames this server sends through the socket's {@link Wire} instead; Helidon writes
 * only its own close frames there (its answer to a client's close, a {@link FrameCheck} refusal). Together they were
 * half of what an idle socket held (docs/benchmarks.md "Idle sockets"), and no setting or SPI of Helidon 4.5 reaches
 * them: each is a final field filled in a constructor.
 *
 * <ul>
 *   <li>{@code PlainSocket.get()} reads into its buffer and hands on a copy of what it read, so a smaller buffer
 *       changes only how many bytes one read may take: a frame arrives in more reads, never different (the checked
 *       reader gathers a large payload into larger reads of its own, so Helidon's reader does not get it in small
 *       pieces).
 *   <li>{@code WsConnection} clears its send buffer before each frame it writes, under its own lock, and a growing
 *       buffer grows to the largest frame written into it; the smallest Helidon makes is 256 bytes, which a close
 *       frame with a short reason fits.
 * </ul>
 *
 * <p>Each swap is a reflective write to a final field, made on the connection's own thread while it runs the upgrade,
 * before the connection reads its first frame or anyone else can reach it (a read under way would copy from the new
 * buffer). If a Helidon release renames a field, or the JVM refuses the write, connections keep Helidon's buffer, as
 * before, and one line says so.
 */
final class IdleSocketMemory {

    /**
     * Holds in one read every frame the plugin sends (it sends no message: only the pongs to this server's pings and a
     * close frame, at most 131 bytes) and every command a script may send (well under 200 bytes).
     */
    static final int READ_BUFFER_BYTES = 256;

    private static final System.Logger LOG = System.getLogger(IdleSocketMemory.class.getName());
    private static final Swap READ_BUFFER = new Swap(PlainSocket.class, "readBuffer", byte[].class);
    private static final Swap SEND_BUFFER = new Swap(WsConnection.class, "sendBuffer", BufferData.class);

    private IdleSocketMemory() {}

    /**
     * Gives a plain socket a {@value #READ_BUFFER_BYTES}-byte read buffer instead of Helidon's 8 KiB; only on the
     * thread that reads the socket, between two reads.
     *
     * @return whether the buffer was swapped (false for a TLS socket, or when the field is out of reach)
     */
    static boolean shrinkReadBuffer(HelidonSocket socket) {
        return socket.getClass() == PlainSocket.class && READ_BUFFER.replace(socket, new byte[READ_BUFFER_BYTES]);
    }

    /**
     * Gives Helidon's WebSocket connection the smallest send buffer Helidon makes (256 bytes) instead of its 1 KiB one;
     * only before the connection is handled.
     *
     * @return whether the buffer was swapped (false for any other connection, or when the field is out of reach)
     */
    static boolean shrinkSendBuffer(ServerConnection connection) {
        return connection != null
                && connection.getClass() == WsConnection.class
                && SEND_BUFFER.replace(connection, BufferData.growing(0));
    }

    /** A final field of Helidon's, written by reflection until the first refusal; each problem said once. */
    private static final class Swap {
        private final String name;
        private volatile Optional<Field> field;

        Swap(Class<?> owner, String name, Class<?> type) {
            this.name = owner.getSimpleName() + "." + name;
            this.field = find(owner, name, type);
        }

        boolean replace(Object owner, Object value) {
            Optional<Field> reachable = field;
            if (reachable.isEmpty()) {
                return false;
            }
            try {
                reachable.get().set(owner, value);
                return true;
            } catch (IllegalAccessException | RuntimeException e) {
                field = Optional.empty();
                LOG.log(
                        System.Logger.Level.WARNING,
                        "The JVM refused to replace Helidon's " + name + " (" + e
                                + "): idle WebSockets keep Helidon's buffer");
                return false;
            }
        }

        private Optional<Field> find(Class<?> owner, String fieldName, Class<?> type) {
            try {
                Field found = owner.getDeclaredField(fieldName);
                if (found.getType() != type) {
                    throw new NoSuchFieldException(
                            fieldName + " is a " + found.getType().getName());
                }
                found.setAccessible(true);
                return Optional.of(found);
            } catch (NoSuchFieldException | RuntimeException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "Helidon's " + name + " is out of reach (" + e + "): idle WebSockets keep Helidon's buffer");
                return Optional.empty();
            }
        }
    }
}
