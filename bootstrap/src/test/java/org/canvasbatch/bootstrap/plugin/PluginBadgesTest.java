package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 2: a finished group keeps its true badge. (plugin) a {@code progress_update} sets its group to
 * "running" whatever its counts, and a task message at the group's last node sets ✅ (or ❌ when none of the group's
 * nodes succeeded); so the plugin is never sent a {@code progress_update} for a group that has no node left.
 */
class PluginBadgesTest {

    private static final String CANVAS = "Badges/six questions.canvas";

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
    void aFinishedGroupKeepsItsBadgeWhileOthersRunAndAGroupWhoseNodesAllFailedEndsFailed() throws IOException {
        server = new PluginHarness(temp);
        PluginCancelTest.writeCanvas(server.vault.resolve(CANVAS), 6);
        plugin = server.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        List<GroupPreviewModal.Group> groups = preview.groups();
        assertThat(groups).as("the canvas makes several groups").hasSizeGreaterThanOrEqualTo(3);
        GroupPreviewModal.Group failing = groups.get(0);
        GroupPreviewModal.Group succeeding = groups.get(1);
        List<GroupPreviewModal.Group> later = groups.subList(2, groups.size());
        failing.nodes()
                .forEach(
                        n -> server.agent.always(n.id(), ScriptedAgent.permanent("The model refused: content policy")));
        Semaphore laterPermits = new Semaphore(0);
        later.forEach(g ->
                g.nodes().forEach(n -> server.agent.always(n.id(), new ScriptedAgent.WaitForPermit(laterPermits))));
        int early = failing.nodes().size() + succeeding.nodes().size();
        int total = early + later.stream().mapToInt(g -> g.nodes().size()).sum();

        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitTaskMessages(early);
        // one more outcome, so that whatever the server sent after the first two groups' last outcomes has arrived
        laterPermits.release(1);
        progress.awaitTaskMessages(early + 1);

        assertThat(progress.badge(failing.id()))
                .as("every node of this group failed")
                .isEqualTo("❌ 失败");
        assertThat(progress.badge(succeeding.id())).isEqualTo("✅ 完成");

        laterPermits.release(total);
        progress.awaitSummary();
        assertThat(progress.badge(failing.id())).isEqualTo("❌ 失败");
        assertThat(progress.badge(succeeding.id())).isEqualTo("✅ 完成");
        later.forEach(g -> assertThat(progress.badge(g.id())).isEqualTo("✅ 完成"));
        String counts = "✅ 处理完成: " + (total - failing.nodes().size()) + "个成功, "
                + failing.nodes().size() + "个失败";
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith(counts));
        assertThat(plugin.oddities()).isEmpty();
    }
}
