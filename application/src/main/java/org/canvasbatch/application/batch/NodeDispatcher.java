package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunNotFinishedException;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.TaskExecutor;
import org.canvasbatch.application.port.out.TaskExecutor.RunningTask;
import org.canvasbatch.domain.session.DispatchPlanner;
import org.canvasbatch.domain.session.DispatchPlanner.Contender;
import org.canvasbatch.domain.session.DispatchPlanner.Dispatch;
import org.canvasbatch.domain.session.DispatchPlanner.Offer;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.TaskStarted;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;

/**
 * Hands queued node tasks to the executor whenever capacity frees up, never more than the global limit in flight and
 * never more than each contender's own limit; which tasks go is the domain's {@link DispatchPlanner} decision. Every
 * agent call of the server goes through here: batch nodes, a person's reruns of a session's node (queued in the
 * session), and single-node runs of nodes no session holds ({@link LooseNodeRun}, queued here). It owns what it starts:
 * a session's task runs through {@link ExecutingNodeTask}, and the dispatcher wakes itself when a backoff ends, when a
 * task ends and when a storage outage that held its starts back is over.
 */
final class NodeDispatcher {

    private static final System.Logger LOG = System.getLogger(NodeDispatcher.class.getName());
    private static final Contender LOOSE = new Contender.LooseNodes();
    /** How soon nodes whose start failed unexpectedly are looked at again: soon, but not in a loop on a broken port. */
    static final Duration LOOK_AGAIN_AFTER_FAULT = Duration.ofSeconds(5);

    private final SessionBook book;
    private final ExecutingNodeTask executing;
    private final TaskExecutor executor;
    private final Clock clock;
    private final int globalLimit;
    private final int looseLimit;
    private final int maxWaitingLoose;
    /** Guards the slot counts and the loose queue; held briefly, never through a journal append. */
    private final Object pumpLock = new Object();
    /**
     * Held by the one thread that plans and starts nodes. Starting a session's nodes waits for the journal to make
     * their starts durable; the slots freed meanwhile (a round's answers come together) are not each started behind
     * that sync in turn: their pumps leave a wish, and the thread pumping starts them all in its next append.
     */
    private final java.util.concurrent.locks.ReentrantLock pumping = new java.util.concurrent.locks.ReentrantLock();

    private final java.util.concurrent.atomic.AtomicBoolean pumpWanted =
            new java.util.concurrent.atomic.AtomicBoolean();
    private final Map<TaskKey, TaskSlot> inFlight = new ConcurrentHashMap<>();
    /** Sessions whose next nodes are being gathered ahead now. */
    private final Set<SessionId> gathering = ConcurrentHashMap.newKeySet();

    private final GatheringThreads gatheringThreads;

    /** Where a gathering ahead runs: a virtual thread of its own; a test holds them, to run one late. */
    @FunctionalInterface
    interface GatheringThreads {
        GatheringThreads VIRTUAL =
                (name, gathering) -> Thread.ofVirtual().name(name).start(gathering);

        void start(String name, Runnable gathering);
    }
    /**
     * Per session, the attempts whose agent has answered and that only finish their note and outcome: they hold no
     * slot. An attempt leaves with its outcome, under the session's lock; until then it is counted only while the
     * session still runs it, read under that lock: a cancel or a timeout stops a node whose note may still be on its
     * way to the disk, and the calls really in flight must not be counted fewer for it. Each set is replaced whole, so
     * a reader never sees one being changed.
     */
    private final Map<SessionId, Set<TaskKey>> answered = new ConcurrentHashMap<>();
    /** Loose runs waiting for a slot (first or next attempt), in arrival order; guarded by {@link #pumpLock}. */
    private final Map<String, LooseNodeRun> looseWaiting = new java.util.LinkedHashMap<>();
    /** One object, so that the storage watch keeps one wake-up of this dispatcher per outage, however often asked. */
    private final Runnable wake = this::pump;

    private int busySlots;
    private int looseRunning;
    private volatile boolean stopped;
    /** Nothing starts while held; what is asked for meanwhile starts on {@link #release}. */
    private volatile boolean held;

    record TaskKey(Contender contender, String taskId, int attempt) {}

