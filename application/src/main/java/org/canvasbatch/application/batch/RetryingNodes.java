package org.canvasbatch.application.batch;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.application.batch.NoteProducer.NodeJob;
import org.canvasbatch.application.port.in.ExecuteNodeTaskUseCase.TaskAssignment;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.RetryNodeUseCase;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.application.port.out.TaskExecutor.TaskControl;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * Running a single node again on a person's request. The plugin's retry button needs a synchronous answer that is 2xx
 * only on real success, so the single-node run waits for its outcome (bounded by the node timeout) and never queues a
 * transient failure for later; the WebSocket {@code retry} command requeues into a running batch instead.
 */
final class RetryingNodes implements RunSingleNodeUseCase, RetryNodeUseCase {

    private static final System.Logger LOG = System.getLogger(RetryingNodes.class.getName());

    private final SessionBook book;
    private final ExecutingNodeTask executing;
    private final NoteProducer notes;
    private final NodeDispatcher dispatcher;
    private final TaskExecutor executor;
    private final Clock clock;
    private final SessionSettings defaults;

    RetryingNodes(
            SessionBook book,
            ExecutingNodeTask executing,
            NoteProducer notes,
            NodeDispatcher dispatcher,
            TaskExecutor executor,
            Clock clock,
            SessionSettings defaults) {
        this.book = book;
        this.executing = executing;
        this.notes = notes;
        this.dispatcher = dispatcher;
        this.executor = executor;
        this.clock = clock;
        this.defaults = defaults;
    }

    @Override
    public SessionSnapshot retry(SessionId sessionId, String nodeId) {
        boolean active = book.read(sessionId, s -> s.state().isActive());
        if (active) {
            book.change(sessionId, s -> s.requeue(nodeId, clock.now()));
            dispatcher.pump();
        } else {
            List<SessionEvent> events = book.change(sessionId, s -> s.rerunTask(nodeId, null, clock.now()));
            TaskStarted started = (TaskStarted) events.getFirst();
            runInSession(started, ignored -> {});
        }
        return book.read(sessionId, Session::snapshot);
    }

    @Override
    public SingleNodeResult run(RunSingleNodeCommand command) {
        Optional<SessionId> owner = command.sessionId().isPresent()
                ? command.sessionId()
                        .filter(id -> book.readIfPresent(id, s -> s.hasNode(command.nodeId()) ? s : null)
                                .isPresent())
                : newestSessionWith(command.canvasPath(), command.nodeId());
        if (command.sessionId().isPresent() && owner.isEmpty()) {
            if (!book.contains(command.sessionId().get())) {
                throw new SessionNotFoundException(command.sessionId().get());
            }
            throw InvalidCommandException.of(
                    "node_id", "session '" + command.sessionId().get() + "' has no node '" + command.nodeId() + "'");
        }
        if (owner.isPresent()) {
            Optional<SingleNodeResult> recorded = runRecorded(owner.get(), command);
            if (recorded.isPresent()) {
                return recorded.get();
            }
        }
        return runStandalone(command);
    }

    private Optional<SessionId> newestSessionWith(String canvasPath, String nodeId) {
        return book.ids().stream()
                .flatMap(id -> book
                        .readIfPresent(
                                id, s -> s.canvasPath().equals(canvasPath) && s.hasNode(nodeId) ? s.snapshot() : null)
                        .stream())
                .max(Comparator.comparing(SessionSnapshot::createdAt))
                .map(SessionSnapshot::id);
    }

