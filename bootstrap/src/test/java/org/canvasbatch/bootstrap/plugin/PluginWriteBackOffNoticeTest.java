package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.function.UnaryOperator;
import org.canvasbatch.adapters.http.text.FailureReasons;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.canvasbatch.testsupport.socket.TestSocket;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * (plugin) Its summary says in fixed words "Canvas已自动更新，添加了N个蓝色说明节点和N个文档节点" whenever a node
 * succeeded. A hostile test ran {@code serve --no-write-back}: seventeen notes in the vault, the canvas untouched, every
 * {@code link_problem} null and no notice, and the summary said seventeen blue explanation nodes and seventeen document
 * nodes were added. The window is now told, before its summary, what the learner's own settings left undone — in the
 * language of its handshake, once, never to other clients — and still counts only the nodes.
 */
class PluginWriteBackOffNoticeTest {

    private static final String CANVAS = "WriteBack/questions.canvas";
    private static final int NODES = 6;

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
    void writeBackOffIsSaidInChineseBeforeTheSummaryThatClaimsTheCanvasWasUpdated() throws Exception {
        start(VaultOptions.defaults().withWriteBack(false), null);
        String canvasBefore = server.read(CANVAS);

        ProgressMonitorModal progress = runToTheSummary();

        assertThat(errorNotices())
                .containsExactly("处理错误: 笔记已写入库中，但Canvas没有改动：这个服务器关闭了写回（设置 write-back.enabled，"
                        + "或 serve --no-write-back），所以Canvas中没有添加文档节点和蓝色说明节点。笔记在Canvas旁边的笔记文件夹里。");
        List<String> notices = plugin.noticeTexts();
        int notice = indexOf(notices, "处理错误: ");
        int done = indexOf(notices, "✅ 全部处理完成: " + NODES + "个节点");
        assertThat(notice)
                .as("the notice, then the end that counts only the nodes")
                .isNotNegative();
        assertThat(done).isGreaterThan(notice);
        assertThat(server.read(CANVAS)).as("the canvas is as it was").isEqualTo(canvasBefore);
        assertThat(server.notes(CANVAS)).hasSize(NODES);
        assertThat(plugin.oddities()).isEmpty();

        // another client watching the same session (a script, the dashboard) is not sent the plugin's notice
        TestSocket other = TestSocket.connect(
                URI.create("ws://127.0.0.1:" + server.port() + "/ws/intelligent-parallel/" + progress.sessionId()));
        other.await("session_completed");
        other.awaitClose();
        assertThat(other.messages()).noneMatch(m -> "error".equals(m.getString("type", "")));
    }

    @Test
    void writeBackOffIsSaidInEnglishToAnEnglishSystem() throws Exception {
        start(VaultOptions.defaults().withWriteBack(false), "en-US,en;q=0.9");

        runToTheSummary();

        assertThat(errorNotices()).containsExactly("处理错误: " + FailureReasons.WRITE_BACK_OFF);
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + NODES + "个节点"));
    }

    @Test
    void labelsOffSayThatTheBlueExplanationNodesAreMissing() throws Exception {
        start(VaultOptions.defaults().withLabelNodes(false), null);

        runToTheSummary();

        assertThat(errorNotices()).containsExactly("处理错误: Canvas中笔记的文档节点旁没有蓝色说明节点：这个服务器关闭了设置 write-back.label-nodes。");
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + NODES + "个节点"));
    }

    @Test
    void theDefaultSettingsAddWhatTheSummarySaysAndNoNotice() throws Exception {
        start(VaultOptions.defaults(), null);

        runToTheSummary();

        assertThat(errorNotices()).isEmpty();
    }

    @Test
    void aBatchWithoutANoteGetsNoNotice() throws Exception {
        start(VaultOptions.defaults().withWriteBack(false), null);
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .forEach(node ->
                        server.agent.always(node.id(), ScriptedAgent.permanent("The model refused: content policy")));

        ResultSummaryModal summary = preview.confirm().orElseThrow().awaitSummary();

        assertThat(summary.succeeded()).isZero();
        assertThat(errorNotices()).isEmpty();
    }

    private void start(VaultOptions options, String acceptLanguage) throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), NODES);
        server = new PluginHarness(vault, 0, options, UnaryOperator.identity());
        plugin = acceptLanguage == null
                ? server.plugin()
                : server.plugin(settings -> settings.withAcceptLanguage(acceptLanguage));
    }

    private ProgressMonitorModal runToTheSummary() {
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(summary.succeeded()).isEqualTo(NODES);
        return progress;
    }

    private List<String> errorNotices() {
        return plugin.noticeTexts().stream()
                .filter(text -> text.startsWith("处理错误: "))
                .toList();
    }

    private static int indexOf(List<String> notices, String prefix) {
        for (int i = 0; i < notices.size(); i++) {
            if (notices.get(i).startsWith(prefix)) {
                return i;
            }
        }
        return -1;
    }
}
