package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.JsonString;
import java.io.IOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.canvasbatch.application.port.out.EmbeddingUnavailable;
import org.canvasbatch.application.port.out.TextEmbedder;
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
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The embeddings client against the fake model server over real HTTP. */
class OpenAiEmbeddingsTest {

    private FakeLlmServer llm;

    @BeforeEach
    void startFakeServer() {
        llm = FakeLlmServer.start();
    }

    @AfterEach
    void stopFakeServer() {
        llm.close();
    }

    private AgentConfig openAi() {
        return AgentConfig.offline()
                .withProvider(AgentConfig.Provider.OPENAI)
                .withBaseUrl(llm.openAiBaseUrl())
                .withModel("gpt-4o-mini")
                .withApiKey("sk-notes");
    }

    private TextEmbedder embedder(Duration timeout) {
        return Agents.embeddingsFromConfig(
                new EmbeddingConfig(null, "text-embedding-3-small", null, timeout), openAi(), Map.of());
    }

    private TextEmbedder embedder() {
        return embedder(Duration.ofSeconds(10));
    }

    @Test
    void sendsTheTextsToTheEmbeddingsEndpointOfTheNotesServerWithItsKey() throws Exception {
        llm.requireApiKey("sk-notes");

        List<float[]> vectors = embedder().embed(List.of("什么是核糖体", "What is a ribosome?"));

        assertThat(vectors).hasSize(2).allSatisfy(v -> assertThat(v).hasSize(TopicEmbeddings.DIMENSIONS));
        FakeLlmServer.Call call = llm.lastCall();
        assertThat(call.path()).isEqualTo("/v1/embeddings");
        assertThat(call.header("authorization")).isEqualTo("Bearer sk-notes");
        assertThat(call.json().getString("model")).isEqualTo("text-embedding-3-small");
        assertThat(call.json().getJsonArray("input").getValuesAs(JsonString.class))
                .extracting(JsonString::getString)
                .containsExactly("什么是核糖体", "What is a ribosome?");
    }

    @Test
    void manyTextsGoInBatchesAndComeBackInTheirOrder() throws Exception {
        List<String> texts = new ArrayList<>();
        for (int i = 0; i < 300; i++) {
            texts.add("question " + i);
        }

        List<float[]> vectors = embedder().embed(texts);

        assertThat(llm.embeddingCalls()).isEqualTo(3);
        assertThat(vectors).hasSize(300);
        assertThat(vectors.get(257))
                .isEqualTo(embedder().embed(List.of("question 257")).get(0));
    }

    @Test
    void aQuestionWithoutTextIsSentAsABlankOneWhichTheApiAccepts() throws Exception {
        assertThat(embedder().embed(List.of("", "What is a gene?"))).hasSize(2);
    }

