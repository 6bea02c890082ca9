package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Semaphore;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The plugin never reads a note's {@code link_problem}, and its summary says in fixed words that the canvas got every
 * note: "Canvas已自动更新，添加了N个…". A learner who renames the canvas while its batch runs (as Obsidian's rename
 * does) ended with most notes linked nowhere and nothing on the screen that said so (a hostile test: 24 of 32). The
 * window now gets one notice per reason, "处理错误: …", the first time a note cannot be linked for it — in the language
 * of its handshake (a hostile test: a Chinese learner read "处理错误: Notes are written but not linked into the canvas:
 * …" in English, among the plugin's Chinese texts).
 */
class PluginUnlinkedNotesNoticeTest {

    private static final String CANVAS = "Rename/questions.canvas";

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
    void aCanvasRenamedWhileItsBatchRunsGetsOneNoticeThatItsNotesAreNotLinked() throws Exception {
        List<String> unlinked = renameWhileTheBatchRuns(null);

        assertThat(unlinked)
                .as("one notice for the reason, not one per note, in the Chinese the handshake asked for")
                .hasSize(1)
                .allSatisfy(text -> assertThat(text)
                        .startsWith("处理错误: 笔记已写入库中，但没有链接进Canvas：")
                        .contains("'" + CANVAS + "'", "已不在库中")
                        .doesNotContain("not linked", "未知错误"));
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void aLearnerOnAnEnglishSystemReadsTheNoticeInEnglish() throws Exception {
        List<String> unlinked = renameWhileTheBatchRuns("en-US,en;q=0.9");

        assertThat(unlinked)
                .hasSize(1)
                .allSatisfy(text -> assertThat(text)
                        .startsWith("处理错误: Notes are written but not linked into the canvas: ")
                        .contains("'" + CANVAS + "'", "is no longer in the vault"));
        assertThat(plugin.oddities()).isEmpty();
    }

    @Test
    void aQuestionCardDeletedAfterThePreviewIsSaidInChinese() throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        server = new PluginHarness(vault, 0);
        plugin = server.plugin();
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 6);
        GroupPreviewModal preview = plugin.runIntelligentParallel(vault, CANVAS);
        // the learner deletes the last question's card (q5) and saves before confirming
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 5);
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSummary();

        List<String> unlinked = plugin.noticeTexts().stream()
                .filter(text -> text.startsWith("处理错误: "))
                .toList();
        assertThat(unlinked)
                .containsExactly("处理错误: 笔记已写入库中，但没有链接进Canvas：问题的卡片已不在Canvas '" + CANVAS + "' 中（批处理开始后被删除）。");
        assertThat(plugin.oddities()).isEmpty();
    }

    /** The notices "处理错误: …" of a batch whose canvas is renamed after two of its six notes are written. */
    private List<String> renameWhileTheBatchRuns(String acceptLanguage) throws Exception {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        server = new PluginHarness(vault, 0);
        plugin = acceptLanguage == null
                ? server.plugin()
                : server.plugin(settings -> settings.withAcceptLanguage(acceptLanguage));
        PluginCancelTest.writeCanvas(vault.resolve(CANVAS), 6);
        GroupPreviewModal preview = plugin.runIntelligentParallel(vault, CANVAS);
        List<String> nodes = preview.groups().stream()
                .flatMap(g -> g.nodes().stream())
                .map(GroupPreviewModal.Node::id)
                .toList();
        Semaphore permits = new Semaphore(0);
        nodes.forEach(id -> server.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        progress.awaitSocketOpen();
        permits.release(2);
        progress.awaitTaskMessages(2);

        Files.move(vault.resolve(CANVAS), vault.resolve("Rename/renamed.canvas"));
        permits.release(nodes.size());
        progress.awaitSummary();

        assertThat(plugin.noticeTexts()).anyMatch(t -> t.startsWith("✅ 全部处理完成: " + nodes.size() + "个节点"));
        return plugin.noticeTexts().stream()
                .filter(text -> text.startsWith("处理错误: "))
                .toList();
    }
}
