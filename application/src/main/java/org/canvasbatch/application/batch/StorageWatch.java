package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.Registration;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.domain.session.SessionId;

/**
 * What the core does while the event journal refuses appends (a full disk, a read-only or failing file system), or the
 * vault's disk is too full for notes ({@link #vaultFull}), so that a batch neither hangs "running" forever, nor loses
 * work, nor asks the model for notes that cannot be written, and goes on by itself once space returns.
 *
 * <p>An <em>outage</em> starts at the first refused append: one log line, and each session it touches tells its
 * listeners once (the sockets get a recoverable {@code error}). While it lasts nothing new is dispatched, and work that
 * finished but could not be recorded — an agent's outcome, a batch timeout — is <em>held</em> here rather than lost or
 * done again. The journal is tried again on a timer (the retry backoff, at most every few seconds): held writes first, in
 * the order they came, then, when nothing is held, a probe ({@link EventLog#probeWritable}). The outage ends at the first
 * append that is stored with nothing left held: one log line, and the dispatcher is woken so that the batch continues.
 *
 * <p>A held write lives in memory only: if the process stops during an outage, the node it belonged to is still running
 * in the journal and a restart runs it again (contract §4 counts that attempt).
 */
final class StorageWatch {

    private static final System.Logger LOG = System.getLogger(StorageWatch.class.getName());
    /** However long the outage, the journal is tried at least this often, so a batch resumes soon after space returns. */
    private static final Duration LONGEST_WAIT = Duration.ofSeconds(5);

    /** Work that was done but could not be recorded; {@link #write} tries again and says whether it is now stored. */
    @FunctionalInterface
    interface HeldWrite {
        /**
         * @return true when the write is stored now (or no longer needed), false when the journal refused it again
         */
        boolean write();
    }

    private record Held(SessionId sessionId, String what, HeldWrite write) {}

    private static final class Outage {
        final Instant since;
        final Set<SessionId> told = new HashSet<>();
        /** Who held work back because of this outage and wants to hear when it is over (the dispatcher). */
        final Set<Runnable> waiting = new java.util.LinkedHashSet<>();

        /** What is said once the outage is over: which store takes writes again. */
        final String over;

        String message;
        int checks;
        Instant nextCheckAt;

        Outage(Instant since, String message, String over) {
            this.since = since;
            this.message = message;
            this.over = over;
        }
    }

    private final EventLog log;
    private final TaskExecutor executor;
    private final Clock clock;
    private final Duration firstWait;
    private final Duration longestWait;
    private final Object lock = new Object();
    private final Deque<Held> held = new ArrayDeque<>();
    private final Map<SessionId, List<Consumer<StorageProblem>>> listeners = new ConcurrentHashMap<>();
    private volatile Outage outage;
    private boolean checking;

    /**
     * @param firstWait   how long after the first refusal the journal is tried again; doubled after each refusal
     * @param longestWait the longest wait between two tries (capped at {@link #LONGEST_WAIT})
     */
    StorageWatch(EventLog log, TaskExecutor executor, Clock clock, Duration firstWait, Duration longestWait) {
        this.log = log;
        this.executor = executor;
        this.clock = clock;
        this.firstWait = firstWait.isZero() || firstWait.isNegative() ? Duration.ofMillis(1) : firstWait;
        this.longestWait = longestWait.compareTo(LONGEST_WAIT) > 0 ? LONGEST_WAIT : longestWait;
    }

    /**
     * While the journal refuses appends nothing new should start that would have to be recorded: true then, and
     * {@code wake} runs (once, however often it was handed in) when the outage is over. False, and nothing is kept,
     * when there is no outage.
     */
    boolean wakeAfterOutage(Runnable wake) {
        if (outage == null) {
            return false;
        }
        synchronized (lock) {
            if (outage == null) {
                return false;
            }
            outage.waiting.add(wake);
            return true;
        }
    }

    /**
     * An append of {@code sessionId} was refused. Starts an outage if none is on; tells the session's listeners the
     * first time it is touched. Called under the session's lock: it only records and hands notices on.
     */
    void refused(SessionId sessionId, EventLogException failure) {
        refused(
                sessionId,
                messageFor(failure),
                "the event journal refuses events (" + failure.getMessage() + "): nothing new starts, finished work"
                        + " is held, and the journal is tried again until it takes events",
                "the event journal takes events again");
    }

