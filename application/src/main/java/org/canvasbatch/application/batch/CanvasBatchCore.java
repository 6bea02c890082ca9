package org.canvasbatch.application.batch;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.IdGenerator;
import org.canvasbatch.application.port.out.SessionLeases;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultPassages;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;

/**
 * The core, assembled from its out-ports: builds every service once, with {@code new}, each with its collaborators in
 * its constructor, and hands the inbound adapters the {@link UseCases} (never itself). What remains here is for the
 * process that runs the core ({@code bootstrap}): recovery after a restart, the retention sweep, and the shutdown.
 */
public final class CanvasBatchCore {

    private static final System.Logger LOG = System.getLogger(CanvasBatchCore.class.getName());

    /**
     * The out-ports the core needs from the world.
     *
     * @param embeddings semantic vectors for grouping; {@link TextEmbedder#none()} groups by words alone
     * @param passages   what the learner wrote about a question elsewhere in the vault, handed to its agent;
     *                   {@link VaultPassages#none()} hands none
     * @param leases     which sessions this server runs, when its event log is shared with other servers;
     *                   {@link SessionLeases#alone()} for a log of its own
     */
    public record Ports(
            EventLog eventLog,
            AgentRunner agents,
            Vault vault,
            TaskExecutor executor,
            Clock clock,
            IdGenerator ids,
            RandomGenerator random,
            TextEmbedder embeddings,
            VaultPassages passages,
            SessionLeases leases) {

        /** One server with an event log of its own. */
        public Ports(
                EventLog eventLog,
                AgentRunner agents,
                Vault vault,
                TaskExecutor executor,
                Clock clock,
                IdGenerator ids,
                RandomGenerator random,
                TextEmbedder embeddings,
                VaultPassages passages) {
            this(eventLog, agents, vault, executor, clock, ids, random, embeddings, passages, SessionLeases.alone());
        }

        /** Without passages of the vault: agents see the canvas only. */
        public Ports(
                EventLog eventLog,
                AgentRunner agents,
                Vault vault,
                TaskExecutor executor,
                Clock clock,
                IdGenerator ids,
                RandomGenerator random,
                TextEmbedder embeddings) {
            this(eventLog, agents, vault, executor, clock, ids, random, embeddings, VaultPassages.none());
        }

        /** Without an embedding model: questions are grouped by their words and the canvas. */
        public Ports(
                EventLog eventLog,
                AgentRunner agents,
                Vault vault,
                TaskExecutor executor,
                Clock clock,
                IdGenerator ids,
                RandomGenerator random) {
            this(eventLog, agents, vault, executor, clock, ids, random, TextEmbedder.none());
        }
    }

    private final SessionBook book;
    private final InterruptedRuns interrupted;
    private final NodeDispatcher dispatcher;
    private final StartingSession starting;
    private final ForgettingSessions forgetting;
    private final TaskExecutor executor;
    private final Clock clock;
    private final Vault vault;
    private final SessionLeases leases;
    private final UseCases useCases;

    /** Sessions at most whose news from other servers waits to be read here; more are read at the next look. */
    private static final int NEWS_WAITING = 10_000;

    public CanvasBatchCore(Ports ports, CoreSettings settings) {
        this(ports, settings, NodeDispatcher.GatheringThreads.VIRTUAL);
    }

