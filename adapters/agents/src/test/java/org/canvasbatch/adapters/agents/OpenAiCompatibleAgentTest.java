package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import java.time.Clock;
import java.util.Map;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class OpenAiCompatibleAgentTest extends ModelAgentContract {

    @Override
    AgentConfig.Provider provider() {
        return AgentConfig.Provider.OPENAI;
    }

    @Override
    String baseUrl() {
        return llm.openAiBaseUrl();
    }

    @Override
    String serverLabel() {
        return "OpenAI-compatible server at " + llm.openAiBaseUrl();
    }

    @Override
    AgentRunner agent(AgentConfig config, Clock clock) {
        return new OpenAiCompatibleAgent(
                config, PromptTemplates.builtIn(), ModelServer.newClient(config.timeout()), clock);
    }

    @Test
    void speaksChatCompletionsWithABearerKey() throws Exception {
        llm.requireApiKey("sk-test-key");

        agent().run(Requests.en(AgentId.MEMORY_ANCHOR));

        FakeLlmServer.Call call = llm.lastCall();
        Prompt prompt = PromptTemplates.builtIn().render(Requests.en(AgentId.MEMORY_ANCHOR));
        assertThat(call.path()).isEqualTo("/v1/chat/completions");
        assertThat(call.header("authorization")).isEqualTo("Bearer sk-test-key");
        JsonArray messages = call.json().getJsonArray("messages");
        assertThat(messages).hasSize(2);
        assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("system");
        assertThat(messages.getJsonObject(0).getString("content")).isEqualTo(prompt.system());
        assertThat(messages.getJsonObject(1).getString("role")).isEqualTo("user");
        assertThat(messages.getJsonObject(1).getString("content")).isEqualTo(prompt.user());
        assertThat(call.json().getBoolean("stream")).isFalse();
    }

    @Test
    void aLocalServerSuchAsOllamaNeedsNoKey() throws Exception {
        AgentRunner ollama = agent(config().withApiKey(null), Clock.systemUTC());

        ollama.run(Requests.zh(AgentId.ORAL_EXPLANATION));

        assertThat(llm.lastCall().header("authorization")).isNull();
    }

    @Test
    void aBaseUrlWithATrailingSlashWorks() throws Exception {
        agent(config().withBaseUrl(llm.openAiBaseUrl() + "/"), Clock.systemUTC())
                .run(Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(llm.lastCall().path()).isEqualTo("/v1/chat/completions");
    }

    @Test
    void ollamasPlainStringErrorIsShown() {
        llm.enqueue(Reply.raw(
                404,
                "application/json",
                "{\"error\":\"model \\\"qwen9\\\" not found, try pulling it first\"}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.getMessage())
                .contains("answered 404: model \"qwen9\" not found, try pulling it first")
                .contains("check --base-url and --model");
    }

    @Test
    void anAnswerWithoutChoicesIsABadResponse() {
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"id\":\"chatcmpl-1\",\"object\":\"chat.completion\"," + "\"choices\":[]}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage()).contains("without any choices");
    }

    @Test
    void aNoteCutOffByTheTokenLimitSaysHowToFixIt() {
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"\"},\"finish_reason\":\"length\"}]}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.getMessage()).contains("empty note").contains("raise --max-tokens");
    }

    @Test
    void aNoteCutOffByTheTokenLimitIsNotPassedOffAsAWholeNote() {
        // finish_reason "length" with text: the half note was written and linked as if complete, the learner not told
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"# Heaps\\n\\nA heap is a tree whose\"},\"finish_reason\":\"length\"}]}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage()).contains("cut off").contains("raise --max-tokens");
    }

    /** The provider says the answer stopped before its end: written and counted as a whole note, it would be untrue. */
    @ParameterizedTest
    @CsvSource({
        "content_filter, content filter",
        "tool_calls, did not finish",
        "abort, did not finish",
        "max_tokens, raise --max-tokens"
    })
    void aNoteTheProviderSaysWasStoppedBeforeItsEndIsNotPassedOffAsAWholeNote(String finish, String said) {
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":\"# Heaps\\n\\nA heap is a tree whose\"},\"finish_reason\":\"" + finish
                        + "\"}]}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage()).contains("finish_reason " + finish).contains(said);
    }

    @Test
    void aReasoningModelsThinkingWithoutItsOpeningTagIsLeftOut() throws Exception {
        // DeepSeek-R1 on Ollama/vLLM: the chat template opens <think>, the answer starts inside it and closes it
        llm.enqueue(Reply.note("Okay, the user wants heaps. Let me think.\n</think>\n\n# Heaps\n\nSift up."));

        assertThat(agent().run(Requests.en(AgentId.ORAL_EXPLANATION)).markdown())
                .isEqualTo("# Heaps\n\nSift up.");
    }

    @Test
    void aRefusalIsReportedAsSuch() {
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":null,\"refusal\":\"I can't help with that.\"},\"finish_reason\":\"stop\"}]}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.getMessage()).contains("refused").contains("I can't help with that.");
    }

    @Test
    void contentGivenAsAListOfPartsIsJoined() throws Exception {
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"choices\":[{\"index\":0,\"message\":{\"role\":\"assistant\","
                        + "\"content\":[{\"type\":\"text\",\"text\":\"# Heaps\\n\\n\"},{\"type\":\"text\",\"text\":\"Sift up.\"}]},"
                        + "\"finish_reason\":\"stop\"}]}",
                Map.of()));

        assertThat(agent().run(Requests.en(AgentId.ORAL_EXPLANATION)).markdown())
                .isEqualTo("# Heaps\n\nSift up.");
    }

    @Test
    void theFakeServerAlsoAnswersWithoutTheV1Prefix() throws Exception {
        String bare = "http://127.0.0.1:" + llm.port();

        agent(config().withBaseUrl(bare), Clock.systemUTC()).run(Requests.en(AgentId.ORAL_EXPLANATION));

        JsonObject request = llm.lastCall().json();
        assertThat(llm.lastCall().path()).isEqualTo("/chat/completions");
        assertThat(request.getString("model")).isEqualTo("test-model");
    }

    @Test
    void onlyAnOpenAiConfigurationIsAccepted() {
        assertThatThrownBy(() -> agent(config().withProvider(AgentConfig.Provider.ANTHROPIC), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("openai provider");
    }
}
