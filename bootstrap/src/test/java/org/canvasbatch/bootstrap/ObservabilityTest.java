package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import org.canvasbatch.adapters.http.ops.HealthCheck;
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

        String scrape = observability.registry().scrape();
        assertThat(scrape)
                .contains(
                        "canvasbatch_nodes_retried_total{error_type=\"rate_limited\"} 1\n",
                        "canvasbatch_nodes_failed_total{agent=\"memory-anchor\",error_type=\"http_400\"} 1\n",
                        "canvasbatch_sessions_finished_total{state=\"partial_failure\"} 1\n",
                        "canvasbatch_journal_events_appended_total{type=\"TaskFailed\"} 1\n");
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
        ObservedEventLog log = observability.journal(flaky);
        SessionEvent event = new SessionFinished(ID, 1, AT, SessionState.COMPLETED);

        assertThatThrownBy(() -> log.append(List.of(event))).isInstanceOf(EventLogException.class);
        HealthCheck.Result down = log.health().check();
        refuse[0] = false;
        log.append(List.of(event));

        assertThat(down.up()).isFalse();
        assertThat(down.detail()).contains("no space left on device");
        assertThat(log.health().check().up()).isTrue();
        assertThat(observability.registry().scrape())
                .contains("canvasbatch_journal_append_failures_total 1\n")
                .as("only the stored one counts")
                .contains("canvasbatch_sessions_finished_total{state=\"completed\"} 1\n");
    }

    @Test
    void aFileJournalWhoseFolderIsGoneIsDownAndItsSyncsAreTimed() throws Exception {
        FileJournal journal = FileJournal.open(temp.resolve("data"));
        ObservedEventLog log = observability.journal(journal);
        try {
            log.append(List.of(new SessionFinished(ID, 1, AT, SessionState.COMPLETED)));
            assertThat(log.health().check().up()).isTrue();
            assertThat(observability.registry().scrape()).contains("canvasbatch_journal_fsync_seconds_count 1\n");

            Files.walk(temp.resolve("data/sessions"))
                    .sorted(java.util.Comparator.reverseOrder())
                    .forEach(p -> p.toFile().delete());

            HealthCheck.Result result = log.health().check();
            assertThat(result.up()).isFalse();
            assertThat(result.detail()).contains("cannot write to " + temp.resolve("data/sessions"));
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
        assertThat(observability.registry().scrape())
                .contains(
                        "canvasbatch_agent_call_seconds_count{agent=\"comparison-table\",model=\"scripted\",outcome=\"success\"} 1\n",
                        "canvasbatch_agent_call_seconds_count{agent=\"comparison-table\",model=\"scripted\",outcome=\"failure\"} 1\n");
    }
}
