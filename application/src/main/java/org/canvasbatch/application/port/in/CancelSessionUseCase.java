package org.canvasbatch.application.port.in;

import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Stops queued nodes at once and interrupts running agent calls; results that still arrive are discarded. */
public interface CancelSessionUseCase {
    SessionSnapshot cancel(SessionId sessionId, String reason);

    /**
     * Cancels like {@link #cancel}, but the session's watchers (its {@link SubscribeToSessionQuery subscribers}) hear
     * of it, and of anything after it, only once the returned cancellation is {@linkplain Cancellation#close()
     * closed}: a caller closes it when its answer to the canceller is out. (The Obsidian plugin reads a
     * {@code session_completed} that reaches its socket before its cancel has been answered as a success.) The events
     * are stored at once; only their news waits. Close it in a {@code finally}: until then the session's watchers
     * hear nothing.
     */
    default Cancellation cancelAnsweringFirst(SessionId sessionId, String reason) {
        SessionSnapshot cancelled = cancel(sessionId, reason);
        return new Cancellation() {
            @Override
            public SessionSnapshot snapshot() {
                return cancelled;
            }

            @Override
            public void close() {}
        };
    }

    /** A cancellation whose news is held until it is closed. */
    interface Cancellation extends AutoCloseable {
        /** The session as the cancellation left it. */
        SessionSnapshot snapshot();

        /** Lets the session's watchers hear of the cancellation (and what followed), in order; closing twice is harmless. */
        @Override
        void close();
    }
}
