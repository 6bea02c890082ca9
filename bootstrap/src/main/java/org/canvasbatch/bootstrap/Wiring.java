package org.canvasbatch.bootstrap;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.Agents;
import org.canvasbatch.adapters.agents.EmbeddingConfig;
import org.canvasbatch.adapters.agents.ModelServerCheck;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.http.dashboard.DashboardExtension;
import org.canvasbatch.adapters.http.ops.Operations;
import org.canvasbatch.adapters.http.ws.CanvasWriting;
import org.canvasbatch.adapters.http.ws.PluginWindowMemory;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.journal.ChannelOpener;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.adapters.journal.postgres.ClusterProviderLimit;
import org.canvasbatch.adapters.journal.postgres.PostgresEventLog;
import org.canvasbatch.adapters.journal.postgres.PostgresLocation;
import org.canvasbatch.adapters.journal.postgres.PostgresSessionLeases;
import org.canvasbatch.adapters.vault.FileVault;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.adapters.vault.VaultPassageIndex;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.SessionLeases;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.domain.session.SessionId;

/** Builds the core and its adapters with {@code new}, and takes them down in the right order. */
final class Wiring implements AutoCloseable {

    /**
     * @param data      {@code memory}, a directory for the durable event journal, or a PostgreSQL database
     *                  ({@code postgresql://…}) shared by the servers of a cluster
     * @param core      limits, timeouts, retries and retention of the core
     * @param websocket the WebSocket channel's knobs (serve only)
     * @param env       where API keys are looked up
     */
    record Settings(
            Path vault,
            String data,
            AgentConfig agent,
            EmbeddingConfig embeddings,
            CoreSettings core,
            VaultOptions vaultOptions,
            WsSettings websocket,
            Map<String, String> env,
            Set<String> questionColors,
            ClusterOptions cluster,
            String dataGivenBy) {

        /**
         * @param questionColors the colours of the question nodes: their text is never quoted as the learner's notes
         * @param cluster        how the servers sharing a database share the work
         * @param dataGivenBy    where {@code data} came from, for a person: {@code --data}, {@code CANVASBATCH_DATA},
         *                       a settings file
         */
        Settings {
            questionColors = Set.copyOf(questionColors);
        }

        Settings(
                Path vault,
                String data,
                AgentConfig agent,
                EmbeddingConfig embeddings,
                CoreSettings core,
                VaultOptions vaultOptions,
                WsSettings websocket,
                Map<String, String> env,
                Set<String> questionColors) {
            this(
                    vault,
                    data,
                    agent,
                    embeddings,
                    core,
                    vaultOptions,
                    websocket,
                    env,
                    questionColors,
                    ClusterOptions.DEFAULT,
                    "--data");
        }

        /** The same settings, for servers sharing a database as {@code cluster} says. */
        Settings withCluster(ClusterOptions cluster) {
            return with(cluster, dataGivenBy);
        }

        /** The same settings, whose data location was named by {@code givenBy} (said when it cannot be used). */
        Settings withDataGivenBy(String givenBy) {
            return with(cluster, givenBy);
        }

        private Settings with(ClusterOptions cluster, String dataGivenBy) {
            return new Settings(
                    vault,
                    data,
                    agent,
                    embeddings,
                    core,
                    vaultOptions,
                    websocket,
                    env,
                    questionColors,
                    cluster,
                    dataGivenBy);
        }

        /** Settings whose questions are the plugin's default colours, red and purple. */
        Settings(
                Path vault,
                String data,
                AgentConfig agent,
                EmbeddingConfig embeddings,
                CoreSettings core,
                VaultOptions vaultOptions,
                WsSettings websocket,
                Map<String, String> env) {
            this(
                    vault,
                    data,
                    agent,
                    embeddings,
                    core,
                    vaultOptions,
                    websocket,
                    env,
                    AnalyzeCanvasUseCase.DEFAULT_COLORS);
        }
    }

