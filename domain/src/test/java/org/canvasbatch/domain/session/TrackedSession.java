package org.canvasbatch.domain.session;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.SessionConflict.Kind;

/**
 * A session under test together with every event it has emitted so far, so that any test can fold the history and
 * compare. Its clock moves one second per command, which keeps every event's timestamp distinct and checkable.
 */
final class TrackedSession {

    static final Instant T0 = Instant.parse("2026-11-26T12:00:00Z");
    static final AgentId PLANNED_AGENT = AgentId.ORAL_EXPLANATION;

    private final Session session;
    private final List<SessionEvent> history = new ArrayList<>();
    private Instant clock;

    private TrackedSession(Session.Creation creation, Instant createdAt) {
        this.session = creation.session();
        this.history.add(creation.event());
        this.clock = createdAt;
    }

    static Plan plan() {
        return new Plan();
    }

    /** One medium-priority group holding the given nodes in canvas order, default settings. */
    static TrackedSession withNodes(String... nodeIds) {
        return plan().nodes(1, nodeIds).create();
    }

    /** As {@link #withNodes}, already started. */
    static TrackedSession runningWith(String... nodeIds) {
        TrackedSession tracked = withNodes(nodeIds);
        tracked.start();
        return tracked;
    }

    static final class Plan {
        private String id = "s-1";
        private final Map<Integer, Priority> priorities = new LinkedHashMap<>();
        private final List<PlannedTask> tasks = new ArrayList<>();
        private SessionSettings settings = SessionSettings.DEFAULT;
        private Instant createdAt = T0;

        Plan id(String value) {
            id = value;
            return this;
        }

        Plan group(int groupId, Priority priority) {
            priorities.put(groupId, priority);
            return this;
        }

        /** Adds nodes to a group, in canvas order after every node added before; the group defaults to medium. */
        Plan nodes(int groupId, String... nodeIds) {
            priorities.putIfAbsent(groupId, Priority.MEDIUM);
            for (String nodeId : nodeIds) {
                tasks.add(new PlannedTask(nodeId, groupId, "question " + nodeId, PLANNED_AGENT));
            }
            return this;
        }

        Plan settings(SessionSettings value) {
            settings = value;
            return this;
        }

        Plan maxConcurrent(int value) {
            settings = settings.withMaxConcurrent(value);
            return this;
        }

        Plan maxAttempts(int value) {
            settings = new SessionSettings(
                    settings.maxConcurrent(), settings.batchTimeout(), settings.nodeTimeout(), value);
            return this;
        }

        Plan createdAt(Instant value) {
            createdAt = value;
            return this;
        }

        List<Group> groups() {
            List<Group> groups = new ArrayList<>();
            priorities.forEach((groupId, priority) -> groups.add(new Group(
                    groupId,
                    "group " + groupId,
                    List.of("term"),
                    Category.DEFINITION,
                    PLANNED_AGENT,
                    priority,
                    0.8,
                    tasks.stream()
                            .filter(t -> t.groupId() == groupId)
                            .map(PlannedTask::nodeId)
                            .toList())));
            return groups;
        }

        TrackedSession create() {
            return new TrackedSession(
                    Session.create(
                            new SessionId(id),
                            "数学/离散数学.canvas",
                            groups(),
                            tasks,
                            settings,
                            0.41,
                            priorities.size(),
                            createdAt),
                    createdAt);
        }
    }

    // ------------------------------------------------------------------ time

    Instant now() {
        return clock;
    }

    /** Moves the clock one second on and returns the new time. */
    Instant tick() {
        clock = clock.plusSeconds(1);
        return clock;
    }

    void advanceTo(Instant when) {
        clock = when;
    }

    // ------------------------------------------------------------------ commands, recorded

    List<SessionEvent> record(List<SessionEvent> events) {
        history.addAll(events);
        return events;
    }

    List<SessionEvent> start() {
        return record(session.start(null, tick()));
    }

    List<SessionEvent> startTask(String nodeId) {
        return record(session.startTask(nodeId, tick()));
    }

    List<SessionEvent> succeed(String nodeId) {
        return record(session.recordSuccess(
                nodeId,
                attempt(nodeId),
                "notes/" + nodeId + ".md",
                1_000,
                2_000,
                "# answer to " + nodeId,
                "model-x",
                tick()));
    }

