package org.canvasbatch.adapters.http.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.util.ArrayDeque;
import java.util.Optional;
import java.util.regex.Pattern;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.wire.EventMessages;
import org.canvasbatch.adapters.http.wire.EventMessages.Problem;

/**
 * One socket's listener (a new instance per connection). Helidon calls it on the connection's reading thread, which it
 * must not hold up: frames are checked and commands handed to the core, everything outgoing goes to the connection's
 * queue. Helidon routes {@code {session_id}} paths but does not pass the value on, so it is read from the prologue.
 */
final class SocketListener implements WsListener {

    private static final System.Logger LOG = System.getLogger(SocketListener.class.getName());

    private final ConnectionManager manager;
    private final ChannelContext ctx;
    /** Made at the first bad frame: an idle socket holds nothing for the rule it has never tripped. */
    private ArrayDeque<Long> badFrameTimes;
    /** The parts of a fragmented message; null between messages, so no socket keeps the largest it ever received. */
    private StringBuilder fragments;

    private long fragmentBytes;
    private boolean fragmentTooBig;
    private HttpPrologue prologue;
    private Optional<String> origin = Optional.empty();
    /** The handshake's {@code Accept-Language}: the language the socket's failure reasons are written in. */
    private Language language = Language.EN;

    private Connection connection;
    private ClientCommands commands;

    /** Whether the server asks for its access token: the dashboard's address then says where it goes. */
    private final boolean tokenRequired;

    /** The dashboard's address as this socket's client reached the server (its {@code Host}); null when unsure. */
    private String dashboard;

    SocketListener(ConnectionManager manager, ChannelContext ctx, boolean tokenRequired) {
        this.manager = manager;
        this.ctx = ctx;
        this.tokenRequired = tokenRequired;
    }

