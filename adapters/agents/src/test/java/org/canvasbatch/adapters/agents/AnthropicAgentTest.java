package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.JsonArray;
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

class AnthropicAgentTest extends ModelAgentContract {

    @Override
    AgentConfig.Provider provider() {
        return AgentConfig.Provider.ANTHROPIC;
    }

    @Override
    String baseUrl() {
        return llm.anthropicBaseUrl();
    }

    @Override
    String serverLabel() {
        return "Anthropic API at " + llm.anthropicBaseUrl();
    }

    @Override
    AgentRunner agent(AgentConfig config, Clock clock) {
        return new AnthropicAgent(config, PromptTemplates.builtIn(), ModelServer.newClient(config.timeout()), clock);
    }

    @Test
    void speaksTheMessagesApiWithItsHeaders() throws Exception {
        llm.requireApiKey("sk-test-key");

        agent(config().withMaxTokens(1500), Clock.systemUTC()).run(Requests.zh(AgentId.DEEP_DECOMPOSITION));

        FakeLlmServer.Call call = llm.lastCall();
        Prompt prompt = PromptTemplates.builtIn().render(Requests.zh(AgentId.DEEP_DECOMPOSITION));
        assertThat(call.path()).isEqualTo("/v1/messages");
        assertThat(call.header("x-api-key")).isEqualTo("sk-test-key");
        assertThat(call.header("anthropic-version")).isEqualTo("2023-06-01");
        assertThat(call.header("authorization")).isNull();
        assertThat(call.json().getString("model")).isEqualTo("test-model");
        assertThat(call.json().getInt("max_tokens")).isEqualTo(1500);
        assertThat(call.json().getString("system")).isEqualTo(prompt.system());
        JsonArray messages = call.json().getJsonArray("messages");
        assertThat(messages).hasSize(1);
        assertThat(messages.getJsonObject(0).getString("role")).isEqualTo("user");
        assertThat(messages.getJsonObject(0).getString("content")).isEqualTo(prompt.user());
    }

    @Test
    void theTextBlocksOfTheAnswerAreJoinedAndOtherBlocksIgnored() throws Exception {
        llm.enqueue(Reply.raw(200, "application/json", """
                {"id":"msg_1","type":"message","role":"assistant","model":"test-model",
                 "content":[{"type":"thinking","thinking":"hmm","signature":"x"},
                            {"type":"text","text":"# 树和森林\\n\\n"},{"type":"text","text":"森林是树的集合。"}],
                 "stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":10,"output_tokens":12}}
                """, Map.of()));

        assertThat(agent().run(Requests.zh(AgentId.COMPARISON_TABLE)).markdown())
                .isEqualTo("# 树和森林\n\n森林是树的集合。");
    }

    @Test
    void overloadedIsTransientWithAnthropicsMessage() {
        llm.enqueue(Reply.error(529, "Overloaded"));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isTrue();
        assertThat(failure.getMessage())
                .isEqualTo("the Anthropic API at " + llm.anthropicBaseUrl() + " answered 529: " + "Overloaded");
    }

    @Test
    void aBaseUrlGivenWithTheVersionSegmentStillWorks() throws Exception {
        agent(config().withBaseUrl(llm.anthropicBaseUrl() + "/v1"), Clock.systemUTC())
                .run(Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(llm.lastCall().path()).isEqualTo("/v1/messages");
    }

    @Test
    void anAnswerWithoutContentBlocksIsABadResponse() {
        llm.enqueue(
                Reply.raw(200, "application/json", "{\"type\":\"message\",\"stop_reason\":\"end_turn\"}", Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage()).contains("without content blocks");
    }

    @Test
    void aNoteCutOffByTheTokenLimitSaysHowToFixIt() {
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"type\":\"message\",\"content\":[]," + "\"stop_reason\":\"max_tokens\"}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.getMessage()).contains("empty note").contains("raise --max-tokens");
    }

    @Test
    void aNoteCutOffByTheTokenLimitIsNotPassedOffAsAWholeNote() {
        // stop_reason "max_tokens" with text: the half note was written and linked as if complete, the learner not told
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"# Heaps\\n\\nA heap is a\"}],"
                        + "\"stop_reason\":\"max_tokens\"}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage()).contains("cut off").contains("raise --max-tokens");
    }

    /** Only an answer the model ended itself is a whole note: a refusal mid-way leaves the text it had so far. */
    @ParameterizedTest
    @CsvSource({
        "refusal, refused",
        "pause_turn, did not finish",
        "tool_use, did not finish",
        "model_context_window_exceeded, raise --max-tokens"
    })
    void aNoteTheModelDidNotEndItselfIsNotPassedOffAsAWholeNote(String stop, String said) {
        llm.enqueue(Reply.raw(
                200,
                "application/json",
                "{\"type\":\"message\",\"content\":[{\"type\":\"text\",\"text\":\"# Heaps\\n\\nA heap is a\"}],"
                        + "\"stop_reason\":\"" + stop + "\"}",
                Map.of()));

        AgentFailure failure = failureOf(agent(), Requests.en(AgentId.ORAL_EXPLANATION));

        assertThat(failure.errorType()).isEqualTo("bad_response");
        assertThat(failure.getMessage()).contains("stop_reason " + stop).contains(said);
    }
}
