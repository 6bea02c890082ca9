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

    /** What an earlier process kept; empty when nothing was kept or it cannot be trusted. */
    List<WindowPosition> recall();

    /** Keeps {@code positions} in place of what was kept before. Trouble is the implementation's to log. */
    void keep(List<WindowPosition> positions);

    /** Nothing kept beyond the process: a journal in memory forgets its sessions too. */
    PluginWindowMemory NONE = new PluginWindowMemory() {
        @Override
        public List<WindowPosition> recall() {
            return List.of();
        }

        @Override
        public void keep(List<WindowPosition> positions) {}
    };
}