    /** With {@code gatheringThreads} where the gatherings ahead run: a test holds them. */
    CanvasBatchCore(Ports ports, CoreSettings settings, NodeDispatcher.GatheringThreads gatheringThreads) {
        this.executor = ports.executor();
        this.leases = ports.leases();
        this.clock = ports.clock();
        this.vault = ports.vault();
        StorageWatch storage = new StorageWatch(
                ports.eventLog(), ports.executor(), ports.clock(), settings.retryBase(), settings.retryCap());
        InterruptedRuns interrupted = new InterruptedRuns(ports.vault());
        this.interrupted = interrupted;
        this.book = new SessionBook(ports.eventLog(), storage, ports.leases(), interrupted::settle);
        NoteProducer notes = new NoteProducer(ports.agents(), ports.vault(), ports.passages(), ports.clock());
        RetryPolicy retryPolicy = new RetryPolicy(settings.retryBase(), settings.retryCap(), ports.random());
        NotesBeingWritten writing = new NotesBeingWritten();
        this.dispatcher = new NodeDispatcher(
                book,
                new ExecutingNodeTask(book, notes, writing, retryPolicy, ports.clock()),
                ports.executor(),
                ports.clock(),
                settings.globalConcurrency(),
                settings.sessionDefaults().maxConcurrent(),
                settings.maxWaitingLooseRuns(),
                gatheringThreads);
        CompletionEstimate estimate =
                new CompletionEstimate(settings.estimatedSecondsPerNode(), settings.globalConcurrency());
        this.starting = new StartingSession(
                book,
                dispatcher,
                ports.executor(),
                ports.clock(),
                new PlanningGivenGroups(book, ports.vault(), ports.clock(), ports.ids(), settings),
                notes,
                writing,
                estimate);
        AnalyzingCanvas analyzing = new AnalyzingCanvas(
                book,
                ports.vault(),
                ports.embeddings(),
                ports.clock(),
                ports.ids(),
                settings,
                starting,
                estimate,
                ports.agents()::prepare);
        NewsHolds news = new NewsHolds();
        SteeringSession steering = new SteeringSession(book, dispatcher, notes, writing, ports.clock(), news, starting);
        RetryingNodes retrying =
                new RetryingNodes(book, notes, dispatcher, ports.executor(), retryPolicy, ports.clock(), settings);
        ReadingSessions reading = new ReadingSessions(book, news);
        this.forgetting = new ForgettingSessions(book, ports.clock(), settings);
        this.useCases = new UseCases(
                analyzing, starting, steering, steering, steering, steering, retrying, retrying, reading, reading);
        // anyone who can connect to the database can notify: one thread each for the news, never one per notification
        OneAtATime<SessionId> changes = new OneAtATime<>("changed-elsewhere", NEWS_WAITING, this::changedElsewhere);
        OneAtATime<SessionId> placements = new OneAtATime<>("placed-here", NEWS_WAITING, this::placedHere);
        ports.eventLog().onStoredElsewhere((id, seq) -> {
            if (book.runsHere(id)) {
                changes.offer(id);
            }
        });
        ports.leases().onPlacedHere(placements::offer);
        // each on its own thread: a cancel waits up to 5 s for its notes, and one queued behind another's wait would
        // miss the asking server's patience. Only sessions this server runs are asked of it, each once at a time, so
        // a flood of requests starts no more threads than it runs sessions
        java.util.Set<SessionId> cancelling = java.util.concurrent.ConcurrentHashMap.newKeySet();
        ports.leases().onCancelAsked((id, reason) -> {
            if (cancelling.add(id)) {
                Thread.ofVirtual().name("cancel-asked-" + id).start(() -> {
                    try {
                        cancelAskedHere(steering, id, reason);
                    } finally {
                        cancelling.remove(id);
                    }
                });
            }
        });
    }

    /** Another server of the cluster was asked to cancel a batch this one runs: it is cancelled here, notes first. */
    private void cancelAskedHere(SteeringSession steering, SessionId id, String reason) {
        if (!book.runsHere(id)) {
            return;
        }
        try {
            steering.cancel(id, reason);
        } catch (RuntimeException e) {
            // it ended meanwhile, or the journal refused the end: the server asked stores the cancel itself
            LOG.log(
                    System.Logger.Level.WARNING,
                    "session " + id + " could not be cancelled as another server asked: " + e.getMessage());
        }
    }

