package org.canvasbatch.adapters.http.ws;

import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.websocket.WsRouting;
import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ScriptedAgent;

/**
 * A real Helidon server on a random port with the socket routes and the events endpoint, over a real core (in-memory
 * journal, virtual-thread executor, scripted agent, in-memory vault, the system clock).
 */
final class TestServer implements AutoCloseable {

    static final String CANVAS = "study/离散数学.canvas";
    private static final String[] TOPICS = {
        "What is a proposition in logic number %d?",
        "A和B的区别 compare sets and relations %d",
        "Give an example of a graph traversal %d"
    };

    final InMemoryEventLog log = new InMemoryEventLog();
    final LocalTaskExecutor executor = new LocalTaskExecutor(64);
    final ScriptedAgent agent = new ScriptedAgent();
    final InMemoryVault vault = new InMemoryVault();
    final CanvasBatchCore core;
    final SessionSocketChannel channel;
    final WebServer server;
    private final AtomicInteger sessions = new AtomicInteger();
    /** How far the socket channel's clock is ahead of the system clock ({@link #moveChannelClockAhead}). */
    private final java.util.concurrent.atomic.AtomicReference<Duration> channelClockAhead =
            new java.util.concurrent.atomic.AtomicReference<>(Duration.ZERO);

    private boolean closed;

    TestServer(WsSettings settings) {
        this(settings, options -> {});
    }

    /** @param socketOptions tuning of the accepted sockets, e.g. a small send buffer to make a slow reader felt sooner */
    TestServer(WsSettings settings, Consumer<SocketOptions.Builder> socketOptions) {
        this(settings, socketOptions, UnaryOperator.identity());
    }

    /** @param journal wraps the in-memory log the core uses, e.g. to count what is read from it */
    TestServer(WsSettings settings, Consumer<SocketOptions.Builder> socketOptions, UnaryOperator<EventLog> journal) {
        this(settings, socketOptions, journal, UnaryOperator.identity());
    }

    /** @param useCases wraps what the channel is given of the core, e.g. to make a subscription wait */
    static TestServer withUseCases(WsSettings settings, UnaryOperator<UseCases> useCases) {
        return new TestServer(settings, options -> {}, UnaryOperator.identity(), useCases);
    }

    private TestServer(
            WsSettings settings,
            Consumer<SocketOptions.Builder> socketOptions,
            UnaryOperator<EventLog> journal,
            UnaryOperator<UseCases> useCases) {
        core = new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        journal.apply(log),
                        agent,
                        vault,
                        executor,
                        Instant::now,
                        () -> new SessionId("s" + sessions.incrementAndGet()),
                        new SplittableRandom(7)),
                CoreSettings.DEFAULT.withRetryBackoff(Duration.ofMillis(1), Duration.ofMillis(5)));
        channel = new SessionSocketChannel(
                useCases.apply(core.useCases()), settings, () -> Instant.now().plus(channelClockAhead.get()));
        HttpRouting.Builder http = HttpRouting.builder();
        channel.registerHttp(http);
        server = SessionSocketChannel.configureProtocol(
                        WebServer.builder().host("127.0.0.1").port(0).connectionOptions(socketOptions))
                .routing(http)
                .addRouting(channel.register(WsRouting.builder()))
                .build()
                .start();
    }

    /**
     * Moves the socket channel's clock {@code step} ahead of the system clock: whatever the server wrote before is then
     * that much older, however late a busy machine's thread noted it.
     */
    void moveChannelClockAhead(Duration step) {
        channelClockAhead.accumulateAndGet(step, Duration::plus);
    }

    /** A pending session of {@code count} nodes named {@code n1…}, grouped by topic into at most 3 groups. */
    SessionId analyze(int count) {
        List<CanvasNode> nodes = new ArrayList<>();
        for (int i = 1; i <= count; i++) {
            nodes.add(CanvasNode.text("n" + i, TOPICS[i % TOPICS.length].formatted(i), "1", 0, i * 80, 250, 60));
        }
        // the learner's canvas holds these nodes: analyze takes only canvases that are in the vault
        vault.withCanvas(new org.canvasbatch.domain.canvas.Canvas(CANVAS, nodes, List.of()));
        var command = new AnalyzeCanvasCommand(
                CANVAS,
                Optional.of(nodes),
                Set.of(),
                3,
                1,
                AgentChoice.AUTO,
                false,
                Optional.empty(),
                Optional.empty());
        return core.useCases().analyze().analyze(command).session().id();
    }

    void start(SessionId id) {
        core.useCases().start().start(StartSessionCommand.of(id));
    }

    /** Starts the session and returns once it has finished. */
    void runToEnd(SessionId id) {
        EventRecorder recorder = record(id);
        start(id);
        recorder.await(SessionFinished.class);
    }

    EventRecorder record(SessionId id) {
        EventRecorder recorder = new EventRecorder();
        core.useCases().subscriptions().subscribe(id, recorder::accept);
        return recorder;
    }

    URI socket(String path) {
        return URI.create("ws://127.0.0.1:" + server.port() + path);
    }

    URI socket(SessionId id) {
        return socket("/ws/intelligent-parallel/" + id.value());
    }

    URI socket(SessionId id, String query) {
        return socket("/ws/intelligent-parallel/" + id.value() + query);
    }

    URI http(String path) {
        return URI.create("http://127.0.0.1:" + server.port() + path);
    }

    int port() {
        return server.port();
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        server.stop();
        channel.shutdown();
        executor.shutdown(Duration.ofMillis(20));
    }
}
