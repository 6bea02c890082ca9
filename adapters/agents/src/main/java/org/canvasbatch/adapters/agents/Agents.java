package org.canvasbatch.adapters.agents;

import java.util.Map;
import java.util.Objects;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.TextEmbedder;

/** Builds the agent runner a configuration asks for. */
public final class Agents {

    private Agents() {}

    /** As {@link #fromConfig(AgentConfig, Map)} with the process environment. */
    public static AgentRunner fromConfig(AgentConfig config) {
        return fromConfig(config, System.getenv());
    }

    /**
     * @param env where a missing API key is looked up ({@code OPENAI_API_KEY}, {@code ANTHROPIC_API_KEY})
     * @throws IllegalArgumentException with a message for the user when the configuration cannot work, e.g.
     *                                  {@code the openai provider needs a model: set --model …}
     */
    public static AgentRunner fromConfig(AgentConfig config, Map<String, String> env) {
        AgentConfig checked = Objects.requireNonNull(config, "config").validated(Objects.requireNonNull(env, "env"));
        return switch (checked.provider()) {
            case OFFLINE -> new OfflineAgent(OfflineTemplates.withOverrides(checked.templatesDir()));
            case OPENAI ->
                new OpenAiCompatibleAgent(
                        checked,
                        PromptTemplates.withOverrides(checked.templatesDir()),
                        ModelServer.newClient(checked.timeout()));
            case ANTHROPIC ->
                new AnthropicAgent(
                        checked,
                        PromptTemplates.withOverrides(checked.templatesDir()),
                        ModelServer.newClient(checked.timeout()));
        };
    }

    /**
     * The embedding model a configuration asks for, or {@link TextEmbedder#none()} when it names none.
     *
     * @param agent the notes' model settings, whose openai base URL and key an embedding model shares by default
     * @throws IllegalArgumentException with a message for the user when the configuration cannot work
     */
    public static TextEmbedder embeddingsFromConfig(
            EmbeddingConfig embeddings, AgentConfig agent, Map<String, String> env) {
        Objects.requireNonNull(embeddings, "embeddings");
        if (!embeddings.configured() && embeddings.baseUrl() == null) {
            return TextEmbedder.none();
        }
        AgentConfig checkedAgent = Objects.requireNonNull(agent, "agent").validated(Objects.requireNonNull(env, "env"));
        EmbeddingConfig checked = embeddings.resolved(checkedAgent, env);
        if (!checked.configured()) {
            return TextEmbedder.none();
        }
        return new OpenAiEmbeddings(checked, ModelServer.newClient(checked.timeout()), java.time.Clock.systemUTC());
    }
}
