package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.canvasbatch.application.port.in.SessionStatusQuery;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A socket opens onto a finished session just as the single-agent route runs one of its nodes again, and the node fails
 * again: the session stays finished and sends no second end. The socket, which read the status before the rerun, must
 * still end with a summary, and one that counts what it showed — it was left open until the idle close (a reviewer's
 * reading of a first fix), or ended with a summary older than the events before it.
 */
class RerunWhileASocketSyncsTest {

    /** The session whose socket, once it has joined the live events, has its next look at the status raced. */
    private final AtomicReference<SessionId> rerunAfterJoin = new AtomicReference<>();

    /** Armed when that socket joins: its next look at the status is read before a rerun. */
    private final AtomicReference<SessionId> rerunOnNextLook = new AtomicReference<>();

    private final TestServer server = TestServer.withUseCases(WsSettings.DEFAULT, this::rerunningBeforeTheLook);

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void theSocketShowsTheRerunAndEndsWithTheSummaryThatCountsIt() {
        SessionId id = server.analyze(2);
        server.agent.then("n1", ScriptedAgent.permanent("The model refused"));
        server.runToEnd(id);
        server.agent.then("n1", ScriptedAgent.permanent("The model refused again"));
        rerunAfterJoin.set(id);

        TestSocket socket = TestSocket.connect(server.socket(id));

        assertThat(socket.awaitClose()).isEqualTo(1000);
        List<JsonObject> got = socket.messages();
        JsonObject end = got.getLast();
        assertThat(end.getString("type")).isEqualTo("session_completed");
        assertThat(got.stream().map(m -> m.getString("type")))
                .as("the rerun's outcome comes before the summary")
                .containsSubsequence("task_requeued", "task_failed", "session_completed");
        assertThat(end.getJsonObject("data").getString("state")).isEqualTo("partial_failure");
        assertThat(end.getJsonNumber("seq").longValue())
                .as("the summary is as new as the last event shown")
                .isEqualTo(server.core.useCases().status().status(id).lastSeq());
    }

    /**
     * The core as the channel sees it: once the watched socket has joined the live events, its next look at the status
     * is read, then the rerun runs to its end, then the look is answered — the status a socket read just before.
     */
    private UseCases rerunningBeforeTheLook(UseCases core) {
        SessionStatusQuery status = core.status();
        SessionStatusQuery looked = new SessionStatusQuery() {
            @Override
            public SessionSnapshot status(SessionId sessionId) {
                SessionSnapshot before = status.status(sessionId);
                if (sessionId.equals(rerunOnNextLook.getAndSet(null))) {
                    EventRecorder rerun = new EventRecorder();
                    core.subscriptions().subscribe(sessionId, rerun::accept);
                    core.retryNode().retry(sessionId, "n1");
                    rerun.await(SessionEvent.TaskFailed.class);
                }
                return before;
            }

            @Override
            public Optional<String> historyDamage(SessionId sessionId) {
                return status.historyDamage(sessionId);
            }

            @Override
            public Optional<StorageProblem> storageProblem(SessionId sessionId) {
                return status.storageProblem(sessionId);
            }

            @Override
            public List<SessionSnapshot> sessions() {
                return status.sessions();
            }
        };
        var joining = new ForwardingSubscriptions(core.subscriptions()) {
            @Override
            public SessionSubscription subscribe(
                    SessionId sessionId, java.util.function.Consumer<SessionEvent> listener) {
                SessionSubscription joined = super.subscribe(sessionId, listener);
                if (sessionId.equals(rerunAfterJoin.getAndSet(null))) {
                    rerunOnNextLook.set(sessionId);
                }
                return joined;
            }
        };
        return new UseCases(
                core.analyze(),
                core.start(),
                core.cancel(),
                core.pause(),
                core.resume(),
                core.changePriority(),
                core.retryNode(),
                core.runSingleNode(),
                looked,
                joining);
    }
}
