package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 9, item 8: the plugin sends a node as {@code {id, type, text, color}} and the geometry only — a file node
 * without its file, a link without its URL. They used to be shown and named by their ids ("f1 (oral-explanation).md"),
 * and an empty text node was asked about its id. Now file and link nodes read as the learner sees them on the canvas,
 * the file's text is what the agent reads, and an empty node is left out with the reason.
 */
class PluginNodeKindsTest {

    private static final String LINK = "https://en.wikipedia.org/wiki/Pigeonhole_principle";

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
    void fileAndLinkNodesAreShownNamedAndAskedAsTheLearnerSeesThemAndAnEmptyNodeIsLeftOutWithItsReason() {
        server = new PluginHarness(temp);
        plugin = server.plugin();

        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.MIXED);

        assertThat(preview.summaryLine())
                .isEqualTo("检测到 3 个待处理节点，智能分组为 " + preview.groups().size() + " 组");
        assertThat(preview.groups().stream().flatMap(g -> g.nodes().stream()))
                .extracting(GroupPreviewModal.Node::id, GroupPreviewModal.Node::text)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("f1", "鸽巢原理"),
                        org.assertj.core.groups.Tuple.tuple("l1", LINK),
                        org.assertj.core.groups.Tuple.tuple("t1", "举例说明鸽巢原理在生日问题中的应用"));
        JsonObject skipped = preview.response().getJsonArray("skipped_nodes").getJsonObject(0);
        assertThat(skipped.getString("id")).isEqualTo("t2");
        assertThat(skipped.getString("reason")).isEqualTo("文本节点没有文字");

        ResultSummaryModal summary = preview.confirm().orElseThrow().awaitSummary();

        assertThat(summary.succeeded()).isEqualTo(3);
        List<String> notes = server.notes(FixtureVault.MIXED);
        assertThat(notes).hasSize(3).anySatisfy(n -> assertThat(n).contains("/鸽巢原理 ("));
        assertThat(notes).noneSatisfy(n -> assertThat(n).containsAnyOf("/f1 (", "/l1 (", "/t2 ("));
        AgentRequest file = server.agent.requests().stream()
                .filter(r -> r.nodeId().equals("f1"))
                .findFirst()
                .orElseThrow();
        assertThat(file.nodeText()).isEqualTo("鸽巢原理");
        assertThat(file.content()).contains("如果把 n+1 个物体放进 n 个盒子");
        assertThat(server.agent.calls()).doesNotContain("t2");
    }

    @Test
    void aCanvasWhoseRedNodesAreAllEmptyIsRefusedSayingSoInsteadOfAskingAboutIds() throws Exception {
        server = new PluginHarness(temp);
        java.nio.file.Files.writeString(server.vault.resolve("数学/空白.canvas"), """
                {"nodes":[
                  {"id":"e1","type":"text","text":"","color":"1","x":0,"y":0,"width":250,"height":60},
                  {"id":"e2","type":"text","text":"   ","color":"6","x":0,"y":100,"width":250,"height":60}
                ],"edges":[]}
                """);
        plugin = server.plugin();

        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, "数学/空白.canvas");

        assertThat(preview.error())
                .hasValueSatisfying(
                        message -> assertThat(message).contains("没有要处理的节点", "2 个节点都是空的", "e1: 文本节点没有文字", "请先在节点里写下问题"));
        assertThat(server.core.useCases().status().sessions()).isEmpty();
        assertThat(server.agent.calls()).isEmpty();
    }
}
