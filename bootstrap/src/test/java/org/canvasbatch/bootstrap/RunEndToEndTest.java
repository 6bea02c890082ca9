package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.canvasbatch.fixtures.FixtureVault;
import org.canvasbatch.fixtures.TopicEmbeddings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code canvas-batch run} end to end: the real wiring, a copy of the 170-node exam canvas, and a fake language model
 * speaking the OpenAI API over real HTTP.
 */
class RunEndToEndTest {

    private static final String EXAM = "Exam Prep/期末复习-170.canvas";

    @TempDir
    Path temp;

    private record Outcome(int exitCode, String out, String err) {}

    private Outcome run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        List<String> all = new ArrayList<>(List.of("run"));
        all.addAll(List.of(args));
        int code = Main.run(
                all,
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** {@code args}, then the options that have {@code llm} write the notes, and plain progress lines. */
    private static String[] withTheFakeModel(FakeLlmServer llm, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of(
                "--model-provider", "openai", "--base-url", llm.openAiBaseUrl(), "--model", "fake-model", "--plain"));
        return all.toArray(String[]::new);
    }

    private static String question(String text) {
        return "<question>\n" + text + "\n</question>";
    }

    @Test
    void theExamCanvasGetsOneNoteAndOneCanvasLinkPerSucceededNodeAndFailuresCarryTheServersMessage() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.whenPromptContains(question("什么是等价关系"), Reply.error(400, "This request violates the content policy"));
            llm.whenPromptContains(question("什么是二部图"), Reply.error(503, "The server is overloaded"), Reply.echo());
            llm.whenPromptContains(question("如何理解集合的幂集"), Reply.rateLimited("1"), Reply.echo());

            Outcome outcome = run(withTheFakeModel(
                    llm, EXAM, "--vault", vault.toString(), "--data", "memory", "--concurrency", "12"));

            assertThat(outcome.exitCode()).as(outcome.err()).isEqualTo(1);
            assertThat(outcome.out())
                    .contains("144 succeeded, 1 failed, of 145")
                    .contains("This request violates the content policy");
            assertThat(llm.callsWithPrompt(question("什么是等价关系")))
                    .as("permanent: no retry")
                    .isEqualTo(1);
            assertThat(llm.callsWithPrompt(question("什么是二部图")))
                    .as("503 retried once")
                    .isEqualTo(2);
            assertThat(llm.callsWithPrompt(question("如何理解集合的幂集")))
                    .as("429 retried once")
                    .isEqualTo(2);
            assertThat(llm.calls()).isEqualTo(145 + 2);

            Path notesDir = vault.resolve("Exam Prep/期末复习-170-notes");
            List<Path> notes;
            try (Stream<Path> files = Files.list(notesDir)) {
                notes = files.toList();
            }
            assertThat(notes).hasSize(144).allMatch(p -> p.toString().endsWith(".md"));
            assertThat(notes).noneMatch(p -> p.getFileName().toString().startsWith("什么是等价关系 ("));

