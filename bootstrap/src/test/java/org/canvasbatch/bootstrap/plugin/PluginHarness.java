package org.canvasbatch.bootstrap.plugin;

import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.http.CanvasBatchServer;
import org.canvasbatch.adapters.http.ServerExtension;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.http.ws.CanvasWriting;
import org.canvasbatch.adapters.http.ws.PluginWindowMemory;
import org.canvasbatch.adapters.http.ws.SessionSocketChannel;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.adapters.vault.FileVault;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;

/**
 * The server as {@code serve} assembles it — a vault on disk (a copy of the fixture vault), the HTTP API with the
 * WebSocket channel on one port, the core with an in-memory journal and the local executor — with a scripted agent in
 * place of a model, so that a test decides when and how each node's call ends. The plugin model talks to it.
 */
final class PluginHarness implements AutoCloseable {

    final Path vault;
    final ScriptedAgent agent = new ScriptedAgent();
    final InMemoryEventLog log;
    final CanvasBatchCore core;
    final CanvasBatchServer server;
    private final FileVault files;
    private final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    private final SessionSocketChannel channel;
    /**
     * The WebSocket channel's time: the real time, moved on by hand when a test needs time to pass for the channel
     * (the plugin's settle margin) without waiting for it.
     */
    final ChannelClock socketClock = new ChannelClock();
    /** Status polls the test holds on the server, before they are answered. */
    final PollGate polls = new PollGate();

    /** Listeners ever registered with the event log: a single-node call waiting for an outcome registers one. */
    private final AtomicInteger subscriptions = new AtomicInteger();

    private boolean closed;

    PluginHarness(Path temp) {
        this(FixtureVault.copyTo(temp.resolve("vault")), 0);
    }

    /** A server of {@code vault} on {@code port} (0: any free one). */
    PluginHarness(Path vault, int port) {
        this(vault, port, VaultOptions.defaults(), UnaryOperator.identity());
    }

    PluginHarness(Path vault, int port, VaultOptions vaultOptions, UnaryOperator<CoreSettings> coreSettings) {
        this(vault, port, vaultOptions, coreSettings, WsSettings.DEFAULT);
    }

    /** A server whose core reaches the vault on disk through {@code disk} (a slow disk, a write to hold). */
    static PluginHarness withDisk(Path temp, UnaryOperator<Vault> disk) {
        return new PluginHarness(
                FixtureVault.copyTo(temp.resolve("vault")),
                0,
                VaultOptions.defaults(),
                UnaryOperator.identity(),
                WsSettings.DEFAULT,
                new InMemoryEventLog(),
                PluginWindowMemory.NONE,
                true,
                disk);
    }

    /**
     * A server that starts where an earlier one stopped: the same journal (kept in memory across the two, as a journal
     * folder keeps it on disk) and the same memory of the plugin's windows.
     */
    PluginHarness(Path vault, int port, InMemoryEventLog journal, PluginWindowMemory windows) {
        this(
                vault,
                port,
                VaultOptions.defaults(),
                UnaryOperator.identity(),
                WsSettings.DEFAULT,
                journal,
                windows,
                true);
    }

    /**
     * A server that starts where an earlier one stopped (or is the first of two), whose core reaches {@code journal}
     * through {@code view}: a journal that refuses some appends (a full disk) while the test says so.
     */
    static PluginHarness withJournalView(
            Path vault,
            int port,
            InMemoryEventLog journal,
            PluginWindowMemory windows,
            UnaryOperator<org.canvasbatch.application.port.out.EventLog> view) {
        return new PluginHarness(
                vault,
                port,
                VaultOptions.defaults(),
                UnaryOperator.identity(),
                WsSettings.DEFAULT,
                journal,
                windows,
                true,
                UnaryOperator.identity(),
                view);
    }

    /** A server whose sockets follow {@code sockets} (a small queue, to have slow consumers cut off). */
    static PluginHarness withSockets(Path temp, WsSettings sockets) {
        return new PluginHarness(
                FixtureVault.copyTo(temp.resolve("vault")),
                0,
                VaultOptions.defaults(),
                UnaryOperator.identity(),
                sockets,
                new InMemoryEventLog(),
                PluginWindowMemory.NONE,
                true);
    }

    /** A server without the WebSocket channel: the plugin's handshakes fail, and it falls back to polling. */
    static PluginHarness withoutSockets(Path temp) {
        return new PluginHarness(
                FixtureVault.copyTo(temp.resolve("vault")),
                0,
                VaultOptions.defaults(),
                UnaryOperator.identity(),
                WsSettings.DEFAULT,
                new InMemoryEventLog(),
                PluginWindowMemory.NONE,
                false);
    }

    private PluginHarness(
            Path vault,
            int port,
            VaultOptions vaultOptions,
            UnaryOperator<CoreSettings> coreSettings,
            WsSettings sockets) {
        this(vault, port, vaultOptions, coreSettings, sockets, new InMemoryEventLog(), PluginWindowMemory.NONE, true);
    }

    private PluginHarness(
            Path vault,
            int port,
            VaultOptions vaultOptions,
            UnaryOperator<CoreSettings> coreSettings,
            WsSettings sockets,
            InMemoryEventLog journal,
            PluginWindowMemory windows,
            boolean withSockets) {
        this(vault, port, vaultOptions, coreSettings, sockets, journal, windows, withSockets, UnaryOperator.identity());
    }

