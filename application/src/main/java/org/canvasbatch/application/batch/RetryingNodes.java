package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import org.canvasbatch.application.batch.NoteProducer.NodeJob;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.SkippedNode;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.RetryNodeUseCase;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.application.port.out.TaskExecutor.Scheduled;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * Running a single node again on a person's request. Every such run goes through the dispatcher, under the same
 * limits and retry policy as a batch's nodes: a node of a session is queued in that session ahead of the batch (the
 * session records the outcome); a node no session holds is queued as a {@link LooseNodeRun}. The plugin's retry button
 * needs a synchronous answer that is 2xx only on real success, so {@link #run} waits for the outcome, bounded by
 * {@link CoreSettings#singleNodeWait}; the WebSocket {@code retry} command queues and answers at once.
 */
final class RetryingNodes implements RunSingleNodeUseCase, RetryNodeUseCase {

    /** Beyond the call's own deadline timer, which a shutting-down executor may drop: a call never waits for ever. */
    private static final Duration BACKSTOP_MARGIN = Duration.ofMinutes(1);

    private final SessionBook book;
    private final EventLog log;
    private final NoteProducer notes;
    private final NodeDispatcher dispatcher;
    private final TaskExecutor executor;
    private final RetryPolicy retryPolicy;
    private final Clock clock;
    private final CoreSettings settings;

    RetryingNodes(
            SessionBook book,
            NoteProducer notes,
            NodeDispatcher dispatcher,
            TaskExecutor executor,
            RetryPolicy retryPolicy,
            Clock clock,
            CoreSettings settings) {
        this.book = book;
        this.log = book.log();
        this.notes = notes;
        this.dispatcher = dispatcher;
        this.executor = executor;
        this.retryPolicy = retryPolicy;
        this.clock = clock;
        this.settings = settings;
    }

    /** A retry of a failed node: requeued into a batch that is still active, queued as a rerun after it ended. */
    @Override
    public SessionSnapshot retry(SessionId sessionId, String nodeId) {
        refuseUnwritableNotes(sessionId);
        Instant now = clock.now();
        // decided and done under one lock: the batch may end between a look and a change
        book.change(sessionId, s -> s.state().isActive() ? s.requeue(nodeId, now) : s.rerun(nodeId, null, now));
        book.claim(sessionId, now);
        dispatcher.pump();
        return book.read(sessionId, Session::snapshot);
    }

    @Override
    public SessionSnapshot retryUnlessFinished(SessionId sessionId, String nodeId) {
        refuseUnwritableNotes(sessionId);
        Instant now = clock.now();
        book.change(sessionId, s -> {
            if (s.state().isTerminal()) {
                throw new SessionConflict(
                        SessionConflict.Kind.ALREADY_FINISHED,
                        "Session '" + sessionId + "' has already finished; run the node again with POST"
                                + " /canvas/single-agent");
            }
            return s.state().isActive() ? s.requeue(nodeId, now) : s.rerun(nodeId, null, now);
        });
        book.claim(sessionId, now);
        dispatcher.pump();
        return book.read(sessionId, Session::snapshot);
    }

    /** A node requeued into a batch whose notes folder became a link would be paid for, then refused at its note. */
    private void refuseUnwritableNotes(SessionId sessionId) {
        book.readIfPresent(sessionId, Session::canvasPath).ifPresent(notes::refuseUnwritableNotes);
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
                    "node_id", "Session '" + command.sessionId().get() + "' has no node '" + command.nodeId() + "'");
        }
        // the retry button's run goes into the batch that failed the node, which reads no canvas before the model
        notes.refuseUnwritableNotes(command.canvasPath());
        if (owner.isPresent()) {
            Optional<SingleNodeResult> recorded = runInSession(owner.get(), command);
            if (recorded.isPresent()) {
                return recorded.get();
            }
        }
        return runLoose(command);
    }

    /**
     * The session whose summary offered the button, as far as the call tells: of the canvas's sessions holding the node,
     * one that started (a preview of the same canvas opened since and left unconfirmed must not take the retry away);
     * then one running the node or about to (the call waits for that run rather than start a second, contract §2.5);
     * then one where the node failed (the summary offers the button for those: a newer batch that wrote the node must
     * not count it a second time); then one where it was cancelled (a batch cancelled before it reached it shows no
     * summary); then the newest.
     */
    private Optional<SessionId> newestSessionWith(String canvasPath, String nodeId) {
        record Holder(SessionId id, boolean started, int nodeRank, Instant createdAt) {}
        return book.ids().stream()
                .flatMap(id -> book
                        .readIfPresent(id, s -> {
                            if (!s.canvasPath().equals(canvasPath) || !s.hasNode(nodeId)) {
                                return null;
                            }
                            SessionSnapshot snapshot = s.snapshot();
                            NodeTask task = s.task(nodeId);
                            int rank = s.isInARun(task)
                                    ? 3
                                    : task.state() == NodeState.FAILED
                                            ? 2
                                            : task.state() == NodeState.CANCELLED ? 1 : 0;
                            // started, not merely "not pending": a preview cancelled unconfirmed never ran
                            return new Holder(id, snapshot.startedAt() != null, rank, snapshot.createdAt());
                        })
                        .stream())
                .max(Comparator.comparing(Holder::started)
                        .thenComparingInt(Holder::nodeRank)
                        .thenComparing(Holder::createdAt))
                .map(Holder::id);
    }

    /**
     * Queues the node as a person's rerun in its session, or joins the run it is in already (a batch running it, a
     * second click on the retry button), and waits for that run's outcome. Empty when the session has not started:
     * then the node runs on its own, and the batch will run it again when confirmed.
     */
    private Optional<SingleNodeResult> runInSession(SessionId sessionId, RunSingleNodeCommand command) {
        String nodeId = command.nodeId();
        Optional<AgentId> agent = command.agent();
        Instant now = clock.now();
        Duration bound = book.read(sessionId, s -> settings.singleNodeWait(s.settings()));
        AtomicBoolean notStarted = new AtomicBoolean();
        var waiting = new java.util.concurrent.atomic.AtomicReference<AwaitedOutcome>();
        var subscription = new java.util.concurrent.atomic.AtomicReference<EventLog.Subscription>();
        try {
            book.change(sessionId, s -> {
                // a preview cancelled before it was confirmed (pending -> cancelled) never ran either: its nodes are
                // the plugin's request, not the canvas, and the node runs from the canvas as it is
                if (s.startedAt().isEmpty()) {
                    notStarted.set(true);
                    return List.of();
                }
                NodeTask task = s.task(nodeId);
                boolean join = s.isInARun(task);
                if (join && agent.isPresent() && agent.get() != task.agent()) {
                    throw new SessionConflict(
                            SessionConflict.Kind.NODE_BUSY,
                            "Node '" + nodeId + "' is being run with agent "
                                    + task.agent().wireName() + " right now; ask for "
                                    + agent.get().wireName() + " once that run has finished");
                }
                // subscribed under the lock, before the rerun is queued: no outcome of this run can be missed
                AwaitedOutcome outcome =
                        new AwaitedOutcome(sessionId, nodeId, now.plus(bound), join && task.startedAt() != null);
                waiting.set(outcome);
                // a command made again after a lost race (a cluster) subscribes again: the earlier one goes
                closeQuietly(subscription.getAndSet(log.subscribe(sessionId, outcome)));
                return join ? List.of() : s.rerun(nodeId, agent.orElse(null), now);
            });
        } catch (RuntimeException e) {
            closeQuietly(subscription.get());
            throw e;
        }
        if (notStarted.get()) {
            return Optional.empty();
        }
        AwaitedOutcome outcome = waiting.get();
        book.claim(sessionId, now);
        dispatcher.pump();
        Scheduled deadline = executor.schedule(bound, () -> outcome.giveUp(bound));
        SingleNodeResult result;
        try {
            result = outcome.await(bound.plus(BACKSTOP_MARGIN));
        } finally {
            deadline.cancel();
            closeQuietly(subscription.get());
        }
        // a rerun after the end: the next run reads the canvas as it is then
        book.readIfPresent(sessionId, s -> s.state().isActive() ? null : s.canvasPath())
                .ifPresent(notes::forgetCanvas);
        return Optional.of(result);
    }

    private SingleNodeResult runLoose(RunSingleNodeCommand command) {
        Canvas canvas;
        try {
            canvas = notes.canvasOrRefusal(command.canvasPath())
                    .orElseThrow(() -> InvalidCommandException.of(
                            "canvas_path",
                            "no canvas at '" + command.canvasPath() + "' in the vault, and no session holds node '"
                                    + command.nodeId() + "'"));
        } catch (VaultException e) {
            throw InvalidCommandException.of("canvas_path", e.getMessage());
        }
        CanvasNode node = canvas.node(command.nodeId())
                .orElseThrow(() -> InvalidCommandException.of(
                        "node_id", "Canvas '" + command.canvasPath() + "' has no node '" + command.nodeId() + "'"));
        // as analyze leaves it out: a note about a node that holds nothing would only be named after its id
        SkippedNode.whyNotAsked(node).ifPresent(empty -> {
            throw InvalidCommandException.of(
                    "node_id",
                    "Node '" + node.id() + "' of canvas '" + command.canvasPath() + "' holds nothing to ask about ("
                            + switch (empty) {
                                case EMPTY_TEXT -> "a text node without text";
                                case NO_FILE -> "a file node without a file";
                                case NO_URL -> "a link node without a URL";
                                case EMPTY_LABEL -> "a group node without a label";
                            }
                            + ")");
        });
        AgentId agent = command.agent().orElse(AgentId.ORAL_EXPLANATION);
        var job = new NodeJob(command.canvasPath(), node.id(), node.displayText(), agent, null, List.of());
        Duration bound = settings.singleNodeWait(settings.sessionDefaults());
        LooseNodeRun run =
                new LooseNodeRun(job, settings.sessionDefaults(), clock.now().plus(bound), notes, retryPolicy, clock);
        dispatcher.enqueueLoose(run);
        Scheduled deadline = executor.schedule(
                bound,
                () -> dispatcher.withdrawLoose(
                        run,
                        new NodeRunNotFinishedException(
                                "Node '" + node.id() + "' has not finished within " + bound.toSeconds()
                                        + " s: the server is busy with other work; try again in a minute",
                                Duration.ofMinutes(1))));
        try {
            return run.await(bound.plus(BACKSTOP_MARGIN));
        } finally {
            deadline.cancel();
            notes.forgetCanvas(command.canvasPath());
        }
    }

    private static void closeQuietly(EventLog.Subscription subscription) {
        if (subscription != null) {
            subscription.close();
        }
    }
}
