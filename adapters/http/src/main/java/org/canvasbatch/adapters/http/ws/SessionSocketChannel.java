package org.canvasbatch.adapters.http.ws;

import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsConfig;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsSession;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.adapters.http.ServerExtension;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.wire.PluginCancels;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.Clock;

/**
 * The ADR-007 WebSocket channel of batch sessions, and its HTTP twin for reading past events. Register it on the
 * server's routings; call {@link #shutdown()} before stopping the server so that clients get a 1001 and resume.
 */
public final class SessionSocketChannel {

    /** The WebSocket routes (CONTRACT §3), each also accepted with a trailing slash. */
    public static final List<String> SOCKET_PATHS =
            List.of("/ws/intelligent-parallel/{session_id}", "/api/v1/ws/intelligent-parallel/{session_id}");

    /** The events routes (CONTRACT §3.3), each also accepted with a trailing slash. */
    public static final List<String> EVENTS_PATHS = List.of(
            "/canvas/intelligent-parallel/{session_id}/events",
            "/api/v1/canvas/intelligent-parallel/{session_id}/events");

    /**
     * Counts for metrics, since start.
     *
     * @param eventsSent           event messages written to sockets (live and replayed)
     * @param progressCoalesced    progress updates replaced by a newer one of their group before they were sent
     * @param slowConsumerCloses   sockets closed with 4429 because they read too slowly
     * @param deadConnections      sockets dropped because they answered no ping
     * @param badFrames            client frames answered with an error (malformed, unknown, binary, too large)
     */
    public record Metrics(
            int connections,
            long eventsSent,
            long progressCoalesced,
            long slowConsumerCloses,
            long deadConnections,
            long badFrames) {}

    private static final int TRANSPORT_FRAME_LIMIT = 1024 * 1024;

    private final WsSettings settings;
    private final ChannelContext ctx;
    private final ConnectionManager manager;
    private final EventsEndpoint events;
    private final History history;

    public SessionSocketChannel(UseCases useCases, WsSettings settings) {
        this(useCases, settings, Instant::now, PluginWindowMemory.NONE);
    }

    public SessionSocketChannel(UseCases useCases, WsSettings settings, PluginWindowMemory windows) {
        this(useCases, settings, Instant::now, windows);
    }

    public SessionSocketChannel(UseCases useCases, WsSettings settings, Clock clock) {
        this(useCases, settings, clock, PluginWindowMemory.NONE);
    }

    public SessionSocketChannel(UseCases useCases, WsSettings settings, Clock clock, PluginWindowMemory windows) {
        this(useCases, settings, clock, windows, CanvasWriting.ALL);
    }

    /**
     * @param canvasWriting what the vault adds to a canvas for each note (its write-back settings): a plugin window is
     *                      told before its summary what of "Canvas已自动更新，添加了…" the settings leave undone
     */
    public SessionSocketChannel(
            UseCases useCases,
            WsSettings settings,
            Clock clock,
            PluginWindowMemory windows,
            CanvasWriting canvasWriting) {
        this.settings = settings;
        this.history = new History(useCases.subscriptions(), useCases.status(), settings.replayPageSize());
        this.ctx = new ChannelContext(
                useCases, settings, clock, new Counters(), history, java.util.Objects.requireNonNull(canvasWriting));
        this.manager = new ConnectionManager(ctx, windows);
        this.events = new EventsEndpoint(history);
    }

    /**
     * The server's WebSocket protocol settings for this channel. No origins are listed, and Helidon's handshake check
     * is not shown the {@code Origin} ({@link FrameCheckingUpgrader}): which pages may open a socket is the server's
     * edge's decision, the same as for every other request
     * (CONTRACT §1: the CORS allowlist, with its any-port {@code http://localhost[:port]}, or the server's own origin
     * by whatever allowed name it was opened), answered with its {@code OriginNotAllowedError}. Helidon's list could
     * hold only exact origins, so a local tool on another port, the dashboard opened by an allowed host name or on a
     * port picked at start could call the API but not open its socket. Frames up to 1 MiB are read, so that
     * bigger-than-64-KiB messages get an error event rather than a dropped socket.
     */
    public static WsConfig protocolConfig() {
        return WsConfig.builder()
                .name("websocket")
                .maxFrameLength(TRANSPORT_FRAME_LIMIT)
                .build();
    }