    /**
     * The vault's disk is full: a note the model wrote could not be written. The same as a journal outage — nothing new
     * starts (no model call for a note that could not be written either), the note is held ({@link #hold}) and written
     * once there is room, and the batch then continues by itself — told in the vault's words.
     */
    void vaultFull(SessionId sessionId, String message) {
        refused(
                sessionId,
                message,
                "the vault refuses notes (" + message + "): nothing new starts, the notes the model wrote are held,"
                        + " and they are tried again until there is room",
                "the vault takes notes again");
    }

    private void refused(SessionId sessionId, String message, String startLine, String over) {
        StorageProblem notice = null;
        boolean started = false;
        synchronized (lock) {
            Outage current = outage;
            if (current == null) {
                current = new Outage(clock.now(), message, over);
                current.nextCheckAt = current.since.plus(waitBefore(0));
                outage = current;
                started = true;
            } else {
                current.message = message;
            }
            if (current.told.add(sessionId)) {
                notice = problemOf(current);
            }
        }
        if (started) {
            LOG.log(System.Logger.Level.WARNING, startLine);
            schedule(waitBefore(0));
        }
        if (notice != null) {
            tell(sessionId, notice);
        }
    }

    /** An append was stored: if nothing is held any more, the outage is over. Cheap when there is none. */
    void stored() {
        if (outage == null) {
            return;
        }
        endIfNothingHeld();
    }

    /** Keeps work that could not be recorded until the journal takes it. */
    void hold(SessionId sessionId, String what, HeldWrite write) {
        boolean outageOver;
        synchronized (lock) {
            held.addLast(new Held(sessionId, what, write));
            outageOver = outage == null;
        }
        LOG.log(System.Logger.Level.DEBUG, "holding " + what + " of session " + sessionId + " until it can be stored");
        if (outageOver) {
            // the refusal is handed here after the outage it started was reported: the journal's first retry, or
            // another session's stored append, may have ended that outage already, and no timer of it would come back
            // for this write; its node would stay running and its batch would never end
            schedule(waitBefore(0));
        }
    }

    /**
     * Tries the held writes again now rather than at the next check: a batch is about to end, and an outcome held for
     * it should be recorded before the end is (the journal may have taken events again since it was refused).
     */
    void tryHeldWritesNow() {
        boolean anyHeld;
        synchronized (lock) {
            anyHeld = !held.isEmpty();
        }
        if (anyHeld) {
            schedule(Duration.ZERO);
        }
    }

    /** The current problem, for any session. */
    Optional<StorageProblem> problem() {
        synchronized (lock) {
            return outage == null ? Optional.empty() : Optional.of(problemOf(outage));
        }
    }

    /** Whether the outage has touched the session (an append of it refused, or a write of it held). */
    boolean touches(SessionId sessionId) {
        synchronized (lock) {
            return outage != null
                    && (outage.told.contains(sessionId)
                            || held.stream().anyMatch(h -> h.sessionId().equals(sessionId)));
        }
    }

    Registration listen(SessionId sessionId, Consumer<StorageProblem> listener) {
        listeners.computeIfAbsent(sessionId, k -> new CopyOnWriteArrayList<>()).add(listener);
        return () -> listeners.computeIfPresent(sessionId, (k, list) -> {
            list.remove(listener);
            return list.isEmpty() ? null : list;
        });
    }

    /** Forgets the listeners of a session that is gone. */
    void forget(SessionId sessionId) {
        listeners.remove(sessionId);
    }

    // --------------------------------------------------------------------------------------------------- the timer

    private void schedule(Duration wait) {
        schedule(wait, this::check);
    }

    private void schedule(Duration wait, Runnable action) {
        try {
            executor.schedule(wait, action);
        } catch (RuntimeException e) {
            // the executor is shutting down: the process stops, and a restart finds what the journal holds
            LOG.log(System.Logger.Level.DEBUG, "not scheduled while shutting down: " + e.getMessage());
        }
    }

