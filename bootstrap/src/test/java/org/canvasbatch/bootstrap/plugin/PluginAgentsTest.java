package org.canvasbatch.bootstrap.plugin;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonObject;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.canvasbatch.testsupport.plugin.GroupPreviewModal;
import org.canvasbatch.testsupport.plugin.ObsidianPlugin;
import org.canvasbatch.testsupport.plugin.ProgressMonitorModal;
import org.canvasbatch.testsupport.plugin.ResultSummaryModal;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Issue 9, item 4: the preview shows one agent per group, and the summary's statistics and the retry button use that
 * agent for every node of the group. 94 of 145 nodes used to run another agent, so the statistics were wrong. What runs
 * in the plugin's flow is now what the learner confirmed.
 */
class PluginAgentsTest {

    private static final Pattern NOTE_AGENT = Pattern.compile(" \\(([a-z-]+)\\)\\.md$");

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

    @ParameterizedTest
    @ValueSource(strings = {FixtureVault.EXAM_170, FixtureVault.DISCRETE_MATH, FixtureVault.DATA_STRUCTURES})
    void theSummarysAgentStatisticsAreTheAgentsOfTheNotesWritten(String canvas) {
        server = new PluginHarness(temp);
        plugin = server.plugin();

        ResultSummaryModal summary = runToTheSummary(canvas);

        assertThat(summary.failed()).isZero();
        assertThat(new TreeMap<>(summary.agentStatistics())).isEqualTo(agentsOfNotes(canvas));
    }

    @Test
    void aRetriedNodeRunsTheAgentThePreviewShowedAndWritesNoSecondNote() {
        server = new PluginHarness(temp);
        plugin = server.plugin();
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.EXAM_170);
        GroupPreviewModal.Group group = preview.groups().getLast();
        String failing = group.nodes().getFirst().id();
        server.agent.then(failing, ScriptedAgent.permanent("The model refused this question"));
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        ResultSummaryModal summary = progress.awaitSummary();
        assertThat(summary.failedNodes()).singleElement().satisfies(row -> {
            assertThat(row.nodeId()).isEqualTo(failing);
            assertThat(row.agent()).isEqualTo(group.recommendedAgent());
            assertThat(row.error()).contains("The model refused this question");
        });
        int notesBefore = server.notes(FixtureVault.EXAM_170).size();

        assertThat(summary.retry(failing)).isTrue();

        List<String> notes = server.notes(FixtureVault.EXAM_170);
        assertThat(notes).hasSize(notesBefore + 1);
        assertThat(notes)
                .hasSize(preview.groups().stream()
                        .mapToInt(g -> g.nodes().size())
                        .sum());
        assertThat(server.agent.requests().getLast().agent().wireName()).isEqualTo(group.recommendedAgent());
        assertThat(summary.failedNodes()).isEmpty();
        assertThat(plugin.noticeTexts()).anyMatch(t -> t.endsWith("重试成功！"));
    }

    @Test
    void theAnalyzeAnswerSaysEachNodesAgentAndItIsItsGroupsAgent() {
        server = new PluginHarness(temp);
        plugin = server.plugin();

        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, FixtureVault.EXAM_170);

        JsonObject answer = preview.response();
        assertThat(answer.getString("node_agents")).isEqualTo("group");
        for (var group : answer.getJsonArray("groups")) {
            String agent = group.asJsonObject().getString("recommended_agent");
            assertThat(group.asJsonObject().getJsonArray("nodes"))
                    .allSatisfy(node ->
                            assertThat(node.asJsonObject().getString("agent")).isEqualTo(agent));
        }
    }

    private ResultSummaryModal runToTheSummary(String canvas) {
        GroupPreviewModal preview = plugin.runIntelligentParallel(server.vault, canvas);
        ProgressMonitorModal progress = preview.confirm().orElseThrow();
        return progress.awaitSummary();
    }

    /** How many notes each agent wrote beside the canvas, read from their names ("… (oral-explanation).md"). */
    private Map<String, Integer> agentsOfNotes(String canvas) {
        Map<String, Integer> agents = new TreeMap<>();
        for (String note : server.notes(canvas)) {
            Matcher agent = NOTE_AGENT.matcher(note);
            assertThat(agent.find()).as(note).isTrue();
            agents.merge(agent.group(1), 1, Integer::sum);
        }
        return agents;
    }
}