    /** Holds a running task's handle; a cancel that arrives before the handle is known is applied when it is. */
    private static final class TaskSlot {
        private RunningTask handle;
        private boolean cancelRequested;
        /** The agent call ended before the task did: the slot was given back then, not when the task ends. */
        private boolean released;

        /** True the first time only. */
        synchronized boolean release() {
            boolean first = !released;
            released = true;
            return first;
        }

        synchronized boolean released() {
            return released;
        }

        synchronized boolean cancelRequested() {
            return cancelRequested;
        }

        synchronized void attach(RunningTask running) {
            handle = running;
            if (cancelRequested) {
                running.cancel();
            }
        }

        synchronized void cancel() {
            cancelRequested = true;
            if (handle != null) {
                handle.cancel();
            }
        }
    }

    /**
     * @param looseLimit      loose runs in flight at once, as a session's own limit caps a session
     * @param maxWaitingLoose loose runs that may wait for a slot at once
     */
    NodeDispatcher(
            SessionBook book,
            ExecutingNodeTask executing,
            TaskExecutor executor,
            Clock clock,
            int globalLimit,
            int looseLimit,
            int maxWaitingLoose) {
        this(book, executing, executor, clock, globalLimit, looseLimit, maxWaitingLoose, GatheringThreads.VIRTUAL);
    }

    NodeDispatcher(
            SessionBook book,
            ExecutingNodeTask executing,
            TaskExecutor executor,
            Clock clock,
            int globalLimit,
            int looseLimit,
            int maxWaitingLoose,
            GatheringThreads gatheringThreads) {
        this.gatheringThreads = gatheringThreads;
        this.book = book;
        this.executing = executing;
        this.executor = executor;
        this.clock = clock;
        this.globalLimit = globalLimit;
        this.looseLimit = looseLimit;
        this.maxWaitingLoose = maxWaitingLoose;
    }

    /**
     * Starts as many queued tasks as the limits allow. Cheap to call whenever something may have freed capacity: when
     * another thread is starting nodes, this one leaves at once and that thread looks again when it is done.
     */
    void pump() {
        pumpWanted.set(true);
        while (!stopped && !held && pumpWanted.get() && pumping.tryLock()) {
            try {
                pumpWanted.set(false);
                pumpOnce();
            } catch (RuntimeException e) {
                // a port failing in a way the journal's refusals do not cover: the wishes other threads left while this
                // one pumped are still this thread's to honour (they returned at once), so the loop goes on; the nodes
                // that could not start stay queued, and are looked at again shortly in case nothing else asks
                LOG.log(System.Logger.Level.WARNING, "could not start queued nodes: " + e);
                lookAgainAfterFault();
            } finally {
                pumping.unlock();
            }
        }
    }

    private void lookAgainAfterFault() {
        try {
            executor.schedule(LOOK_AGAIN_AFTER_FAULT, wake);
        } catch (RuntimeException shuttingDown) {
            // the executor takes no more work: nothing is started any more anyway
        }
    }

    private void pumpOnce() {
        Instant now = clock.now();
        // a session's starts go to the journal in one append: one sync for the round, not one per node
        Map<SessionId, List<String>> sessionStarts = new java.util.LinkedHashMap<>();
        int reserved = 0;
        synchronized (pumpLock) {
            int free = globalLimit - busySlots;
            if (free <= 0) {
                return;
            }
            List<Offer> offers = new ArrayList<>();
            for (SessionId id : book.dispatchingIds()) {
                book.readRunning(id, s -> Offer.of(s, free, now, answeredOf(s))).ifPresent(offers::add);
            }
            looseOffer(free, now).ifPresent(offers::add);
            for (Dispatch dispatch : DispatchPlanner.planOffers(offers, free)) {
                switch (dispatch.contender()) {
                    case Contender.OfSession session -> {
                        sessionStarts
                                .computeIfAbsent(session.sessionId(), id -> new ArrayList<>())
                                .add(dispatch.taskId());
                        reserved++;
                    }
                    case Contender.LooseNodes loose -> startLoose(looseWaiting.remove(dispatch.taskId()));
                }
            }
            // held for the planned starts while their journal append runs without this lock, so that the slots
            // freed meanwhile are counted at once and none is handed out twice
            busySlots += reserved;
        }
        List<Runnable> submits = new ArrayList<>();
        try {
            sessionStarts.forEach((sessionId, nodeIds) -> startNodes(sessionId, nodeIds, now, submits));
        } finally {
            synchronized (pumpLock) {
                busySlots -= reserved;
            }
            submits.forEach(Runnable::run);
        }
    }