    /** Empty when the node is busy in its session (queued or running): then it runs outside the session. */
    private Optional<SingleNodeResult> runRecorded(SessionId sessionId, RunSingleNodeCommand command) {
        boolean idle = book.read(
                sessionId,
                s -> s.state() != org.canvasbatch.domain.session.SessionState.PENDING
                        && s.task(command.nodeId()).state() != NodeState.QUEUED
                        && s.task(command.nodeId()).state() != NodeState.RUNNING);
        if (!idle) {
            return Optional.empty();
        }
        List<SessionEvent> events = book.change(
                sessionId, s -> s.rerunTask(command.nodeId(), command.agent().orElse(null), clock.now()));
        TaskStarted started = (TaskStarted) events.getFirst();
        CountDownLatch done = new CountDownLatch(1);
        runInSession(started, ignored -> done.countDown());
        awaitUninterruptibly(done);
        NodeTask outcome = book.read(sessionId, s -> s.task(command.nodeId()));
        if (outcome.state() != NodeState.SUCCEEDED || outcome.attempts() != started.attempt()) {
            throw new NodeRunFailedException(
                    outcome.errorType() == null ? "agent_error" : outcome.errorType(),
                    outcome.errorMessage() == null ? "The node could not be run again" : outcome.errorMessage());
        }
        return Optional.of(new SingleNodeResult(
                outcome.nodeId(),
                outcome.agent(),
                outcome.notePath(),
                outcome.fileSize(),
                outcome.durationMillis(),
                Optional.of(sessionId)));
    }

    private void runInSession(TaskStarted started, java.util.function.Consumer<Void> whenDone) {
        Duration timeout = book.read(started.sessionId(), s -> s.settings().nodeTimeout());
        var assignment = new TaskAssignment(started.sessionId(), started.nodeId(), started.attempt());
        executor.submit("retry " + started.sessionId() + "/" + started.nodeId(), timeout, control -> {
            try {
                executing.run(assignment, control, false);
            } finally {
                whenDone.accept(null);
            }
        });
    }

    private SingleNodeResult runStandalone(RunSingleNodeCommand command) {
        Canvas canvas;
        try {
            canvas = notes.canvas(command.canvasPath())
                    .orElseThrow(() -> InvalidCommandException.of(
                            "canvas_path",
                            "no canvas at '" + command.canvasPath() + "' in the vault, and no session holds node '"
                                    + command.nodeId() + "'"));
        } catch (VaultException e) {
            throw InvalidCommandException.of("canvas_path", e.getMessage());
        }
        CanvasNode node = canvas.node(command.nodeId())
                .orElseThrow(() -> InvalidCommandException.of(
                        "node_id", "canvas '" + command.canvasPath() + "' has no node '" + command.nodeId() + "'"));
        AgentId agent = command.agent().orElse(AgentId.ORAL_EXPLANATION);
        var job = new NodeJob(command.canvasPath(), node.id(), node.displayText(), agent, null, List.of());
        var produced = new java.util.concurrent.atomic.AtomicReference<NoteProducer.ProducedNote>();
        var failure = new java.util.concurrent.atomic.AtomicReference<RuntimeException>();
        CountDownLatch done = new CountDownLatch(1);
        long start = System.nanoTime();
        executor.submit("single " + command.nodeId(), defaults.nodeTimeout(), (TaskControl control) -> {
            try {
                produced.set(notes.produce(job, () -> !control.cancelled() && !control.timedOut()));
            } catch (AgentFailure f) {
                failure.set(new NodeRunFailedException(f.errorType(), f.getMessage()));
            } catch (InterruptedException e) {
                failure.set(new NodeRunFailedException(
                        "timeout",
                        control.timedOut()
                                ? "The agent did not answer within "
                                        + defaults.nodeTimeout().toSeconds() + " s"
                                : "The run was interrupted"));
            } catch (VaultException e) {
                failure.set(new NodeRunFailedException(
                        "vault_" + e.reason().name().toLowerCase(java.util.Locale.ROOT), e.getMessage()));
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "single-node run of " + command.nodeId() + " failed", e);
                failure.set(new NodeRunFailedException("internal", "Internal error: " + e));
            } finally {
                done.countDown();
            }
        });
        awaitUninterruptibly(done);
        notes.batchEnded(command.canvasPath());
        if (failure.get() != null) {
            throw failure.get();
        }
        return new SingleNodeResult(
                node.id(),
                agent,
                produced.get().note().path(),
                produced.get().note().sizeBytes(),
                Duration.ofNanos(System.nanoTime() - start).toMillis(),
                Optional.empty());
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        boolean interrupted = false;
        while (true) {
            try {
                latch.await(1, TimeUnit.HOURS);
                break;
            } catch (InterruptedException e) {
                interrupted = true;
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
    }
}
