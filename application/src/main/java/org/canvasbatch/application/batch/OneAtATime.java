package org.canvasbatch.application.batch;

import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.function.Consumer;

/**
 * Work about sessions that other servers ask for, in bursts and as often as anyone likes (a notification can be sent
 * by anyone who can connect to the database): done by one thread at a time, each session once however often it was
 * asked for while it waited, in the order first asked. A flood costs a set of at most {@code limit} sessions and one
 * thread, never a thread each. A session asked for again while its work runs is done once more after it, since the
 * news may have come too late for the run under way.
 */
final class OneAtATime<K> {

    private static final System.Logger LOG = System.getLogger(OneAtATime.class.getName());

    private final String name;
    private final Consumer<K> work;
    private final int limit;
    /** Guarded by this. */
    private final LinkedHashSet<K> waiting = new LinkedHashSet<>();
    /** Whether a thread is draining {@link #waiting}; guarded by this. */
    private boolean draining;
    /** Whether a full set was said since it last emptied; guarded by this. */
    private boolean toldFull;

    OneAtATime(String name, int limit, Consumer<K> work) {
        this.name = name;
        this.limit = limit;
        this.work = work;
    }

    /** Has the work done for {@code key} soon, unless it is waiting already. */
    void offer(K key) {
        synchronized (this) {
            if (!waiting.contains(key) && waiting.size() >= limit) {
                if (!toldFull) {
                    toldFull = true;
                    LOG.log(
                            System.Logger.Level.WARNING,
                            name + ": " + limit + " sessions wait already; more are dropped until they are done");
                }
                return;
            }
            waiting.add(key);
            if (draining) {
                return;
            }
            draining = true;
        }
        Thread.ofVirtual().name(name).start(this::drain);
    }

    private void drain() {
        while (true) {
            K key;
            synchronized (this) {
                Iterator<K> next = waiting.iterator();
                if (!next.hasNext()) {
                    draining = false;
                    toldFull = false;
                    return;
                }
                key = next.next();
                next.remove();
            }
            try {
                work.accept(key);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, name + " failed for " + key + ": " + e);
            }
        }
    }
}
