package org.canvasbatch.application.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.canvasbatch.application.batch.CoreOnAManualExecutor.permanentFailure;

import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.junit.jupiter.api.Test;

/**
 * In a cluster, a server that cannot be sure of a lease right now (its renewal is late, or it was frozen) starts
 * nothing of the session; but the session is still its own, and a person's request must not make it take the session
 * over from itself, which would queue its nodes in flight again and send them to the model a second time.
 */
class LateRenewalTest {

    private final CoreOnAManualExecutor core = new CoreOnAManualExecutor(CoreSettings.DEFAULT, true);

    @Test
    void aRetryWhileTheLeaseRenewalIsLateDoesNotQueueTheNodesInFlightAgain() {
        core.then("a", permanentFailure("refused"));
        SessionId id = core.analyze(2, "a", "b", "c");
        core.start(id);
        core.executor.runNext(); // a fails; c takes its slot beside b: b and c are in flight

        core.leasesTrusted = false;
        core.useCases.retryNode().retry(id, "a");

        assertThat(core.trace(id))
                .as("a is queued again; b and c stay in flight, not interrupted")
                .endsWith("TaskStarted(b#1)", "TaskStarted(c#1)", "TaskFailed(a:http_400)", "TaskRequeued(a)");
        core.leasesTrusted = true; // renewed
        core.executor.runAll();
        assertThat(core.calls).containsExactly("a", "b", "c", "a");
        assertThat(core.useCases.status().status(id).state()).isEqualTo(SessionState.COMPLETED);
    }
}
