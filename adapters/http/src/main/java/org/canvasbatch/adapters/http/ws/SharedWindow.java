package org.canvasbatch.adapters.http.ws;

/**
 * What the open sockets of one plugin window have been handed between them, while more than none is open. (plugin)
 * one failed handshake costs its window two reconnect attempts (its {@code error} and its {@code close} both schedule
 * one), so after a restart two sockets of the window can open, and old sockets keep their handlers: every message sent
 * on both is counted twice ("N个节点" too large) and a {@code session_completed} on both shows two notices and two
 * summaries. So the window's events and its end go out on one socket only, the first to take one, for as long as it is
 * open: events taken by one socket and the end by another could reach the window out of order, and a task message
 * after {@code session_completed} is missing from its notice ("5个节点" for 6 was seen). Another socket takes over only
 * once that one is gone, after what it was handed — when the window surely got all of it. When it did not (the plugin
 * closed the speaking socket on a minimize just after an outcome reached it, and the browser dropped that outcome), no
 * socket of the window may take anything more: the others passed the dropped events long ago and cannot send them
 * again, so they must be closed, and the window's reconnect resumes from where it surely got ("3个节点" for 4 before).
 */
final class SharedWindow {

    /** What a socket's leaving means for the window's other sockets. */
    enum Left {
        /** No socket of the window is left. */
        LAST,
        /** Another socket goes on after what the one that left was handed. */
        OTHERS_GO_ON,
        /**
         * The socket that left spoke for the window, which did not surely get all it was handed: the others take
         * nothing more and must close, so that the window reconnects from where it surely got.
         */
        OTHERS_MUST_RECONNECT
    }

    private long handed;
    private boolean endHanded;
    private int sockets;
    /** The socket that sends the window its events and its end; null until one took something, or once it left. */
    private Object speaker;
    /** The speaker left before the window surely had what it was handed: no socket of this window speaks again. */
    private boolean abandoned;
    /**
     * The highest seq another socket refused while the speaker spoke, and whether one refused the end: the speaker had
     * them queued (or on their way), and a close drops its queue; the others are past them and cannot send them.
     */
    private long passed;

    private boolean endPassed;

    /** How the window's sockets are closed, once the server closes them all (the first way only); null until then. */
    private Closing closing;

    /** How the window's sockets are closed: the code and reason of their close frames. */
    record Closing(int code, String reason) {}

    /** Whether {@code socket} sends the event of {@code seq}: no other socket of the window took it or speaks. */
    synchronized boolean take(Object socket, long seq) {
        if (abandoned || endHanded || seq <= handed) {
            return false;
        }
        if (!speaks(socket)) {
            passed = Math.max(passed, seq);
            return false;
        }
        handed = seq;
        return true;
    }

    /** Whether {@code socket} sends the session's end: no other socket of the window took it or speaks. */
    synchronized boolean takeEnd(Object socket) {
        if (abandoned || endHanded) {
            return false;
        }
        if (!speaks(socket)) {
            endPassed = true;
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

    /**
     * The window's sockets are closed with {@code how}: a socket of it that the closing does not find (attached before
     * it but listed among the open sockets after it, or attached after it) closes itself the same way once listed.
     */
    synchronized void closeAll(Closing how) {
        if (closing == null) {
            closing = how;
        }
    }

    /** How the window's sockets are closed; null while they are not. */
    synchronized Closing closing() {
        return closing;
    }

    synchronized void attach() {
        sockets++;
    }

    /**
     * {@code socket} is gone, and its window surely got the events up to {@code reached} from it (what it wrote, less
     * what the plugin may have dropped behind its close).
     */
    synchronized Left detach(Object socket, long reached) {
        sockets--;
        if (speaker == socket) {
            speaker = null;
            // what it was handed and did not surely deliver, or what the others passed while it spoke and it never took
            // (its close dropped its queue): the window reconnects for it
            if (reached < Math.max(handed, passed) || (endPassed && !endHanded)) {
                abandoned = true;
            }
        }
        if (sockets == 0) {
            return Left.LAST;
        }
        return abandoned ? Left.OTHERS_MUST_RECONNECT : Left.OTHERS_GO_ON;
    }
}
