package org.canvasbatch.adapters.http.wire;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.SequencedSet;
import org.canvasbatch.domain.session.SessionId;

/**
 * The sessions the Obsidian plugin's own window cancelled (its cancel POST carried the plugin's {@code Origin}). The
 * plugin knows a session only from its own analyze answer, so such a session has exactly one window, and that window
 * has shown "处理已取消" and closed: nothing the server says about the session afterwards may end it a second time.
 * (plugin) a reconnect it scheduled before the click still opens a socket, and a poll it sent before the click is still
 * answered, and both handlers still run — a {@code session_completed} or a terminal poll status would show "✅ …" and a
 * summary after "处理已取消". The cancel endpoint records the session before the cancel runs; the WebSocket channel keeps
 * the record across restarts beside the windows' positions. The newest {@value #REMEMBERED} are remembered.
 */
public final class PluginCancels {

    static final int REMEMBERED = 4096;

    private final SequencedSet<SessionId> sessions = new LinkedHashSet<>();
    private volatile Runnable onChange = () -> {};

    /** The plugin's window of {@code session} is cancelling it: called before the cancel is carried out. */
    public void record(SessionId session) {
        synchronized (sessions) {
            sessions.remove(session);
            sessions.addLast(session);
            while (sessions.size() > REMEMBERED) {
                sessions.removeFirst();
            }
        }
        onChange.run();
    }

    /** A cancel of an unknown session: nothing to remember. */
    public void forget(SessionId session) {
        boolean removed;
        synchronized (sessions) {
            removed = sessions.remove(session);
        }
        if (removed) {
            onChange.run();
        }
    }

    public boolean contains(SessionId session) {
        synchronized (sessions) {
            return sessions.contains(session);
        }
    }

    /** The remembered sessions, oldest first. */
    public List<SessionId> sessions() {
        synchronized (sessions) {
            return new ArrayList<>(sessions);
        }
    }

    /** Adds what an earlier process kept (oldest first), behind nothing this process recorded itself. */
    public void recall(Collection<SessionId> kept) {
        synchronized (sessions) {
            List<SessionId> own = new ArrayList<>(sessions);
            sessions.clear();
            kept.forEach(sessions::addLast);
            own.forEach(id -> {
                sessions.remove(id);
                sessions.addLast(id);
            });
            while (sessions.size() > REMEMBERED) {
                sessions.removeFirst();
            }
        }
    }

    /** Runs after every change (the channel keeps the record beyond the process); must not block. */
    public void onChange(Runnable listener) {
        this.onChange = listener;
    }
}