    private PluginHarness(
            Path vault,
            int port,
            VaultOptions vaultOptions,
            UnaryOperator<CoreSettings> coreSettings,
            WsSettings sockets,
            InMemoryEventLog journal,
            PluginWindowMemory windows,
            boolean withSockets,
            UnaryOperator<Vault> disk) {
        this(
                vault,
                port,
                vaultOptions,
                coreSettings,
                sockets,
                journal,
                windows,
                withSockets,
                disk,
                UnaryOperator.identity());
    }

    private PluginHarness(
            Path vault,
            int port,
            VaultOptions vaultOptions,
            UnaryOperator<CoreSettings> coreSettings,
            WsSettings sockets,
            InMemoryEventLog journal,
            PluginWindowMemory windows,
            boolean withSockets,
            UnaryOperator<Vault> disk,
            UnaryOperator<org.canvasbatch.application.port.out.EventLog> journalView) {
        this.vault = vault;
        this.log = journal;
        files = new FileVault(vault, vaultOptions, java.time.Clock.systemDefaultZone());
        var counting = new ForwardingEventLog(journalView.apply(log)) {
            @Override
            public Subscription subscribe(SessionId sessionId, java.util.function.Consumer<SessionEvent> listener) {
                Subscription subscription = super.subscribe(sessionId, listener);
                subscriptions.incrementAndGet();
                return subscription;
            }
        };
        core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        counting,
                        agent,
                        disk.apply(files),
                        executor,
                        Instant::now,
                        () -> new SessionId(UUID.randomUUID().toString()),
                        new SplittableRandom(11)),
                coreSettings.apply(CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5))));
        // as serve wires it: the plugin's windows are told what the vault's write-back settings leave undone
        channel = new SessionSocketChannel(
                core.useCases(),
                sockets,
                socketClock,
                windows,
                new CanvasWriting(vaultOptions.writeBack(), vaultOptions.writeBack() && vaultOptions.labelNodes()));
        ServerSettings settings =
                ServerSettings.onPort(port).withExtension(ServerExtension.routes(routing -> routing.addFilter(polls)));
        server = new CanvasBatchServer(
                        core.useCases(),
                        withSockets ? settings.withExtension(channel.asServerExtension(settings)) : settings)
                .start();
    }

    /** The plugin with its server setting pointing here, its UI language Chinese, its clock 20 times faster. */
    ObsidianPlugin plugin() {
        return ObsidianPlugin.connectedTo(base());
    }

    ObsidianPlugin plugin(UnaryOperator<ObsidianPlugin.Settings> settings) {
        return new ObsidianPlugin(settings.apply(ObsidianPlugin.Settings.of(base())));
    }

    /**
     * Listeners ever registered with the event log. A single-node call (the summary's 🔄 重试) subscribes, under the
     * session's lock, before it queues its run or joins the one under way: once this has grown, that call cannot miss
     * the outcome of the run it joined.
     */
    int subscriptions() {
        return subscriptions.get();
    }

    /** The sockets the server holds open now. */
    int openSockets() {
        return channel.connectionCount();
    }

    String base() {
        return "http://127.0.0.1:" + server.port();
    }

    int port() {
        return server.port();
    }

    /** The notes written beside {@code canvasPath}, as vault-relative paths. */
    List<String> notes(String canvasPath) {
        String name = canvasPath.substring(canvasPath.lastIndexOf('/') + 1).replace(".canvas", "-notes");
        Path folder = vault.resolve(canvasPath).resolveSibling(name);
        if (!Files.isDirectory(folder)) {
            return List.of();
        }
        try (Stream<Path> notes = Files.list(folder)) {
            return notes.map(p -> vault.relativize(p).toString().replace('\\', '/'))
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    String read(String relativePath) {
        try {
            return Files.readString(vault.resolve(relativePath));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The real time plus what the test added. */
    static final class ChannelClock implements Clock {

        private final AtomicReference<Duration> ahead = new AtomicReference<>(Duration.ZERO);
        /** While set, the channel's time stands still there: a test's own slowness on a busy machine cannot pass. */
        private final AtomicReference<Instant> frozen = new AtomicReference<>();

        @Override
        public Instant now() {
            Instant stopped = frozen.get();
            return stopped != null ? stopped : Instant.now().plus(ahead.get());
        }

        /** Stops the channel's time where it is now, until {@link #thaw()}. */
        void freeze() {
            frozen.set(now());
        }

        /** Lets the channel's time follow the real one again (it jumps forward by what passed meanwhile). */
        void thaw() {
            frozen.set(null);
        }

        void advance(Duration step) {
            ahead.updateAndGet(d -> d.plus(step));
        }
    }

    /**
     * Holds the next status poll on the server once {@link #holdNext()} is called: it has arrived (before the status is
     * read) when {@link #awaitHeld()} returns, and is answered, with the session as it is then, after {@link #release()}.
     */
    static final class PollGate implements Filter {

        private final AtomicBoolean armed = new AtomicBoolean();
        private final CountDownLatch held = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        void holdNext() {
            armed.set(true);
        }

        void awaitHeld() throws InterruptedException {
            if (!held.await(30, TimeUnit.SECONDS)) {
                throw new AssertionError("no status poll came within 30 s");
            }
        }

        void release() {
            released.countDown();
        }

        @Override
        public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
            String path = request.prologue().uriPath().path();
            if (request.prologue().method().equals(Method.GET)
                    && path.matches("/canvas/intelligent-parallel/[^/]+")
                    && armed.compareAndSet(true, false)) {
                held.countDown();
                try {
                    released.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            chain.proceed();
        }
    }

    @Override
    public void close() {
        polls.release();
        if (closed) {
            return;
        }
        closed = true;
        server.stop();
        channel.shutdown();
        executor.shutdown(Duration.ofMillis(50));
        files.close();
    }
}
