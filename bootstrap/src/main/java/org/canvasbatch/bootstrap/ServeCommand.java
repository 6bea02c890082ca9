package org.canvasbatch.bootstrap;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.logging.Level;
import org.canvasbatch.adapters.http.CanvasBatchServer;
import org.canvasbatch.adapters.http.ServerSettings;

/**
 * {@code canvas-batch serve}: the HTTP + WebSocket server for the Obsidian plugin. Runs until the process is asked to
 * stop (Ctrl-C, SIGTERM); then stops dispatching, gives running agent calls a grace period, closes sockets with 1001
 * and flushes the vault and the journal, so the next start resumes where this one stopped.
 */
final class ServeCommand {

    private final PrintStream out;
    private final PrintStream err;
    private final Map<String, String> env;

    /**
     * Set by the launcher before the run that trains the startup cache: only the settings and the port are checked, so
     * that a serve refused for them trains nothing.
     */
    private static final System.Logger LOG = System.getLogger(ServeCommand.class.getName());

    static final String SETTINGS_CHECK_ONLY = "canvasbatch.settingsCheckOnly";

    ServeCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int execute(List<String> rawArgs) {
        Arguments args = Arguments.parse(CanvasBatchConfig.Command.SERVE, rawArgs);
        if (!args.positional().isEmpty()) {
            throw new UsageException("serve takes no positional argument, got " + args.positional());
        }
        LogSetup.configure(Level.INFO, Level.WARNING);
        CanvasBatchConfig config = CanvasBatchConfig.load(
                CanvasBatchConfig.Command.SERVE,
                args.settings(),
                Optional.of(args.get(SettingsTable.CONFIG))
                        .filter(f -> !f.isEmpty())
                        .map(Path::of),
                env,
                err);
        Path vault = config.vault();
        Duration grace = config.server().shutdownGrace();
        var settings = new Wiring.Settings(
                        vault,
                        config.data(),
                        config.agent(),
                        config.embeddings(),
                        config.coreSettings(),
                        config.vaultOptions(),
                        config.wsSettings(),
                        env)
                .withCluster(config.cluster())
                .withDataGivenBy(config.dataGivenBy());
        ServerSettings server = config.serverSettings();
        try {
            // before the data folder is read: a second serve on a taken port is most often the first one's twin
            CanvasBatchServer.refuseAnAddressItCannotListenOn(server.host(), server.port());
        } catch (CanvasBatchServer.CannotListenException e) {
            throw cannotListen(server, e);
        }
        if (Boolean.getBoolean(SETTINGS_CHECK_ONLY)) {
            // a data folder that is there is opened and closed too (in use by another process, read-only): a start
            // refused for it would otherwise train the startup cache on a failed start and print the JVM's lines after
            // the error. One not made yet cannot be in use, and the check makes nothing.
            if (Files.isDirectory(Path.of(settings.data()).toAbsolutePath())) {
                Wiring.create(settings).close();
            }
            return 0;
        }
        Wiring wiring = Wiring.create(settings);
        // a batch is this vault's only if its canvas here still holds some of its nodes (Obsidian's ids are random)
        wiring.core().recover(session -> true, session -> {
            java.util.Set<String> here = wiring.canvasNodeIds(session.canvasPath());
            return session.tasks().stream().anyMatch(task -> here.contains(task.nodeId()));
        });
        for (var batch : wiring.useCases().status().sessions()) {
            ModelChange.of(batch, config.agent())
                    .ifPresent(change ->
                            LOG.log(System.Logger.Level.WARNING, "unfinished batch " + batch.id() + ": " + change));
        }
        wiring.core().sweepEvery(Duration.ofMinutes(1));
        wiring.takeOverAbandonedSessions();
        CanvasBatchServer http;
        try {
            http = new CanvasBatchServer(wiring.useCases(), wiring.operations(wiring.serverExtensions(server))).start();
        } catch (CanvasBatchServer.CannotListenException e) {
            wiring.close();
            throw cannotListen(server, e);
        } catch (RuntimeException e) {
            wiring.close();
            throw new UsageException(
                    "could not start the server on " + server.host() + ":" + server.port() + ": " + e.getMessage());
        }
        out.printf(
                "canvas-batch serving vault %s on http://%s:%d (notes by %s, %s)%s%n",
                vault,
                server.host(),
                http.port(),
                wiring.agentDescription(),
                wiring.groupingDescription(),
                server.accessToken().required() ? "; every call needs the access token" : "");
        out.flush();
        // once listening, never before: a model server that does not answer costs the start nothing. Logged from a
        // thread started here: the console leaves out what a rehearsal's threads log, and a thread of the HTTP client
        // or of the common pool may have been started by one (and inherited that)
        var modelServer = wiring.checkModelServer();
        Thread.ofVirtual()
                .name("model-server-check")
                .start(() -> modelServer.join().ifPresent(problem -> LOG.log(System.Logger.Level.WARNING, problem)));
        wiring.warmUp();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            err.println("canvas-batch: shutting down (grace " + grace.toSeconds() + " s) …");
                            wiring.core().stopDispatching();
                            http.stop();
                            wiring.shutdown(grace);
                            stopped.countDown();
                        },
                        "graceful-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static UsageException cannotListen(ServerSettings server, CanvasBatchServer.CannotListenException e) {
        return new UsageException("could not start the server on " + server.host() + ":" + server.port() + ": "
                + e.getMessage()
                + (e.getMessage().contains("in use")
                        ? " (is canvas-batch serve already running there?): stop what holds the port, or start this"
                                + " one with another --port"
                        : ""));
    }
}
