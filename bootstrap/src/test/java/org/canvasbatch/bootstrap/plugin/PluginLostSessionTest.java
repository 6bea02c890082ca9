package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 6: a session the server no longer has (restarted with an in-memory journal, or long cleared). The
 * plugin used to reconnect every second for ever (the socket opened, reset its counter, and closed 4404). Now the
 * learner gets one message, in the summary the window ends with, and the plugin goes quiet.
 */
class PluginLostSessionTest {

    @TempDir
    Path temp;

    private PluginHarness first;
    private PluginHarness restarted;
    private ObsidianPlugin plugin;
    private final CountDownLatch neverAnswers = new CountDownLatch(1);
    private int port;

    @AfterEach
    void stop() {
        neverAnswers.countDown();
        if (plugin != null) {
            plugin.close();
        }
        if (restarted != null) {
            restarted.close();
        }
        if (first != null) {
            first.close();
        }
    }

    /** A batch under way, watched by the plugin, whose server is then stopped. */
    private ProgressMonitorModal watchedBatchOnAStoppedServer() {
        return watchedBatchOnAStoppedServer("zh-CN,zh;q=0.9");
    }

    private ProgressMonitorModal watchedBatchOnAStoppedServer(String systemLanguages) {
        first = new PluginHarness(temp);
        plugin = first.plugin(settings -> settings.withAcceptLanguage(systemLanguages));
        GroupPreviewModal preview = plugin.runIntelligentParallel(first.vault, FixtureVault.DISCRETE_MATH);
        preview.groups()
                .forEach(g ->
                        g.nodes().forEach(n -> first.agent.always(n.id(), new ScriptedAgent.WaitFor(neverAnswers))));
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitMessage("connected");
        port = first.port();
        first.close();
        return progress;
    }

    @Test
    void aServerBackWithoutTheSessionEndsThePollingWindowWithOneTrueMessageAndNoLoop() {
        ProgressMonitorModal progress = watchedBatchOnAStoppedServer();
        // the plugin's reconnects fail while the server is down, and it falls back to polling
        progress.awaitPolling();

        restarted = new PluginHarness(first.vault, port);

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20)))
                .as("the plugin stops reconnecting and polling")
                .isTrue();
        assertLearnerToldOnce(progress, summary);
    }

    @Test
    void aServerBackAtOnceWithoutTheSessionEndsTheWindowTheSameWay() {
        ProgressMonitorModal progress = watchedBatchOnAStoppedServer();
        // back before or after the plugin's first reconnect, whichever the machine makes of it
        restarted = new PluginHarness(first.vault, port);

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(plugin.awaitIdle(Duration.ofSeconds(20)))
                .as("the plugin stops reconnecting and polling")
                .isTrue();
        assertLearnerToldOnce(progress, summary);
        assertThat(plugin.socketsCreated())
                .as("sockets the plugin opened in all")
                .isLessThanOrEqualTo(6);
    }

    @Test
    void aLearnerWhoseSystemReadsEnglishIsToldInEnglish() {
        ProgressMonitorModal progress = watchedBatchOnAStoppedServer("en-GB,en;q=0.9,zh-CN;q=0.8");
        progress.awaitPolling();
        restarted = new PluginHarness(first.vault, port);

        ResultSummaryModal summary = progress.awaitSummary();

        assertThat(summary.failedNodes().getFirst().error())
                .startsWith("This server has no batch session")
                .contains("run Intelligent Batch Processing again for the nodes that are left");
    }

    private void assertLearnerToldOnce(ProgressMonitorModal progress, ResultSummaryModal summary) {
        assertThat(progress.summaries()).hasSize(1);
        assertThat(summary.icon()).isEqualTo("⚠️");
        assertThat(summary.succeeded()).isZero();
        assertThat(summary.canvasUpdateLine()).isEmpty();
        List<ResultSummaryModal.FailedNode> failed = summary.failedNodes();
        assertThat(failed).hasSize(1);
        assertThat(failed.getFirst().error()).startsWith("服务器上没有批处理会话").contains("重新运行“智能批量处理”");
        // nothing claims the groups were done: their badges stay where the batch left them
        assertThat(progress.cards()).noneMatch(c -> c.badge().equals("✅ 完成"));
        assertThat(plugin.noticeTexts()).noneMatch(t -> t.startsWith("处理错误"));
        assertThat(plugin.noticeTexts().stream().filter(t -> t.startsWith("✅"))).hasSize(1);
        assertThat(plugin.oddities()).isEmpty();
    }
}
