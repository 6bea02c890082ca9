package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.function.Consumer;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * One session's socket that waits to read its session holds up no other session's sockets. The core makes a reader
 * wait (up to seconds) while a cancel of the session is being answered, so that no socket hears of the cancellation
 * before the canceller; the first socket of a session reads it when it opens the session's feed.
 */
class SessionIsolationTest {

    private final CountDownLatch answered = new CountDownLatch(1);
    private final CountDownLatch waiting = new CountDownLatch(1);
    private volatile SessionId held;
    private final TestServer server = TestServer.withUseCases(WsSettings.DEFAULT, this::waitingWhileHeld);

    @AfterEach
    void stop() {
        answered.countDown();
        server.close();
    }

    @Test
    void aSocketWaitingForACancelsAnswerHoldsUpNoSocketOfAnotherSession() throws InterruptedException {
        SessionId cancelling = server.analyze(3);
        SessionId other = server.analyze(3);
        held = cancelling;
        TestSocket first = TestSocket.connect(server.socket(cancelling));
        waiting.await();

        TestSocket unrelated = TestSocket.connect(server.socket(other));
        unrelated.await("snapshot");
        assertThat(first.messages())
                .as("the socket of the session being cancelled still waits")
                .isEmpty();

        answered.countDown();
        first.await("snapshot");
    }

    /** The core as the channel sees it, whose subscription to {@link #held} waits as during a cancel's answer. */
    private UseCases waitingWhileHeld(UseCases core) {
        return new ForwardingSubscriptions(core.subscriptions()) {
            @Override
            public SessionSubscription subscribe(SessionId sessionId, Consumer<SessionEvent> listener) {
                if (sessionId.equals(held)) {
                    waiting.countDown();
                    try {
                        answered.await();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }
                return super.subscribe(sessionId, listener);
            }
        }.in(core);
    }
}
