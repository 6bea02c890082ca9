package org.canvasbatch.adapters.http.ws;

/**
 * What the open sockets of one plugin window have been handed between them, while more than none is open. (plugin)
 * one failed handshake costs its window two reconnect attempts (its {@code error} and its {@code close} both schedule
 * one), so after a restart two sockets of the window can open, and old sockets keep their handlers: every message sent
 * on both is counted twice ("N个节点" too large) and a {@code session_completed} on both shows two notices and two
 * summaries. So each event goes out on one socket of the window only — the first to take it — and so does the end.
 */
final class SharedWindow {

    private long handed;
    private boolean endHanded;
    private int sockets;

    /** Whether the caller sends the event of {@code seq}: no other socket of the window took it. */
    synchronized boolean take(long seq) {
        if (endHanded || seq <= handed) {
            return false;
        }
        handed = seq;
        return true;
    }

    /** Whether the caller sends the session's end: no other socket of the window took it. */
    synchronized boolean takeEnd() {
        if (endHanded) {
            return false;
        }
        endHanded = true;
        return true;
    }

    synchronized void attach() {
        sockets++;
    }

    /** True when no socket of the window is left. */
    synchronized boolean detach() {
        return --sockets == 0;
    }
}