            JsonObject canvas = Json.createReader(new StringReader(Files.readString(vault.resolve(EXAM))))
                    .readObject();
            List<JsonObject> noteNodes = canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                    .filter(n -> n.getString("id").startsWith("cb-note-"))
                    .toList();
            List<JsonObject> noteEdges = canvas.getJsonArray("edges").getValuesAs(JsonObject.class).stream()
                    .filter(e -> e.getString("id").startsWith("cb-edge-"))
                    .toList();
            assertThat(noteNodes)
                    .hasSize(144)
                    .allMatch(n -> n.getString("type").equals("file")
                            && n.getString("color").equals("5"));
            assertThat(noteEdges).hasSize(144);
            Set<String> linkedFiles =
                    noteNodes.stream().map(n -> n.getString("file")).collect(Collectors.toSet());
            Set<String> writtenFiles = notes.stream()
                    .map(p -> vault.relativize(p).toString().replace('\\', '/'))
                    .collect(Collectors.toSet());
            assertThat(linkedFiles).isEqualTo(writtenFiles);
            Map<String, JsonObject> byId =
                    noteNodes.stream().collect(Collectors.toMap(n -> n.getString("id"), Function.identity()));
            assertThat(noteEdges).allMatch(e -> byId.containsKey(e.getString("toNode")));
        }
    }

    @Test
    void runningTheSameCanvasAgainOverwritesNotesAndAddsNoDuplicateLinks() throws IOException {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("vault"));
        String canvas = "数学/线性代数.canvas";
        assertThat(run(canvas, "--vault", vault.toString(), "--data", "memory", "--plain")
                        .exitCode())
                .isZero();
        String firstCanvas = Files.readString(vault.resolve(canvas));
        assertThat(run(canvas, "--vault", vault.toString(), "--data", "memory", "--plain")
                        .exitCode())
                .isZero();

        try (Stream<Path> files = Files.list(vault.resolve("数学/线性代数-notes"))) {
            assertThat(files.count()).isEqualTo(10);
        }
        JsonObject again = Json.createReader(new StringReader(Files.readString(vault.resolve(canvas))))
                .readObject();
        JsonObject first = Json.createReader(new StringReader(firstCanvas)).readObject();
        assertThat(again.getJsonArray("nodes")).hasSameSizeAs(first.getJsonArray("nodes"));
        assertThat(again.getJsonArray("edges")).hasSameSizeAs(first.getJsonArray("edges"));
    }

    @Test
    void everyWikiLinkInTheOfflineNotesOpensAFileOfTheVault() throws IOException {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        assertThat(run(EXAM, "--vault", vault.toString(), "--data", "memory", "--plain")
                        .exitCode())
                .isZero();

        java.util.regex.Pattern wikiLink = java.util.regex.Pattern.compile("\\[\\[([^\\]|#]+)(?:[|#][^\\]]*)?]]");
        List<String> links = new ArrayList<>();
        try (Stream<Path> notes = Files.list(vault.resolve("Exam Prep/期末复习-170-notes"))) {
            for (Path note : (Iterable<Path>) notes::iterator) {
                var matcher = wikiLink.matcher(Files.readString(note));
                while (matcher.find()) {
                    links.add(matcher.group(1));
                }
            }
        }
        assertThat(links).hasSizeGreaterThan(100);
        Path notesDir = vault.resolve("Exam Prep/期末复习-170-notes");
        assertThat(links)
                .allSatisfy(target -> assertThat(Files.exists(vault.resolve(target))
                                || Files.exists(notesDir.resolve(target + ".md"))
                                || Files.exists(vault.resolve(target + ".md")))
                        .as("[[%s]] opens a file", target)
                        .isTrue());
    }

    @Test
    void notesWhoseLinksCouldNotBeWrittenIntoTheCanvasAreNamedInTheSummary() throws Exception {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("vault"));
        Path canvas = vault.resolve("Biology/Cell Biology.canvas");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            java.util.concurrent.CountDownLatch answer = new java.util.concurrent.CountDownLatch(1);
            llm.defaultReply(Reply.gated(answer, Reply.echo()));
            // on a thread of its own, as the command's main thread
            var running = new java.util.concurrent.CompletableFuture<Outcome>();
            Thread.ofPlatform()
                    .start(() -> running.complete(run(withTheFakeModel(
                            llm, "Biology/Cell Biology.canvas", "--vault", vault.toString(), "--data", "memory"))));
            assertThat(llm.awaitCalls(1, java.time.Duration.ofSeconds(30))).isTrue();
            // the learner's editor is halfway through saving the canvas, and stays so until the run ends
            Files.writeString(canvas, "{\"nodes\": [");
            answer.countDown();

            Outcome outcome = running.get(60, java.util.concurrent.TimeUnit.SECONDS);

            assertThat(outcome.exitCode()).as(outcome.err()).isZero();
            assertThat(outcome.out())
                    .contains("13 succeeded, 0 failed, of 13")
                    .contains("13 note(s) written but not linked into 'Biology/Cell Biology.canvas' yet: ")
                    .contains("not valid JSON")
                    .contains("linked by the next canvas-batch run or serve on this vault that can write the canvas");
        }
    }

    @Test
    void aDryRunPrintsGroupsAndAgentsAndWritesNothing() throws IOException {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("vault"));
        String before = Files.readString(vault.resolve("Biology/Cell Biology.canvas"));
        // an hour-old temporary file an earlier run left: a run that writes sweeps it, a dry run changes nothing
        Path litter = vault.resolve("Biology/.canvas-batch-0123456789abcdef.tmp");
        Files.writeString(litter, "partial");
        Files.setLastModifiedTime(
                litter,
                java.nio.file.attribute.FileTime.from(java.time.Instant.now().minusSeconds(3600)));

        Outcome outcome = run("Biology/Cell Biology.canvas", "--vault", vault.toString(), "--dry-run");

        assertThat(outcome.exitCode()).isZero();
        // one unit of cell biology is one topic: it is not cut into groups for the sake of it
        assertThat(outcome.out())
                .contains("13 question node(s) in 1 group(s) (grouped by words)")
                .containsPattern("1\\. .+ 13 node\\(s\\) +(urgent|high|medium|low) +\\d+ agents, one per question")
                .contains("Dry run");
        assertThat(Files.readString(vault.resolve("Biology/Cell Biology.canvas")))
                .isEqualTo(before);
        assertThat(vault.resolve("Biology/Cell Biology-notes")).doesNotExist();
        assertThat(litter)
                .as("a hostile tester's case: the dry run swept the vault")
                .exists();
    }

    @Test
    void anEmbeddingModelGivenOnTheCommandLineGroupsTheCanvasByItsVectors() {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.embeddingTopics(TopicEmbeddings.ofGroupingCanvas(FixtureVault.GROUPING_HELD_OUT));

            Outcome outcome = dryRunWithEmbeddingsFrom(llm);

            assertThat(outcome.exitCode()).as(outcome.err()).isZero();
            assertThat(outcome.out())
                    .contains("60 question node(s) in 4 group(s) (grouped by openai:nomic-embed-text embeddings)");
            assertThat(llm.embeddingCalls()).isEqualTo(1);
            assertThat(llm.lastCall().json().getString("model")).isEqualTo("nomic-embed-text");
        }
    }

    @Test
    void aPlanGroupedByWordsBecauseTheEmbeddingModelFailedSaysSo() {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.embeddingsReply(FakeLlmServer.Reply.error(500, "the embedding model is not loaded"));

            Outcome outcome = dryRunWithEmbeddingsFrom(llm);

            assertThat(outcome.exitCode()).as(outcome.err()).isZero();
            assertThat(llm.embeddingCalls()).isPositive();
            assertThat(outcome.out()).contains("(grouped by words)").doesNotContain("embeddings)");
        }
    }

    @Test
    void aPlanGroupedByTheLearnersOwnCanvasGroupsSaysSoAndNotWords() {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));

        Outcome outcome = run(
                FixtureVault.GROUPING_LABELLED_GROUPS, "--vault", vault.toString(), "--dry-run", "--data", "memory");

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out())
                .contains("(grouped by the canvas's own groups)")
                .doesNotContain("by words");
    }

    /**
     * Half the questions in two labelled canvas groups, half outside them on two other topics: the plan says the words
     * grouped those (a hostile tester saw "grouped by the canvas's own groups" for groups made of words).
     */
    @Test
    void aPlanOfTheLearnersGroupsAndTopicGroupsOutsideThemSaysBoth() throws IOException {
        Path vault = Files.createDirectories(temp.resolve("mixed"));
        Files.createDirectories(vault.resolve(".obsidian"));
        Files.writeString(vault.resolve("mix.canvas"), MIXED_GROUPS);

        Outcome outcome = run("mix.canvas", "--vault", vault.toString(), "--dry-run", "--data", "memory");

        assertThat(outcome.exitCode()).as(outcome.err()).isZero();
        assertThat(outcome.out())
                .contains("(grouped by the canvas's own groups, and words for the questions outside them)");
    }

    private static final String MIXED_GROUPS =
            "{\"nodes\": [{\"id\": \"i0\", \"type\": \"text\", \"text\": \"What is mitosis in cells?\", \"color\": \"1\", \"x\": 0, \"y\": 0, \"width\": 300, \"height\": 80}, {\"id\": \"i1\", \"type\": \"text\", \"text\": \"How do cells divide by mitosis?\", \"color\": \"1\", \"x\": 320, \"y\": 0, \"width\": 300, \"height\": 80}, {\"id\": \"i2\", \"type\": \"text\", \"text\": \"Why do cells need mitosis?\", \"color\": \"1\", \"x\": 640, \"y\": 0, \"width\": 300, \"height\": 80}, {\"id\": \"i3\", \"type\": \"text\", \"text\": \"What is a chromosome in mitosis?\", \"color\": \"1\", \"x\": 3000, \"y\": 0, \"width\": 300, \"height\": 80}, {\"id\": \"i4\", \"type\": \"text\", \"text\": \"Explain mitosis chromosome phases\", \"color\": \"1\", \"x\": 3320, \"y\": 0, \"width\": 300, \"height\": 80}, {\"id\": \"i5\", \"type\": \"text\", \"text\": \"Mitosis versus cytokinesis in cells\", \"color\": \"1\", \"x\": 3640, \"y\": 0, \"width\": 300, \"height\": 80}, {\"id\": \"o0\", \"type\": \"text\", \"text\": \"What is a sonnet meter in poetry?\", \"color\": \"1\", \"x\": 0, \"y\": 2000, \"width\": 300, \"height\": 80}, {\"id\": \"o1\", \"type\": \"text\", \"text\": \"How to scan iambic poetry meter?\", \"color\": \"1\", \"x\": 320, \"y\": 2000, \"width\": 300, \"height\": 80}, {\"id\": \"o2\", \"type\": \"text\", \"text\": \"Why is poetry meter important in a sonnet?\", \"color\": \"1\", \"x\": 640, \"y\": 2000, \"width\": 300, \"height\": 80}, {\"id\": \"o3\", \"type\": \"text\", \"text\": \"What is a derivative in calculus integral?\", \"color\": \"1\", \"x\": 960, \"y\": 2000, \"width\": 300, \"height\": 80}, {\"id\": \"o4\", \"type\": \"text\", \"text\": \"How to compute an integral in calculus?\", \"color\": \"1\", \"x\": 1280, \"y\": 2000, \"width\": 300, \"height\": 80}, {\"id\": \"o5\", \"type\": \"text\", \"text\": \"Why is the calculus derivative a limit?\", \"color\": \"1\", \"x\": 1600, \"y\": 2000, \"width\": 300, \"height\": 80}, {\"id\": \"gA\", \"type\": \"group\", \"label\": \"Unit A\", \"x\": -50, \"y\": -50, \"width\": 1100, \"height\": 200}, {\"id\": \"gB\", \"type\": \"group\", \"label\": \"Unit B\", \"x\": 2950, \"y\": -50, \"width\": 1100, \"height\": 200}], \"edges\": []}";

    /** A dry run of the held-out grouping canvas with the embedding model nomic-embed-text served by {@code llm}. */
    private Outcome dryRunWithEmbeddingsFrom(FakeLlmServer llm) {
        Path vault = FixtureVault.copyTo(temp.resolve("vault"));
        return run(
                FixtureVault.GROUPING_HELD_OUT,
                "--vault",
                vault.toString(),
                "--dry-run",
                "--embedding-model",
                "nomic-embed-text",
                "--embedding-base-url",
                llm.openAiBaseUrl());
    }

    @Test
    void usageAndInputMistakesExitWithTwoAndOneLineOfExplanation() throws IOException {
        Path vault = Fixtures.copy(Fixtures.exampleVault(), temp.resolve("vault"));
        Files.writeString(vault.resolve("broken.canvas"), "{\"nodes\": [");

        assertThat(run("--vault", vault.toString()).err()).contains("run needs exactly one canvas");
        assertThat(run("x.canvas", "--colour", "1").err()).contains("unknown option --colour");
        assertThat(run("Biology/Cell Biology.canvas", "--vault", vault.toString(), "--agent", "poet")
                        .err())
                .contains("Unknown agent 'poet'");
        assertThat(run("Biology/Cell Biology.canvas", "--vault", vault.toString(), "--concurrency", "0")
                        .err())
                .contains("--concurrency must be between 1 and 50");
        Outcome broken = run("broken.canvas", "--vault", vault.toString(), "--data", "memory");
        assertThat(broken.exitCode()).isEqualTo(2);
        assertThat(broken.err()).contains("broken.canvas").doesNotContain("Exception");
        Outcome noQuestions =
                run("Biology/Cell Biology.canvas", "--vault", vault.toString(), "--colors", "2", "--data", "memory");
        assertThat(noQuestions.exitCode()).isEqualTo(2);
        assertThat(noQuestions.err()).contains("2 (orange)");
        assertThat(run("../outside.canvas", "--vault", vault.toString()).exitCode())
                .isEqualTo(2);
        // a canvas that is there, but not in the vault named: said so, not "must be relative to the vault"
        Path outside = Files.copy(vault.resolve("broken.canvas"), temp.resolve("outside.canvas"));
        Outcome elsewhere = run(outside.toString(), "--vault", vault.toString(), "--data", "memory");
        assertThat(elsewhere.exitCode()).isEqualTo(2);
        assertThat(elsewhere.err()).contains("'" + outside + "' is outside the vault " + vault.toAbsolutePath());
        Files.createDirectories(vault.resolve(".trash"));
        Files.copy(vault.resolve("broken.canvas"), vault.resolve(".trash/old.canvas"));
        assertThat(run(".trash/old.canvas", "--vault", vault.toString(), "--data", "memory")
                        .err())
                .contains("the canvas '.trash/old.canvas' must not lead into a hidden folder");
        for (String[] args :
                List.of(new String[] {"--vault", vault.toString()}, new String[] {"x.canvas", "--colour", "1"})) {
            assertThat(run(args).exitCode()).isEqualTo(2);
        }
    }
}
