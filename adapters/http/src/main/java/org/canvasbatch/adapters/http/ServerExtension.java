package org.canvasbatch.adapters.http;

import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpRouting;
import java.util.function.Consumer;

/**
 * Something another part of the system attaches to the one HTTP server: the WebSocket channel (a {@code WsRouting}
 * added through {@link #configure}), a dashboard or metrics (HTTP routes added through {@link #route}).
 *
 * <p>What the server guarantees an extension:
 * <ul>
 *   <li>{@link #configure} runs once, before the server is built, after the server's own host, port and limits are set
 *       (an extension may change listener options such as the idle timeout, and add routings of other protocols).</li>
 *   <li>{@link #route} runs once, on the server's HTTP routing, after the REST API's routes and before the final
 *       "no such endpoint" fallback. Its routes therefore see normalised paths ({@code //} collapsed, no trailing
 *       slash), get CORS headers for allowed origins and preflight answers like every route, and must not reuse the
 *       API's paths.</li>
 *   <li>{@link #beforeStop} runs when the server is stopped, before it stops accepting and draining, so that an
 *       extension can say goodbye on connections it holds (the WebSocket close 1001).</li>
 * </ul>
 * Extensions are called in the order they were added to {@link ServerSettings#extensions()}.
 */
public interface ServerExtension {

    default void configure(WebServerConfig.Builder server) {}

    default void route(HttpRouting.Builder routing) {}

    default void beforeStop() {}

    /**
     * Where the plugin's own cancels are recorded, if this extension keeps them (the WebSocket channel: it closes that
     * window's sockets without {@code session_completed}, and keeps the record across restarts). The server's cancel
     * and status endpoints use the first extension's; without one, a record of their own.
     */
    default java.util.Optional<org.canvasbatch.adapters.http.wire.PluginCancels> pluginCancels() {
        return java.util.Optional.empty();
    }

    /**
     * Who is told of the plugin's answered status polls, if this extension keeps the plugin windows' positions (the
     * WebSocket channel); the server's status endpoint tells the first extension's.
     */
    default java.util.Optional<org.canvasbatch.adapters.http.wire.PluginPolls> pluginPolls() {
        return java.util.Optional.empty();
    }

    /** An extension that only adds HTTP routes. */
    static ServerExtension routes(Consumer<HttpRouting.Builder> routes) {
        return new ServerExtension() {
            @Override
            public void route(HttpRouting.Builder routing) {
                routes.accept(routing);
            }
        };
    }

    /** An extension that only configures the server (e.g. adds a {@code WsRouting}). */
    static ServerExtension server(Consumer<WebServerConfig.Builder> configuration) {
        return new ServerExtension() {
            @Override
            public void configure(WebServerConfig.Builder server) {
                configuration.accept(server);
            }
        };
    }
}