    /**
     * Another server changed a session (a shared log): if this server runs it, it reads the change now — a person's
     * cancel, pause, resume or new priority sent to any server reaches the one running the batch at once.
     */
    private void changedElsewhere(SessionId id) {
        if (!book.runsHere(id)) {
            return; // read when next asked for
        }
        try {
            book.catchUp(id);
            dispatcher.interruptStopped(id);
            dispatcher.pump();
        } catch (RuntimeException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "session " + id + " was changed by another server and could not be read: " + e.getMessage());
        }
    }

    /**
     * Takes over the sessions whose server stopped renewing their lease (it died or lost the database): each is read
     * from the log, its interrupted nodes are queued again, its batch timeout armed, and it runs here. Several servers
     * may try at once; each session goes to one. Then clears up after every server that stopped: the note links it had
     * not yet written into their canvases — those of a batch it finished just before it died, which nobody takes over
     * — are written by the vault here. Returns the sessions taken over.
     */
    public List<SessionId> takeOverAbandoned() {
        List<SessionId> taken = new java.util.ArrayList<>();
        for (SessionId id : book.abandoned()) {
            if (claim(id, "its server stopped, or another server placed it here")) {
                taken.add(id);
            }
        }
        if (!taken.isEmpty()) {
            dispatcher.pump();
        }
        adoptWhatStoppedServersLeft();
        return taken;
    }

    private void adoptWhatStoppedServersLeft() {
        for (String server : leases.claimStoppedServers()) {
            try {
                if (vault.adoptLinksLeftBy(server)) {
                    leases.forgetStoppedServer(server);
                }
            } catch (RuntimeException e) {
                LOG.log(
                        System.Logger.Level.WARNING,
                        "could not take over the note links the stopped server " + server + " left: " + e.getMessage());
            }
        }
    }

    /**
     * Hands the vault the note of every node that succeeded before this server had the session: the server that wrote
     * them may have died before their links reached the canvas, and nothing else links them. A link already there is
     * not added twice; no model is called.
     */
    private void relinkSucceeded(SessionId id) {
        String canvasPath = book.read(id, Session::canvasPath);
        for (NodeTask task : book.read(id, Session::tasks)) {
            if (task.state() == NodeState.SUCCEEDED && task.notePath() != null) {
                vault.relink(canvasPath, task.nodeId(), task.agent(), task.notePath());
            }
        }
    }

    /** Another server placed a session here (this one was the least loaded): it runs here from now on. */
    private void placedHere(SessionId id) {
        if (claim(id, "placed here by another server")) {
            dispatcher.pump();
        }
    }

    private boolean claim(SessionId id, String why) {
        try {
            if (book.claim(id, clock.now())) {
                relinkSucceeded(id);
                starting.armTimeout(id);
                LOG.log(System.Logger.Level.INFO, "took over session " + id + " (" + why + ")");
                return true;
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "could not take over session " + id + ": " + e.getMessage());
        }
        return false;
    }

    /** Looks for abandoned sessions every {@code period} until the executor shuts down (a cluster only). */
    public void takeOverEvery(Duration period) {
        executor.schedule(period, () -> {
            try {
                takeOverAbandoned();
            } finally {
                takeOverEvery(period);
            }
        });
    }

    /** What the inbound adapters may ask of the core. */
    public UseCases useCases() {
        return useCases;
    }

    /**
     * Rebuilds every session from the event log and lets interrupted batches continue: nodes that were in flight when
     * the process stopped are queued again; succeeded nodes stay succeeded. Returns how many sessions were loaded.
     */
    public int recover() {
        return recover(session -> true);
    }

    /** Why the notes of {@code canvas} could not be written now, when the canvas is in this vault and they could not. */
    private Optional<String> notesFolderRefusal(String canvas) {
        if (!vault.canvasExists(canvas)) {
            return Optional.empty();
        }
        try {
            vault.checkNotesFolder(canvas);
            return Optional.empty();
        } catch (VaultException e) {
            return Optional.of(e.getMessage());
        }
    }

    /** Why a batch found running at start is paused instead ({@link #recover(java.util.function.Predicate,
     * java.util.function.Predicate)}). */
    public static final String NOT_IN_THIS_VAULT =
            "this vault has no canvas at its path holding its questions (a batch of another vault sharing the data"
                    + " folder?); the canvas-batch run command of its canvas, or a resume, continues it";

    /**
     * Like {@link #recover()}, for the sessions {@code wanted} accepts only: {@code run} resumes the interrupted batch
     * of its own canvas and leaves every other session in the journal alone.
     */
    public int recover(java.util.function.Predicate<SessionSnapshot> wanted) {
        return recover(wanted, session -> true);
    }

    /**
     * Like {@link #recover(java.util.function.Predicate)}; a running batch that {@code runsHere} refuses is paused rather
     * than continued: one data folder (the default one) serves every vault, and a batch of another vault's canvas would
     * write its notes into this one. The {@code run} command of its own canvas, or a person, resumes it.
     */
    public int recover(
            java.util.function.Predicate<SessionSnapshot> wanted,
            java.util.function.Predicate<SessionSnapshot> runsHere) {
        int loaded = book.loadAll(session -> wanted.test(session.snapshot()));
        if (book.log().shared()) {
            // the other servers' sessions run where they run: only those whose server is gone are taken over
            int taken = takeOverAbandoned().size();
            LOG.log(
                    System.Logger.Level.INFO,
                    "read " + loaded + " session(s) of the cluster, took over " + taken + " whose server stopped");
            return loaded;
        }
        int resumed = 0;
        for (SessionId id : book.ids()) {
            // how long it ran before it stopped, read before the requeue records anything now
            Duration ran = book.read(id, s -> s.ranUntilLastEvent());
            // nodes that were running go back to the queue: a batch's, and a person's rerun in a finished session
            book.change(id, s -> interrupted.settle(s, clock.now()));
            SessionState state = book.read(id, s -> s.state());
            if (state == SessionState.RUNNING && !runsHere.test(book.read(id, s -> s.snapshot()))) {
                String canvas = book.read(id, s -> s.canvasPath());
                book.change(id, s -> s.pause(NOT_IN_THIS_VAULT, clock.now()));
                LOG.log(
                        System.Logger.Level.WARNING,
                        "batch " + id + " of '" + canvas + "' is paused, not continued: " + NOT_IN_THIS_VAULT);
                state = SessionState.PAUSED;
            }
            if (state == SessionState.RUNNING) {
                String canvas = book.read(id, s -> s.canvasPath());
                Optional<String> unwritable = notesFolderRefusal(canvas);
                if (unwritable.isPresent()) {
                    // continued, its questions would be paid for and refused at their notes; no one is there to be
                    // answered a refusal, so the batch waits, paused, saying why, for a resume once it can be written
                    String reason = unwritable.get().strip().replaceAll("\\.+$", "") + ", then resume the batch";
                    book.change(id, s -> s.pause(reason, clock.now()));
                    LOG.log(
                            System.Logger.Level.WARNING,
                            "batch " + id + " of '" + canvas + "' is paused, not continued: " + reason);
                    state = SessionState.PAUSED;
                }
            }
            if (state == SessionState.PAUSED) {
                // a paused batch does not run here (a run stopped with Ctrl-C is paused for the same command to finish
                // it): its time limit runs again once someone resumes it
                starting.armOnResume(id);
            } else if (state.isActive()) {
                starting.armTimeoutAfterRestart(id, ran);
                resumed++;
            }
        }
        if (loaded > 0) {
            LOG.log(System.Logger.Level.INFO, "recovered " + loaded + " session(s), " + resumed + " still running");
        }
        dispatcher.pump();
        return loaded;
    }

    /**
     * What a session rebuilt from its events would be once a start here recovered it — its interrupted nodes settled (one
     * whose note is in the vault done, the rest back to the queue or failed on their last attempt) — without recording
     * anything or keeping it: what a dry run shows of the batch the real run would resume.
     */
    public SessionSnapshot asRecovered(org.canvasbatch.domain.session.Session session) {
        interrupted.settle(session, clock.now());
        return session.snapshot();
    }

    /** Forgets a session now: its status becomes 404 and its events leave the log. */
    public void forget(SessionId sessionId) {
        book.forget(sessionId);
    }

    /**
     * No node starts until {@link #releaseDispatching}: what {@link #recover} finds to run (a batch left running by a
     * kill, a person's rerun queued) waits, and so do the starts asked for meanwhile. {@code run} holds its batch until
     * its Ctrl-C handler is in place, so that a Ctrl-C stops the batch rather than the process under its calls.
     */
    public void holdDispatching() {
        dispatcher.hold();
    }

    /** Starts what {@link #holdDispatching} held back, and dispatches as before it. */
    public void releaseDispatching() {
        dispatcher.release();
    }

    /** Wakes the dispatcher: nodes whose backoff has passed start now if there is capacity. */
    public void dispatchDue() {
        dispatcher.pump();
    }

    /** Forgets expired sessions now; bootstrap calls this periodically. */
    public List<SessionId> sweepExpired() {
        return forgetting.sweep();
    }

    /** Sweeps expired sessions every {@code period} until the executor shuts down. */
    public void sweepEvery(Duration period) {
        executor.schedule(period, () -> {
            try {
                sweepExpired();
            } finally {
                sweepEvery(period);
            }
        });
    }

    /** No new dispatch from now on (graceful shutdown); running tasks are the executor's to finish or interrupt. */
    public void stopDispatching() {
        dispatcher.stop();
    }

    public int tasksInFlight() {
        return dispatcher.inFlightCount();
    }

    /**
     * The agent calls this server would have under way now if its concurrency allowed, up to it: its calls in flight
     * and the nodes queued to start. What other servers of a cluster weigh when they place a batch: a batch just
     * confirmed, or one waiting out a rate limit, has few calls in flight and still fills this server.
     */
    public int callsWanted() {
        return dispatcher.callsWanted();
    }

    /**
     * Why progress cannot be saved right now, if it cannot: the event journal refuses events (see {@link
     * StorageProblem}). For readiness: a server in this state cannot take on work.
     */
    public java.util.Optional<org.canvasbatch.application.port.in.StorageProblem> storageProblem() {
        return book.storage().problem();
    }
}