    @Test
    void aServerErrorIsUnavailableWithTheServersOwnWords() {
        llm.embeddingsReply(Reply.error(500, "the embedding model is loading"));

        assertThatThrownBy(() -> embedder().embed(List.of("What is a gene?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining("500")
                .hasMessageContaining("the embedding model is loading");
    }

    @Test
    void aRefusedKeyIsUnavailableWithWhatToCheck() {
        llm.requireApiKey("sk-other");

        assertThatThrownBy(() -> embedder().embed(List.of("What is a gene?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining("401")
                .hasMessageContaining("--embedding-api-key");
    }

    @Test
    void aServerThatIsNotRunningIsUnavailable() throws IOException {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0)) {
            closedPort = socket.getLocalPort();
        }
        TextEmbedder down = Agents.embeddingsFromConfig(
                new EmbeddingConfig("http://127.0.0.1:" + closedPort + "/v1", "nomic-embed-text", null, null),
                AgentConfig.offline(),
                Map.of());

        assertThatThrownBy(() -> down.embed(List.of("What is a gene?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining("could not connect");
    }

    @Test
    void aServerThatHangsIsGivenUpAtTheTimeBudget() {
        llm.embeddingsReply(Reply.hang());
        long started = System.nanoTime();

        assertThatThrownBy(() -> embedder(Duration.ofMillis(300)).embed(List.of("What is a gene?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining("did not answer");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void aServerThatDripsItsAnswerIsGivenUpAtTheTimeBudget() {
        // the HTTP client's timeout ends at the answer's head: a body dripped a byte at a time held the analysis for
        // as long as the body lasted (1 min 55 s for 110 bytes at 1 byte/s with --embedding-timeout 2s)
        llm.embeddingsReply(Reply.drip("{\"data\":[]}".repeat(40), Duration.ofMillis(100)));
        long started = System.nanoTime();

        assertThatThrownBy(() -> embedder(Duration.ofMillis(500)).embed(List.of("What is a gene?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining("did not answer");
        // the whole body would take 44 s
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
    }

    @Test
    void anAnswerNestedTooDeeplyIsUnavailableSoTheWordsDecide() {
        // a RuntimeException ("Input is too deeply nested") escaped embed(): the analysis failed instead of grouping
        // by words
        llm.embeddingsReply(Reply.raw(200, "application/json", "{\"data\":" + "[".repeat(100_000), Map.of()));

        assertThatThrownBy(() -> embedder().embed(List.of("What is a gene?"))).isInstanceOf(EmbeddingUnavailable.class);
    }

    @Test
    void aNumberBeyondAnyRangeIsUnavailableSoTheWordsDecide() {
        // a NumberFormatException ("Too many nonzero exponent digits") escaped embed(): the analysis failed
        llm.embeddingsReply(Reply.raw(
                200, "application/json", "{\"data\":[{\"index\":0,\"embedding\":[1e99999999999,0.5]}]}", Map.of()));

        assertThatThrownBy(() -> embedder().embed(List.of("What is a gene?"))).isInstanceOf(EmbeddingUnavailable.class);
    }

    @Test
    void aValueBeyondTheRangeOfAFloatIsNotANumberTheVectorsCanUse() {
        // 1e300 is a finite double but an infinite float: the vectors were returned, the grouping dropped them
        // silently and the log still said "grouped by … embeddings"
        llm.embeddingsReply(
                Reply.raw(200, "application/json", "{\"data\":[{\"index\":0,\"embedding\":[1e300,0.5]}]}", Map.of()));

        assertThatThrownBy(() -> embedder().embed(List.of("What is a gene?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining("not a list of numbers");
    }

    /**
     * One vector of zeros: the grouping dropped every vector and grouped by words, while run and the log said "grouped
     * by … embeddings" (a hostile server's answer). Vectors of two lengths were refused before.
     */
    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "[0.0,0.0,0.0] | [0.1,0.2,0.3] | an embedding of zeros",
                "[0.1,0.2,0.3] | [0.1,0.2] | different lengths",
                "[] | [] | different lengths"
            })
    void vectorsTheGroupingCannotUseAreUnavailableSoTheWordsDecideAndSaySo(String first, String second, String said) {
        llm.embeddingsReply(Reply.raw(
                200,
                "application/json",
                "{\"data\":[{\"index\":0,\"embedding\":" + first + "},{\"index\":1,\"embedding\":" + second + "}]}",
                Map.of()));

        assertThatThrownBy(() -> embedder().embed(List.of("What is a gene?", "What is a codon?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining(said);
    }

    @Test
    void anAnswerThatIsNotOneVectorPerTextIsUnavailable() {
        llm.embeddingsReply(Reply.raw(
                200,
                "application/json",
                "{\"object\":\"list\",\"data\":[{\"object\":\"embedding\",\"index\":0,\"embedding\":[0.1,0.2]}]}",
                Map.of()));

        assertThatThrownBy(() -> embedder().embed(List.of("What is a gene?", "What is a codon?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining("one vector per text");
    }

    @Test
    void anAnswerThatIsNotJsonIsUnavailable() {
        llm.embeddingsReply(Reply.garbage());

        assertThatThrownBy(() -> embedder().embed(List.of("What is a gene?")))
                .isInstanceOf(EmbeddingUnavailable.class)
                .hasMessageContaining("not JSON");
    }

    @Test
    void anInterruptAbandonsTheCallAtOnce() throws Exception {
        llm.embeddingsReply(Reply.hang());
        CompletableFuture<Throwable> outcome = new CompletableFuture<>();
        Thread caller = Thread.ofVirtual().start(() -> {
            try {
                embedder().embed(List.of("What is a gene?"));
                outcome.complete(null);
            } catch (Throwable t) {
                outcome.complete(t);
            }
        });
        assertThat(llm.awaitCalls(1, Duration.ofSeconds(5))).isTrue();

        caller.interrupt();

        assertThat(outcome.get(5, TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
    }

    @Test
    void anthropicHasNoEmbeddingEndpointSoAnEmbeddingModelNeedsItsOwnServer() {
        AgentConfig anthropic = AgentConfig.offline()
                .withProvider(AgentConfig.Provider.ANTHROPIC)
                .withModel("claude-3-5-haiku-latest")
                .withApiKey("sk-ant");

        assertThatIllegalArgumentException()
                .isThrownBy(() -> Agents.embeddingsFromConfig(
                        new EmbeddingConfig(null, "nomic-embed-text", null, null), anthropic, Map.of()))
                .withMessageContaining("--embedding-base-url")
                .withMessageContaining("11434");
        assertThat(Agents.embeddingsFromConfig(
                                new EmbeddingConfig(llm.openAiBaseUrl(), "nomic-embed-text", null, null),
                                anthropic,
                                Map.of())
                        .configured())
                .isTrue();
    }

    @Test
    void withoutAnEmbeddingModelThereAreNoEmbeddings() {
        assertThat(Agents.embeddingsFromConfig(EmbeddingConfig.none(), openAi(), Map.of())
                        .configured())
                .isFalse();
        assertThatIllegalArgumentException()
                .isThrownBy(() -> Agents.embeddingsFromConfig(
                        new EmbeddingConfig(llm.openAiBaseUrl(), null, null, null), openAi(), Map.of()))
                .withMessageContaining("--embedding-model");
    }

    @Test
    void openAisOwnApiNeedsAKeyForEmbeddings() {
        AgentConfig offline = AgentConfig.offline();
        EmbeddingConfig openAiEmbeddings =
                new EmbeddingConfig("https://api.openai.com/v1", "text-embedding-3-small", null, null);

        assertThatIllegalArgumentException()
                .isThrownBy(() -> Agents.embeddingsFromConfig(openAiEmbeddings, offline, Map.of()))
                .withMessageContaining("OPENAI_API_KEY");
        assertThat(Agents.embeddingsFromConfig(openAiEmbeddings, offline, Map.of("OPENAI_API_KEY", "sk-env"))
                        .model())
                .isEqualTo("openai:text-embedding-3-small");
    }

    /** The embedding path's quality gate: the fake model's vectors encode the true topics, grouping must find them. */
    @ParameterizedTest
    @ValueSource(
            strings = {
                FixtureVault.GROUPING_SCIENCES_GRID,
                FixtureVault.GROUPING_LABELLED_GROUPS,
                FixtureVault.GROUPING_LINKED_NOTES,
                FixtureVault.GROUPING_HELD_OUT,
                FixtureVault.GROUPING_HELD_OUT_STUDENT
            })
    void vectorsFromTheModelGroupALabelledCanvasByItsTopics(String path) throws Exception {
        llm.embeddingTopics(TopicEmbeddings.ofGroupingCanvas(path));
        Canvas canvas = canvas(path);
        List<CanvasNode> questions = canvas.nodesColored(java.util.Set.of("1", "6"));
        GroupingInput input = GroupingInput.ofNodes(questions, Optional.of(canvas));

        GroupingResult result =
                new TopicGrouping().group(input.withEmbeddings(embedder().embed(input.texts())), 6);

        assertThat(adjustedRandIndex(path, questions, result)).isGreaterThanOrEqualTo(0.9);
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

    @Test
    void theModelNameIsTheEmbeddingModel() {
        assertThat(embedder().model()).isEqualTo("openai:text-embedding-3-small");
        assertThat(new OpenAiEmbeddings(
                                new EmbeddingConfig(llm.openAiBaseUrl(), "bge-m3", null, null),
                                ModelServer.newClient(Duration.ofSeconds(1)),
                                Clock.systemUTC())
                        .model())
                .isEqualTo("openai:bge-m3");
    }
}
