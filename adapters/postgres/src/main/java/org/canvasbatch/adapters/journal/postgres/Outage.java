package org.canvasbatch.adapters.journal.postgres;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * What an operator reads of the database being away from one part of the cluster's code: the first failure at WARNING,
 * the ones after it at DEBUG (a heartbeat fails every few seconds while the database is down, and a line each would
 * bury everything else), and one INFO line once a statement succeeds again, with how long and how many. Before, these
 * failures were logged at DEBUG only: an outage that kept permits or placements from working left no visible trace.
 */
final class Outage {

    private final System.Logger log;
    private final String part;
    private final LongSupplier nanoTime;
    /** Fast path for every successful statement: nothing to tell unless a failure was. */
    private volatile boolean failing;

    private long failingSinceNanos;
    private long failures;

    /** {@code part} names what could not reach the database, e.g. "provider permits". */
    Outage(System.Logger log, String part) {
        this(log, part, System::nanoTime);
    }

    Outage(System.Logger log, String part, LongSupplier nanoTime) {
        this.log = log;
        this.part = part;
        this.nanoTime = nanoTime;
    }

    /** A statement failed: {@code what} is what could not be done ("renew this server's permits"). */
    void failed(String what, Exception cause) {
        boolean first;
        synchronized (this) {
            first = !failing;
            if (first) {
                failing = true;
                failingSinceNanos = nanoTime.getAsLong();
                failures = 0;
            }
            failures++;
        }
        String line = part + ": could not " + what + " (" + cause.getMessage() + ")";
        if (first) {
            log.log(System.Logger.Level.WARNING, line + "; told once until the database answers again");
        } else {
            log.log(System.Logger.Level.DEBUG, line);
        }
    }

    /** A statement succeeded: if failures came before, the outage is over. */
    void answered() {
        if (!failing) {
            return;
        }
        long count;
        long lastedNanos;
        synchronized (this) {
            if (!failing) {
                return;
            }
            failing = false;
            count = failures;
            lastedNanos = nanoTime.getAsLong() - failingSinceNanos;
        }
        log.log(
                System.Logger.Level.INFO,
                part + ": the database answers again after " + describe(Duration.ofNanos(lastedNanos)) + " and " + count
                        + (count == 1 ? " failed statement" : " failed statements"));
    }

    boolean failing() {
        return failing;
    }

    private static String describe(Duration lasted) {
        if (lasted.toMillis() < 1000) {
            return lasted.toMillis() + " ms";
        }
        return String.format(java.util.Locale.ROOT, "%.1f s", lasted.toMillis() / 1000.0);
    }
}
