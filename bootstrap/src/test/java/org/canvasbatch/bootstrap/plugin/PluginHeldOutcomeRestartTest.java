package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.application.port.out.EventLog;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.bootstrap.PluginWindowsFile;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A node whose last attempt succeeded and whose note is in the vault, but whose outcome the journal could not record
 * (its disk full) before the server stopped: the next process must not tell the learner that the node failed.
 */
class PluginHeldOutcomeRestartTest {

    private static final String CANVAS = "Held/one question.canvas";

    @TempDir
    Path temp;

    private PluginHarness first;
    private PluginHarness second;
    private ObsidianPlugin plugin;

    @AfterEach
    void stop() {
        if (plugin != null) {
            plugin.close();
        }
        for (PluginHarness server : new PluginHarness[] {first, second}) {
            if (server != null) {
                server.close();
            }
        }
    }

    @Test
    void aNoteWrittenOnTheLastAttemptWhoseOutcomeTheFullJournalHeldIsNotShownAsFailedAfterARestart()
            throws IOException, InterruptedException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 1);
        Path data = Files.createDirectories(temp.resolve("data"));
        InMemoryEventLog journal = new InMemoryEventLog();
        // the journal's disk fills up just as the node's note is written: its success cannot be recorded
        FullFromTheFirstSuccess full = new FullFromTheFirstSuccess();
        first = PluginHarness.withJournalView(vault, 0, journal, new PluginWindowsFile(data), full::over);
        plugin = first.plugin(settings -> settings.withTimeScale(1));
        GroupPreviewModal preview = plugin.runIntelligentParallel(vault, CANVAS);
        String node = preview.groups().getFirst().nodes().getFirst().id();
        // the model is busy twice; the third attempt, the last of the run, answers
        first.agent
                .then(node, ScriptedAgent.transientFailure("model overloaded", Duration.ZERO))
                .then(node, ScriptedAgent.transientFailure("model overloaded", Duration.ZERO));
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        assertThat(full.refused.await(30, TimeUnit.SECONDS))
                .as("the success was offered to the journal")
                .isTrue();
        assertThat(first.agent.callsOf(node)).isEqualTo(3);
        List<String> notes = first.notes(CANVAS);
        assertThat(notes).as("the note of the last attempt is in the vault").hasSize(1);

        // the learner stops the server while the journal is full, and starts it again once there is room
        int port = first.port();
        first.close();
        second = new PluginHarness(vault, port, journal, new PluginWindowsFile(data));
        second.core.recover();

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(second.notes(CANVAS)).as("the note is still in the vault").isEqualTo(notes);
        assertThat(summary.failedNodes())
                .as("a node whose note is in the vault, listed as failed")
                .isEmpty();
        assertThat(summary.succeeded()).isEqualTo(1);
        assertThat(plugin.noticeTexts()).noneMatch(t -> t.contains("1个失败"));
    }

    /**
     * The note of the held outcome could not be linked (the learner renamed the canvas while the model answered): the
     * success recorded from it after the restart must say so, as the held outcome did, not claim a link that is not in
     * any canvas.
     */
    @Test
    void aRecoveredNoteThatWasNeverLinkedIsNotRecordedAsLinked() throws IOException, InterruptedException {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 1);
        Path data = Files.createDirectories(temp.resolve("data"));
        InMemoryEventLog journal = new InMemoryEventLog();
        FullFromTheFirstSuccess full = new FullFromTheFirstSuccess();
        first = PluginHarness.withJournalView(vault, 0, journal, new PluginWindowsFile(data), full::over);
        plugin = first.plugin(settings -> settings.withTimeScale(1));
        GroupPreviewModal preview = plugin.runIntelligentParallel(vault, CANVAS);
        String node = preview.groups().getFirst().nodes().getFirst().id();
        CountDownLatch answer = new CountDownLatch(1);
        CountDownLatch called = first.agent.calledTimes(node, 1);
        first.agent.then(node, new ScriptedAgent.AnswerAfter(answer, "## An answer\n"));
        preview.confirm().orElseThrow();
        assertThat(called.await(30, TimeUnit.SECONDS)).isTrue();
        // the learner renames the canvas while the model answers: the note is written, but linked into no canvas
        Files.move(vault.resolve(CANVAS), vault.resolve("Held/renamed.canvas"));
        answer.countDown();
        assertThat(full.refused.await(30, TimeUnit.SECONDS)).isTrue();
        // the held outcome (offered again at each check of the journal) says the note is not linked
        assertThat(full.heldLinkProblems)
                .isNotEmpty()
                .allSatisfy(p -> assertThat(p).contains("no longer in the vault"));

        int port = first.port();
        first.close();
        second = new PluginHarness(vault, port, journal, new PluginWindowsFile(data));
        second.core.recover();

        var id = journal.sessionIds().iterator().next();
        List<SessionEvent.TaskSucceeded> recorded = journal.readAfter(id, 0, 10_000).stream()
                .filter(e -> e instanceof SessionEvent.TaskSucceeded)
                .map(e -> (SessionEvent.TaskSucceeded) e)
                .toList();
        assertThat(recorded)
                .singleElement()
                .satisfies(succeeded -> assertThat(succeeded.linkProblem())
                        .as(
                                "the note is in no canvas: the success recorded after the restart must not say it is linked")
                        .isNotNull()
                        .contains("no longer in the vault"));
    }

    /** A journal whose disk fills up at the first success offered to it: that success and every append after it fail. */
    private static final class FullFromTheFirstSuccess {
        final CountDownLatch refused = new CountDownLatch(1);
        /** The {@code link_problem} of each success refused, as its held outcome is offered again. */
        final List<String> heldLinkProblems = new java.util.concurrent.CopyOnWriteArrayList<>();

        EventLog over(EventLog log) {
            return new ForwardingEventLog(log) {
                @Override
                public void append(List<SessionEvent> events) {
                    for (SessionEvent event : events) {
                        if (event instanceof SessionEvent.TaskSucceeded succeeded) {
                            heldLinkProblems.add(String.valueOf(succeeded.linkProblem()));
                            refused.countDown();
                            throw full();
                        }
                    }
                    super.append(events);
                }

                @Override
                public void probeWritable() {
                    if (refused.getCount() == 0) {
                        throw full();
                    }
                    super.probeWritable();
                }
            };
        }

        private static EventLogException full() {
            return new EventLogException("Cannot save progress", "no space left on device", "data/sessions", null);
        }
    }
}
