package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.time.Duration;
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

/** The plugin's everyday flow against the server, as the learner sees it. */
class PluginFlowTest {

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
    void aBatchWatchedFromTheStartEndsWithEveryGroupDoneAndATrueSummary() {
        server = new PluginHarness(temp);
        CountDownLatch go = new CountDownLatch(1);
        plugin = server.plugin();

        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.DISCRETE_MATH);
        assertThat(preview.error()).isEmpty();
        preview.groups()
                .forEach(g -> g.nodes().forEach(n -> server.agent.always(n.id(), new ScriptedAgent.WaitFor(go))));
        int total = preview.groups().stream().mapToInt(g -> g.nodes().size()).sum();
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitMessage("connected");
        go.countDown();

        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + total + "个节点"));
        assertThat(progress.cards()).allMatch(c -> c.badge().equals("✅ 完成"));
        assertThat(summary.icon()).isEqualTo("✅");
        assertThat(summary.succeeded()).isEqualTo(total);
        assertThat(plugin.awaitIdle(Duration.ofSeconds(10))).isTrue();
        assertThat(plugin.oddities()).isEmpty();
    }
}