    /**
     * A batch that just started has its first round's requests gathered (and its canvas read, as a run reads it when
     * it starts) while the round's starts go to the journal, instead of after.
     */
    void gatherFirstRound(SessionId id) {
        List<NoteProducer.NodeJob> jobs;
        try {
            jobs = book.readRunning(id, s -> ExecutingNodeTask.nextJobsOf(s, clock.now()))
                    .orElse(List.of());
        } catch (RuntimeException e) {
            return; // the nodes gather what they need when they start
        }
        if (!jobs.isEmpty()) {
            // begun now, in this run of the canvas: run late, after the run ended, it keeps nothing
            long generation = executing.generation(jobs.getFirst().canvasPath());
            gatheringThreads.start("gather-first", () -> {
                executing.gatherAheadOfRun(jobs, generation);
                dropGatheredUnlessRunning(id, jobs);
            });
        }
    }

    /**
     * The nodes a session starts next have what their agent will be asked gathered while the calls before them run,
     * so that the slot a call frees goes to the model without waiting for the vault. Asked by each call as it is
     * sent (not as it starts, when it would take the CPU from the round's own preparation); one gathering per session
     * at a time.
     */
    private void gatherNextSoon(SessionId id) {
        if (!gathering.add(id)) {
            return;
        }
        gatheringThreads.start("gather-next", () -> {
            try {
                // the run of the canvas, taken before the session is read (not on the calling thread, which is about
                // to send its call and must not wait for the session's lock): a run that ends after keeps nothing, and
                // a session read after its run ended has no next nodes
                long generation = book.readRunning(id, s -> executing.generation(s.canvasPath()))
                        .orElse(-1L);
                List<NoteProducer.NodeJob> jobs = book.readRunning(
                                id, s -> ExecutingNodeTask.nextJobsOf(s, clock.now()))
                        .orElse(List.of());
                executing.gatherAhead(jobs, generation);
                dropGatheredUnlessRunning(id, jobs);
            } catch (RuntimeException e) {
                // the nodes gather what they need when they start, as they would without this
                LOG.log(System.Logger.Level.DEBUG, "could not gather ahead for session " + id + ": " + e);
            } finally {
                gathering.remove(id);
            }
        });
    }

    /**
     * A pause drops what was gathered for its session (the learner may edit the vault before it goes on); a gathering
     * that read the session as running before the pause and stored its requests after that drop drops them itself.
     */
    private void dropGatheredUnlessRunning(SessionId id, List<NoteProducer.NodeJob> jobs) {
        if (jobs.isEmpty()
                || book.readRunning(id, s -> s.state() == SessionState.RUNNING).orElse(false)) {
            return;
        }
        jobs.stream().map(NoteProducer.NodeJob::canvasPath).distinct().forEach(executing::dropGatheredAhead);
    }

    private Optional<Offer> looseOffer(int globalFree, Instant now) {
        int room = Math.min(globalFree, looseLimit - looseRunning);
        List<String> due = new ArrayList<>();
        Instant since = null;
        for (LooseNodeRun run : looseWaiting.values()) {
            since = since == null || run.since().isBefore(since) ? run.since() : since;
            if (due.size() < room && run.isDueAt(now)) {
                due.add(run.id());
            }
        }
        return since == null ? Optional.empty() : Optional.of(new Offer(LOOSE, looseRunning, since, due));
    }

    /**
     * A node the session started, with what its attempt needs, read under the session's lock as it started, and the
     * slot a cancel finds it by from then on.
     */
    private record Start(
            TaskKey key, TaskStarted event, Optional<NoteProducer.NodeJob> job, Duration timeout, TaskSlot slot) {}

