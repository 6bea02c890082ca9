package org.canvasbatch.adapters.http.ws;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.canvasbatch.adapters.http.wire.PluginClient;
import org.canvasbatch.domain.session.SessionId;

/**
 * Notes which sessions the Obsidian plugin cancelled itself, before the cancel runs. (plugin) its window sets its
 * cancelled flag before it posts the cancel, yet a reconnect it scheduled earlier (after a drop, or the two attempts a
 * refused handshake costs) still opens a socket after the answer, and that socket's handlers still run: a
 * {@code session_completed} there shows "✅ 全部处理完成" and the success summary after "处理已取消". The plugin knows
 * a session only from its own analyze answer, so a plugin-origin cancel of a session comes from the one window that
 * watches it, and that window's sockets never get the {@code session_completed} the cancellation implies.
 */
final class PluginCancelWatch implements Filter {

    private static final Pattern CANCEL = Pattern.compile("^(?:/api/v1)?/canvas/intelligent-parallel/cancel/([^/]+)$");

    private final ConnectionManager manager;

    PluginCancelWatch(ConnectionManager manager) {
        this.manager = manager;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        if (request.prologue().method().equals(Method.POST)
                && PluginClient.isOrigin(request.headers().first(HeaderNames.ORIGIN))) {
            String path = request.prologue().uriPath().path().replaceAll("/{2,}", "/");
            Matcher cancel = CANCEL.matcher(path.endsWith("/") ? path.substring(0, path.length() - 1) : path);
            if (cancel.matches() && SessionId.isWellFormed(cancel.group(1))) {
                // before the cancel runs: its news is released to the sockets right after its answer is written
                manager.cancelledByPlugin(new SessionId(cancel.group(1)));
            }
        }
        chain.proceed();
    }
}
