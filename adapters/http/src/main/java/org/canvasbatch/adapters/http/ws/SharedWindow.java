package org.canvasbatch.adapters.http.ws;

/**
 * What the open sockets of one plugin window have been handed between them, while more than none is open. (plugin)
 * one failed handshake costs its window two reconnect attempts (its {@code error} and its {@code close} both schedule
 * one), so after a restart two sockets of the window can open, and old sockets keep their handlers: every message sent
 * on both is counted twice ("N个节点" too large) and a {@code session_completed} on both shows two notices and two
 * summaries. So the window's events and its end go out on one socket only, the first to take one, for as long as it is
 * open: events taken by one socket and the end by another could reach the window out of order, and a task message
 * after {@code session_completed} is missing from its notice ("5个节点" for 6 was seen). Another socket takes over only
 * once that one is gone, after what it was handed.
 */
final class SharedWindow {

    private long handed;
    private boolean endHanded;
    private int sockets;
    /** The socket that sends the window its events and its end; null until one took something, or once it left. */
    private Object speaker;

    /** Whether {@code socket} sends the event of {@code seq}: no other socket of the window took it or speaks. */
    synchronized boolean take(Object socket, long seq) {
        if (endHanded || seq <= handed || !speaks(socket)) {
            return false;
        }
        handed = seq;
        return true;
    }

    /** Whether {@code socket} sends the session's end: no other socket of the window took it or speaks. */
    synchronized boolean takeEnd(Object socket) {
        if (endHanded || !speaks(socket)) {
            return false;
        }
        endHanded = true;
        return true;
    }

    private boolean speaks(Object socket) {
        if (speaker == null) {
            speaker = socket;
        }
        return speaker == socket;
    }

    synchronized void attach() {
        sockets++;
    }

    /** {@code socket} is gone; true when no socket of the window is left. */
    synchronized boolean detach(Object socket) {
        if (speaker == socket) {
            speaker = null;
        }
        return --sockets == 0;
    }
}
