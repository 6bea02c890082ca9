package org.canvasbatch.domain.session;

import java.time.Instant;
import java.util.List;
import org.canvasbatch.domain.agent.AgentId;

/**
 * Everything that happens to a session, in order. {@code seq} counts 1, 2, 3 … per session with no gaps; folding a
 * session's events in seq order rebuilds the session exactly ({@link Session#fromHistory}). The event log is the source
 * of truth, so every field a status answer or a replay needs is here.
 *
 * <p>One event stands for several seqs: {@link EventsLost}, which takes the seqs a damaged journal lost, so that no
 * seq a client may have been sent is ever issued again for another event.
 */
public sealed interface SessionEvent {

    SessionId sessionId();

    /** The last seq this event takes (the only one, but for {@link EventsLost}). */
    long seq();

    /** The first seq this event takes: {@link #seq()}, but for {@link EventsLost}. */
    default long firstSeq() {
        return seq();
    }

    Instant at();

    /** Analysis done: the groups and node tasks of a pending session. */
    record SessionCreated(
            SessionId sessionId,
            long seq,
            Instant at,
            String canvasPath,
            List<Group> groups,
            List<PlannedTask> tasks,
            SessionSettings settings,
            double silhouette,
            int recommendedK)
            implements SessionEvent {
        public SessionCreated {
            groups = List.copyOf(groups);
            tasks = List.copyOf(tasks);
        }
    }

    record SessionStarted(SessionId sessionId, long seq, Instant at, SessionSettings settings)
            implements SessionEvent {}

    /**
     * @param callsInFlight the session's agent calls in flight with this one; 0 where it was not recorded (journals
     *                      written before it was). A node whose agent has answered stays running while its note is
     *                      written, but no longer holds a slot, so this can be lower than the running nodes.
     */
    record TaskStarted(
            SessionId sessionId,
            long seq,
            Instant at,
            String nodeId,
            int groupId,
            AgentId agent,
            int attempt,
            int callsInFlight)
            implements SessionEvent {

        public TaskStarted(
                SessionId sessionId, long seq, Instant at, String nodeId, int groupId, AgentId agent, int attempt) {
            this(sessionId, seq, at, nodeId, groupId, agent, attempt, 0);
        }
    }

    /**
     * @param output      the generated Markdown, cut to {@link Session#OUTPUT_PREVIEW_CHARS}
     * @param linkProblem null, or why the note is not linked into its canvas, in words for a person
     */
    record TaskSucceeded(
            SessionId sessionId,
            long seq,
            Instant at,
            String nodeId,
            int groupId,
            AgentId agent,
            int attempt,
            String notePath,
            long fileSize,
            long durationMillis,
            String output,
            String model,
            String linkProblem)
            implements SessionEvent {

        /** A note linked into its canvas, or one with no canvas to link it into. */
        public TaskSucceeded(
                SessionId sessionId,
                long seq,
                Instant at,
                String nodeId,
                int groupId,
                AgentId agent,
                int attempt,
                String notePath,
                long fileSize,
                long durationMillis,
                String output,
                String model) {
            this(
                    sessionId,
                    seq,
                    at,
                    nodeId,
                    groupId,
                    agent,
                    attempt,
                    notePath,
                    fileSize,
                    durationMillis,
                    output,
                    model,
                    null);
        }
    }

    /** A transient failure that will be tried again at {@code retryAt}; the node goes back to the queue. */
    record TaskRetryScheduled(
            SessionId sessionId,
            long seq,
            Instant at,
            String nodeId,
            int groupId,
            int attempt,
            String errorMessage,
            String errorType,
            Instant retryAt)
            implements SessionEvent {}

    record TaskFailed(
            SessionId sessionId,
            long seq,
            Instant at,
            String nodeId,
            int groupId,
            AgentId agent,
            int attempt,
            String errorMessage,
            String errorType,
            boolean retryable,
            long durationMillis)
            implements SessionEvent {}

    /** A failed node put back in the queue by a person's retry. */
    record TaskRequeued(SessionId sessionId, long seq, Instant at, String nodeId, int groupId, AgentId agent)
            implements SessionEvent {}

    record GroupPriorityChanged(SessionId sessionId, long seq, Instant at, int groupId, Priority priority)
            implements SessionEvent {}

    record SessionPaused(SessionId sessionId, long seq, Instant at, String reason) implements SessionEvent {}

    record SessionResumed(SessionId sessionId, long seq, Instant at, String reason) implements SessionEvent {}

    /** Queued and running nodes become cancelled; results that arrive later are discarded. */
    record SessionCancelled(SessionId sessionId, long seq, Instant at, String reason) implements SessionEvent {}

    /** A problem that ends the whole batch (its timeout); followed by the unfinished nodes' failures and the finish. */
    record BatchFailed(SessionId sessionId, long seq, Instant at, String message, String errorType)
            implements SessionEvent {}

    /** The batch ended: {@code state} is completed, partial_failure or failed. Repeated if a later retry changes it. */
    record SessionFinished(SessionId sessionId, long seq, Instant at, SessionState state) implements SessionEvent {}

    /**
     * Seqs {@code firstSeq}–{@code seq} of a journal found damaged are gone: events with these seqs may have been sent
     * before the damage, so the session goes on after them. Written only by the journal's recovery; it changes nothing
     * else, and no client is sent anything for it.
     */
    record EventsLost(SessionId sessionId, long seq, Instant at, long firstSeq) implements SessionEvent {
        public EventsLost {
            if (firstSeq < 1 || seq < firstSeq) {
                throw new IllegalArgumentException("lost seqs " + firstSeq + "–" + seq + " are not a range");
            }
        }
    }
}
