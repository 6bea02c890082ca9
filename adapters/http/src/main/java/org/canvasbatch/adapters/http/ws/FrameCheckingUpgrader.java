package org.canvasbatch.adapters.http.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataReader;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.socket.HelidonSocket;
import io.helidon.http.DirectHandler;
import io.helidon.http.HeaderName;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
import io.helidon.http.WritableHeaders;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.ServerConnectionException;
import io.helidon.webserver.http1.Http1Config;
import io.helidon.webserver.http1.Http1ConnectionSelector;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrade;
import io.helidon.webserver.http1.spi.Http1RoutedUpgrader;
import io.helidon.webserver.http1.spi.Http1UpgradeResult;
import io.helidon.webserver.http1.spi.Http1Upgrader;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsUpgrader;
import java.io.UncheckedIOException;
import java.util.Arrays;
import java.util.Base64;
import java.util.Optional;
import java.util.function.Supplier;
import org.canvasbatch.adapters.http.ConnectionDeadlines;
import org.canvasbatch.adapters.http.ForwardingConnectionContext;

/**
 * Helidon's WebSocket upgrade, unchanged, except that the connection it creates reads the client's bytes through a
 * {@link FrameCheck}: a frame RFC 6455 says must fail the connection is answered with the right close code by
 * Helidon's own close path (it closes with the code of a {@code WsCloseException} from its reader), before Helidon's
 * frame reader can mistake it. Installed as the HTTP/1 connection selector of the listener, ahead of the one Helidon
 * would build from its service loader, with the default HTTP/1 settings (this server sets none of its own).
 */
final class FrameCheckingUpgrader {

    private static final HeaderName SEC_WEBSOCKET_KEY = HeaderNames.create("Sec-WebSocket-Key");
    private static final int KEY_BYTES = 16;

    private FrameCheckingUpgrader() {}

    /** An HTTP/1 connection selector whose WebSocket upgrades check every client frame. */
    static ServerConnectionSelector http1Selector(WsConfig config) {
        // each connection's writes with a deadline, as its reads have (ConnectionDeadlines)
        return ConnectionDeadlines.watchingWrites(Http1ConnectionSelector.builder()
                .config(Http1Config.create())
                .addUpgrader(wrap(WsUpgrader.create(config), config.maxFrameLength()))
                .build());
    }

    static Http1Upgrader wrap(Http1Upgrader helidon, int maxFrameLength) {
        return helidon instanceof Http1RoutedUpgrader routed
                ? new Routed(routed, maxFrameLength)
                : new Plain(helidon, maxFrameLength);
    }

    /**
     * RFC 6455 §4.2.1: the key is 16 bytes in base64. Helidon 4.5 decodes it without a check and answers one that is
     * not base64 with a 500 and a stack trace in the log; this makes it the client's mistake it is, a 400.
     */
    static void requireUsableKey(WritableHeaders<?> headers) {
        String key = headers.first(SEC_WEBSOCKET_KEY).orElse(null);
        byte[] decoded = null;
        if (key != null) {
            try {
                decoded = Base64.getDecoder().decode(key.strip());
            } catch (IllegalArgumentException e) {
                decoded = null;
            }
        }
        if (decoded == null || decoded.length != KEY_BYTES) {
            throw RequestException.builder()
                    .type(DirectHandler.EventType.BAD_REQUEST)
                    .status(Status.BAD_REQUEST_400)
                    .message("Sec-WebSocket-Key must be " + KEY_BYTES + " bytes in base64 (RFC 6455, section 4.2.1)")
                    .safeMessage(true)
                    .build();
        }
    }

    /** An upgrade that runs through the HTTP routing first (filters see it), as Helidon 4.5's WebSocket upgrade does. */
    private record Routed(Http1RoutedUpgrader helidon, int maxFrameLength) implements Http1RoutedUpgrader {

        @Override
        public String supportedProtocol() {
            return helidon.supportedProtocol();
        }

        /** An upgrade no filter sees (Helidon calls it only for upgraders that are not routed): Helidon's check stays. */
        @Override
        public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
            requireUsableKey(headers);
            return upgraded(
                    ctx, helidon.upgrade(new Checked(ctx, maxFrameLength), prologue, withCheckedOrigin(headers, true)));
        }

