package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.Semaphore;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionState;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 1: the learner's ❌ 取消 never reads as success. The plugin handles a {@code session_completed} that
 * reaches its modal before the cancel POST has answered like any other (the success notice, then the summary), so the
 * server writes the cancel's answer before any socket of the session hears that it ended.
 */
class PluginCancelTest {

    private static final String CANVAS = "Cancel/six questions.canvas";
    private static final int RUNS = 100;

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
    void aHundredCancelsAtRandomMomentsNeverShowASuccess() throws IOException {
        server = new PluginHarness(temp);
        writeCanvas(server.vault.resolve(CANVAS), 6);
        plugin = server.plugin();
        SplittableRandom random = new SplittableRandom(9);
        List<String> untrue = new ArrayList<>();
        int cancelled = 0;

        for (int run = 0; run < RUNS; run++) {
            GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, CANVAS);
            assertThat(preview.error()).as("run " + run).isEmpty();
            List<String> nodes = preview.groups().stream()
                    .flatMap(g -> g.nodes().stream())
                    .map(GroupPreviewModal.Node::id)
                    .toList();
            Semaphore permits = new Semaphore(0);
            nodes.forEach(id -> server.agent.always(id, new ScriptedAgent.WaitForPermit(permits)));
            int noticesBefore = plugin.notices().size();

            ProgressMonitorModal progress = preview.confirm().orElseThrow();
            // some nodes finish first; then the click, while others finish around it
            int before = random.nextInt(nodes.size());
            permits.release(before);
            progress.awaitTaskMessages(before);
            progress.cancel();
            permits.release(random.nextInt(nodes.size() - before + 1));
            progress.awaitCancelAnswered();
            assertThat(plugin.awaitIdle(Duration.ofSeconds(20)))
                    .as("run " + run)
                    .isTrue();

            SessionState state = server.core
                    .useCases()
                    .status()
                    .status(new SessionId(progress.sessionId()))
                    .state();
            List<String> shown =
                    plugin.noticeTexts().subList(noticesBefore, plugin.notices().size());
            if (state == SessionState.CANCELLED) {
                cancelled++;
                if (!progress.summaries().isEmpty() || shown.stream().anyMatch(t -> t.startsWith("✅"))) {
                    untrue.add("run " + run + " (cancel after " + before + " nodes): " + shown + ", "
                            + progress.summaries().size() + " summary");
                }
                assertThat(shown).as("run " + run).contains("处理已取消", "Batch processing was cancelled.");
            }
        }

        assertThat(untrue).as("cancelled batches shown as a success").isEmpty();
        assertThat(cancelled)
                .as("runs whose cancel came before the batch ended")
                .isGreaterThan(RUNS / 2);
        assertThat(plugin.oddities()).isEmpty();
    }

    /** A canvas of {@code count} red questions, in the vault the server serves. */
    static void writeCanvas(Path file, int count) throws IOException {
        StringBuilder nodes = new StringBuilder();
        String[] topics = {"命题", "集合", "函数", "关系", "图", "树", "矩阵", "向量", "极限", "导数", "积分", "概率"};
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                nodes.append(',');
            }
            nodes.append("{\"id\":\"q")
                    .append(i)
                    .append("\",\"type\":\"text\",\"text\":\"什么是")
                    .append(topics[i % topics.length])
                    .append(i >= topics.length ? " " + i : "")
                    .append("？\",\"color\":\"1\",\"x\":0,\"y\":")
                    .append(i * 120)
                    .append(",\"width\":250,\"height\":60}");
        }
        Files.createDirectories(file.getParent());
        Files.writeString(file, "{\"nodes\":[" + nodes + "],\"edges\":[]}");
    }
}
