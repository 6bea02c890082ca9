package org.canvasbatch.bootstrap.batch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.Agents;
import org.canvasbatch.adapters.agents.EmbeddingConfig;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.InMemoryEventLog;
import org.canvasbatch.adapters.vault.FileVault;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.CanvasNotInVaultException;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.fixtures.AdjustedRandIndex;
import org.canvasbatch.fixtures.FixtureCanvas;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.fixtures.TopicEmbeddings;
import org.canvasbatch.testsupport.ScriptedAgent;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Analyze as the plugin calls it, on a real vault: the nodes it sends, the canvas read from the vault for its groups
 * and edges, and an embedding model over real HTTP (the fake model server) or none.
 */
class AnalyzeGroupingTest {

    private static final Set<String> QUESTION_COLOURS = Set.of("1", "6");

    @TempDir
    Path temp;

    private final LocalTaskExecutor executor = new LocalTaskExecutor(8);
    private final AtomicInteger sessions = new AtomicInteger();
    private final List<LogRecord> analyzeLog = new ArrayList<>();
    private final Logger analyzeLogger = Logger.getLogger("org.canvasbatch.application.batch.AnalyzingCanvas");
    private final Handler capture = new Handler() {
        @Override
        public void publish(LogRecord record) {
            synchronized (analyzeLog) {
                analyzeLog.add(record);
            }
        }

        @Override
        public void flush() {}

        @Override
        public void close() {}
    };
    private FakeLlmServer llm;
    private Path vault;

    @BeforeEach
    void setUp() {
        llm = FakeLlmServer.start();
        vault = FixtureVault.copyTo(temp.resolve("vault"));
        analyzeLogger.addHandler(capture);
    }

    @AfterEach
    void tearDown() {
        analyzeLogger.removeHandler(capture);
        llm.close();
        executor.shutdown(Duration.ofSeconds(1));
    }

    private CanvasBatchCore core(TextEmbedder embeddings) {
        return new CanvasBatchCore(
                new CanvasBatchCore.Ports(
                        new InMemoryEventLog(),
                        new ScriptedAgent(),
                        new FileVault(vault, VaultOptions.defaults(), java.time.Clock.systemUTC()),
                        executor,
                        java.time.Instant::now,
                        () -> new SessionId("s" + sessions.incrementAndGet()),
                        new SplittableRandom(3),
                        embeddings),
                CoreSettings.DEFAULT);
    }

    private TextEmbedder embeddings() {
        return Agents.embeddingsFromConfig(
                new EmbeddingConfig(llm.openAiBaseUrl(), "nomic-embed-text", null, Duration.ofSeconds(10)),
                AgentConfig.offline(),
                Map.of());
    }

    /** The question nodes as the plugin sends them: red and purple only, no group nodes, no edges. */
    private static List<CanvasNode> pluginNodes(String canvasPath) {
        return FixtureCanvas.read(canvasPath).nodes().stream()
                .filter(n -> n.color() != null && QUESTION_COLOURS.contains(n.color()))
                .map(n -> CanvasNode.text(n.id(), n.text(), n.color(), n.x(), n.y(), n.width(), n.height()))
                .toList();
    }

