package org.canvasbatch.adapters.journal.postgres;

import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.SessionLeases;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.application.port.out.VaultPassages;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.InMemoryVault;
import org.canvasbatch.testsupport.ManualExecutor;
import org.canvasbatch.testsupport.TestClock;

/** A server's core on a cluster's log whose tasks go to an executor that runs nothing by itself: no agent is called. */
final class ManualCore {

    private ManualCore() {}

    static CanvasBatchCore on(EventLog log, SessionLeases leases) {
        TestClock clock = new TestClock();
        AtomicInteger ids = new AtomicInteger();
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        log,
                        new NoAnswer(),
                        new InMemoryVault(),
                        new ManualExecutor(clock),
                        clock,
                        () -> new SessionId("new-" + ids.incrementAndGet()),
                        new SplittableRandom(7),
                        TextEmbedder.none(),
                        VaultPassages.none(),
                        leases),
                CoreSettings.DEFAULT);
    }

    private static final class NoAnswer implements AgentRunner {
        @Override
        public AgentAnswer run(AgentRequest request) {
            throw new AssertionError("no agent call was expected");
        }

        @Override
        public String model() {
            return "none";
        }
    }
}
