package org.canvasbatch.adapters.http.wire;

import org.canvasbatch.domain.session.SessionId;

/**
 * The Obsidian plugin's status polls that were answered. A window polls only after its sockets failed, and each answer
 * replaces its groups' counts and results wholesale: from then on the window has seen the session up to that answer,
 * so a socket it opens later (a reconnect it had scheduled before it fell back to polling) must go on from there, or
 * every outcome the poll showed is counted again. The status endpoint tells; the WebSocket channel, which keeps each
 * window's position, listens.
 */
public final class PluginPolls {

    /** Told of each answered poll of a plugin window. */
    public interface Listener {
        /**
         * @param address the window's network address, as its sockets are told apart
         * @param lastSeq the last event the answer showed
         */
        void answered(SessionId session, String address, String origin, long lastSeq);
    }

    private volatile Listener listener = (session, address, origin, lastSeq) -> {};

    /** The plugin's window at {@code address} was just answered the session as of {@code lastSeq}. */
    public void answered(SessionId session, String address, String origin, long lastSeq) {
        listener.answered(session, address, origin, lastSeq);
    }

    /** Who keeps the windows' positions. */
    public void onAnswer(Listener listener) {
        this.listener = listener;
    }
}