    private static SessionSnapshot analyze(CanvasBatchCore core, String canvasPath, List<CanvasNode> nodes) {
        return core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        canvasPath,
                        Optional.of(nodes),
                        Set.of(),
                        6,
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.empty(),
                        Optional.empty()))
                .session();
    }

    private static double adjustedRandIndex(String canvasPath, SessionSnapshot session) {
        Map<String, String> truth = FixtureVault.trueTopics(canvasPath);
        List<String> truthLabels = new ArrayList<>();
        List<Integer> found = new ArrayList<>();
        for (Group group : session.groups()) {
            for (String nodeId : group.nodeIds()) {
                truthLabels.add(truth.get(nodeId));
                found.add(group.id());
            }
        }
        return AdjustedRandIndex.of(truthLabels, found);
    }

    @Test
    void withAnEmbeddingModelTheGroupsFollowItsVectors() {
        llm.embeddingTopics(TopicEmbeddings.ofGroupingCanvas(FixtureVault.GROUPING_HELD_OUT));

        SessionSnapshot session = analyze(
                core(embeddings()), FixtureVault.GROUPING_HELD_OUT, pluginNodes(FixtureVault.GROUPING_HELD_OUT));

        assertThat(llm.embeddingCalls()).isEqualTo(1);
        assertThat(adjustedRandIndex(FixtureVault.GROUPING_HELD_OUT, session)).isGreaterThanOrEqualTo(0.9);
        assertThat(session.groups()).extracting(Group::id).containsExactly(1, 2, 3, 4);
    }

    @Test
    void aModelThatFailsLeavesTheGroupingToTheWordsWithOneLogLine() {
        llm.embeddingsReply(Reply.error(503, "model is loading"));
        List<CanvasNode> nodes = pluginNodes(FixtureVault.GROUPING_SCIENCES_GRID);

        SessionSnapshot withFailingModel = analyze(core(embeddings()), FixtureVault.GROUPING_SCIENCES_GRID, nodes);
        SessionSnapshot offline = analyze(core(TextEmbedder.none()), FixtureVault.GROUPING_SCIENCES_GRID, nodes);

        assertThat(withFailingModel.groups())
                .extracting(Group::nodeIds)
                .containsExactlyElementsOf(
                        offline.groups().stream().map(Group::nodeIds).toList());
        assertThat(adjustedRandIndex(FixtureVault.GROUPING_SCIENCES_GRID, withFailingModel))
                .isGreaterThanOrEqualTo(0.8);
        List<LogRecord> warnings;
        synchronized (analyzeLog) {
            warnings = analyzeLog.stream()
                    .filter(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
                    .toList();
        }
        assertThat(warnings)
                .singleElement()
                .satisfies(r -> assertThat(r.getMessage())
                        .contains("by words")
                        .contains("503")
                        .contains("model is loading"));
    }

    @Test
    void theCanvasGroupsOfTheStoredCanvasNameTheGroupsThoughThePluginSendsNone() {
        SessionSnapshot session = analyze(
                core(TextEmbedder.none()),
                FixtureVault.GROUPING_LABELLED_GROUPS,
                pluginNodes(FixtureVault.GROUPING_LABELLED_GROUPS));

        assertThat(session.groups())
                .extracting(Group::name)
                .containsExactlyInAnyOrder("力学 Mechanics", "Macroeconomics", "地理：气候与地形", "操作系统 OS");
        assertThat(adjustedRandIndex(FixtureVault.GROUPING_LABELLED_GROUPS, session))
                .isEqualTo(1.0);
    }

    /**
     * Changed deliberately (issue 9, item 5): a canvas that is not in the vault used to be grouped from the nodes sent,
     * and its notes then went into a folder of their own while the plugin said the canvas was updated. Now it is
     * refused, naming the vault the server serves.
     */
    @Test
    void aCanvasThatIsNotInTheVaultIsRefusedNamingTheVaultTheServerServes() {
        CanvasBatchCore core = core(TextEmbedder.none());

        assertThatThrownBy(() -> analyze(
                        core, "Elsewhere/not-in-this-vault.canvas", pluginNodes(FixtureVault.GROUPING_SCIENCES_GRID)))
                .isInstanceOfSatisfying(CanvasNotInVaultException.class, e -> {
                    assertThat(e.canvasPath()).isEqualTo("Elsewhere/not-in-this-vault.canvas");
                    assertThat(e.vaultLocation())
                            .isEqualTo(vault.toAbsolutePath().normalize().toString());
                });
        assertThat(core.useCases().status().sessions()).isEmpty();
        assertThat(temp.resolve("vault/Elsewhere")).doesNotExist();
    }

    @Test
    void aCanvasInTheVaultThatCannotBeReadIsGroupedFromTheNodesSent() throws Exception {
        java.nio.file.Files.writeString(vault.resolve("Grouping/half-saved.canvas"), "{\"nodes\": [");

        SessionSnapshot session = analyze(
                core(TextEmbedder.none()),
                "Grouping/half-saved.canvas",
                pluginNodes(FixtureVault.GROUPING_SCIENCES_GRID));

        assertThat(session.totalNodes()).isEqualTo(48);
        assertThat(adjustedRandIndex(FixtureVault.GROUPING_SCIENCES_GRID, session))
                .isGreaterThanOrEqualTo(0.8);
    }
}
