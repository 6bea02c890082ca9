package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
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
 * Issue 9, item 7 and the last of item 8, through the plugin: what the summary announces is on the canvas, and its
 * retry button gets the batch's attempts.
 */
class PluginCanvasUpdateTest {

    private static final String LABEL = "\\[[a-z-]+\\] 生成于 \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d";

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
    void theBlueExplanationAndDocumentNodesTheSummaryAnnouncesAreOnTheCanvas() {
        server = new PluginHarness(temp);
        plugin = server.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.DISCRETE_MATH);
        ProgressMonitorModal progress = preview.confirm().orElseThrow();

        ResultSummaryModal summary = progress.awaitSummary();
        int n = summary.succeeded();
        assertThat(summary.canvasUpdateLine()).hasValue("Canvas已自动更新，添加了" + n + "个蓝色说明节点和" + n + "个文档节点");
        EventRecorder.awaitCondition(
                () -> blueNodes("file").size() == n && blueLabels().size() == n,
                n + " blue document nodes and " + n + " blue explanation nodes on the canvas");
        assertThat(blueLabels()).allMatch(text -> text.matches(LABEL));
    }

    @Test
    void aRetryFromTheSummaryGetsTheAttemptsOfTheBatch() {
        server = new PluginHarness(temp);
        plugin = server.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.DISCRETE_MATH);
        String node = preview.groups().getFirst().nodes().getFirst().id();
        server.agent.then(node, ScriptedAgent.permanent("The model refused: content policy"));
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(summary.failedNodes())
                .extracting(ResultSummaryModal.FailedNode::nodeId)
                .containsExactly(node);

        // the model is busy twice, then answers: a batch would have tried three times
        server.agent.then(node, ScriptedAgent.transientFailure("HTTP 503: overloaded", Duration.ofMillis(1)));
        server.agent.then(node, ScriptedAgent.transientFailure("HTTP 503: overloaded", Duration.ofMillis(1)));
        int callsBefore = server.agent.callsOf(node);

        assertThat(summary.retry(node)).isTrue();
        assertThat(server.agent.callsOf(node) - callsBefore).isEqualTo(3);
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.endsWith("重试成功！"));
    }

    private List<JsonObject> blueNodes(String type) {
        String text = server.read(FixtureVault.DISCRETE_MATH);
        JsonObject canvas;
        try (var reader = Json.createReader(new StringReader(text))) {
            canvas = reader.readObject();
        } catch (RuntimeException e) {
            return List.of(); // caught mid-write by a reader that does not rename: try again
        }
        return canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(node -> type.equals(node.getString("type", "")))
                .filter(node -> "5".equals(node.getString("color", "")))
                .toList();
    }

    private List<String> blueLabels() {
        return blueNodes("text").stream()
                .map(node -> node.getString("text", ""))
                .filter(text -> text.contains("生成于"))
                .toList();
    }
}
