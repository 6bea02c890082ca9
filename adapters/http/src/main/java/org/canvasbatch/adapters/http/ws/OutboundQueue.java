package org.canvasbatch.adapters.http.ws;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;

/**
 * One socket's bounded outbound queue (CONTRACT §3.5). Producers never block. A socket that keeps up gets every
 * message; only one that has fallen behind — half its queue waiting — has a {@code progress_update} replace the unsent
 * one of its group (newest wins, placed after the event that caused it); anything that does not fit is an overflow the
 * caller answers by closing the socket. Control frames (ping, pong, close) jump the queue and are not counted: they
 * are tiny and bounded — a ping by the heartbeat, a pong by answering only the client's latest ping.
 *
 * <p>Nobody waits on an empty queue: the queue starts out owned by its first drain, and when a drain finds it empty it
 * {@link #release() releases} it; the next item offered to a released queue calls {@code wake} (outside the lock) to
 * start a new drain. So at most one drain runs at a time, in order, and an idle socket holds no thread.
 */
final class OutboundQueue {

    enum Offer {
        ACCEPTED,
        COALESCED,
        OVERFLOW,
        CLOSED
    }

    private static final class Slot {
        final Outgoing item;
        boolean superseded;

        Slot(Outgoing item) {
            this.item = item;
        }
    }

    private final int capacity;
    private final int coalesceFrom;
    private final Runnable wake;
    private final ArrayDeque<Slot> items = new ArrayDeque<>(4);
    private final ArrayDeque<Outgoing> control = new ArrayDeque<>(2);
    private Map<Integer, Slot> unsentProgress;
    private int live;
    private boolean closed;
    private boolean draining = true;

    /** A queue whose owner drains it itself ({@link #poll()} until empty); nothing is woken. */
    OutboundQueue(int capacity) {
        this(capacity, () -> {});
    }

    /**
     * @param wake starts a drain; called when something arrives in a released queue, never under the queue's lock
     */
    OutboundQueue(int capacity, Runnable wake) {
        this.capacity = capacity;
        this.coalesceFrom = Math.max(1, capacity / 2);
        this.wake = wake;
    }

    Offer offer(Outgoing item) {
        Offer result;
        boolean wakeUp;
        synchronized (this) {
            if (closed) {
                return Offer.CLOSED;
            }
            boolean coalesced = false;
            Outgoing.Message progress =
                    item instanceof Outgoing.Message message && message.isProgress() ? message : null;
            if (progress != null && live >= coalesceFrom && unsentProgress != null) {
                Slot older = unsentProgress.remove(progress.progressGroup());
                if (older != null) {
                    older.superseded = true;
                    live--;
                    coalesced = true;
                }
            }
            if (live >= capacity) {
                return Offer.OVERFLOW;
            }
            Slot slot = new Slot(item);
            items.addLast(slot);
            live++;
            if (progress != null) {
                if (unsentProgress == null) {
                    unsentProgress = new HashMap<>();
                }
                unsentProgress.put(progress.progressGroup(), slot);
            }
            result = coalesced ? Offer.COALESCED : Offer.ACCEPTED;
            wakeUp = claim();
        }
        if (wakeUp) {
            wake.run();
        }
        return result;
    }

    /** Queues a control frame ahead of the waiting messages; ignored once the queue is closed. */
    void control(Outgoing item) {
        boolean wakeUp;
        synchronized (this) {
            if (closed) {
                return;
            }
            if (item instanceof Outgoing.Pong) {
                // only the latest ping is answered (RFC 6455 §5.5.3): a client that pings without reading would
                // otherwise grow this queue, which the slow-consumer bound does not count, until it is dropped
                control.removeIf(Outgoing.Pong.class::isInstance);
            }
            control.addLast(item);
            wakeUp = claim();
        }
        if (wakeUp) {
            wake.run();
        }
    }

    /** Drops whatever waits and makes {@code last} the only thing left to take; later offers are refused. */
    void closeWith(Outgoing last) {
        boolean wakeUp;
        synchronized (this) {
            if (closed) {
                return;
            }
            shutDown();
            control.addLast(last);
            wakeUp = claim();
        }
        if (wakeUp) {
            wake.run();
        }
    }

    /** The socket is done: drops whatever waits, refuses more and never wakes a drain again. */
    synchronized void shutDown() {
        closed = true;
        items.clear();
        control.clear();
        unsentProgress = null;
        live = 0;
    }

    /** The next item for the running drain (control frames first), or null when none waits. */
    synchronized Outgoing poll() {
        while (true) {
            Outgoing urgent = control.pollFirst();
            if (urgent != null) {
                return urgent;
            }
            Slot slot = items.pollFirst();
            if (slot == null) {
                return null;
            }
            if (slot.superseded) {
                continue;
            }
            live--;
            if (unsentProgress != null && slot.item instanceof Outgoing.Message message && message.isProgress()) {
                unsentProgress.remove(message.progressGroup(), slot);
            }
            return slot.item;
        }
    }

    /**
     * The ping or pong that waits at the head of the control frames, if one does (else null, and nothing is taken): for
     * a drain in the middle of a replay, which takes nothing else from the queue until the replay is over.
     */
    synchronized Outgoing pollHeartbeat() {
        Outgoing first = control.peekFirst();
        return first instanceof Outgoing.Ping || first instanceof Outgoing.Pong ? control.pollFirst() : null;
    }

    /**
     * The running drain is about to stop: true if nothing waits (the next offer starts a new drain), false if something
     * arrived since its last {@link #poll()} (it must carry on).
     */
    synchronized boolean release() {
        if (!control.isEmpty() || live > 0) {
            return false;
        }
        items.clear();
        draining = false;
        return true;
    }

    synchronized int size() {
        return live;
    }

    private boolean claim() {
        if (draining) {
            return false;
        }
        draining = true;
        return true;
    }
}
