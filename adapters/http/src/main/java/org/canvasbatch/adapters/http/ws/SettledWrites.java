package org.canvasbatch.adapters.http.ws;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;

/**
 * How far a plugin socket's window surely got when its client closed it. (plugin) {@code ws.close()} on a minimize
 * makes the browser drop every message that reaches it afterwards, and every one still queued behind the click in a
 * busy renderer, while the server counts them as sent until the close frame arrives: the window's next socket would
 * go on after them, and its "N个节点" would come up short. The server cannot see which of them the window handled, so
 * what was written less than the margin before the close is taken as not handled and is sent again: the error left is
 * a node counted twice, never one missed (a missed {@code task_failed} reads as "✅ 全部处理完成", and a group short of
 * its count is turned ✅ by {@code session_completed} even when all its nodes failed).
 */
final class SettledWrites {

    private record Write(Instant at, long seq) {}

    private final Duration margin;
    private final ArrayDeque<Write> recent = new ArrayDeque<>();
    private long settled;
    /** A write has begun and is not noted yet: its bytes may be with the client already. */
    private boolean writing;
    /** When the window is judged to have stopped handling (the plugin's close arrived); null while it has not. */
    private Instant closedAt;
    /** The highest seq written the margin before {@link #closedAt}; -1 while the window has not stopped. */
    private long reachedAtClose = -1;

    SettledWrites(Duration margin) {
        this.margin = margin;
    }

    /** The socket goes on after {@code seq}, which its window had from an earlier socket; returns it. */
    synchronized long startAfter(long seq) {
        settled = Math.max(settled, seq);
        return seq;
    }

    /** A write begins; {@link #written} or {@link #notWritten} follows. */
    synchronized void writing() {
        writing = true;
    }

    /** The primary messages up to {@code seq} were written at {@code at}. */
    synchronized void written(Instant at, long seq) {
        if (closedAt != null) {
            // a write under way when the close arrived is judged at the close, not when its thread got to note it:
            // whoever reads the window's position next (often the drain itself, leaving) must see it
            settleBy(closedAt);
            reachedAtClose = Math.max(reachedAtClose, settled);
            if (!at.plus(margin).isAfter(closedAt)) {
                reachedAtClose = Math.max(reachedAtClose, seq);
            }
        } else {
            // once the window has stopped, nothing settles past its close: a slow write ending after it would settle
            // what was written less than the margin before the close, which the next judgement would take as reached
            settleBy(at);
        }
        recent.addLast(new Write(at, seq));
        writing = false;
        notifyAll();
    }

    /** The write begun wrote no primary message, or failed. */
    synchronized void notWritten() {
        writing = false;
        notifyAll();
    }

    /**
     * The window stopped handling at {@code at} (the plugin's close arrived then): returns how far it surely got, the
     * highest seq written at least the margin before (0: none). A write under way is waited for up to {@code patience}:
     * its bytes may have reached the client long before the thread that wrote them gets to note them (a busy machine),
     * and a write not noted counts as not settled, so it would be sent again and counted twice. Noted later, it still
     * raises {@link #reachedAtClose} if it ended the margin before {@code at}.
     */
    synchronized long closeAt(Instant at, Duration patience) {
        // the window stopped at the first of its judgements (a plugin close, then the end taken by a drain that had it
        // polled): a later one cannot make it have handled more
        closedAt = closedAt == null || at.isBefore(closedAt) ? at : closedAt;
        long deadline = System.nanoTime() + patience.toNanos();
        try {
            for (long left = patience.toNanos(); writing && left > 0; left = deadline - System.nanoTime()) {
                java.util.concurrent.TimeUnit.NANOSECONDS.timedWait(this, left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        settleBy(closedAt);
        reachedAtClose = Math.max(reachedAtClose, settled);
        return reachedAtClose;
    }

    /** How far the window surely got when it stopped handling; -1 while it has not ({@link #closeAt}). */
    synchronized long reachedAtClose() {
        return reachedAtClose;
    }

    private void settleBy(Instant now) {
        while (!recent.isEmpty() && !recent.peekFirst().at().plus(margin).isAfter(now)) {
            settled = Math.max(settled, recent.pollFirst().seq());
        }
    }
}
