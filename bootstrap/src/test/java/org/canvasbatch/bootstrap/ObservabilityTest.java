package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.helidon.health.HealthCheckResponse;
import io.helidon.metrics.api.Counter;
import io.helidon.metrics.api.DistributionSummary;
import io.helidon.metrics.api.Tag;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionEvent.SessionFinished;
import org.canvasbatch.domain.session.SessionEvent.TaskFailed;
import org.canvasbatch.domain.session.SessionEvent.TaskRetryScheduled;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The measuring wrappers around the journal and the agents, on their own. */
class ObservabilityTest {

    private static final SessionId ID = new SessionId("observed");
    private static final Instant AT = Instant.parse("2026-11-26T12:00:00.123Z");

    @TempDir
    Path temp;

    private final Observability observability = new Observability();

    @Test
    void storedEventsAreCountedOnceByWhatTheyMean() {
        ObservedEventLog log = observability.journal(new InMemoryEventLog());

        log.append(List.of(
                new TaskRetryScheduled(ID, 1, AT, "n1", 1, 1, "busy", "rate_limited", AT.plusSeconds(1)),
                new TaskFailed(ID, 2, AT, "n2", 1, AgentId.MEMORY_ANCHOR, 3, "refused", "http_400", false, 12),
                new SessionFinished(ID, 3, AT, SessionState.PARTIAL_FAILURE)));
        log.readAfter(ID, 0, 10);

        assertThat(count("canvasbatch_nodes_retried_total", "error_type", "rate_limited"))
                .isEqualTo(1);
        assertThat(count("canvasbatch_nodes_failed_total", "agent", "memory-anchor", "error_type", "http_400"))
                .isEqualTo(1);
        assertThat(count("canvasbatch_sessions_finished_total", "state", "partial_failure"))
                .isEqualTo(1);
        assertThat(count("canvasbatch_journal_events_appended_total", "type", "TaskFailed"))
                .isEqualTo(1);
    }

    @Test
    void aJournalThatRefusesAnAppendIsNotReadyUntilAnAppendSucceedsAgain() {
        boolean[] refuse = {true};
        EventLog flaky = new ForwardingEventLog(new InMemoryEventLog()) {
            @Override
            public void append(List<SessionEvent> events) {
                if (refuse[0]) {
                    throw new EventLogException("no space left on device");
                }
                super.append(events);
            }
        };
        ObservedEventLog log = observability.journal(flaky, new InMemoryEventLog());
        SessionEvent event = new SessionFinished(ID, 1, AT, SessionState.COMPLETED);

        assertThatThrownBy(() -> log.append(List.of(event))).isInstanceOf(EventLogException.class);
        HealthCheckResponse down = log.health().call();
        refuse[0] = false;
        log.append(List.of(event));

        assertThat(down.status()).isEqualTo(HealthCheckResponse.Status.DOWN);
        assertThat(down.details().get("detail").toString()).contains("no space left on device");
        assertThat(log.health().call().status()).isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(count("canvasbatch_journal_append_failures_total")).isEqualTo(1);
        assertThat(count("canvasbatch_sessions_finished_total", "state", "completed"))
                .as("only the stored one counts")
                .isEqualTo(1);
    }

    @Test
    void anAppendThatLostARaceToAnotherServerLeavesTheServerReady() {
        EventLog racedBy = new ForwardingEventLog(new InMemoryEventLog()) {
            @Override
            public void append(List<SessionEvent> events) {
                throw new org.canvasbatch.application.port.out.EventLogConflict("another server stored event 1 first");
            }
        };
        ObservedEventLog log = observability.journal(racedBy, new InMemoryEventLog());

        assertThatThrownBy(() -> log.append(List.of(new SessionFinished(ID, 1, AT, SessionState.COMPLETED))))
                .isInstanceOf(org.canvasbatch.application.port.out.EventLogConflict.class);

        assertThat(log.health().call().status())
                .as("the database took the other server's event: it works, however long until this one appends")
                .isEqualTo(HealthCheckResponse.Status.UP);
        assertThat(count("canvasbatch_journal_append_failures_total")).isZero();
    }

    @Test
    void aFileJournalWhoseFolderIsGoneIsDownAndItsSyncsAreTimed() throws Exception {
        FileJournal journal = FileJournal.open(temp.resolve("data"));
        ObservedEventLog log = observability.journal(journal);
        try {
            log.append(List.of(new SessionFinished(ID, 1, AT, SessionState.COMPLETED)));
            assertThat(log.health().call().status()).isEqualTo(HealthCheckResponse.Status.UP);
            assertThat(observations("canvasbatch_journal_fsync_seconds")).isEqualTo(1);

            Files.walk(temp.resolve("data/sessions"))
                    .sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());

            HealthCheckResponse result = log.health().call();
            assertThat(result.status()).isEqualTo(HealthCheckResponse.Status.DOWN);
            assertThat(result.details().get("detail").toString())
                    .contains("cannot write to " + temp.resolve("data/sessions"));
        } finally {
            log.close();
        }
    }

    @Test
    void agentCallsAreTimedWithTheirOutcome() throws Exception {
        ScriptedAgent scripted = new ScriptedAgent().then("bad", ScriptedAgent.permanent("refused"));
        AgentRunner timed = observability.agents(scripted);

        timed.run(new AgentRequest(AgentId.COMPARISON_TABLE, "good", "A和B的区别", null, null));
        assertThatThrownBy(() -> timed.run(new AgentRequest(AgentId.COMPARISON_TABLE, "bad", "x", null, null)))
                .isInstanceOf(AgentFailure.class);

        assertThat(timed.model()).isEqualTo("scripted");
        assertThat(observations(
                        "canvasbatch_agent_call_seconds",
                        "agent",
                        "comparison-table",
                        "model",
                        "scripted",
                        "outcome",
                        "success"))
                .isEqualTo(1);
        assertThat(observations(
                        "canvasbatch_agent_call_seconds",
                        "agent",
                        "comparison-table",
                        "model",
                        "scripted",
                        "outcome",
                        "failure"))
                .isEqualTo(1);
    }

    @Test
    void aNewWiringInTheSameProcessStartsItsCountsFromZero() {
        observability
                .journal(new InMemoryEventLog())
                .append(List.of(new SessionFinished(ID, 1, AT, SessionState.COMPLETED)));

        Observability next = new Observability();

        assertThat(next.registry().counter("canvasbatch_sessions_finished_total", tags("state", "completed")))
                .isEmpty();
    }

    private long count(String name, String... tags) {
        return observability
                .registry()
                .counter(name, tags(tags))
                .map(Counter::count)
                .orElse(0L);
    }

    private long observations(String name, String... tags) {
        return observability
                .registry()
                .summary(name, tags(tags))
                .map(DistributionSummary::count)
                .orElse(0L);
    }

    private static List<Tag> tags(String... pairs) {
        List<Tag> tags = new java.util.ArrayList<>();
        for (int i = 0; i < pairs.length; i += 2) {
            tags.add(Tag.create(pairs[i], pairs[i + 1]));
        }
        return tags;
    }
}
