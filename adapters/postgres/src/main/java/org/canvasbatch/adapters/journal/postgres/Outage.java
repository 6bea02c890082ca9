package org.canvasbatch.adapters.journal.postgres;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * What an operator reads of the database failing one part of the cluster's code, per action (a renewal, a look for
 * abandoned sessions…): the first failure of an action at WARNING, the ones after it at DEBUG (a heartbeat fails every
 * few seconds while the database is down, and a line each would bury everything else), and one INFO line once that
 * same action succeeds again, with how long and how many. Per action, not per part: one statement that keeps failing
 * for a reason of its own (a constraint, a revoked grant) while the others succeed is one line, not a WARNING and an
 * INFO at every heartbeat.
 */
final class Outage {

    private final System.Logger log;
    private final String part;
    private final LongSupplier nanoTime;
    /** The actions failing now, by name; guarded by this. */
    private final Map<String, Failing> failing = new HashMap<>();
    /** Fast path for every successful statement: nothing to tell unless some action is failing. */
    private volatile boolean anyFailing;

    private static final class Failing {
        final long sinceNanos;
        long failures;

        Failing(long sinceNanos) {
            this.sinceNanos = sinceNanos;
        }
    }

    /** {@code part} names the code the actions belong to, e.g. "provider permits". */
    Outage(System.Logger log, String part) {
        this(log, part, System::nanoTime);
    }

    Outage(System.Logger log, String part, LongSupplier nanoTime) {
        this.log = log;
        this.part = part;
        this.nanoTime = nanoTime;
    }

    /** {@code action} ("renew this server's permits") failed; its name is also what {@link #answered} is told. */
    void failed(String action, Exception cause) {
        failed(action, "", cause);
    }

    /** As {@link #failed(String, Exception)}, with {@code detail} (" of session s1") told but not part of the name. */
    synchronized void failed(String action, String detail, Exception cause) {
        Failing state = failing.get(action);
        boolean first = state == null;
        if (first) {
            state = new Failing(nanoTime.getAsLong());
            failing.put(action, state);
            anyFailing = true;
        }
        state.failures++;
        String line = part + ": could not " + action + detail + " (" + cause.getMessage() + ")";
        if (first) {
            log.log(System.Logger.Level.WARNING, line + "; told once until it works again");
        } else {
            log.log(System.Logger.Level.DEBUG, line);
        }
    }

    /** {@code action} succeeded: if it failed before, its outage is over. */
    void answered(String action) {
        if (!anyFailing) {
            return;
        }
        synchronized (this) {
            Failing state = failing.remove(action);
            anyFailing = !failing.isEmpty();
            if (state == null) {
                return;
            }
            log.log(
                    System.Logger.Level.INFO,
                    part + ": could " + action + " again after "
                            + describe(Duration.ofNanos(nanoTime.getAsLong() - state.sinceNanos)) + " and "
                            + state.failures + (state.failures == 1 ? " failed attempt" : " failed attempts"));
        }
    }

    private static String describe(Duration lasted) {
        if (lasted.toMillis() < 1000) {
            return lasted.toMillis() + " ms";
        }
        return String.format(java.util.Locale.ROOT, "%.1f s", lasted.toMillis() / 1000.0);
    }
}
