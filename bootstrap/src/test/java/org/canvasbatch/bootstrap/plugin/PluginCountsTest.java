package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.EventRecorder;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 3: the notice's N is the number of processed nodes. (plugin) N counts the {@code task_completed} and
 * {@code task_failed} messages its window received, and a window reconnects without {@code last_seq}; so the plugin's
 * first socket is sent the session's whole history, and a later socket of the same window goes on from where its
 * previous one stopped — never a node twice.
 */
class PluginCountsTest {

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
    void aBatchThatFinishesBeforeTheSocketOpensIsCountedWhole() {
        server = new PluginHarness(temp);
        plugin = server.plugin();
        CountDownLatch network = new CountDownLatch(1);
        plugin.holdSocketsUntil(network);
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.DISCRETE_MATH);
        int total = nodeCount(preview);

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        SessionId session = new SessionId(progress.sessionId());
        EventRecorder.awaitCondition(
                () -> server.core.useCases().status().status(session).state().isTerminal(),
                "the batch to finish before the plugin's socket opens");
        network.countDown();

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + total + "个节点"));
        assertThat(progress.countedNodes()).hasSize(total).doesNotHaveDuplicates();
        assertThat(progress.cards()).allMatch(c -> c.badge().equals("✅ 完成"));
        assertThat(summary.succeeded()).isEqualTo(total);
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void socketsCutOffMidBatchReconnectAndTheWindowCountsEveryNodeOnce() {
        // a queue of two messages: a burst of outcomes overflows it and the server cuts the socket off (4429)
        server = PluginHarness.withSockets(temp, WsSettings.DEFAULT.withQueueCapacity(2));
        plugin = server.plugin();
        // whether a burst overflows the queue is the machine's to decide (a sender that keeps up is never cut off):
        // batch after batch until one window was cut off, every one of them counted right
        int cutOff = 0;
        for (int batch = 0; batch < 8 && cutOff == 0; batch++) {
            GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.DISCRETE_MATH);
            Semaphore permits = gateEveryNode(preview);
            int total = nodeCount(preview);

            ProgressMonitorModal progress = preview.confirm().orElseThrow();
            progress.awaitSocketOpen();
            permits.release(total);

            progress.awaitSummary();
            if (progress.socketsCreated() > 1) {
                cutOff++;
            }
            assertThat(progress.countedNodes()).hasSize(total).doesNotHaveDuplicates();
            assertThat(progress.cards()).allMatch(c -> c.badge().equals("✅ 完成"));
            long ends = plugin.noticeTexts().stream()
                    .filter(t -> t.startsWith("✅ 全部处理完成: " + total + "个节点"))
                    .count();
            assertThat(ends)
                    .as("an end notice for this batch too, with every node")
                    .isGreaterThan(batch);
        }
        assertThat(cutOff)
                .as("a window cut off and reconnected in one of the batches")
                .isPositive();
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void aMinimizedWindowReconnectsInTheBackgroundAndItsNoticeCountsEveryNodeOnce() {
        server = new PluginHarness(temp);
        plugin = server.plugin(settings -> settings.withTimeScale(0.25));
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.DISCRETE_MATH);
        Semaphore permits = gateEveryNode(preview);
        int total = nodeCount(preview);

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(7);
        progress.awaitTaskMessages(7);
        // the learner looks at the window a while before minimizing: its seven are settled (WsSettings
        // pluginSettleMargin), and only what the channel wrote within the margin before a close is sent again
        server.socketClock.advance(Duration.ofSeconds(2));
        progress.minimize();
        EventRecorder.awaitCondition(() -> server.openSockets() == 0, "the server to see the socket closed");
        permits.release(total);

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(progress.isOpen()).as("the window was minimized").isFalse();
        assertThat(progress.countedNodes()).hasSize(total).doesNotHaveDuplicates();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + total + "个节点"));
        assertThat(summary.succeeded()).isEqualTo(total);
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20))).isTrue();
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void outcomesOnTheirWayWhenTheLearnerMinimizesAreSentAgainWhenTheWindowReconnects() {
        server = new PluginHarness(temp);
        plugin = server.plugin(settings -> settings.withTimeScale(0.25));
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.DISCRETE_MATH);
        Semaphore permits = gateEveryNode(preview);
        int total = nodeCount(preview);

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(3);
        progress.awaitTaskMessages(3);
        // these three were shown a while before the click: settled, they are not sent again
        server.socketClock.advance(Duration.ofSeconds(2));
        CountDownLatch reconnect = new CountDownLatch(1);
        plugin.holdSocketsUntil(reconnect);
        // the renderer is busy when the learner clicks 📤: four outcomes reach the browser behind the click, and the
        // browser drops them, since the socket is closing by the time they would be dispatched
        CountDownLatch click = new CountDownLatch(1);
        progress.minimizeOnceTheRendererIsFree(click);
        // the four are written and the close arrives within the margin by the channel's clock, however long this
        // test's own threads take on a busy machine: that is the case under test, not how fast the machine is
        server.socketClock.freeze();
        permits.release(4);
        EventRecorder.awaitCondition(
                () -> progress.taskMessagesArrived() == 7, "four more outcomes to reach the browser behind the click");
        click.countDown();
        EventRecorder.awaitCondition(() -> server.openSockets() == 0, "the server to see the socket closed");
        server.socketClock.thaw();
        assertThat(progress.taskMessages())
                .as("the four behind the click were dropped")
                .isEqualTo(3);
        permits.release(total);
        reconnect.countDown();

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(progress.countedNodes()).hasSize(total).doesNotHaveDuplicates();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + total + "个节点"));
        assertThat(progress.taskMessagesArrived())
                .as("the next socket of the window was sent the four again")
                .isEqualTo(total + 4);
        assertThat(summary.succeeded()).isEqualTo(total);
        assertThat(plugin.oddities()).isEmpty();
    }

    /**
     * The last outcome and {@code session_completed} reach the browser behind the learner's 📤 click, and the server's
     * close crosses the plugin's: the server closed first (right after the end), so the plugin's close reads as the
     * answer to it, and what was written just before counted as reached. (plugin) the browser dropped both, so the
     * window is not completed and reconnects a second later, and the server sends that socket only the end:
     * "✅ 全部处理完成: N-1个节点". A window that reconnects after its socket was handed the end cannot have handled it.
     */
    @Test
    void theLastOutcomeAndTheEndOnTheirWayWhenTheLearnerMinimizesAreSentAgainWhenTheWindowReconnects() {
        server = new PluginHarness(temp);
        plugin = server.plugin(settings -> settings.withTimeScale(0.25));
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.DISCRETE_MATH);
        Semaphore permits = gateEveryNode(preview);
        int total = nodeCount(preview);

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(total - 1);
        progress.awaitTaskMessages(total - 1);
        // shown a while before the click: settled, they are not sent again
        server.socketClock.advance(Duration.ofSeconds(2));
        CountDownLatch reconnect = new CountDownLatch(1);
        plugin.holdSocketsUntil(reconnect);
        CountDownLatch click = new CountDownLatch(1);
        progress.minimizeOnceTheRendererIsFree(click);
        server.socketClock.freeze();
        permits.release(1);
        // the last outcome, the end and the server's close all reach the browser behind the click; the browser's
        // answer to the close is the plugin's close as far as the server can tell
        EventRecorder.awaitCondition(
                () -> progress.taskMessagesArrived() == total,
                "the last outcome to reach the browser behind the click");
        EventRecorder.awaitCondition(() -> server.openSockets() == 0, "the server to see the socket closed");
        click.countDown();
        server.socketClock.thaw();
        reconnect.countDown();

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(progress.taskMessages()).as("the last outcome is counted").isEqualTo(total);
        assertThat(progress.countedNodes()).hasSize(total).doesNotHaveDuplicates();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + total + "个节点"));
        assertThat(summary.succeeded()).isEqualTo(total);
    }

    private Semaphore gateEveryNode(GroupPreviewModal preview) {
        Semaphore permits = new Semaphore(0);
        allNodes(preview).forEach(id -> server.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
        return permits;
    }

    private static int nodeCount(GroupPreviewModal preview) {
        return allNodes(preview).size();
    }

    private static List<String> allNodes(GroupPreviewModal preview) {
        return preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .toList();
    }
}
