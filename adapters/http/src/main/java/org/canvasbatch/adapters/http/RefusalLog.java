package org.canvasbatch.adapters.http;

import io.helidon.webserver.http.ServerRequest;
import java.lang.System.Logger.Level;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The one line a server logs for each request it refuses (a 4xx answer, bytes that are not HTTP), and the lines of the
 * connections it ends for not finishing a request in time, up to a number of lines a minute; past them the lines are
 * counted, and their number logged when the minute ends.
 *
 * <p>Anyone who can reach the port can be refused as fast as the network carries requests: any web page the learner
 * opens (a foreign origin), and on a {@code --host} server anyone without the token. One line each would let them fill
 * the disk the log is kept on. The budget is the server's, across every kind of refusal, so no kind can be used to
 * flood past another's. A server's own faults (5xx) are not refusals and are not counted.
 */
public final class RefusalLog {

    /** Enough for a learner's own mistakes and a plugin polling a session that is gone (one every two seconds). */
    static final int LINES_PER_MINUTE = 60;

    private static final System.Logger LOG = System.getLogger(RefusalLog.class.getName());

    private final int linesPerWindow;
    private final long windowNanos;
    private final String windowWords;
    private final WindowEnd windowEnd;
    private final Object lock = new Object();

    private long windowStart;
    private boolean windowOpen;
    private long generation;
    private int written;
    private long withheld;
    private Supplier<String> lastWithheld;

    /** The server's: {@value #LINES_PER_MINUTE} lines a minute. */
    static RefusalLog standard() {
        return new RefusalLog(LINES_PER_MINUTE, Duration.ofMinutes(1), "minute");
    }

    /**
     * @param windowWords how the window is named in the log lines ("minute")
     */
    RefusalLog(int linesPerWindow, Duration window, String windowWords) {
        this(linesPerWindow, window, windowWords, RefusalLog::afterSleeping);
    }

    /**
     * @param windowEnd runs its task once the given time has passed: how a window that withheld lines is closed, and
     *     their number logged, when no refusal comes after it
     */
    RefusalLog(int linesPerWindow, Duration window, String windowWords, WindowEnd windowEnd) {
        if (linesPerWindow < 1 || window.isNegative() || window.isZero()) {
            throw new IllegalArgumentException("a refusal log needs at least one line in a window of some length");
        }
        this.linesPerWindow = linesPerWindow;
        this.windowNanos = window.toNanos();
        this.windowWords = windowWords;
        this.windowEnd = windowEnd;
    }

    /** Runs a task once a time has passed. */
    @FunctionalInterface
    interface WindowEnd {
        void after(Duration wait, Runnable task);
    }

    private static void afterSleeping(Duration wait, Runnable task) {
        Thread.ofVirtual().name("refusal-log").start(() -> {
            try {
                Thread.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            task.run();
        });
    }

    /**
     * The refusal log of the server that routed {@code request}; a request routed without the server's edge (a test's
     * bare routing) logs every line.
     */
    public static RefusalLog of(ServerRequest request) {
        return request.context().get(RefusalLog.class).orElse(UNLIMITED);
    }

    private static final RefusalLog UNLIMITED = new RefusalLog(Integer.MAX_VALUE, Duration.ofDays(365), "year");

    /** Every line logged: for parts tested without a server. */
    static RefusalLog unlimited() {
        return UNLIMITED;
    }

    /** Logs {@code line} at INFO to {@code log}, unless this window's lines are spent: then it is counted. */
    public void refused(System.Logger log, Supplier<String> line) {
        if (!log.isLoggable(Level.INFO)) {
            return;
        }
        synchronized (lock) {
            long now = System.nanoTime();
            if (!windowOpen || now - windowStart >= windowNanos) {
                closeWindowLocked();
                windowOpen = true;
                windowStart = now;
                generation++;
            }
            if (written < linesPerWindow) {
                written++;
                log.log(Level.INFO, line);
                return;
            }
            if (withheld == 0) {
                LOG.log(
                        Level.WARNING,
                        "more than " + linesPerWindow + " lines of refused requests and ended connections within a "
                                + windowWords + ": the rest of this " + windowWords
                                + "'s are counted, not logged one by one, and their number logged when it ends");
                long closing = generation;
                windowEnd.after(Duration.ofNanos(windowStart + windowNanos - now), () -> closeIfCurrent(closing));
            }
            withheld++;
            lastWithheld = line;
        }
    }

    /** Logs the count of the refusals not logged so far, if any (a stopping server's last word on them). */
    void flush() {
        synchronized (lock) {
            closeWindowLocked();
        }
    }

    /** Closes the window {@code closing} if it is still the open one (a refusal after its end has closed it). */
    private void closeIfCurrent(long closing) {
        synchronized (lock) {
            if (generation == closing && windowOpen) {
                closeWindowLocked();
            }
        }
    }

    private void closeWindowLocked() {
        if (withheld > 0) {
            Supplier<String> last = lastWithheld;
            long count = withheld;
            LOG.log(
                    Level.INFO,
                    () -> count + " more line" + (count == 1 ? "" : "s") + " of refused requests and ended connections"
                            + " in that " + windowWords + " went unlogged; the last: " + last.get());
        }
        windowOpen = false;
        written = 0;
        withheld = 0;
        lastWithheld = null;
    }
}
