package org.canvasbatch.application.batch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ManualExecutor;
import org.canvasbatch.testsupport.TestClock;

/**
 * The real core over an in-memory journal and vault, with an agent the test programs node by node, a clock the test
 * moves and an executor that runs a task only when the test says: every step of a test happens on the test's thread, in
 * the order the test wrote it.
 */
final class CoreOnAManualExecutor {

    static final String CANVAS = "study/topics.canvas";

    /** What the agent does for one call: answer, fail, or move the clock as a slow call would. */
    @FunctionalInterface
    interface Call {
        AgentAnswer answer(AgentRequest request) throws AgentFailure, InterruptedException;
    }

    final TestClock clock = new TestClock();
    final ManualExecutor executor = new ManualExecutor(clock);
    final InMemoryEventLog memory = new InMemoryEventLog();
    final InMemoryVault vault = new InMemoryVault();
    /** Nodes whose note the vault refuses to write, as a full disk does. */
    final Set<String> unwritableNotes = ConcurrentHashMap.newKeySet();
    /** The agent's calls, by node, in order. */
    final List<String> calls = new ArrayList<>();

    private final Map<String, Deque<Call>> scripts = new ConcurrentHashMap<>();
    private final AtomicInteger sessions = new AtomicInteger();
    private volatile boolean refusing;
    private volatile boolean shared;
    /** Sessions whose next seq another server of the cluster took with an event this server cannot read. */
    final Set<SessionId> damaged = ConcurrentHashMap.newKeySet();
    /** Appends of a damaged session that were tried, each refused as a lost race. */
    final AtomicInteger appendsOfDamaged = new AtomicInteger();
    /** Run before the journal takes an append, on the appending thread; it may throw as a broken port does. */
    volatile java.util.function.Consumer<List<SessionEvent>> beforeAppend = events -> {};
    /** Every append the journal took, as the events it held together. */
    final List<List<SessionEvent>> appends = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** The journal as the core sees it: it refuses every append, and every probe, while {@link #refuseAppends}. */
    final ForwardingEventLog journal = new ForwardingEventLog(memory) {
        @Override
        public void append(List<SessionEvent> events) {
            if (refusing) {
                throw new EventLogException("disk full", "no space left on device", "/data/sessions", null);
            }
            if (damaged.contains(events.getFirst().sessionId())) {
                appendsOfDamaged.incrementAndGet();
                throw new org.canvasbatch.application.port.out.EventLogConflict(
                        "session " + events.getFirst().sessionId() + " is not changed here: its history is damaged");
            }
            beforeAppend.accept(events);
            super.append(events);
            appends.add(List.copyOf(events));
        }

        @Override
        public boolean shared() {
            return shared;
        }

        @Override
        public Map<SessionId, String> damage() {
            Map<SessionId, String> damage = new java.util.HashMap<>();
            damaged.forEach(id -> damage.put(id, "its history in the database is damaged"));
            return damage;
        }

        @Override
        public void probeWritable() {
            if (refusing) {
                throw new EventLogException("disk full", "no space left on device", "/data/sessions", null);
            }
        }
    };

    final AgentRunner agent = new AgentRunner() {
        @Override
        public AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException {
            calls.add(request.nodeId());
            Deque<Call> script = scripts.get(request.nodeId());
            Call call = script == null ? null : script.poll();
            return call == null ? new AgentAnswer("# " + request.nodeText(), "scripted") : call.answer(request);
        }

        @Override
        public String model() {
            return "scripted";
        }
    };

    final CoreSettings settings;
    final CanvasBatchCore core;
    final UseCases useCases;

    CoreOnAManualExecutor() {
        this(CoreSettings.DEFAULT);
    }

    CoreOnAManualExecutor(CoreSettings settings) {
        this(settings, false);
    }

    /**
     * With {@code cluster}, the journal is a cluster's shared log, and this server holds the lease of every session it
     * is asked to run (the other servers are the test's: {@link #damaged}).
     */
    CoreOnAManualExecutor(CoreSettings settings, boolean cluster) {
        this.shared = cluster;
        this.settings = settings;
        this.core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        journal,
                        agent,
                        new RefusingVault(),
                        executor,
                        clock,
                        () -> new SessionId("s" + sessions.incrementAndGet()),
                        new SplittableRandom(7),
                        org.canvasbatch.application.port.out.TextEmbedder.none(),
                        org.canvasbatch.application.port.out.VaultPassages.none(),
                        cluster ? leases : org.canvasbatch.application.port.out.SessionLeases.alone()),
                settings,
                (name, gathering) -> {
                    if (holdingGatherings) {
                        heldGatherings.add(gathering);
                    } else {
                        Thread.ofVirtual().name(name).start(gathering);
                    }
                });
        this.useCases = core.useCases();
    }

    /** Whether gatherings ahead wait in {@link #heldGatherings} instead of starting: threads the scheduler runs late. */
    volatile boolean holdingGatherings;
    /** The gatherings ahead held back, in the order begun; the test runs them when it likes. */
    final List<Runnable> heldGatherings = new java.util.concurrent.CopyOnWriteArrayList<>();

    /** False while this server cannot be sure of its leases (a late renewal): it holds none for sure, took them all. */
    volatile boolean leasesTrusted = true;

    /** What giving a lease back throws, as a broken leases port does (none: it is given back). */
    volatile RuntimeException releaseFailure;

    /** The sessions the cluster's leases call abandoned (none unless a test says so). */
    volatile List<SessionId> abandoned = List.of();

    /** While not null, taking a lease waits for it to open (a slow database), once {@link #takeWaiting} is counted. */
    volatile java.util.concurrent.CountDownLatch takeGate;

    final java.util.concurrent.Semaphore takeWaiting = new java.util.concurrent.Semaphore(0);

    /** This server no longer counts the session's lease as taken (its holder let it expire). */
    void loseLease(SessionId id) {
        leases.held.remove(id);
    }

    private final HeldHere leases = new HeldHere();

    /** Leases of a cluster in which this server is the one that runs every session. */
    private final class HeldHere implements org.canvasbatch.application.port.out.SessionLeases {
        private final Set<SessionId> held = ConcurrentHashMap.newKeySet();

        @Override
        public boolean holds(SessionId sessionId) {
            return leasesTrusted && held.contains(sessionId);
        }

        @Override
        public boolean taken(SessionId sessionId) {
            return held.contains(sessionId);
        }

        @Override
        public boolean take(SessionId sessionId) {
            java.util.concurrent.CountDownLatch gate = takeGate;
            if (gate != null) {
                takeWaiting.release();
                try {
                    gate.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return false;
                }
            }
            held.add(sessionId);
            return true;
        }

        @Override
        public void release(SessionId sessionId) {
            held.remove(sessionId);
            RuntimeException failure = releaseFailure;
            if (failure != null) {
                throw failure;
            }
        }

        @Override
        public List<SessionId> abandoned() {
            return abandoned;
        }
    }

    /**
     * The in-memory vault, refusing the notes of {@link #unwritableNotes} as a failing disk does (a full one holds the
     * batch instead: FullVaultTest).
     */
    private final class RefusingVault implements Vault {
        @Override
        public Canvas readCanvas(String canvasPath) {
            return vault.readCanvas(canvasPath);
        }

        @Override
        public boolean canvasExists(String canvasPath) {
            return vault.canvasExists(canvasPath);
        }

        @Override
        public String contentOf(String canvasPath, CanvasNode node) {
            return vault.contentOf(canvasPath, node);
        }

        @Override
        public WrittenNote writeNote(NoteDraft draft) {
            if (unwritableNotes.contains(draft.nodeId())) {
                throw new VaultException(
                        VaultException.Reason.IO, draft.canvasPath(), "Input/output error writing the note");
            }
            return vault.writeNote(draft);
        }
    }

    /** The next call of the agent for {@code nodeId} does this; unscripted calls answer at once. */
    CoreOnAManualExecutor then(String nodeId, Call call) {
        scripts.computeIfAbsent(nodeId, k -> new ArrayDeque<>()).add(call);
        return this;
    }

    static Call transientFailure(String message) {
        return request -> {
            throw AgentFailure.transientFailure("http_503", message, null);
        };
    }

    static Call permanentFailure(String message) {
        return request -> {
            throw AgentFailure.permanent("http_400", message);
        };
    }

    void refuseAppends(boolean refuse) {
        this.refusing = refuse;
    }

    static List<CanvasNode> nodes(String... ids) {
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 0; i < ids.length; i++) {
            nodes.add(CanvasNode.text(ids[i], "What is topic " + ids[i] + "?", "1", 0, i * 100, 250, 60));
        }
        return nodes;
    }

    /** The canvas of these question nodes, stored in the vault. */
    CoreOnAManualExecutor withCanvas(String... ids) {
        vault.withCanvas(new Canvas(CANVAS, nodes(ids), List.of()));
        return this;
    }

    /**
     * Adds {@code nodes} to the canvas in the vault (made if missing), keeping the nodes it has: analyze takes only
     * canvases that are in the vault.
     */
    void holdInCanvas(List<CanvasNode> nodes) {
        List<CanvasNode> held = new ArrayList<>(
                vault.canvasExists(CANVAS) ? vault.readCanvas(CANVAS).nodes() : List.of());
        for (CanvasNode node : nodes) {
            if (held.stream().noneMatch(n -> n.id().equals(node.id()))) {
                held.add(node);
            }
        }
        vault.withCanvas(new Canvas(CANVAS, held, List.of()));
    }

    /** A pending session of the nodes as one group, with its own limit of calls at once. */
    SessionId analyze(int maxConcurrent, String... ids) {
        holdInCanvas(nodes(ids));
        return useCases.analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CANVAS,
                        Optional.of(nodes(ids)),
                        Set.of(),
                        1,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.of(maxConcurrent),
                        Optional.empty()))
                .session()
                .id();
    }

    void start(SessionId id) {
        useCases.start().start(StartSessionCommand.of(id));
    }

    EventRecorder record(SessionId id) {
        EventRecorder recorder = new EventRecorder();
        useCases.subscriptions().subscribe(id, recorder::accept);
        return recorder;
    }

    /** The session's events as the journal holds them, compactly: {@code TaskStarted(a#1)}, {@code TaskSucceeded(a)}. */
    List<String> trace(SessionId id) {
        return EventRecorder.describe(memory.readAfter(id, 0, 10_000));
    }

    /** Moves the clock past the longest backoff of the default retry policy. */
    void waitOutBackoff() {
        executor.advance(settings.retryCap());
    }

    static Duration seconds(long seconds) {
        return Duration.ofSeconds(seconds);
    }
}