    /**
     * @param lease         how long a server's hold on a session, or on a call's permit, lasts without renewal
     * @param providerLimit calls in flight to the model provider over the cluster; 0 for no limit
     */
    record ClusterOptions(Duration lease, int providerLimit) {
        static final ClusterOptions DEFAULT = new ClusterOptions(PostgresSessionLeases.DEFAULT_LEASE, 0);
    }

    private final CanvasBatchCore core;
    private final FileVault vault;
    private final LocalTaskExecutor executor;
    private final ObservedEventLog eventLog;
    private final Optional<PostgresSessionLeases> cluster;
    private final AgentRunner agents;
    /** The model-backed agent's server, asked at start whether the calls can work; none for the offline agent. */
    private final Optional<ModelServerCheck> modelServer;

    private final TextEmbedder embeddings;
    private final Settings settings;
    private final Observability observability;
    /** Tells a rehearsal still running to stop. */
    private volatile boolean stopping;
    /** The learner asked for an analysis or a node's run. */
    private volatile boolean learnerCame;

    private volatile CompletableFuture<ServeRehearsal.Outcome> rehearsal =
            CompletableFuture.completedFuture(new ServeRehearsal.Outcome(0, 0, false));

    private Wiring(
            CanvasBatchCore core,
            FileVault vault,
            LocalTaskExecutor executor,
            ObservedEventLog eventLog,
            Optional<PostgresSessionLeases> cluster,
            AgentRunner agents,
            Optional<ModelServerCheck> modelServer,
            TextEmbedder embeddings,
            Settings settings,
            Observability observability) {
        this.core = core;
        this.vault = vault;
        this.executor = executor;
        this.eventLog = eventLog;
        this.cluster = cluster;
        this.agents = agents;
        this.modelServer = modelServer;
        this.embeddings = embeddings;
        this.settings = settings;
        this.observability = observability;
    }

    static Wiring create(Settings settings) {
        return create(settings, ChannelOpener.DEFAULT);
    }