    /**
     * Adds the WebSocket protocol to a server: {@link #protocolConfig} and an HTTP/1 connection selector whose
     * upgrades read every client frame through a {@link FrameCheck}, so that a frame RFC 6455 forbids is closed with
     * 1002, 1007 or 1009 instead of reaching Helidon's frame reader (which answers a reserved opcode with
     * {@code HTTP/1.1 500} inside the WebSocket stream).
     *
     * <p>Connections use Helidon's plain socket rather than its NIO one ({@code useNio(false)}): the NIO socket keeps
     * an 8 KiB write buffer per connection besides its 8 KiB read buffer (a third of an idle socket's heap), and it
     * writes a large buffer through that shared array in several steps, so two threads writing at once could mix
     * their bytes. The plain socket writes each buffer with one blocking write that the JDK serialises whole, which
     * lets a socket's drain write ready frames beside Helidon's own close answer, in the order its {@link Wire} gives.
     */
    public static WebServerConfig.Builder configureProtocol(WebServerConfig.Builder config) {
        WsConfig ws = protocolConfig();
        return config.useNio(false).addProtocol(ws).addConnectionSelector(FrameCheckingUpgrader.http1Selector(ws));
    }

    /**
     * The channel as an extension of the REST server ({@code ServerSettings.withExtension}): the socket routes and the
     * WebSocket protocol settings (the server's edge checks an upgrade's origin and host as any request's), the events
     * endpoint on the API's routing (so it gets the API's CORS headers and path normalising), and the 1001 close before
     * the server stops.
     */
    public ServerExtension asServerExtension(ServerSettings server) {
        return new ServerExtension() {
            @Override
            public void configure(WebServerConfig.Builder config) {
                configureProtocol(config);
                config.addRouting(register(WsRouting.builder(), server.accessToken()));
            }

            @Override
            public void route(HttpRouting.Builder routing) {
                registerHttp(routing, server.accessToken());
            }

            @Override
            public void beforeStop() {
                shutdown();
            }

            @Override
            public Optional<PluginCancels> pluginCancels() {
                return Optional.of(manager.pluginCancels());
            }

            @Override
            public Optional<org.canvasbatch.adapters.http.wire.PluginPolls> pluginPolls() {
                return Optional.of(manager.pluginPolls());
            }
        };
    }

    /** Adds the socket routes, open to everyone; one listener instance per connection. */
    public WsRouting.Builder register(WsRouting.Builder routing) {
        return register(routing, AccessToken.none());
    }

    /**
     * Adds the socket routes behind the server's access token: a socket without it is accepted and closed 4401 (the
     * browser's only way to learn why), one with it gets the channel.
     */
    public WsRouting.Builder register(WsRouting.Builder routing, AccessToken token) {
        for (String path : SOCKET_PATHS) {
            token.guardedEndpoint(routing, path, () -> new SocketListener(manager, ctx, token.required()));
            token.guardedEndpoint(routing, path + "/", () -> new SocketListener(manager, ctx, token.required()));
        }
        return routing;
    }

    /**
     * Adds {@code GET …/{session_id}/events}, and the socket paths as plain HTTP: what a refused handshake (an unknown
     * session) or a GET without an upgrade gets.
     */
    public HttpRouting.Builder registerHttp(HttpRouting.Builder routing) {
        return registerHttp(routing, AccessToken.none());
    }

    /**
     * {@link #registerHttp(HttpRouting.Builder)} on a server with an access token: the handshake of an unknown session is
     * refused with 404 only for callers the token admits.
     */
    public HttpRouting.Builder registerHttp(HttpRouting.Builder routing, AccessToken token) {
        routing.addFilter(new UnknownSessionRefusal(events, history, token));
        for (String path : EVENTS_PATHS) {
            routing.get(path, events::handle);
            routing.get(path + "/", events::handle);
        }
        // the edge lets a request that says "Upgrade: websocket" past the token, for the socket to close it 4401; one
        // Helidon does not upgrade after all (an incomplete handshake) lands here, and is refused as the edge would
        Handler notASocket = (request, response) -> {
            if (token.admits(request.prologue(), request.headers())) {
                events.notASocket(request, response);
            } else {
                events.unauthorized(request, response);
            }
        };
        for (String path : SOCKET_PATHS) {
            routing.get(path, notASocket);
            routing.get(path + "/", notASocket);
        }
        return routing;
    }

    /** Closes every socket with 1001 {@code server shutting down}, waiting up to the close grace for the frames. */
    public void shutdown() {
        manager.shutdown(settings.closeGrace());
    }

    public int connectionCount() {
        return manager.count();
    }

    /** Helidon's side of every open socket: what each connection holds, for tests of its memory. */
    List<WsSession> sockets() {
        return manager.sockets();
    }

    /** Test seam: {@code hook} runs after each socket's construction, before it is listed among the open ones. */
    void beforeListing(Runnable hook) {
        manager.beforeListing(hook);
    }

    public Metrics metrics() {
        Counters c = ctx.counters();
        return new Metrics(
                manager.count(),
                c.eventsSent.sum(),
                c.progressCoalesced.sum(),
                c.slowConsumerCloses.sum(),
                c.deadConnections.sum(),
                c.badFrames.sum());
    }

    public long eventsSent() {
        return ctx.counters().eventsSent.sum();
    }

    public long progressCoalesced() {
        return ctx.counters().progressCoalesced.sum();
    }

    public long slowConsumerCloses() {
        return ctx.counters().slowConsumerCloses.sum();
    }
}
