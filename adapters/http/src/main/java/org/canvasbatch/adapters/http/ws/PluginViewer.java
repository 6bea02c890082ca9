package org.canvasbatch.adapters.http.ws;

import io.helidon.websocket.WsSession;
import java.util.Optional;
import org.canvasbatch.adapters.http.wire.PluginClient;
import org.canvasbatch.domain.session.SessionId;

/**
 * The Obsidian plugin's progress window behind a socket. The plugin makes one window per session, and every socket
 * it opens for that session (the first, and each reconnect after a drop or a minimize) belongs to that window, whose
 * counts live on: so a socket from the same address and origin for the same session is the same window again.
 */
record PluginViewer(SessionId session, String address, String origin) {

    /** The viewer behind a socket whose upgrade came from the plugin's origin; empty for every other client. */
    static Optional<PluginViewer> of(SessionId session, Optional<String> origin, WsSession ws) {
        if (session == null || !PluginClient.isOrigin(origin)) {
            return Optional.empty();
        }
        String address;
        try {
            address = ws.socketContext().remotePeer().host();
        } catch (RuntimeException e) {
            address = "";
        }
        return Optional.of(new PluginViewer(session, address, origin.orElseThrow()));
    }
}