    /** As {@link #create(Settings)}, the journal opening its files through {@code disk} (tests inject disk faults). */
    static Wiring create(Settings settings, ChannelOpener disk) {
        Observability observability = new Observability();
        AgentRunner agents;
        Optional<ModelServerCheck> modelServer;
        TextEmbedder embeddings;
        try {
            AgentRunner built = Agents.fromConfig(settings.agent(), settings.env());
            modelServer = built instanceof ModelServerCheck check ? Optional.of(check) : Optional.empty();
            agents = observability.agents(built);
            embeddings = Agents.embeddingsFromConfig(settings.embeddings(), settings.agent(), settings.env());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        Journals.Store store =
                Journals.open(settings.data(), settings.dataGivenBy(), settings.cluster(), disk, observability);
        // The vault's clock times the coalescing and gives label nodes the learner's own time zone. In a cluster the
        // vault is shared: this server keeps its own ledger of links to write, named as it is in the database.
        java.time.Clock vaultClock = java.time.Clock.systemDefaultZone();
        FileVault vault = store.cluster()
                .map(leases -> new FileVault(settings.vault(), settings.vaultOptions(), vaultClock, leases.owner()))
                .orElseGet(() -> new FileVault(settings.vault(), settings.vaultOptions(), vaultClock));
        // built while the first batch is analysed; a note that needs it first waits for it
        VaultPassageIndex passages =
                new VaultPassageIndex(settings.vault(), settings.vaultOptions(), settings.questionColors());
        passages.buildInBackground();
        ObservedEventLog eventLog = store.log();
        AgentRunner calls = store.cluster()
                .filter(leases -> settings.cluster().providerLimit() > 0)
                .map(leases -> ClusterProviderLimit.of(
                                leases, settings.cluster().providerLimit())
                        .limit(agents))
                .orElse(agents);
        // the offline agent writes a note in milliseconds: a preview promising "4分钟" for a batch done in a second
        // would not be true
        CoreSettings coreSettings =
                agents.model().equals("offline") ? settings.core().withEstimatedSecondsPerNode(1) : settings.core();
        // the permit pool only guards; the core's dispatcher keeps to the limits, single-node retries come on top
        LocalTaskExecutor executor = new LocalTaskExecutor(coreSettings.globalConcurrency() + 16);
        CanvasBatchCore core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        eventLog,
                        calls,
                        vault,
                        executor,
                        Instant::now,
                        () -> new SessionId(UUID.randomUUID().toString()),
                        new SplittableRandom(),
                        embeddings,
                        passages,
                        store.leases()),
                coreSettings);
        observability.watch(core);
        store.cluster().ifPresent(observability::watch);
        // what other servers weigh when they place a session: the calls this one's batches want, for its concurrency
        store.cluster().ifPresent(leases -> leases.publishLoad(core::callsWanted, coreSettings.globalConcurrency()));
        return new Wiring(
                core,
                vault,
                executor,
                eventLog,
                store.cluster(),
                agents,
                modelServer,
                embeddings,
                settings,
                observability);
    }

    /** The server's settings with what this wiring attaches to it: the ADR-007 WebSocket channel and the dashboard. */
    ServerSettings serverExtensions(ServerSettings server) {
        SessionSocketChannel sockets = new SessionSocketChannel(
                core.useCases(),
                settings.websocket(),
                Instant::now,
                pluginWindowMemory(),
                new CanvasWriting(
                        settings.vaultOptions().writeBack(),
                        settings.vaultOptions().writeBack()
                                && settings.vaultOptions().labelNodes()));
        observability.watch(sockets);
        return server.withExtension(sockets.asServerExtension(server)).withExtension(new DashboardExtension());
    }

    /**
     * Where the plugin windows' positions outlive this process: beside a journal folder, which keeps the sessions they
     * index into. A journal in memory forgets the sessions too; in a cluster a window may reconnect to any server, and
     * the positions stay with the server that had it (docs/architecture.md).
     */
    private PluginWindowMemory pluginWindowMemory() {
        String data = settings.data();
        if (data == null || data.equals("memory") || PostgresLocation.isDatabase(data)) {
            return PluginWindowMemory.NONE;
        }
        return new PluginWindowsFile(Path.of(data), java.time.Clock.systemUTC());
    }

    // ------------------------------------------------------------------------------------ operations (wt-ops)

    /**
     * The server's settings with {@code /health}, {@code /metrics} and the API documents attached. Ready means the
     * journal takes events (not ready from its first refused append until the core has stored what it held) and the
     * executor runs tasks.
     */
    ServerSettings operations(ServerSettings server) {
        return server.withExtension(observability.operations(
                List.of(eventLog.health(core::storageProblem), Operations.executor(executor, Duration.ofSeconds(2)))));
    }

    /**
     * In a cluster, looks for sessions whose server stopped every half lease and takes them over; alone, does nothing.
     */
    void takeOverAbandonedSessions() {
        cluster.ifPresent(leases -> core.takeOverEvery(leases.lease().dividedBy(2)));
    }

    /**
     * Gets a freshly started server ready for its first batch, in the background: the agent opens a connection to its
     * model server and rehearses its calls without sending them, so that neither the first round of a batch nor, on
     * JDK 25, the AOT cache's training run misses what that loads and compiles; then {@link ServeRehearsal rehearsal
     * batches} on a throwaway vault have the JIT compile a batch's code, until the learner asks for work.
     * Nothing is written into the vault or the journal, and the model is asked nothing.
     */
    void warmUp() {
        // after the agent's own preparation, which the first round's connections need more
        agents.prepare(1).thenRun(() -> {
            if (!stopping) {
                rehearsal = ServeRehearsal.start(
                        agents,
                        settings.core(),
                        settings.vaultOptions(),
                        settings.questionColors(),
                        () -> stopping || learnerCame || core.tasksInFlight() > 0);
            }
        });
    }

    /** The system property that sets how long the model server's check waits, in milliseconds (for tests). */
    static final String MODEL_SERVER_CHECK_MILLIS = "canvasbatch.modelServerCheckMillis";

    /** How long the model server's check waits: {@link ModelServerCheck#TIMEOUT} unless a test says otherwise. */
    static Duration modelServerCheckTimeout() {
        return Duration.ofMillis(
                Math.max(1, Long.getLong(MODEL_SERVER_CHECK_MILLIS, ModelServerCheck.TIMEOUT.toMillis())));
    }

    /**
     * Asks the model server once, in the background, whether the calls to come can work: before {@link #warmUp} (or an
     * analysis), whose first connection it then is. Never delays the caller.
     *
     * @return completes within {@link #modelServerCheckTimeout()} with one sentence for the learner when the calls will
     *     fail (the server is down, refuses the key …); empty when they can work, and at once for the offline agent
     */
    CompletableFuture<Optional<String>> checkModelServer() {
        return modelServer
                .map(check -> check.checkServer(modelServerCheckTimeout()).exceptionally(never -> Optional.empty()))
                .orElseGet(() -> CompletableFuture.completedFuture(Optional.empty()));
    }

    /** The core itself: recovery, the retention sweep, forgetting, stopping. */
    CanvasBatchCore core() {
        return core;
    }

    /**
     * What the server and the command line may ask of the core. An analysis or a single node's run is the learner's
     * first work coming: a rehearsal still running stops for it, so that it takes no CPU from it.
     */
    UseCases useCases() {
        UseCases own = core.useCases();
        return new UseCases(
                command -> {
                    learnerCame = true;
                    return own.analyze().analyze(command);
                },
                own.start(),
                own.cancel(),
                own.pause(),
                own.resume(),
                own.changePriority(),
                own.retryNode(),
                command -> {
                    learnerCame = true;
                    return own.runSingleNode().run(command);
                },
                own.status(),
                own.subscriptions());
    }

    String agentDescription() {
        return agents.model().equals("offline") ? "the offline agent (no language model configured)" : agents.model();
    }

    /** How questions are grouped: by an embedding model's vectors, or by their words and the canvas. */
    String groupingDescription() {
        return embeddings.configured() ? "grouped by " + embeddings.model() + " embeddings" : "grouped by words";
    }

    /**
     * Writes the canvas links the vault still holds. Every succeeded note's link was queued by the vault before the
     * note's success was recorded; but a cancelled batch's last event can come while an interrupted task is still
     * writing the note its model had already answered, and the program exits right after this: those tasks end first
     * (they were interrupted, so this is short; bounded all the same), so no note is left that its canvas does not link.
     */
    void closeVault() {
        try {
            executor.awaitIdle(Duration.ofSeconds(5));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        vault.close();
    }

    /** After {@link #closeVault}: per canvas, the note links it could not write, which the next start writes. */
    List<org.canvasbatch.application.port.out.Vault.LinksLeftWaiting> linksLeftWaiting() {
        return vault.linksLeftWaiting();
    }

    /** The ids of the nodes of a canvas of this vault; none when it cannot be read. */
    Set<String> canvasNodeIds(String canvasPath) {
        try {
            return vault.readCanvas(canvasPath).nodes().stream()
                    .map(node -> node.id())
                    .collect(java.util.stream.Collectors.toUnmodifiableSet());
        } catch (org.canvasbatch.application.port.out.VaultException unreadable) {
            return Set.of();
        }
    }

    /** The nodes of a canvas of this vault, in canvas order; empty when it cannot be read (not: a canvas of none). */
    Optional<List<org.canvasbatch.domain.canvas.CanvasNode>> canvasNodes(String canvasPath) {
        try {
            return Optional.of(vault.readCanvas(canvasPath).nodes());
        } catch (org.canvasbatch.application.port.out.VaultException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * Refuses a canvas of this vault whose notes folder the notes could not be written to (a symbolic link), when the
     * canvas is there: one that is not is for the analysis to say.
     */
    void checkNotesFolder(String canvasPath) {
        if (vault.canvasExists(canvasPath)) {
            vault.checkNotesFolder(canvasPath);
        }
    }

    /**
     * The nodes of a canvas of this vault with a note in its notes folder now (the notes' front matter says whose), and
     * the questions the notes were written for.
     */
    org.canvasbatch.application.port.out.Vault.NotedQuestions nodesWithNotes(String canvasPath) {
        return vault.nodesWithNotes(canvasPath);
    }

    /** A canvas of this vault, its edges included; empty when it cannot be read. */
    Optional<org.canvasbatch.domain.canvas.Canvas> canvas(String canvasPath) {
        try {
            return Optional.of(vault.readCanvas(canvasPath));
        } catch (org.canvasbatch.application.port.out.VaultException unreadable) {
            return Optional.empty();
        }
    }

    /**
     * Deletes the journal of a batch the core has not loaded (one {@code run} passes over: a finished batch replaced by
     * a new one, a batch {@code --again} drops), so that no later run takes it for the canvas's.
     */
    void forgetStored(org.canvasbatch.domain.session.SessionId id) {
        eventLog.delete(id);
    }

    /** Why a batch {@code run} stopped on Ctrl-C is paused: the dashboard and the status say it. */
    static final String STOPPED_IN_THE_TERMINAL =
            "stopped in the terminal (Ctrl-C); the same canvas-batch run command finishes it";

    /**
     * {@code run}'s Ctrl-C with a durable journal: the batch is paused (a server started on the same data folder
     * resumes every running batch it finds, and would run this one to its end unasked), no node starts any more, the
     * running calls are interrupted (their nodes stay running in the journal, so the next run of the same canvas sends
     * them again and no other), and the canvas gets the links of every note written, as after a cancel.
     */
    void stopForResume(SessionId id) {
        try {
            useCases().pause().pause(id, STOPPED_IN_THE_TERMINAL);
        } catch (RuntimeException endedOrPausedAlready) {
            // the batch ended between the signal and the pause, or the learner had paused it: nothing to add
        }
        core.stopDispatching();
        executor.shutdown(Duration.ZERO);
        closeVault();
    }

    /** Stops dispatching, gives running calls {@code grace} to finish, then writes what the vault still holds. */
    void shutdown(Duration grace) {
        stopping = true;
        // a rehearsal told to stop cancels its batch and deletes its folder: not left behind in the temporary folder
        try {
            rehearsal.get(5, java.util.concurrent.TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            // a rehearsal that does not stop in time only leaves a folder for the system to clean up
        }
        core.stopDispatching();
        executor.shutdown(grace);
        vault.close();
        // the other servers of a cluster take this one's sessions at once instead of after the lease time
        cluster.ifPresent(PostgresSessionLeases::close);
        try {
            eventLog.close();
        } catch (Exception e) {
            System.getLogger(Wiring.class.getName())
                    .log(System.Logger.Level.WARNING, "the event journal did not close cleanly: " + e.getMessage());
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }

    /**
     * Picks the event log — in memory, the durable journal in a directory, or a cluster's PostgreSQL database with its
     * session leases — counted and checked.
     */
    static final class Journals {
        private Journals() {}

        /** The log, and the leases when it is a cluster's. */
        record Store(ObservedEventLog log, Optional<PostgresSessionLeases> cluster) {
            SessionLeases leases() {
                return cluster.<SessionLeases>map(leases -> leases).orElseGet(SessionLeases::alone);
            }
        }

        static Store open(
                String data, String givenBy, ClusterOptions cluster, ChannelOpener disk, Observability observability) {
            if (data == null || data.equals("memory")) {
                return new Store(observability.journal(new InMemoryEventLog()), Optional.empty());
            }
            if (PostgresLocation.isDatabase(data)) {
                PostgresLocation location;
                try {
                    location = PostgresLocation.parse(data);
                } catch (IllegalArgumentException e) {
                    throw new UsageException(givenBy + " " + PostgresLocation.masked(data) + ": " + e.getMessage());
                }
                try {
                    PostgresEventLog log = PostgresEventLog.open(location);
                    observability.watch(log);
                    PostgresSessionLeases leases = PostgresSessionLeases.of(log, cluster.lease());
                    return new Store(observability.journal(log), Optional.of(leases));
                } catch (EventLogException e) {
                    throw new UsageException(givenBy + " " + location + ": " + e.getMessage());
                }
            }
            return new Store(observability.journal(fileJournal(data, givenBy, disk)), Optional.empty());
        }

        private static FileJournal fileJournal(String data, String givenBy, ChannelOpener disk) {
            try {
                return FileJournal.open(Path.of(data), disk);
            } catch (EventLogException e) {
                throw refused(data, givenBy, e);
            }
        }

        /** The journal's refusal of the folder {@code givenBy} named, said once when its message names the folder. */
        private static UsageException refused(String data, String givenBy, EventLogException e) {
            String message = e.getMessage();
            return new UsageException(
                    message.contains(data) ? givenBy + ": " + message : givenBy + " " + data + ": " + message);
        }

        /** A batch of the data folder, and the damage of its journal a start would report. */
        record Stored(org.canvasbatch.domain.session.SessionSnapshot session, Optional<String> damage) {}

        /**
         * What a dry run of {@code run} needs of the data folder, running and changing nothing: a folder the real run
         * would refuse is refused alike, and the unfinished batches in it that {@code wanted} accepts once
         * {@code recovered} (as a start recovers them), rebuilt one at a time from the events a start keeps ({@link
         * FileJournal#peek}), are those the real run would resume instead of a new plan. Memory and a folder not made
         * yet give none; a cluster's database is not looked at here.
         */
        static List<Stored> unfinishedIn(
                String data,
                String givenBy,
                java.util.function.Function<
                                org.canvasbatch.domain.session.Session, org.canvasbatch.domain.session.SessionSnapshot>
                        recovered,
                java.util.function.Predicate<org.canvasbatch.domain.session.SessionSnapshot> wanted,
                Runnable damagedBeyondReading) {
            return storedIn(
                    data,
                    givenBy,
                    recovered,
                    session -> session.state().isActive() && wanted.test(session),
                    damagedBeyondReading);
        }

        /**
         * As {@link #unfinishedIn}, for the batches in any state that {@code wanted} accepts as they were stored (before
         * a start's settling): what {@code run} looks at for the last finished batch of a canvas, whose failed questions
         * it asks again.
         */
        static List<Stored> storedIn(
                String data,
                String givenBy,
                java.util.function.Function<
                                org.canvasbatch.domain.session.Session, org.canvasbatch.domain.session.SessionSnapshot>
                        recovered,
                java.util.function.Predicate<org.canvasbatch.domain.session.SessionSnapshot> wanted,
                Runnable damagedBeyondReading) {
            if (data == null || data.equals("memory") || PostgresLocation.isDatabase(data)) {
                return List.of();
            }
            Path folder = Path.of(data);
            if (java.nio.file.Files.isDirectory(folder) && !java.nio.file.Files.isWritable(folder)) {
                // the real run is refused here (a folder an earlier `sudo serve` made): so is its dry run
                throw new UsageException(givenBy + ": cannot write to " + data + ": permission denied");
            }
            List<Stored> found = new java.util.ArrayList<>();
            try {
                FileJournal.peek(Path.of(data), peeked -> {
                    if (peeked.history().isEmpty()) {
                        damagedBeyondReading
                                .run(); // damaged beyond reading: the start sets it aside, whichever canvas it was
                        return;
                    }
                    try {
                        var session = org.canvasbatch.domain.session.Session.fromHistory(peeked.history());
                        // chosen as the start chooses it, before its settling (which may finish it: the real run then
                        // resumes a batch with nothing left to do, and says so)
                        if (wanted.test(session.snapshot())) {
                            found.add(new Stored(recovered.apply(session), peeked.damage()));
                        }
                    } catch (RuntimeException unreadable) {
                        // the real run skips a session its events cannot rebuild, with a warning of its own
                    }
                });
            } catch (EventLogException e) {
                throw refused(data, givenBy, e);
            }
            return found;
        }
    }
}
