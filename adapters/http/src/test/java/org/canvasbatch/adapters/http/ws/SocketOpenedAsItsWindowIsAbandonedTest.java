package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A socket of a plugin window opens (a second reconnect of a failed handshake) just as the learner minimizes, and the
 * minimize closes the socket speaking for the window before the outcome just written to it surely arrived: the window is
 * abandoned ({@link SharedWindow}), and its other sockets are closed 4409 so that it reconnects and is sent that outcome
 * again. The new socket was attached to the window when it was made, but listed among the open sockets only after the
 * server looked there for the window's other sockets: it was not closed, and its window refused it everything, so it
 * stayed open and silent — the learner's progress froze until the idle timeout (10 minutes), while the window's next
 * socket would have been served at once.
 */
class SocketOpenedAsItsWindowIsAbandonedTest {

    private static final int NODES = 4;

    /** The speaking socket's feed stopped: its leaving, and the look for its window's other sockets, are done. */
    private final CountDownLatch feedStopped = new CountDownLatch(1);

    private final CountDownLatch heldBeforeListing = new CountDownLatch(1);
    private final CountDownLatch listHeld = new CountDownLatch(1);
    private TestServer server;

    @AfterEach
    void stop() {
        listHeld.countDown();
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aSocketMadeBeforeTheSpeakerLeftButListedAfterIsClosedToResumeRatherThanLeftSilent() throws Exception {
        // every write counts as within the margin of the close: the speaker's close abandons its window
        server = TestServer.withUseCases(
                WsSettings.DEFAULT.withPluginSettleMargin(Duration.ofMinutes(10)), this::tellingWhenAFeedStops);
        SessionId id = server.analyze(NODES);
        Semaphore permits = new Semaphore(0);
        for (int i = 1; i <= NODES; i++) {
            server.agent.always("n" + i, new ScriptedAgent.WaitForPermit(permits));
        }
        server.start(id);
        TestSocket speaking = TestSocket.connectAsPlugin(server.socket(id));
        speaking.await(TestSocket::isPrimaryEvent);
        permits.release(1);
        String dropped = TestSocket.nodeOf(speaking.await(TestSocket::isOutcome));

        // the window's second socket is made (attached to the window) and held before it is listed
        AtomicBoolean holdOne = new AtomicBoolean(true);
        server.channel.beforeListing(() -> {
            if (holdOne.compareAndSet(true, false)) {
                heldBeforeListing.countDown();
                try {
                    // bounded: a failing test must not hold a server thread for ever
                    listHeld.await(TestSocket.PATIENCE.toSeconds(), TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
        });
        // off this thread: whether the handshake completes before the server's open step returns is Helidon's affair
        CompletableFuture<TestSocket> opening =
                CompletableFuture.supplyAsync(() -> TestSocket.connectAsPlugin(server.socket(id)));
        assertThat(heldBeforeListing.await(TestSocket.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the window's second socket is made")
                .isTrue();

        // 📤 最小化: the plugin closes the speaking socket, and the browser drops the outcome that just reached it
        speaking.closeFromClient();
        // the feed stops after the server looked for the window's other sockets to close: that look is over
        assertThat(feedStopped.await(TestSocket.PATIENCE.toSeconds(), TimeUnit.SECONDS))
                .as("the server is done with the speaking socket")
                .isTrue();
        listHeld.countDown();
        TestSocket held = opening.get(TestSocket.PATIENCE.toSeconds(), TimeUnit.SECONDS);

        // the window's next socket gets a window of its own, and is served: the dropped outcome again, and the end
        TestSocket next = TestSocket.connectAsPlugin(server.socket(id));
        permits.release(NODES);
        next.await("session_completed");
        assertThat(next.outcomeNodes()).contains(dropped).containsAll(allNodes());

        assertThat(held.outcomeNodes())
                .as("the held socket's window refuses it everything")
                .isEmpty();
        assertThat(held.awaitClose())
                .as("closed to resume like the window's other sockets, not left open and silent until the idle timeout")
                .isEqualTo(Connection.WINDOW_RESUMES);
    }

    /** The core as the channel sees it, counting down {@link #feedStopped} when a session feed's subscription closes. */
    private UseCases tellingWhenAFeedStops(UseCases core) {
        return new ForwardingSubscriptions(core.subscriptions()) {
            @Override
            public SessionSubscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
                SessionSubscription subscription = super.subscribe(sessionId, listener);
                return new SessionSubscription(subscription.snapshot(), subscription.epoch(), () -> {
                    subscription.close();
                    feedStopped.countDown();
                });
            }
        }.in(core);
    }

    private static List<String> allNodes() {
        return IntStream.rangeClosed(1, NODES).mapToObj(i -> "n" + i).toList();
    }
}
