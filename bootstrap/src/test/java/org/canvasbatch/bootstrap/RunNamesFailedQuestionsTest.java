package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The questions a batch could not answer are what the learner has to do again, so {@code canvas-batch run} names each
 * by its text — never by a canvas node id, which Obsidian never shows — on its progress line and, every one of them,
 * in the closing summary: it was cut after 10 ("… and 7 more"), and those 7 were named nowhere.
 */
class RunNamesFailedQuestionsTest {

    private static final String ESC = "\u001b";
    private static final int QUESTIONS = 17;

    @TempDir
    Path temp;

    @Test
    void everyFailedQuestionIsNamedByItsTextOnItsLineAndInTheSummary() throws IOException {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        Files.createDirectories(vault.resolve(".obsidian"));
        List<String> ids = new ArrayList<>();
        List<String> questions = new ArrayList<>();
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < QUESTIONS; i++) {
            String id = String.format("%02d002d5e341a9f0c", i);
            String text = i == 0
                    ? "What does \\u001b]0;PWNED\\u0007\\u001b[2J the cell cycle's G1 checkpoint decide?"
                    : i == 1 ? "如何理解集合的幂集与其子集之间的一一对应关系，以及它在组合计数中的作用和意义是什么" : "What is question number " + i + " about?";
            ids.add(id);
            questions.add(text.replace("\\u001b", ESC).replace("\\u0007", "\u0007"));
            nodes.append(i == 0 ? "" : ",")
                    .append("{\"id\": \"")
                    .append(id)
                    .append("\", \"type\": \"text\", \"text\": \"")
                    .append(text)
                    .append("\", \"color\": \"1\", \"x\": 0, \"y\": ")
                    .append(i * 100)
                    .append(", \"width\": 300, \"height\": 60}");
        }
        Files.writeString(
                vault.resolve("review.canvas"), "{\"nodes\": [" + nodes + "], \"edges\": []}", StandardCharsets.UTF_8);

        String printed;
        int code;
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.defaultReply(Reply.error(400, "This request violates the content policy"));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            code = Main.run(
                    List.of(
                            "run",
                            "review.canvas",
                            "--vault",
                            vault.toString(),
                            "--data",
                            "memory",
                            "--plain",
                            "--model-provider",
                            "openai",
                            "--base-url",
                            llm.openAiBaseUrl(),
                            "--model",
                            "fake-model"),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    new PrintStream(err, true, StandardCharsets.UTF_8));
            printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
        }

        assertThat(code).as(printed).isEqualTo(1);
        assertThat(printed).contains("0 succeeded, " + QUESTIONS + " failed, of " + QUESTIONS);
        List<String> failedLines =
                printed.lines().filter(line -> line.contains("] FAILED ")).toList();
        List<String> summaryLines =
                printed.lines().filter(line -> line.startsWith("  failed: ")).toList();
        assertThat(failedLines).as(printed).hasSize(QUESTIONS);
        assertThat(summaryLines)
                .as("every failed question in the summary: %s", printed)
                .hasSize(QUESTIONS);
        assertThat(printed).doesNotContain("… and ");
        for (int i = 2; i < QUESTIONS; i++) {
            String question = questions.get(i);
            assertThat(failedLines)
                    .as("its progress line names it")
                    .anyMatch(line -> line.contains("FAILED " + question + " — ")
                            && line.endsWith("This request violates the content policy"));
            assertThat(summaryLines).anyMatch(line -> line.contains("failed: " + question + " — "));
        }
        assertThat(failedLines)
                .as("a long question cut to fit its line")
                .anyMatch(line -> line.contains("FAILED 如何理解集合的幂集与其子集之间的一一对应关系") && line.contains("… — "));
        assertThat(failedLines)
                .as("a question with escape sequences, shown as text")
                .anyMatch(line -> line.contains("FAILED What does \\u001b]0;PWNED\\u0007\\u001b[2J the"));
        for (String id : ids) {
            assertThat(printed).as("no node id is shown").doesNotContain(id.substring(0, 11));
        }
        assertThat(printed).doesNotContain(ESC).doesNotContain("\u0007");
    }
}
