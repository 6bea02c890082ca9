package org.canvasbatch.bootstrap;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.UUID;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.Agents;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.http.dashboard.DashboardExtension;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.adapters.vault.FileVault;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;

/** Builds the core and its adapters with {@code new}, and takes them down in the right order. */
final class Wiring implements AutoCloseable {

    /**
     * @param data       {@code memory} or a directory for the durable event journal
     * @param concurrency agent calls at once across all sessions (and the per-session default)
     */
    record Settings(Path vault, String data, AgentConfig agent, int concurrency, boolean writeBack,
                    Duration nodeTimeout) {
    }

    private final CanvasBatchCore core;
    private final FileVault vault;
    private final LocalTaskExecutor executor;
    private final EventLog eventLog;
    private final AgentRunner agents;

    private Wiring(CanvasBatchCore core, FileVault vault, LocalTaskExecutor executor, EventLog eventLog,
                   AgentRunner agents) {
        this.core = core;
        this.vault = vault;
        this.executor = executor;
        this.eventLog = eventLog;
        this.agents = agents;
    }

    static Wiring create(Settings settings) {
        AgentRunner agents;
        try {
            agents = Agents.fromConfig(settings.agent(), System.getenv());
        } catch (IllegalArgumentException e) {
            throw new UsageException(e.getMessage());
        }
        FileVault vault = new FileVault(settings.vault(), VaultOptions.defaults().withWriteBack(settings.writeBack()),
                java.time.Clock.systemUTC());
        EventLog eventLog = Journals.open(settings.data());
        // the permit pool only guards; the core's dispatcher keeps to the limits, single-node retries come on top
        LocalTaskExecutor executor = new LocalTaskExecutor(settings.concurrency() + 16);
        SessionSettings sessionDefaults = new SessionSettings(settings.concurrency(), Duration.ofSeconds(600),
                settings.nodeTimeout(), 3);
        CoreSettings coreSettings = CoreSettings.DEFAULT.withGlobalConcurrency(settings.concurrency())
                .withSessionDefaults(sessionDefaults);
        CanvasBatchCore core = new CanvasBatchCore(new CanvasBatchCore.Ports(eventLog, agents, vault, executor,
                Instant::now, () -> new SessionId(UUID.randomUUID().toString()), new SplittableRandom()), coreSettings);
        return new Wiring(core, vault, executor, eventLog, agents);
    }

    static String defaultDataDir(Map<String, String> env) {
        String home = env.getOrDefault("HOME", System.getProperty("user.home"));
        return Path.of(home, ".canvas-batch", "data").toString();
    }

    /** The server's settings with what this wiring attaches to it: the ADR-007 WebSocket channel and the dashboard. */
    ServerSettings serverExtensions(ServerSettings server) {
        SessionSocketChannel sockets = new SessionSocketChannel(core, WsSettings.DEFAULT);
        return server.withExtension(sockets.asServerExtension(server)).withExtension(new DashboardExtension());
    }

    CanvasBatchCore core() {
        return core;
    }

    String agentDescription() {
        return agents.model().equals("offline") ? "the offline agent (no language model configured)" : agents.model();
    }

    /**
     * Lets the task threads finish what follows a batch's last event (linking notes into the canvas), then writes what
     * the vault still holds.
     */
    void finishVaultWork() {
        try {
            executor.awaitIdle(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        vault.close();
    }

    /** Stops dispatching, gives running calls {@code grace} to finish, then writes what the vault still holds. */
    void shutdown(Duration grace) {
        core.stopDispatching();
        executor.shutdown(grace);
        vault.close();
        if (eventLog instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                System.getLogger(Wiring.class.getName()).log(System.Logger.Level.WARNING,
                        "the event journal did not close cleanly: " + e.getMessage());
            }
        }
    }

    @Override
    public void close() {
        shutdown(Duration.ofSeconds(5));
    }

    /** Picks the event log: in memory, or the durable journal in a directory. */
    static final class Journals {
        private Journals() {
        }

        static EventLog open(String data) {
            if (data == null || data.equals("memory")) {
                return new InMemoryEventLog();
            }
            try {
                return FileJournal.open(Path.of(data));
            } catch (EventLogException e) {
                throw new UsageException("--data " + data + ": " + e.getMessage());
            }
        }
    }
}