    /** Records a success of the running attempt whose note could not be linked into its canvas, for that reason. */
    List<SessionEvent> succeedUnlinked(String nodeId, String linkProblem) {
        return record(session.recordSuccess(
                nodeId,
                attempt(nodeId),
                "notes/" + nodeId + ".md",
                1_000,
                2_000,
                "# answer to " + nodeId,
                "model-x",
                linkProblem,
                tick()));
    }

    List<SessionEvent> fail(String nodeId) {
        return record(session.recordFailure(
                nodeId, attempt(nodeId), "the agent refused", "agent_error", false, 500, Optional.empty(), tick()));
    }

    List<SessionEvent> failTransiently(String nodeId, Instant retryAt) {
        return record(session.recordFailure(
                nodeId, attempt(nodeId), "HTTP 503", "http_503", true, 300, Optional.of(retryAt), tick()));
    }

    /** Starts the node and records a success for that attempt. */
    List<SessionEvent> run(String nodeId) {
        List<SessionEvent> events = new ArrayList<>(startTask(nodeId));
        events.addAll(succeed(nodeId));
        return events;
    }

    /** Starts the node and records a non-retryable failure for that attempt. */
    List<SessionEvent> runAndFail(String nodeId) {
        List<SessionEvent> events = new ArrayList<>(startTask(nodeId));
        events.addAll(fail(nodeId));
        return events;
    }

    List<SessionEvent> pause() {
        return record(session.pause("paused by the user", tick()));
    }

    /** The server stopped (a crash, kill -9) and started again: nodes that were running are requeued or failed. */
    List<SessionEvent> restart() {
        return record(session.requeueInterrupted(tick()));
    }

    List<SessionEvent> resume() {
        return record(session.resume("resumed by the user", tick()));
    }

    List<SessionEvent> cancel() {
        return record(session.cancel("cancelled by the user", tick()));
    }

    List<SessionEvent> changePriority(int groupId, Priority priority) {
        return record(session.changePriority(groupId, priority, tick()));
    }

    List<SessionEvent> requeue(String nodeId) {
        return record(session.requeue(nodeId, tick()));
    }

    List<SessionEvent> timeOut() {
        return record(session.timeOut(tick()));
    }

    /** A person asks for the node again: it is queued ahead of the batch, not started. */
    List<SessionEvent> requestRerun(String nodeId, AgentId agent) {
        return record(session.rerun(nodeId, agent, tick()));
    }

    /** A person asks for the node again and the dispatcher starts it at once (a slot was free). */
    List<SessionEvent> rerun(String nodeId, AgentId agent) {
        List<SessionEvent> events = new ArrayList<>(requestRerun(nodeId, agent));
        events.addAll(startTask(nodeId));
        return events;
    }

    // ------------------------------------------------------------------ looking

    Session session() {
        return session;
    }

    List<SessionEvent> history() {
        return List.copyOf(history);
    }

    Session folded() {
        return Session.fromHistory(history);
    }

    SessionSnapshot snapshot() {
        return session.snapshot();
    }

    NodeTask task(String nodeId) {
        return session.task(nodeId);
    }

    NodeState stateOf(String nodeId) {
        return session.task(nodeId).state();
    }

    int attempt(String nodeId) {
        return session.task(nodeId).attempts();
    }

    /** The command must be refused with {@code kind}, and refusing it must change nothing. */
    SessionConflict assertRejected(Kind kind, Consumer<Session> command) {
        SessionSnapshot before = session.snapshot();
        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> command.accept(session));
        assertThat(thrown).isInstanceOf(SessionConflict.class);
        SessionConflict conflict = (SessionConflict) thrown;
        assertThat(conflict.kind()).as(conflict.getMessage()).isEqualTo(kind);
        assertThat(conflict.getMessage()).isNotBlank();
        assertThat(session.snapshot()).as("a refused command changes nothing").isEqualTo(before);
        return conflict;
    }

    static void assertIllegal(Runnable action) {
        assertThatThrownBy(action::run).isInstanceOf(IllegalArgumentException.class);
    }
}
