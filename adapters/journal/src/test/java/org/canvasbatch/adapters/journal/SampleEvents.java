package org.canvasbatch.adapters.journal;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.BatchFailed;
import org.canvasbatch.domain.session.SessionEvent.EventsLost;
import org.canvasbatch.domain.session.SessionEvent.GroupPriorityChanged;
import org.canvasbatch.domain.session.SessionEvent.SessionCancelled;
import org.canvasbatch.domain.session.SessionEvent.SessionCreated;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.SessionPaused;
import org.canvasbatch.domain.session.SessionEvent.SessionResumed;
import org.canvasbatch.domain.session.SessionEvent.SessionStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRequeued;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionEvent.TaskSucceeded;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.domain.session.SessionState;

/** Events as a real batch produces them: a created session, then its nodes started, succeeded, retried, failed. */
public final class SampleEvents {

    static final Instant T0 = Instant.parse("2025-03-14T09:26:53.589793238Z");

    private SampleEvents() {}

    static SessionCreated created(SessionId id, int nodes) {
        List<PlannedTask> tasks = new ArrayList<>();
        List<String> firstGroup = new ArrayList<>();
        List<String> secondGroup = new ArrayList<>();
        for (int i = 1; i <= nodes; i++) {
            String node = "node-" + i;
            boolean first = i % 2 == 1;
            (first ? firstGroup : secondGroup).add(node);
            tasks.add(new PlannedTask(
                    node,
                    first ? 1 : 2,
                    first ? "什么是逆否命题？" : "Compare TCP and UDP",
                    first ? AgentId.ORAL_EXPLANATION : AgentId.COMPARISON_TABLE));
        }
        List<Group> groups = List.of(
                new Group(
                        1,
                        "逻辑 命题",
                        List.of("命题", "逆否"),
                        Category.DEFINITION,
                        AgentId.ORAL_EXPLANATION,
                        Priority.HIGH,
                        0.82,
                        firstGroup),
                new Group(
                        2,
                        "Networking",
                        List.of("tcp", "udp"),
                        Category.COMPARISON,
                        AgentId.COMPARISON_TABLE,
                        Priority.MEDIUM,
                        0.64,
                        secondGroup));
        return new SessionCreated(id, 1, T0, "Maths/离散数学.canvas", groups, tasks, SessionSettings.DEFAULT, 0.41, 2);
    }

    /** One event of every kind, seqs 1..14, SessionCreated first. */
    static List<SessionEvent> everyKind(SessionId id) {
        Instant at = T0;
        return List.of(
                created(id, 4),
                new SessionStarted(id, 2, at.plusSeconds(1), SessionSettings.DEFAULT.withMaxConcurrent(3)),
                new TaskStarted(id, 3, at.plusSeconds(2), "node-1", 1, AgentId.ORAL_EXPLANATION, 1),
                new TaskSucceeded(
                        id,
                        4,
                        at.plusSeconds(3),
                        "node-1",
                        1,
                        AgentId.ORAL_EXPLANATION,
                        1,
                        "Maths/notes/逆否命题.md",
                        4_321,
                        1_250,
                        "# 逆否命题 🧠\n\n若 p 则 q ⇔ 若非 q 则非 p。",
                        "gpt-4o-mini"),
                new TaskRetryScheduled(
                        id,
                        5,
                        at.plusSeconds(4),
                        "node-2",
                        2,
                        1,
                        "429 Too Many Requests",
                        "rate_limited",
                        at.plusSeconds(9)),
                new TaskFailed(
                        id,
                        6,
                        at.plusSeconds(5),
                        "node-2",
                        2,
                        AgentId.COMPARISON_TABLE,
                        3,
                        "timeout after 120s",
                        "timeout",
                        true,
                        120_000),
                new TaskRequeued(id, 7, at.plusSeconds(6), "node-2", 2, AgentId.COMPARISON_TABLE),
                new GroupPriorityChanged(id, 8, at.plusSeconds(7), 2, Priority.URGENT),
                new SessionPaused(id, 9, at.plusSeconds(8), "paused by the learner"),
                new SessionResumed(id, 10, at.plusSeconds(9), "resumed"),
                new BatchFailed(id, 11, at.plusSeconds(10), "batch timeout of 600s reached", "batch_timeout"),
                new SessionCancelled(id, 12, at.plusSeconds(11), "cancelled"),
                new SessionFinished(id, 13, at.plusSeconds(12), SessionState.PARTIAL_FAILURE),
                new EventsLost(id, 14, at.plusSeconds(13), 14));
    }

    /** A plausible history of {@code count} events: created, started, then nodes starting and succeeding. */
    public static List<SessionEvent> history(SessionId id, int count) {
        List<SessionEvent> events = new ArrayList<>(count);
        for (long seq = 1; seq <= count; seq++) {
            events.add(event(id, seq));
        }
        return events;
    }

    /** The event of {@link #history} at {@code seq}. */
    public static SessionEvent event(SessionId id, long seq) {
        if (seq == 1) {
            return created(id, 8);
        }
        if (seq == 2) {
            return new SessionStarted(id, 2, T0.plusSeconds(2), SessionSettings.DEFAULT);
        }
        Instant at = T0.plus(Duration.ofMillis(seq * 137));
        String node = "node-" + (seq / 2);
        if (seq % 2 == 1) {
            return new TaskStarted(id, seq, at, node, 1, AgentId.EXAMPLE_TEACHING, 1);
        }
        return new TaskSucceeded(
                id,
                seq,
                at,
                node,
                1,
                AgentId.EXAMPLE_TEACHING,
                1,
                "notes/" + node + ".md",
                2_048,
                900 + seq,
                "## 例子 " + seq + " ✅\nA worked example of the idea.",
                "claude-sonnet");
    }
}
