package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.canvasbatch.adapters.agents.AgentConfig.Provider;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentsTest {

    private static final Map<String, String> NO_ENV = Map.of();

    @Test
    void theDefaultIsTheOfflineAgent() throws Exception {
        AgentRunner runner = Agents.fromConfig(AgentConfig.offline(), NO_ENV);

        assertThat(runner).isInstanceOf(OfflineAgent.class);
        assertThat(runner.model()).isEqualTo("offline");
        assertThat(runner.run(Requests.zh(AgentId.ORAL_EXPLANATION)).markdown()).contains("离线");
        assertThat(Agents.fromConfig(new AgentConfig(null, " ", "", null, null, null, null, null), NO_ENV))
                .isInstanceOf(OfflineAgent.class);
    }

    @Test
    void aModelProviderNeedsAModel() {
        assertThatThrownBy(() -> Agents.fromConfig(AgentConfig.offline().withProvider(Provider.OPENAI), NO_ENV))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("the openai provider needs a model: set --model")
                .hasMessageContaining("gpt-4o-mini");
        assertThatThrownBy(() -> Agents.fromConfig(AgentConfig.offline().withProvider(Provider.ANTHROPIC), NO_ENV))
                .hasMessageContaining("the anthropic provider needs a model: set --model");
    }

    @Test
    void thePublicApisNeedAKeyFromTheOptionOrTheEnvironment() {
        AgentConfig openai = AgentConfig.offline().withProvider(Provider.OPENAI).withModel("gpt-4o-mini");
        AgentConfig anthropic =
                AgentConfig.offline().withProvider(Provider.ANTHROPIC).withModel("claude-3-5-haiku-latest");

        assertThatThrownBy(() -> Agents.fromConfig(openai, NO_ENV))
                .hasMessageContaining("https://api.openai.com/v1 needs an API key")
                .hasMessageContaining("OPENAI_API_KEY")
                .hasMessageContaining("--base-url http://localhost:11434/v1");
        assertThatThrownBy(() -> Agents.fromConfig(anthropic, Map.of("OPENAI_API_KEY", "sk-wrong-provider")))
                .hasMessageContaining("ANTHROPIC_API_KEY");
        assertThat(Agents.fromConfig(openai, Map.of("OPENAI_API_KEY", "sk-x")).model())
                .isEqualTo("openai:gpt-4o-mini");
        assertThat(Agents.fromConfig(anthropic.withApiKey("sk-ant-x"), NO_ENV).model())
                .isEqualTo("anthropic:claude-3-5-haiku-latest");
    }

    @Test
    void aKeyThatCannotBeOneHeaderValueIsRefusedAtStartWithoutQuotingIt() {
        AgentConfig openai = AgentConfig.offline().withProvider(Provider.OPENAI).withModel("gpt-4o-mini");

        assertThatThrownBy(() -> Agents.fromConfig(openai, Map.of("OPENAI_API_KEY", "sk-first\nsk-second")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("OPENAI_API_KEY")
                .hasMessageContaining("exactly one key")
                .hasMessageNotContaining("sk-first")
                .hasMessageNotContaining("sk-second");
        assertThatThrownBy(() -> Agents.fromConfig(openai.withApiKey("sk-a sk-b"), NO_ENV))
                .hasMessageContaining("--api-key")
                .hasMessageNotContaining("sk-a");
    }

    @Test
    void theKeyFromTheEnvironmentIsSentAndALocalServerNeedsNone() throws Exception {
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            AgentConfig local = AgentConfig.offline()
                    .withProvider(Provider.OPENAI)
                    .withModel("qwen2.5")
                    .withBaseUrl(llm.openAiBaseUrl());

            Agents.fromConfig(local, NO_ENV).run(Requests.en(AgentId.ORAL_EXPLANATION));
            assertThat(llm.lastCall().header("authorization")).isNull();

            llm.requireApiKey("sk-from-env");
            Agents.fromConfig(local, Map.of("OPENAI_API_KEY", "sk-from-env"))
                    .run(Requests.en(AgentId.ORAL_EXPLANATION));
            assertThat(llm.lastCall().header("authorization")).isEqualTo("Bearer sk-from-env");

            AgentConfig claude = AgentConfig.offline()
                    .withProvider(Provider.ANTHROPIC)
                    .withModel("claude-x")
                    .withBaseUrl(llm.anthropicBaseUrl());
            Agents.fromConfig(claude, Map.of("ANTHROPIC_API_KEY", "sk-from-env"))
                    .run(Requests.en(AgentId.ORAL_EXPLANATION));
            assertThat(llm.lastCall().header("x-api-key")).isEqualTo("sk-from-env");
        }
    }

    @Test
    void theTemplatesDirectoryReachesTheModel(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("oral-explanation.md"), "<!-- user -->\nHOUSE STYLE: explain {{node_text}}\n");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            AgentConfig config = AgentConfig.offline()
                    .withProvider(Provider.OPENAI)
                    .withModel("m")
                    .withBaseUrl(llm.openAiBaseUrl())
                    .withTemplatesDir(dir);

            Agents.fromConfig(config, NO_ENV).run(Requests.en(AgentId.ORAL_EXPLANATION));

            assertThat(llm.lastCall().prompt()).isEqualTo("HOUSE STYLE: explain " + Requests.EN_QUESTION + "\n");
        }
    }

    @Test
    void badSettingsAreRefusedWithTheOptionToFix(@TempDir Path dir) throws IOException {
        AgentConfig openai = AgentConfig.offline()
                .withProvider(Provider.OPENAI)
                .withModel("m")
                .withApiKey("k");

        assertThatThrownBy(() -> Agents.fromConfig(openai.withBaseUrl("localhost:11434/v1"), NO_ENV))
                .hasMessageContaining("--base-url must be an http:// or https:// URL")
                .hasMessageContaining("localhost:11434/v1");
        assertThatThrownBy(() -> Agents.fromConfig(openai.withBaseUrl("ftp://example.org"), NO_ENV))
                .hasMessageContaining("--base-url must be an http://");
        // a password in the URL was never sent, yet quoted in every failure, the journal and the plugin's events
        assertThatThrownBy(() -> Agents.fromConfig(openai.withBaseUrl("http://learner:hunter2@127.0.0.1:9/v1"), NO_ENV))
                .hasMessageContaining("--base-url holds a user name or password")
                .hasMessageContaining("--api-key")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Agents.embeddingsFromConfig(
                        new EmbeddingConfig("http://learner:hunter2@127.0.0.1:9/v1", "nomic-embed-text", null, null),
                        openai,
                        NO_ENV))
                .hasMessageContaining("--embedding-base-url holds a user name or password")
                .hasMessageNotContaining("hunter2");
        assertThatThrownBy(() -> Agents.fromConfig(openai.withTemperature(2.5), NO_ENV))
                .hasMessageContaining("--temperature must be between 0 and 2");
        assertThatThrownBy(() -> Agents.fromConfig(openai.withMaxTokens(0), NO_ENV))
                .hasMessageContaining("--max-tokens must be at least 1");
        assertThatThrownBy(() -> Agents.fromConfig(openai.withTimeout(Duration.ZERO), NO_ENV))
                .hasMessageContaining("timeout must be positive");
        assertThatThrownBy(() -> Agents.fromConfig(openai.withTemplatesDir(dir.resolve("missing")), NO_ENV))
                .hasMessageContaining("--templates-dir")
                .hasMessageContaining("is not a directory");
        Files.writeString(dir.resolve("oral-explanation.md"), "{{oops}}");
        assertThatThrownBy(() -> Agents.fromConfig(
                        openai.withBaseUrl("http://localhost:1/v1").withTemplatesDir(dir), NO_ENV))
                .hasMessageContaining("{{oops}}");
    }

    @Test
    void aModelWithoutAProviderIsAMistakeNotSilentlyOffline() {
        assertThatThrownBy(() -> Agents.fromConfig(AgentConfig.offline().withModel("gpt-4o-mini"), NO_ENV))
                .hasMessageContaining("--model gpt-4o-mini was given but the model provider is offline")
                .hasMessageContaining("--model-provider openai");
    }

    @Test
    void providersAreParsedFromTheCommandLine() {
        assertThat(Provider.parse(" OpenAI ")).isEqualTo(Provider.OPENAI);
        assertThat(Provider.parse("anthropic")).isEqualTo(Provider.ANTHROPIC);
        assertThat(Provider.parse("offline")).isEqualTo(Provider.OFFLINE);
        assertThatThrownBy(() -> Provider.parse("gemini"))
                .hasMessageContaining("unknown model provider 'gemini': use offline, openai, anthropic");
    }

    @Test
    void unsetNumbersTakeTheDefaults() {
        AgentConfig config = AgentConfig.offline();

        assertThat(config.timeout()).isEqualTo(AgentConfig.DEFAULT_TIMEOUT);
        assertThat(config.temperature()).isEqualTo(AgentConfig.DEFAULT_TEMPERATURE);
        assertThat(config.maxTokens()).isEqualTo(AgentConfig.DEFAULT_MAX_TOKENS);
    }
}
