package org.canvasbatch.adapters.http;

import io.helidon.http.HeaderNames;
import java.util.function.Supplier;
import org.canvasbatch.domain.session.SessionId;

/**
 * The absolute WebSocket URL of a session as the caller can reach it: the Host it used (the server may listen on
 * 127.0.0.1 while the caller says localhost), and {@code /api/v1} when the caller used that prefix.
 */
final class SocketUrls {

    static final String PATH = "/ws/intelligent-parallel/";

    private final Supplier<String> fallbackAuthority;

    SocketUrls(Supplier<String> fallbackAuthority) {
        this.fallbackAuthority = fallbackAuthority;
    }

    String urlFor(Endpoint.ApiCall call, SessionId session) {
        String host = call.request()
                .headers()
                .first(HeaderNames.HOST)
                .filter(h -> !h.isBlank())
                .orElseGet(fallbackAuthority);
        String scheme = call.request().isSecure() ? "wss://" : "ws://";
        return scheme + host + call.prefix() + PATH + session.value();
    }
}
