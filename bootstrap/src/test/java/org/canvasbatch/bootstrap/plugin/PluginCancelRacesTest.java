package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The learner's ❌ 取消 around the plugin's other moving parts: a reconnect already scheduled when the button is
 * clicked, the polling fallback, a second window. Whatever the plugin does, a batch the learner cancelled never reads
 * as a success in the window that cancelled it.
 */
class PluginCancelRacesTest {

    /** What the summary's failed list says of a node the cancel left unprocessed, to a plugin on a Chinese system. */
    private static final String NOT_PROCESSED_IN_CHINESE = "未处理：这个节点完成之前，批处理已被取消";

    private static final String CANVAS = "Cancel/four questions.canvas";

    @TempDir
    Path temp;

    private PluginHarness server;
    private ObsidianPlugin plugin;

    @AfterEach
    void stop() {
        if (plugin != null) {
            plugin.close();
        }
        if (server != null) {
            server.close();
        }
    }

    @Test
    void aReconnectDueWhenTheCancelIsAnsweredDoesNotShowTheCancelledBatchAsASuccess() throws IOException {
        server = new PluginHarness(temp);
        PluginCancelTest.writeCanvas(server.vault.resolve(CANVAS), 4);
        // the plugin's real pace: its reconnect comes a second after the drop, long after the cancel's answer
        plugin = server.plugin(settings -> settings.withTimeScale(1));
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        Semaphore permits = gateEveryNode(preview);

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(1);
        progress.awaitTaskMessages(1);
        int noticesBefore = plugin.notices().size();
        // the laptop's Wi-Fi blinks; the learner, seeing nothing move, clicks ❌ 取消 before the reconnect
        progress.dropConnection();
        progress.cancel();
        progress.awaitCancelAnswered();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20))).isTrue();

        assertThat(server.core
                        .useCases()
                        .status()
                        .status(new SessionId(progress.sessionId()))
                        .state())
                .isEqualTo(SessionState.CANCELLED);
        List<String> shown =
                plugin.noticeTexts().subList(noticesBefore, plugin.notices().size());
        assertThat(shown).contains("处理已取消", "Batch processing was cancelled.");
        assertThat(shown).noneMatch(text -> text.startsWith("✅"));
        assertThat(progress.summaries()).as("result summaries opened").isEmpty();
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void aBatchCancelledFromTheTerminalEndsThePluginWindowWithTheUnprocessedNodesAsFailed() throws IOException {
        server = new PluginHarness(temp);
        PluginCancelTest.writeCanvas(server.vault.resolve(CANVAS), 4);
        plugin = server.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        Semaphore permits = gateEveryNode(preview);

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(1);
        progress.awaitTaskMessages(1);
        // Ctrl+C in the terminal that runs the batch, or the dashboard's cancel: not the plugin's window
        server.core.useCases().cancel().cancel(new SessionId(progress.sessionId()), "interrupted from the terminal");

        // its socket is closed without session_completed; it reconnects a second later and gets it then
        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20)))
                .as("the window ended instead of reconnecting for ever")
                .isTrue();
        assertThat(progress.socketsCreated()).isEqualTo(2);
        // three questions never got a note: neither "全部处理完成" nor a green summary may say otherwise
        assertThat(plugin.noticeTexts()).anyMatch(text -> text.startsWith("✅ 处理完成: 1个成功, 3个失败"));
        assertThat(summary.title()).isEqualTo("⚡ 智能并行处理 - 处理完成（部分失败）");
        assertThat(summary.succeeded()).isEqualTo(1);
        assertThat(summary.failedNodes())
                .hasSize(3)
                .allMatch(node -> node.error().equals(NOT_PROCESSED_IN_CHINESE));
        assertThat(progress.cards())
                .extracting(ProgressMonitorModal.Card::badge)
                .contains("❌ 失败");

        // 🔄 重试 on one of them runs it: the note is written and the row goes
        String unprocessed = summary.failedNodes().getFirst().nodeId();
        permits.release(1);
        assertThat(summary.retry(unprocessed)).isTrue();
        assertThat(server.notes(CANVAS)).hasSize(2);
        assertThat(summary.failedNodes())
                .hasSize(2)
                .noneMatch(node -> node.nodeId().equals(unprocessed));
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void aPollingWindowWhoseBatchWasCancelledFromTheTerminalShowsTheUnprocessedNodesAsFailed() throws IOException {
        server = PluginHarness.withoutSockets(temp);
        PluginCancelTest.writeCanvas(server.vault.resolve(CANVAS), 4);
        plugin = server.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        Semaphore permits = gateEveryNode(preview);

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitPolling();
        permits.release(1);
        org.canvasbatch.testsupport.EventRecorder.awaitCondition(
                () -> server.core
                                .useCases()
                                .status()
                                .status(new SessionId(progress.sessionId()))
                                .succeeded()
                        == 1,
                "the first node to be done");
        server.core.useCases().cancel().cancel(new SessionId(progress.sessionId()), "interrupted from the terminal");

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertThat(plugin.noticeTexts()).anyMatch(text -> text.startsWith("✅ 处理完成: 1个成功, 3个失败"));
        assertThat(summary.title()).isEqualTo("⚡ 智能并行处理 - 处理完成（部分失败）");
        assertThat(summary.succeeded()).isEqualTo(1);
        assertThat(summary.failedNodes())
                .hasSize(3)
                .allMatch(node -> node.error().equals(NOT_PROCESSED_IN_CHINESE));
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void aPollInFlightWhenThePollingWindowCancelsDoesNotEndItWithASummary() throws Exception {
        server = PluginHarness.withoutSockets(temp);
        PluginCancelTest.writeCanvas(server.vault.resolve(CANVAS), 4);
        plugin = server.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        Semaphore permits = gateEveryNode(preview);

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitPolling();
        permits.release(1);
        org.canvasbatch.testsupport.EventRecorder.awaitCondition(
                () -> server.core
                                .useCases()
                                .status()
                                .status(new SessionId(progress.sessionId()))
                                .succeeded()
                        == 1,
                "the first node to be done");
        // the plugin polls every 5 s with no in-flight guard: one poll is on its way when the learner clicks ❌ 取消
        server.polls.holdNext();
        server.polls.awaitHeld();
        int noticesBefore = plugin.notices().size();
        progress.cancel();
        progress.awaitCancelAnswered();
        // answered now, with the batch cancelled; its handler still runs, though the modal has closed
        server.polls.release();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20))).isTrue();

        assertThat(server.core
                        .useCases()
                        .status()
                        .status(new SessionId(progress.sessionId()))
                        .state())
                .isEqualTo(SessionState.CANCELLED);
        assertThat(plugin.requests())
                .as("the held poll was answered after the cancel")
                .filteredOn(r -> r.method().equals("GET"))
                .last()
                .satisfies(poll -> assertThat(poll.status()).isEqualTo(200));
        List<String> shown =
                plugin.noticeTexts().subList(noticesBefore, plugin.notices().size());
        assertThat(shown).containsExactly("处理已取消", "Batch processing was cancelled.");
        assertThat(progress.summaries()).as("result summaries opened").isEmpty();
        assertThat(plugin.oddities()).isEmpty();
    }

    private Semaphore gateEveryNode(GroupPreviewModal preview) {
        Semaphore permits = new Semaphore(0);
        preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .forEach(id -> server.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
        return permits;
    }
}
