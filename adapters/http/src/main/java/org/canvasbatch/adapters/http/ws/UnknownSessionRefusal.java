package org.canvasbatch.adapters.http.ws;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import org.canvasbatch.adapters.http.ops.AccessToken;

/**
 * Refuses the WebSocket handshake of a session this server does not have, with 404 and the error envelope, before the
 * upgrade: Helidon 4.5 runs an upgrade request through the HTTP routing's filters first.
 *
 * <p>Accepting such a socket and closing it with 4404 made the plugin loop for ever: its {@code onopen} resets its
 * reconnect counter and its {@code onclose} reconnects a second later, so it never reached its polling fallback
 * (issue 9, item 6). A refused handshake counts as a failed attempt; after three the plugin polls, and the status
 * answer for a lost session ends its window with a message (CONTRACT §2.3, §3.1). A caller the access token does not
 * admit is let through, to be accepted and closed 4401 as before: it learns nothing about which sessions exist.
 */
final class UnknownSessionRefusal implements Filter {

    private final EventsEndpoint answers;
    private final History history;
    private final AccessToken token;

    UnknownSessionRefusal(EventsEndpoint answers, History history, AccessToken token) {
        this.answers = answers;
        this.history = history;
        this.token = token;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        boolean upgrade = request.headers()
                .first(HeaderNames.UPGRADE)
                .filter(value -> value.equalsIgnoreCase("websocket"))
                .isPresent();
        String path = request.prologue().uriPath().path();
        if (upgrade
                && path.contains("/ws/intelligent-parallel/")
                && token.admits(request.prologue(), request.headers())
                && !history.knows(SocketListener.sessionIdOf(path))) {
            answers.notASocket(request, response);
            return;
        }
        chain.proceed();
    }
}
