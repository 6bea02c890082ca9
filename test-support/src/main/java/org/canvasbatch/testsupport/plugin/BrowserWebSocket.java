package org.canvasbatch.testsupport.plugin;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.IntConsumer;

/**
 * A browser {@code WebSocket} (WHATWG "The WebSocket interface") over the JDK's client, with the events the plugin
 * listens to, each dispatched on the event loop:
 * <ul>
 *   <li>a refused handshake (or a server that cannot be reached) fires {@code error} then {@code close} — the spec's
 *       "fail the WebSocket connection";
 *   <li>a close frame from the server fires {@code close}; a connection that drops without one fires {@code close}
 *       (1006) only;
 *   <li>a message is dispatched only while the socket is {@code OPEN}: after {@code close()} nothing more arrives,
 *       even what was already on its way;
 *   <li>{@code close()} while still connecting fails the connection (error, then close).
 * </ul>
 * The browser sends the renderer's {@code Origin} and its {@code Accept-Language} on the handshake, and nothing else
 * of the plugin's: no subprotocol, no token.
 */
final class BrowserWebSocket {

    enum ReadyState {
        CONNECTING,
        OPEN,
        CLOSING,
        CLOSED
    }

    private final EventLoop loop;
    private ReadyState state = ReadyState.CONNECTING;
    private WebSocket socket;
    private boolean closeWhenOpen;

    Runnable onopen = () -> {};
    Consumer<String> onmessage = text -> {};
    Runnable onerror = () -> {};
    IntConsumer onclose = code -> {};
    /**
     * Not the browser's: called on the network's thread for each text message as it reaches the browser, before it is
     * queued for the renderer (and dispatched, or dropped if the socket is no longer open by then).
     */
    Consumer<String> arrived = text -> {};

    /** @param network when the network lets the handshake go out (at once, or later for a slow or busy network) */
    BrowserWebSocket(
            EventLoop loop,
            HttpClient http,
            URI uri,
            Map<String, String> browserHeaders,
            CompletableFuture<Void> network) {
        this.loop = loop;
        loop.ioStarted();
        WebSocket.Builder builder = http.newWebSocketBuilder();
        browserHeaders.forEach(builder::header);
        network.thenCompose(ready -> builder.buildAsync(uri, new Listener())).whenComplete((ws, error) -> {
            if (error != null) {
                loop.post(() -> failed());
            }
        });
    }

    ReadyState readyState() {
        return state;
    }

    /** {@code ws.close()} without a code, as the plugin's cleanup calls it. */
    void close() {
        switch (state) {
            case CONNECTING -> {
                // the spec fails a connection that is not established yet: error and close follow
                closeWhenOpen = true;
                state = ReadyState.CLOSING;
            }
            case OPEN -> {
                state = ReadyState.CLOSING;
                socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
            }
            case CLOSING, CLOSED -> {}
        }
    }

    /**
     * The connection is lost without a close frame (a network drop, a sleeping laptop): the browser fires
     * {@code close} with 1006 and nothing more arrives.
     */
    void drop() {
        if (state != ReadyState.OPEN) {
            return;
        }
        socket.abort();
        closed(1006);
    }

    private void failed() {
        if (state == ReadyState.CLOSED) {
            return;
        }
        state = ReadyState.CLOSED;
        loop.ioEnded();
        onerror.run();
        onclose.accept(1006);
    }

    private void closed(int code) {
        if (state == ReadyState.CLOSED) {
            return;
        }
        state = ReadyState.CLOSED;
        loop.ioEnded();
        onclose.accept(code);
    }

    private final class Listener implements WebSocket.Listener {

        private final StringBuilder parts = new StringBuilder();

        @Override
        public void onOpen(WebSocket webSocket) {
            webSocket.request(1);
            loop.post(() -> {
                socket = webSocket;
                if (closeWhenOpen) {
                    webSocket.abort();
                    failed();
                    return;
                }
                if (state == ReadyState.CONNECTING) {
                    state = ReadyState.OPEN;
                    onopen.run();
                }
            });
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            parts.append(data);
            if (last) {
                String text = parts.toString();
                parts.setLength(0);
                arrived.accept(text);
                loop.post(() -> {
                    if (state == ReadyState.OPEN) {
                        onmessage.accept(text);
                    }
                });
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket webSocket, ByteBuffer data, boolean last) {
            // the plugin's JSON.parse fails on a Blob and logs it: nothing happens
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (!webSocket.isOutputClosed()) {
                // a browser echoes the code; which one it sends back makes no difference to the plugin
                webSocket.sendClose(WebSocket.NORMAL_CLOSURE, "");
            }
            loop.post(() -> closed(statusCode));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            loop.post(() -> {
                if (state == ReadyState.CONNECTING) {
                    failed();
                } else {
                    closed(1006);
                }
            });
        }
    }
}