    /**
     * Tries the journal again: the held writes in order, then a probe; ends the outage or waits longer. Also without an
     * outage while writes are held ({@link #hold}). A write held while this runs is written by this run, or by the next
     * one it schedules, and an outage begun after this run ended the previous one is checked by the run it schedules: a
     * check that found another running leaves at once, so nothing else would come back for either.
     */
    private void check() {
        synchronized (lock) {
            if ((outage == null && held.isEmpty()) || checking) {
                return;
            }
            checking = true;
        }
        boolean refusedAgain = false;
        try {
            refusedAgain = !writeAllHeld();
        } finally {
            boolean heldMeanwhile;
            boolean outageMeanwhile;
            synchronized (lock) {
                checking = false;
                heldMeanwhile = !held.isEmpty();
                // this check ended the outage, and another append was refused since: a new outage, whose own check
                // came while this one ran and left at once; this run is the one to come back for it
                outageMeanwhile = outage != null;
            }
            if (refusedAgain) {
                waitLonger();
            } else if (heldMeanwhile) {
                schedule(Duration.ZERO);
            } else if (outageMeanwhile) {
                schedule(waitBefore(0));
            }
        }
    }

    /** Writes what is held, then probes the journal; true once nothing is held and the outage is over. */
    private boolean writeAllHeld() {
        while (true) {
            Held next;
            synchronized (lock) {
                next = held.peekFirst();
            }
            if (next != null) {
                if (!writeHeld(next)) {
                    return false;
                }
                synchronized (lock) {
                    held.remove(next);
                }
                continue;
            }
            try {
                log.probeWritable();
            } catch (EventLogException e) {
                synchronized (lock) {
                    if (outage != null) {
                        outage.message = messageFor(e);
                    }
                }
                return false;
            }
            if (endIfNothingHeld()) {
                return true;
            }
            // a write was held since the probe: it is written now, and the outage ends after it
        }
    }

    private boolean writeHeld(Held next) {
        try {
            return next.write().write();
        } catch (EventLogException e) {
            return false;
        } catch (RuntimeException e) {
            // the session moved on (forgotten, cancelled): there is nothing left to record
            LOG.log(
                    System.Logger.Level.WARNING,
                    next.what() + " of session " + next.sessionId() + " is no longer recorded: " + e.getMessage());
            return true;
        }
    }

    private void waitLonger() {
        Duration wait;
        synchronized (lock) {
            if (outage == null) {
                return;
            }
            outage.checks++;
            wait = waitBefore(outage.checks);
            outage.nextCheckAt = clock.now().plus(wait);
        }
        schedule(wait);
    }

    /** Ends the outage if nothing is held; false when something is (the outage, if any, goes on). */
    private boolean endIfNothingHeld() {
        Outage ended;
        int recorded;
        synchronized (lock) {
            if (!held.isEmpty()) {
                return false;
            }
            if (outage == null) {
                return true;
            }
            ended = outage;
            recorded = ended.told.size();
            outage = null;
        }
        Duration lasted = Duration.between(ended.since, clock.now());
        LOG.log(
                System.Logger.Level.INFO,
                ended.over + " after " + Math.max(0, lasted.toSeconds()) + " s; " + recorded
                        + " session(s) affected continue");
        // off this thread: it may hold a session's lock, and waking the dispatcher takes others
        ended.waiting.forEach(wake -> schedule(Duration.ZERO, wake));
        return true;
    }

    private Duration waitBefore(int checks) {
        Duration wait = firstWait.multipliedBy(1L << Math.min(checks, 20));
        return wait.compareTo(longestWait) > 0 ? longestWait : wait;
    }

    private StorageProblem problemOf(Outage current) {
        return new StorageProblem(current.message, current.since, held.size(), current.nextCheckAt);
    }

    private void tell(SessionId sessionId, StorageProblem notice) {
        for (Consumer<StorageProblem> listener : listeners.getOrDefault(sessionId, List.of())) {
            try {
                listener.accept(notice);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "a storage listener of session " + sessionId + " failed: " + e);
            }
        }
    }

    /** "Cannot save progress: no space left on device in /data/sessions", or the store's own words. */
    static String messageFor(EventLogException failure) {
        Optional<String> reason = failure.reason();
        if (reason.isEmpty()) {
            return "Cannot save progress: " + failure.getMessage();
        }
        return "Cannot save progress: " + reason.get()
                + failure.location().map(where -> " in " + where).orElse("");
    }
}