    private void startNodes(SessionId sessionId, List<String> nodeIds, Instant now, List<Runnable> submits) {
        // while the journal refuses events no session node starts: its TaskStarted could not be recorded, and the
        // storage watch wakes the dispatcher once the journal takes events again; runs outside sessions record nothing
        if (book.storage().wakeAfterOutage(wake)) {
            return;
        }
        List<Start> starts = new ArrayList<>();
        boolean stored = false;
        try {
            book.changeTogether(sessionId, s -> {
                // a shared log makes the command again after a race lost to another server: only that try's starts are
                // stored, and a node handed over twice would be asked of the model twice
                forgetSlots(starts);
                starts.clear();
                List<SessionEvent> events = new ArrayList<>();
                for (String nodeId : nodeIds) {
                    try {
                        TaskStarted started = (TaskStarted)
                                s.startTask(nodeId, now, answeredOf(s)).getFirst();
                        var assignment = new ExecutingNodeTask.Assignment(sessionId, nodeId, started.attempt());
                        Start start = new Start(
                                new TaskKey(new Contender.OfSession(sessionId), nodeId, started.attempt()),
                                started,
                                ExecutingNodeTask.jobOf(s, assignment),
                                s.settings().nodeTimeout(),
                                new TaskSlot());
                        // known from now on, under the session's lock that a cancel takes too: the task is handed to
                        // the executor only once every session of this pass is stored, and a cancel meanwhile must
                        // find it, or its node would be asked of the model after the learner's cancel
                        inFlight.put(start.key(), start.slot());
                        starts.add(start);
                        events.add(started);
                    } catch (SessionConflict changed) {
                        // the session changed since the offer (cancelled, paused): this node does not start
                    }
                }
                return events;
            });
            stored = true;
        } catch (SessionConflict | SessionNotFoundException e) {
            return; // the session changed since the offer: nothing to start
        } catch (org.canvasbatch.application.port.out.EventLogConflict e) {
            // other servers' events won every race for the session (or its history there is damaged): the nodes stay
            // queued for the next look, which their next change brings; looking again at once would spin on the log
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "not starting nodes " + nodeIds + " of session " + sessionId + ": " + e.getMessage());
            return;
        } catch (EventLogException e) {
            // nothing starts that the journal cannot record; the nodes stay queued, their attempts unchanged, and the
            // storage watch (which logged the outage once) wakes the dispatcher when the journal takes events again;
            // if the outage already ended between the refusal and here, no one else would: look again at once
            if (!book.storage().wakeAfterOutage(wake)) {
                executor.schedule(Duration.ZERO, wake);
            }
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "not starting nodes " + nodeIds + " of session " + sessionId
                            + ": the event journal refused the events: " + e.getMessage());
            return;
        } finally {
            if (!stored) {
                forgetSlots(starts);
            }
        }
        starts.forEach(start -> submits.add(() -> submitNode(sessionId, start)));
    }

    /** The slots of starts that were not stored: no task will come for them. */
    private void forgetSlots(List<Start> starts) {
        starts.forEach(start -> inFlight.remove(start.key(), start.slot()));
    }

    private void submitNode(SessionId sessionId, Start start) {
        String nodeId = start.event().nodeId();
        TaskKey key = start.key();
        var assignment = new ExecutingNodeTask.Assignment(
                sessionId, nodeId, start.event().attempt());
        var slot = new SessionCallSlot(key, sessionId);
        submit(key, start.slot(), sessionId + "/" + nodeId, start.timeout(), control -> {
            try {
                // a task cancelled before it began still comes here, so that its slot is always given back; one
                // cancelled before it was handed over may begin before its handle hears of it
                if (!control.cancelled()
                        && !start.slot().cancelRequested()
                        && start.job().isPresent()) {
                    executing.execute(assignment, start.job().get(), control, this::wakeAt, slot);
                }
            } finally {
                slot.outcomeRecorded();
                finished(key, Optional.empty());
            }
        });
    }

    /** The session's attempts whose agent has answered and that it still runs; read under the session's lock. */
    private int answeredOf(Session session) {
        int count = 0;
        for (TaskKey key : answered.getOrDefault(session.id(), Set.of())) {
            if (session.hasNode(key.taskId())) {
                NodeTask task = session.task(key.taskId());
                if (task.state() == NodeState.RUNNING && task.attempts() == key.attempt()) {
                    count++;
                }
            }
        }
        return count;
    }

    /** A session task's slot, given back when its agent answers; see {@link ExecutingNodeTask.CallSlot}. */
    private final class SessionCallSlot implements ExecutingNodeTask.CallSlot {
        private final TaskKey key;
        private final SessionId sessionId;
        private boolean countedAsAnswered;

        SessionCallSlot(TaskKey key, SessionId sessionId) {
            this.key = key;
            this.sessionId = sessionId;
        }

        @Override
        public void agentDone() {
            TaskSlot slot = inFlight.get(key);
            if (slot == null || !slot.release()) {
                return;
            }
            synchronized (this) {
                countedAsAnswered = true;
                answered.compute(sessionId, (id, keys) -> {
                    Set<TaskKey> more = keys == null ? new java.util.HashSet<>() : new java.util.HashSet<>(keys);
                    more.add(key);
                    return Set.copyOf(more);
                });
            }
            synchronized (pumpLock) {
                busySlots--;
            }
            pump();
        }

        @Override
        public void callReady() {
            gatherNextSoon(sessionId);
        }

        @Override
        public synchronized void outcomeRecorded() {
            if (countedAsAnswered) {
                countedAsAnswered = false;
                answered.computeIfPresent(sessionId, (id, keys) -> {
                    Set<TaskKey> fewer = new java.util.HashSet<>(keys);
                    fewer.remove(key);
                    return fewer.isEmpty() ? null : Set.copyOf(fewer);
                });
            }
        }
    }

    private void startLoose(LooseNodeRun run) {
        if (run == null || run.isSettled()) {
            return; // withdrawn by its deadline since the offer
        }
        looseRunning++;
        TaskKey key = new TaskKey(LOOSE, run.id(), run.attempts() + 1);
        boolean submitted = submit(key, new TaskSlot(), "single " + run.nodeId(), run.nodeTimeout(), control -> {
            Optional<Instant> again = Optional.empty();
            try {
                if (!control.cancelled()) {
                    again = run.attempt(control);
                } else {
                    run.settle(new NodeRunNotFinishedException("The run was stopped before it began", Duration.ZERO));
                }
            } finally {
                finished(key, again.map(at -> run));
                again.ifPresent(this::wakeAt);
            }
        });
        if (!submitted) {
            looseRunning--;
            run.settle(new NodeRunNotFinishedException("The server is shutting down", Duration.ofMinutes(1)));
        }
    }

    /** Wakes the dispatcher at {@code at}: a node waiting out a backoff may start then. */
    private void wakeAt(Instant at) {
        Duration wait = Duration.between(clock.now(), at);
        executor.schedule(wait.isNegative() ? Duration.ZERO : wait, wake);
    }

    /** Hands a task to the executor and counts its slot; false if the executor refused it (it is shutting down). */
    private boolean submit(TaskKey key, TaskSlot slot, String name, Duration timeout, TaskExecutor.TaskWork work) {
        inFlight.put(key, slot);
        synchronized (pumpLock) {
            busySlots++;
        }
        try {
            slot.attach(executor.submit(name, timeout, work));
            return true;
        } catch (RuntimeException e) {
            // a session's task stays running in the log and is requeued on restart
            LOG.log(System.Logger.Level.WARNING, "could not start " + name + ": " + e.getMessage());
            inFlight.remove(key, slot);
            synchronized (pumpLock) {
                busySlots--;
            }
            return false;
        }
    }

    /** A task ended: its slot is free; a loose run with another attempt to make waits for its turn again. */
    private void finished(TaskKey key, Optional<LooseNodeRun> waitsAgain) {
        TaskSlot slot = inFlight.remove(key);
        synchronized (pumpLock) {
            if (slot == null || !slot.released()) {
                busySlots--;
            }
            if (key.contender() instanceof Contender.LooseNodes) {
                looseRunning--;
                waitsAgain.filter(run -> !run.isSettled()).ifPresent(run -> looseWaiting.put(run.id(), run));
            }
        }
        pump();
    }

    /**
     * Queues a single-node run of a node no session holds.
     *
     * @throws NodeRunNotFinishedException when too many such runs wait already, or dispatch has stopped
     */
    void enqueueLoose(LooseNodeRun run) {
        synchronized (pumpLock) {
            if (stopped) {
                throw new NodeRunNotFinishedException("The server is shutting down", Duration.ofMinutes(1));
            }
            if (looseWaiting.size() >= maxWaitingLoose) {
                throw new NodeRunNotFinishedException(
                        "The server is busy: " + looseWaiting.size()
                                + " single-node runs are waiting already; try again in a minute",
                        Duration.ofMinutes(1));
            }
            looseWaiting.put(run.id(), run);
        }
        pump();
    }

    /**
     * The call waiting for a loose run gave up (its deadline): the run leaves the queue, or is stopped if it runs, so
     * that nobody's agent call is made for an answer no one waits for any more.
     */
    void withdrawLoose(LooseNodeRun run, RuntimeException answer) {
        boolean settled = run.settle(answer);
        synchronized (pumpLock) {
            looseWaiting.remove(run.id());
        }
        if (settled) {
            inFlight.forEach((key, slot) -> {
                if (key.contender() instanceof Contender.LooseNodes
                        && key.taskId().equals(run.id())) {
                    slot.cancel();
                }
            });
        }
    }

    /** Interrupts every running task of a session (cancel, batch timeout). */
    void interruptAll(SessionId sessionId) {
        Contender session = new Contender.OfSession(sessionId);
        inFlight.forEach((key, slot) -> {
            if (key.contender().equals(session)) {
                slot.cancel();
            }
        });
    }

    /**
     * Interrupts the calls of a session's nodes that the session no longer counts as running: another server of a
     * cluster cancelled the batch or timed it out. Judged by the session's state, so it does not matter which read of
     * the log brought the change here.
     */
    void interruptStopped(SessionId sessionId) {
        Contender session = new Contender.OfSession(sessionId);
        inFlight.forEach((key, slot) -> {
            if (key.contender().equals(session)) {
                boolean running = book.readRunning(
                                sessionId,
                                s -> s.hasNode(key.taskId())
                                        && s.task(key.taskId()).state() == NodeState.RUNNING)
                        .orElse(false);
                if (!running) {
                    slot.cancel();
                }
            }
        });
    }

    /** Agent calls handed to the executor and not ended yet, of every contender. */
    int inFlightCount() {
        return inFlight.size();
    }

    /**
     * The agent calls this server would have under way now if its limit allowed, up to that limit: the calls of its
     * sessions and loose runs in flight, and the nodes queued to start (see {@link Session#callsWanted}).
     */
    int callsWanted() {
        int loose;
        synchronized (pumpLock) {
            loose = looseWaiting.size();
        }
        int wanted = 0;
        Set<SessionId> dispatching = new java.util.HashSet<>(book.dispatchingIds());
        for (Map.Entry<TaskKey, TaskSlot> call : inFlight.entrySet()) {
            TaskKey key = call.getKey();
            if (key.contender() instanceof Contender.LooseNodes) {
                loose++;
            } else if (key.contender() instanceof Contender.OfSession of
                    && !dispatching.contains(of.sessionId())
                    && !call.getValue().released()) {
                // a paused (or cancelled, or no longer held) batch's calls still in flight are no dispatcher's
                // concern, but they hold slots until their agents answer
                wanted++;
            }
        }
        for (SessionId id : dispatching) {
            wanted += book.readRunning(id, s -> s.callsWanted(answeredOf(s))).orElse(0);
        }
        // single-node runs take at most their own share of the slots, however many wait
        wanted += Math.min(looseLimit, loose);
        return Math.min(globalLimit, Math.max(wanted, inFlight.size()));
    }

    /** Nothing starts until {@link #release}: the pumps asked for meanwhile wait for it. */
    void hold() {
        held = true;
    }

    /** Starts what the limits allow, and goes on as before {@link #hold}. */
    void release() {
        held = false;
        pump();
    }

    /** No new dispatch from now on; loose runs still waiting are answered at once instead of at their deadline. */
    void stop() {
        stopped = true;
        List<LooseNodeRun> waiting;
        synchronized (pumpLock) {
            waiting = List.copyOf(looseWaiting.values());
            looseWaiting.clear();
        }
        waiting.forEach(run ->
                run.settle(new NodeRunNotFinishedException("The server is shutting down", Duration.ofMinutes(1))));
    }
}