    /**
     * Refuses the handshake of a session this server does not have. {@link UnknownSessionRefusal} answers such an
     * upgrade with 404 before it gets here; this is the same rule for a server whose HTTP routing lacks that filter
     * (Helidon then answers 400). Accepting and closing with 4404 would make the plugin loop for ever.
     */
    @Override
    public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
        this.prologue = prologue;
        // the upgrade's Origin, checked by the server's edge (see FrameCheckingUpgrader)
        this.origin = headers.first(FrameCheckingUpgrader.CHECKED_ORIGIN);
        this.language = Language.of(headers.first(HeaderNames.ACCEPT_LANGUAGE).orElse(null));
        this.dashboard = dashboardAt(headers.first(HeaderNames.HOST).orElse(null), tokenRequired);
        if (!ctx.history().knows(sessionIdOf(prologue.uriPath().path()))) {
            throw new WsUpgradeException("session not found");
        }
        return Optional.empty();
    }

    @Override
    public void onOpen(WsSession session) {
        HttpPrologue request = prologue != null ? prologue : session.prologue();
        String sessionId = sessionIdOf(request.uriPath().path());
        Long lastSeq = request.query()
                .first("last_seq")
                .asOptional()
                .flatMap(SocketListener::nonNegative)
                .orElse(null);
        String epoch = request.query()
                .first("epoch")
                .asOptional()
                .filter(e -> !e.isBlank())
                .orElse(null);
        connection = manager.open(session, sessionId, lastSeq, epoch, origin, language, dashboard);
        commands = new ClientCommands(connection, ctx);
    }

    @Override
    public void onMessage(WsSession session, String text, boolean last) {
        connection.clientActivity();
        if (!fragmentTooBig) {
            fragmentBytes += utf8Length(text);
            if (fragmentBytes > ctx.settings().maxFrameBytes()) {
                fragmentTooBig = true;
                fragments = null;
            } else if (!last || fragments != null) {
                if (fragments == null) {
                    fragments = new StringBuilder();
                }
                fragments.append(text);
            }
        }
        if (!last) {
            return;
        }
        boolean tooBig = fragmentTooBig;
        String message = fragments == null ? text : fragments.toString();
        fragments = null;
        fragmentBytes = 0;
        fragmentTooBig = false;
        if (tooBig) {
            badFrame(Problem.of(
                    "The message is larger than the limit of " + ctx.settings().maxFrameBytes()
                            + " bytes; it was ignored",
                    "frame_too_large",
                    true));
            return;
        }
        Optional<Problem> problem;
        try {
            problem = commands.handle(message);
        } catch (RuntimeException e) {
            // an escaping exception makes Helidon drop the connection; a bug here must not cost the client its socket
            LOG.log(System.Logger.Level.ERROR, "a client message of session " + connection.sessionId() + " failed", e);
            problem = Optional.of(Problem.of(
                    "The server could not handle the message (" + e.getClass().getSimpleName() + "); this is a bug",
                    "internal_error",
                    true));
        }
        problem.ifPresent(this::badFrame);
    }

    @Override
    public void onMessage(WsSession session, BufferData buffer, boolean last) {
        connection.clientActivity();
        if (last) {
            badFrame(Problem.of(
                    "Binary messages are not understood; send JSON text such as {\"type\":\"ping\"}",
                    "binary_frame",
                    true));
        }
    }

    @Override
    public void onPing(WsSession session, BufferData buffer) {
        byte[] payload = new byte[buffer.available()];
        buffer.read(payload);
        connection.answerPing(payload);
    }

    @Override
    public void onPong(WsSession session, BufferData buffer) {
        connection.pongReceived();
    }

    @Override
    public void onClose(WsSession session, int status, String reason) {
        if (connection != null) {
            connection.closedByClient();
        }
    }

    @Override
    public void onError(WsSession session, Throwable t) {
        if (connection != null) {
            connection.failed(t);
        }
    }

    /** Answers a bad frame with an error event; too many within the window close the socket with 1008. */
    private void badFrame(Problem problem) {
        ctx.counters().badFrames.increment();
        long now = System.nanoTime();
        if (badFrameTimes == null) {
            badFrameTimes = new ArrayDeque<>();
        }
        long window = ctx.settings().badFrameWindow().toNanos();
        while (!badFrameTimes.isEmpty() && now - badFrameTimes.peekFirst() > window) {
            badFrameTimes.pollFirst();
        }
        badFrameTimes.addLast(now);
        if (badFrameTimes.size() > ctx.settings().badFrameLimit()) {
            connection.closeNow(Connection.POLICY_VIOLATION, "too many bad frames");
            return;
        }
        if (connection.sessionId() != null) {
            connection.reply(seq -> EventMessages.error(
                    connection.sessionId(), seq, problem, ctx.clock().now()));
        }
    }

    /** A {@code Host} a notice may repeat: a name, an IPv4 or a bracketed IPv6 address, and a port. */
    private static final Pattern PLAIN_HOST =
            Pattern.compile("(?:[A-Za-z0-9][A-Za-z0-9.-]{0,252}|\\[[0-9A-Fa-f:.]{2,45}\\])(?::[0-9]{1,5})?");

    /**
     * Where the dashboard is for the client that sent {@code host}: the edge let only the server's own host names
     * through, and the address the plugin reached the server by is one the learner's browser reaches too. A token server
     * serves the dashboard's page to anyone, but its buttons work only with the token in the page's address.
     */
    static String dashboardAt(String host, boolean tokenRequired) {
        if (host == null || !PLAIN_HOST.matcher(host.strip()).matches()) {
            return null;
        }
        return "http://" + host.strip() + "/" + (tokenRequired ? "?token=<access-token>" : "");
    }

    /** The path segment after {@code intelligent-parallel}, wherever the route put it. */
    static String sessionIdOf(String path) {
        String[] segments = path.split("/");
        for (int i = 0; i < segments.length - 1; i++) {
            if (segments[i].equals("intelligent-parallel")) {
                for (int j = i + 1; j < segments.length; j++) {
                    if (!segments[j].isEmpty()) {
                        return segments[j];
                    }
                }
            }
        }
        return "";
    }

    private static Optional<Long> nonNegative(String value) {
        try {
            long parsed = Long.parseLong(value.strip());
            return parsed >= 0 ? Optional.of(parsed) : Optional.empty();
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private static long utf8Length(String text) {
        long bytes = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                bytes += 1;
            } else if (c < 0x800) {
                bytes += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length()) {
                bytes += 4;
                i++;
            } else {
                bytes += 3;
            }
        }
        return bytes;
    }
}
