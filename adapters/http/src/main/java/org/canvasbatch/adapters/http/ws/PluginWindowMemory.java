package org.canvasbatch.adapters.http.ws;

import java.util.List;

/**
 * Where each Obsidian plugin window's sockets got to, kept beyond this process. The plugin's progress window outlives a
 * server restart (it reconnects without {@code last_seq}, counting every task message it receives), so a server that
 * forgot the window would send it the whole history again and its "N个节点" would count the nodes done before the
 * restart twice.
 */
public interface PluginWindowMemory {

    /** A window (the plugin's one per session, told apart by client address and origin) and the last seq it was sent. */
    record WindowPosition(String sessionId, String address, String origin, long seq) {}

    /**
     * What is kept: each window's position (the oldest first, the open ones last), and the sessions the plugin's own
     * window cancelled (ids, oldest first): (plugin) a reconnect that window scheduled before its click may reach the
     * next process, which must close it without the {@code session_completed} that would show "✅ …" and a summary
     * after "处理已取消".
     */
    record Kept(List<WindowPosition> windows, List<String> cancelledByPlugin) {

        public static final Kept NOTHING = new Kept(List.of(), List.of());

        public Kept {
            windows = List.copyOf(windows);
            cancelledByPlugin = List.copyOf(cancelledByPlugin);
        }
    }

    /** What an earlier process kept; empty when nothing was kept or it cannot be trusted. */
    Kept recall();

    /** Keeps {@code kept} in place of what was kept before. Trouble is the implementation's to log. */
    void keep(Kept kept);

    /** Nothing kept beyond the process: a journal in memory forgets its sessions too. */
    PluginWindowMemory NONE = new PluginWindowMemory() {
        @Override
        public Kept recall() {
            return Kept.NOTHING;
        }

        @Override
        public void keep(Kept kept) {}
    };
}
