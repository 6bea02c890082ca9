package org.canvasbatch.domain.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Iterator;
import java.util.List;

/**
 * Decides which node tasks start next across all running sessions.
 *
 * <p>Within a session: higher group priority first, then canvas order, never more than its own limit. Between sessions:
 * slots are dealt round-robin, starting with the session that has the fewest calls in flight, so a small batch started
 * after a huge one gets its share at the next free slot instead of waiting for the huge one to drain.
 */
public final class DispatchPlanner {

    private DispatchPlanner() {
    }

    public record Dispatch(SessionId sessionId, String nodeId) {
    }

    public static List<Dispatch> plan(Collection<Session> sessions, int globalFree, Instant now) {
        if (globalFree <= 0) {
            return List.of();
        }
        List<Session> contenders = sessions.stream()
                .filter(s -> s.freeCapacity() > 0)
                .sorted(Comparator.comparingInt(Session::runningCount)
                        .thenComparing(Session::createdAt)
                        .thenComparing(Session::id))
                .toList();
        List<Iterator<String>> candidates = new ArrayList<>(contenders.size());
        for (Session session : contenders) {
            candidates.add(session.dispatchable(Math.min(session.freeCapacity(), globalFree), now).iterator());
        }
        List<Dispatch> plan = new ArrayList<>(globalFree);
        boolean progressed = true;
        while (plan.size() < globalFree && progressed) {
            progressed = false;
            for (int i = 0; i < contenders.size() && plan.size() < globalFree; i++) {
                Iterator<String> next = candidates.get(i);
                if (next.hasNext()) {
                    plan.add(new Dispatch(contenders.get(i).id(), next.next()));
                    progressed = true;
                }
            }
        }
        return plan;
    }
}
