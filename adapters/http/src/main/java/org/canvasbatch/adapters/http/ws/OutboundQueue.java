package org.canvasbatch.adapters.http.ws;

import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One socket's bounded outbound queue (CONTRACT §3.5). Producers never block: a {@code progress_update} replaces the
 * unsent one of its group (newest wins, placed after the event that caused it), anything else that does not fit is an
 * overflow the caller answers by closing the socket. Control frames (ping, pong, close) jump the queue and are not
 * counted: they are tiny and bounded by the heartbeat.
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
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final ArrayDeque<Slot> items = new ArrayDeque<>();
    private final ArrayDeque<Outgoing> control = new ArrayDeque<>();
    private final Map<Integer, Slot> unsentProgress = new HashMap<>();
    private int live;
    private boolean closed;

    OutboundQueue(int capacity) {
        this.capacity = capacity;
    }

    Offer offer(Outgoing item) {
        lock.lock();
        try {
            if (closed) {
                return Offer.CLOSED;
            }
            boolean coalesced = false;
            if (item instanceof Outgoing.Message message && message.isProgress()) {
                Slot older = unsentProgress.remove(message.progressGroup());
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
            if (item instanceof Outgoing.Message message && message.isProgress()) {
                unsentProgress.put(message.progressGroup(), slot);
            }
            ready.signal();
            return coalesced ? Offer.COALESCED : Offer.ACCEPTED;
        } finally {
            lock.unlock();
        }
    }

    /** Queues a control frame ahead of the waiting messages; ignored once the queue is closed. */
    void control(Outgoing item) {
        lock.lock();
        try {
            if (!closed) {
                control.addLast(item);
                ready.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Drops whatever waits and makes {@code last} the only thing left to take; later offers are refused. */
    void closeWith(Outgoing last) {
        lock.lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            items.clear();
            control.clear();
            unsentProgress.clear();
            live = 0;
            control.addLast(last);
            ready.signal();
        } finally {
            lock.unlock();
        }
    }

    Outgoing take() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                Outgoing urgent = control.pollFirst();
                if (urgent != null) {
                    return urgent;
                }
                Slot slot = items.pollFirst();
                if (slot == null) {
                    ready.await();
                    continue;
                }
                if (slot.superseded) {
                    continue;
                }
                live--;
                if (slot.item instanceof Outgoing.Message message && message.isProgress()) {
                    unsentProgress.remove(message.progressGroup(), slot);
                }
                return slot.item;
            }
        } finally {
            lock.unlock();
        }
    }

    int size() {
        lock.lock();
        try {
            return live;
        } finally {
            lock.unlock();
        }
    }
}