        /**
         * Helidon 4.5's handshake accepts an {@code Origin} only from an exact list, or, with none, only the request's
         * own authority; the contract's rule (the CORS allowlist with its any-port entries, or the server's own origin
         * by whatever allowed name it was opened) is the server edge's, whose filter sees this request between the two
         * steps of the upgrade, as it sees every other request, and refuses a foreign page with its
         * {@code OriginNotAllowedError}. So Helidon's steps are given the headers without the {@code Origin}, and the
         * socket's listener finds it under {@link #CHECKED_ORIGIN}.
         */
        @Override
        public Optional<Http1RoutedUpgrade> routedUpgrade(
                ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
            requireUsableKey(headers);
            return helidon.routedUpgrade(new Checked(ctx, maxFrameLength), prologue, withCheckedOrigin(headers, false))
                    .map(upgrade -> (response, routed) ->
                            upgraded(ctx, upgrade.upgrade(response, withCheckedOrigin(routed, false))));
        }
    }

    /**
     * The connection an upgrade made, its send buffer made small ({@link IdleSocketMemory}), and free of the deadlines
     * of a connection that owes a request ({@link ConnectionDeadlines}): the channel's pings watch it from here.
     */
    private static ServerConnection upgraded(ConnectionContext ctx, ServerConnection connection) {
        if (connection != null) {
            IdleSocketMemory.shrinkSendBuffer(connection);
            ConnectionDeadlines.of(ctx).ifPresent(deadlines -> deadlines.upgraded(ctx));
        }
        return connection;
    }

    private static Http1UpgradeResult upgraded(ConnectionContext ctx, Http1UpgradeResult result) {
        result.connection().ifPresent(connection -> upgraded(ctx, connection));
        return result;
    }

    /**
     * Where the socket's listener reads the upgrade's {@code Origin}: set here from the request's own, and only here (a
     * client's header of this name is dropped).
     */
    static final HeaderName CHECKED_ORIGIN = HeaderNames.create("X-Canvas-Batch-Checked-Origin");

    /**
     * A copy of the headers with their {@code Origin}, if any, under {@link #CHECKED_ORIGIN} too; without it under its
     * own name unless {@code keepOrigin}.
     */
    static WritableHeaders<?> withCheckedOrigin(Headers headers, boolean keepOrigin) {
        WritableHeaders<?> copy = WritableHeaders.create(headers);
        copy.remove(CHECKED_ORIGIN);
        if (copy.contains(HeaderNames.ORIGIN)) {
            copy.set(CHECKED_ORIGIN, copy.get(HeaderNames.ORIGIN).get());
            if (!keepOrigin) {
                copy.remove(HeaderNames.ORIGIN);
            }
        }
        return copy;
    }

    private record Plain(Http1Upgrader helidon, int maxFrameLength) implements Http1Upgrader {

        @Override
        public String supportedProtocol() {
            return helidon.supportedProtocol();
        }

        /** An upgrade no filter sees (Helidon calls it only for upgraders that are not routed): Helidon's check stays. */
        @Override
        public ServerConnection upgrade(ConnectionContext ctx, HttpPrologue prologue, WritableHeaders<?> headers) {
            requireUsableKey(headers);
            return upgraded(
                    ctx, helidon.upgrade(new Checked(ctx, maxFrameLength), prologue, withCheckedOrigin(headers, true)));
        }
    }

    /**
     * The client's bytes as far as they are checked. The first read from the socket goes through Helidon's reader,
     * which holds what came with the upgrade request and, until it reads again, the request itself; later reads take
     * the socket directly, five frames less deep on the stack an idle socket's thread parks with (docs/benchmarks.md
     * "Idle sockets"). The socket's read buffer is small ({@link IdleSocketMemory}), so a large payload is gathered
     * here into larger pieces: Helidon's payload reader walks a frame's pieces from the first for every byte it
     * unmasks, and a 1 MiB frame in 512-byte pieces took it 1.3 s of a carrier thread.
     */
    private static final class CheckedBytes implements Supplier<byte[]> {
        /** A gathered payload's first piece: Helidon's own reads were 8 KiB. */
        private static final int FIRST_GATHERED_BYTES = 8 * 1024;

        private static final int LARGEST_GATHERED_BYTES = 64 * 1024;

        private final DataReader helidonReader;
        private final HelidonSocket socket;
        private final FrameCheck check;
        private boolean helidonReaderLetGo;

        CheckedBytes(DataReader helidonReader, HelidonSocket socket, FrameCheck check) {
            this.helidonReader = helidonReader;
            this.socket = socket;
            this.check = check;
        }

        @Override
        public byte[] get() {
            if (check.refusal() != null) {
                throw check.refusal();
            }
            if (helidonReader.available() > 0) {
                return checked(helidonReader.readBytes(helidonReader.available())); // sent with the request
            }
            if (!helidonReaderLetGo) {
                // Helidon's reader lets go of the upgrade request's bytes only when it reads again
                helidonReaderLetGo = true;
                helidonReader.ensureAvailable();
                return checked(helidonReader.readBytes(helidonReader.available()));
            }
            try {
                return check.payloadDue() > IdleSocketMemory.READ_BUFFER_BYTES ? gathered() : checked(socket.get());
            } catch (UncheckedIOException e) {
                // as Helidon's connection maps a failed read: the connection ends, quietly
                throw new ServerConnectionException("Failed to get data from socket", e);
            }
        }

        /** The bytes of good frames, from the start; the refusal once a bad frame begins; null at the end. */
        private byte[] checked(byte[] bytes) {
            if (bytes == null) {
                return null; // the client closed the connection: the reader ends as Helidon's would
            }
            int fine = check.feed(bytes);
            if (fine == bytes.length) {
                return bytes;
            }
            if (fine == 0) {
                throw check.refusal();
            }
            return Arrays.copyOf(bytes, fine);
        }

        /**
         * A piece of the payload under way, as large as what the frame has delivered so far (at least 8 KiB, at most
         * 64 KiB, never more than it still owes, which Helidon waits for anyway): a frame that announces a megabyte and
         * sends nothing holds 8 KiB, as Helidon's own buffer did. Each read is checked as it arrives, so a bad byte is
         * refused as soon as it comes, not once the piece is full.
         */
        private byte[] gathered() {
            long size = Math.min(
                    check.payloadDue(),
                    Math.min(LARGEST_GATHERED_BYTES, Math.max(FIRST_GATHERED_BYTES, check.payloadDone())));
            byte[] piece = new byte[(int) size];
            BufferData room = BufferData.create(piece).reset();
            int filled = 0;
            while (filled < piece.length) {
                int read = socket.read(room);
                if (read == -1) {
                    break;
                }
                if (check.feed(piece, filled, read) < read) {
                    throw check.refusal(); // the frame under way is bad: nothing of it is worth handing on
                }
                filled += read;
            }
            if (filled == 0) {
                return null; // the client closed the connection
            }
            return filled == piece.length ? piece : Arrays.copyOf(piece, filled);
        }
    }

    /**
     * The connection's context as Helidon's WebSocket connection sees it: the same in everything but its reader, which
     * hands on only checked bytes, and its writer, the socket's {@link Wire}, through which Helidon's frames and ours
     * go out in one order. The reader is made at the first call, which Helidon makes when the connection is created
     * after the handshake; until then nothing of the connection has been read through it. Making it also gives the
     * socket a small read buffer ({@link IdleSocketMemory}).
     */
    private static final class Checked extends ForwardingConnectionContext {
        private final int maxFrameLength;
        private DataReader reader;
        private Wire wire;

        Checked(ConnectionContext delegate, int maxFrameLength) {
            super(delegate);
            this.maxFrameLength = maxFrameLength;
        }

        @Override
        public synchronized DataReader dataReader() {
            if (reader == null) {
                HelidonSocket socket = delegate.serverSocket();
                // the handshake is answered and this is the connection's thread: no read is under way
                IdleSocketMemory.shrinkReadBuffer(socket);
                reader = DataReader.create(
                        new CheckedBytes(delegate.dataReader(), socket, new FrameCheck(maxFrameLength)));
            }
            return reader;
        }

        @Override
        public synchronized DataWriter dataWriter() {
            if (wire == null) {
                wire = new Wire(delegate.dataWriter());
            }
            return wire;
        }
    }
}
