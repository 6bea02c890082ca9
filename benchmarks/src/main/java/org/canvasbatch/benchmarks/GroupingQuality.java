package org.canvasbatch.benchmarks;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.Agents;
import org.canvasbatch.adapters.agents.EmbeddingConfig;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.benchmarks.load.FakeModel;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasEdge;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.grouping.GroupingInput;
import org.canvasbatch.domain.grouping.GroupingResult;
import org.canvasbatch.domain.grouping.TopicGrouping;
import org.canvasbatch.fixtures.AdjustedRandIndex;
import org.canvasbatch.fixtures.FixtureCanvas;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.fixtures.TopicEmbeddings;

/**
 * How well grouping finds the true topics of the labelled fixture canvases: the adjusted Rand index against the
 * recorded topic of every question, offline (with the stored canvas, and with the plugin's nodes alone) and with
 * embeddings from the fake model over real HTTP, with the plugin's default of at most six groups. Prints a Markdown
 * table for docs/benchmarks.md.
 *
 * <pre>
 * java -cp "benchmarks/target/classes:benchmarks/target/lib/*" org.canvasbatch.benchmarks.GroupingQuality
 * </pre>
 */
public final class GroupingQuality {

    private static final int PLUGIN_MAX_GROUPS = 6;
    private static final Set<String> QUESTION_COLOURS = Set.of("1", "6");

    private GroupingQuality() {}

    public static void main(String[] args) throws Exception {
        System.out.println("| canvas | questions | true topics | offline, canvas read from the vault | offline, the"
                + " plugin's nodes alone | offline, max_groups 3 | embeddings (fake model) |");
        System.out.println("|---|---|---|---|---|---|---|");
        try (FakeModel model = FakeModel.start()) {
            TextEmbedder embedder = Agents.embeddingsFromConfig(
                    new EmbeddingConfig(model.baseUrl(), "fake-embed", null, Duration.ofSeconds(30)),
                    AgentConfig.offline(),
                    Map.of());
            for (String path : FixtureVault.GROUPING_CANVASES) {
                Canvas canvas = canvas(path);
                List<CanvasNode> questions = canvas.nodesColored(QUESTION_COLOURS);
                GroupingInput fromVault = GroupingInput.ofNodes(questions, Optional.of(canvas));
                GroupingInput pluginOnly = GroupingInput.ofNodes(questions, Optional.empty());
                model.embeddingTopics(TopicEmbeddings.ofGroupingCanvas(path));
                GroupingInput embedded = fromVault.withEmbeddings(embedder.embed(fromVault.texts()));
                long topics = FixtureVault.trueTopics(path).values().stream()
                        .distinct()
                        .count();
                System.out.printf(
                        Locale.ROOT,
                        "| `%s` | %d | %d | %s | %s | %s | %s |%n",
                        path,
                        questions.size(),
                        topics,
                        measure(path, fromVault, PLUGIN_MAX_GROUPS),
                        measure(path, pluginOnly, PLUGIN_MAX_GROUPS),
                        measure(path, fromVault, 3),
                        measure(path, embedded, PLUGIN_MAX_GROUPS));
            }
        }
    }

    private static String measure(String path, GroupingInput input, int maxGroups) {
        GroupingResult result = new TopicGrouping().group(input, maxGroups);
        return String.format(
                Locale.ROOT,
                "**%.2f** (K = %d, silhouette %.2f)",
                adjustedRandIndex(path, input.questions(), result),
                result.clusters().size(),
                result.silhouette());
    }

    static double adjustedRandIndex(String path, List<CanvasNode> questions, GroupingResult result) {
        Map<String, String> truth = FixtureVault.trueTopics(path);
        String[] found = new String[questions.size()];
        for (int g = 0; g < result.clusters().size(); g++) {
            for (int member : result.clusters().get(g).members()) {
                found[member] = "group " + g;
            }
        }
        return AdjustedRandIndex.of(
                questions.stream().map(q -> truth.get(q.id())).toList(), List.of(found));
    }

    static Canvas canvas(String path) {
        FixtureCanvas fixture = FixtureCanvas.read(path);
        return new Canvas(
                path,
                fixture.nodes().stream()
                        .map(n -> new CanvasNode(
                                n.id(),
                                n.type(),
                                n.text(),
                                n.file(),
                                n.url(),
                                n.label(),
                                n.color(),
                                n.x(),
                                n.y(),
                                n.width(),
                                n.height()))
                        .toList(),
                fixture.edges().stream()
                        .map(e -> new CanvasEdge(e.id(), e.fromNode(), e.toNode(), e.label()))
                        .toList());
    }
}
