package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A model server that misbehaves the way real ones do during a batch — 500s, calls that hang past the timeout, bursts
 * of 429 — and a batch that still ends with the right counts, within its time, having retried exactly the transient.
 */
class AgentFaultsTest {

    private static final String EXAM = "Exam Prep/期末复习-170.canvas";

    @TempDir
    Path temp;

    @Test
    void fiveHundredsHangsAndRateLimitsEndInCorrectCounts() throws Exception {
        Path vault = Fixtures.fixtureVaultIn(temp.resolve("vault"));
        List<String> questions = questionsOf(vault.resolve(EXAM));
        assertThat(questions).hasSize(145);
        Random random = new Random(20261126);
        int failingOnce = 0;
        int hanging = 0;
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            for (String question : questions) {
                double roll = random.nextDouble();
                String anchor = "<question>\n" + question + "\n</question>";
                if (roll < 0.05) {
                    llm.whenPromptContains(anchor, Reply.hang());
                    hanging++;
                } else if (roll < 0.25) {
                    llm.whenPromptContains(anchor, Reply.error(500, "upstream exploded"), Reply.echo());
                    failingOnce++;
                }
            }
            // a burst of rate limiting hits whichever calls come first
            for (int i = 0; i < 12; i++) {
                llm.enqueue(Reply.rateLimited("1"));
            }

            ByteArrayOutputStream out = new ByteArrayOutputStream();
            int exit = Main.run(
                    List.of(
                            "run",
                            EXAM,
                            "--vault",
                            vault.toString(),
                            "--data",
                            "memory",
                            "--plain",
                            "--concurrency",
                            "12",
                            "--node-timeout",
                            "1",
                            "--timeout",
                            "120",
                            "--model-provider",
                            "openai",
                            "--base-url",
                            llm.openAiBaseUrl(),
                            "--model",
                            "fake-model"),
                    new PrintStream(out, true, StandardCharsets.UTF_8),
                    System.err);
            String report = out.toString(StandardCharsets.UTF_8);

            assertThat(hanging).isPositive();
            assertThat(failingOnce).isPositive();
            assertThat(exit).as(report).isEqualTo(1);
            assertThat(report)
                    .contains((145 - hanging) + " succeeded, " + hanging + " failed, of 145")
                    .contains("did not answer within 1 s");
            assertThat(report)
                    .as("the batch ended by itself, not by its timeout")
                    .doesNotContain("exceeded its timeout");
            // every hanging node tried three times; every 500 once more; every 429 once more
            assertThat(llm.calls()).isEqualTo(145 + 2 * hanging + failingOnce + 12);
        }
    }

    private static List<String> questionsOf(Path canvasFile) throws Exception {
        JsonObject canvas = Json.createReader(new StringReader(Files.readString(canvasFile)))
                .readObject();
        return canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(n -> n.containsKey("color") && List.of("1", "6").contains(n.getString("color")))
                .map(n -> n.getString("text"))
                .toList();
    }
}
