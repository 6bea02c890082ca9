package org.canvasbatch.adapters.agents;

import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRunner;

/**
 * Writes notes with a model behind the OpenAI Chat Completions API ({@code POST {baseUrl}/chat/completions}): OpenAI
 * itself, or a local Ollama, vLLM or LM Studio server, which speak the same API.
 */
public final class OpenAiCompatibleAgent implements AgentRunner, ModelServerCheck {

    private final AgentConfig config;
    private final PromptTemplates templates;
    private final ModelServer server;
    private final URI endpoint;

    /**
     * @param http shared by all calls of this agent (see {@link Agents#fromConfig(AgentConfig)})
     * @throws IllegalArgumentException when the configuration is not an {@code openai} one or is incomplete
     */
    public OpenAiCompatibleAgent(AgentConfig config, PromptTemplates templates, HttpClient http) {
        this(config, templates, http, Clock.systemUTC());
    }

    OpenAiCompatibleAgent(AgentConfig config, PromptTemplates templates, HttpClient http, Clock clock) {
        if (config.provider() != AgentConfig.Provider.OPENAI) {
            throw new IllegalArgumentException("an OpenAI-compatible agent needs the openai provider, got "
                    + config.provider().wireName());
        }
        this.config = config.validated(Map.of());
        this.templates = Objects.requireNonNull(templates, "templates");
        URI base = this.config.baseUri();
        this.endpoint = URI.create(base + "/chat/completions");
        this.server = new ModelServer(
                Objects.requireNonNull(http, "http"),
                "OpenAI-compatible server at " + base,
                "check --api-key or " + AgentConfig.Provider.OPENAI.apiKeyVariable(),
                clock);
    }

    @Override
    public AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException {
        return new AgentAnswer(noteOf(server.call(requestFor(request))), model());
    }

    /**
     * Opens {@code calls} connections to the server (a {@code GET /models} each) and, meanwhile, prepares and reads
     * throwaway calls without sending them; on its own virtual thread.
     */
    @Override
    public CompletableFuture<Void> prepare(int calls) {
        CompletableFuture<Void> connected = server.preconnect(
                () -> {
                    HttpRequest.Builder listing = server.listing(URI.create(config.baseUri() + "/models"));
                    if (config.apiKey() != null) {
                        listing.header("Authorization", "Bearer " + config.apiKey());
                    }
                    return listing.build();
                },
                calls);
        CompletableFuture<Void> rehearsed = ModelServer.rehearse(() -> {
            for (AgentRequest rehearsal : Rehearsal.requests()) {
                requestFor(rehearsal);
            }
            noteOf(madeUpAnswer(Rehearsal.NOTE));
        });
        return CompletableFuture.allOf(connected, rehearsed);
    }

    /** Asks for {@code GET {baseUrl}/models}, with the key, as the first connection opened ahead of the calls. */
    @Override
    public CompletableFuture<java.util.Optional<String>> checkServer(java.time.Duration within) {
        return server.check(
                () -> {
                    HttpRequest.Builder listing = server.listing(URI.create(config.baseUri() + "/models"))
                            .timeout(within);
                    if (config.apiKey() != null) {
                        listing.header("Authorization", "Bearer " + config.apiKey());
                    }
                    return listing.build();
                },
                within,
                config.apiKey() != null);
    }

    /** Builds each call's request as {@link #run} does, sends nothing, and reads a made-up answer from its JSON text. */
    @Override
    public java.util.Optional<AgentRunner> rehearsal() {
        // as text, so that each rehearsed call parses it as it would parse the model's answer
        String answer = madeUpAnswer(Rehearsal.LONG_NOTE).toString();
        return java.util.Optional.of(new Rehearsal.Agent(model(), request -> {
            requestFor(request);
            return noteOf(server.parseAnswer(answer));
        }));
    }

    /** A chat completion as this API answers it, with {@code note} as its text. */
    private JsonObject madeUpAnswer(String note) {
        return ModelServer.JSON
                .createObjectBuilder()
                .add("id", "rehearsal")
                .add("model", config.model())
                .add(
                        "choices",
                        ModelServer.JSON
                                .createArrayBuilder()
                                .add(ModelServer.JSON
                                        .createObjectBuilder()
                                        .add("index", 0)
                                        .add("message", message("assistant", note))
                                        .add("finish_reason", "stop")))
                .build();
    }

    private HttpRequest requestFor(AgentRequest request) {
        Prompt prompt = templates.render(request);
        JsonArrayBuilder messages = ModelServer.JSON.createArrayBuilder();
        if (!prompt.system().isBlank()) {
            messages.add(message("system", prompt.system()));
        }
        messages.add(message("user", prompt.user()));
        JsonObject body = ModelServer.JSON
                .createObjectBuilder()
                .add("model", config.model())
                .add("messages", messages)
                .add("temperature", config.temperature())
                .add("max_tokens", config.maxTokens())
                .add("stream", false)
                .build();
        HttpRequest.Builder call = ModelServer.jsonPost(endpoint, config.timeout(), body);
        if (config.apiKey() != null) {
            call.header("Authorization", "Bearer " + config.apiKey());
        }
        return call.build();
    }

    private static JsonObject message(String role, String content) {
        return ModelServer.JSON
                .createObjectBuilder()
                .add("role", role)
                .add("content", content)
                .build();
    }

    /** What OpenAI and the servers compatible with it say of an answer the token limit ended. */
    private static final Set<String> CUT_BY_THE_TOKEN_LIMIT = Set.of("length", "max_tokens", "model_length");
    /**
     * What they say of an answer that ended before the model finished it for any other reason: a content filter
     * (OpenAI, Azure), a call to a tool this request offers none of, an error or an abort on the way (vLLM).
     */
    private static final Set<String> CUT_OTHERWISE =
            Set.of("content_filter", "tool_calls", "function_call", "error", "abort", "cancelled");

    private String noteOf(JsonObject answer) throws AgentFailure {
        if (!(answer.get("choices") instanceof JsonArray choices) || choices.isEmpty()) {
            throw server.badResponse("answered without any choices: " + ModelServer.excerpt(answer.toString()));
        }
        if (!(choices.get(0) instanceof JsonObject choice) || !(choice.get("message") instanceof JsonObject message)) {
            throw server.badResponse("answered a choice without a message: " + ModelServer.excerpt(answer.toString()));
        }
        String note = ModelOutput.noteBody(textOf(message.get("content")));
        String finish = choice.get("finish_reason") instanceof JsonString reason ? reason.getString() : "";
        if (!note.isEmpty() && CUT_BY_THE_TOKEN_LIMIT.contains(finish)) {
            // a half note written and linked as if whole would tell the learner something untrue
            throw server.badResponse("answered a note cut off by the token limit (finish_reason " + finish + "):"
                    + " raise --max-tokens (now " + config.maxTokens() + ")");
        }
        if (!note.isEmpty() && CUT_OTHERWISE.contains(finish)) {
            throw server.badResponse("answered a note it did not finish (finish_reason " + finish + ")"
                    + (finish.equals("content_filter") ? ": the provider's content filter cut it off" : ""));
        }
        if (note.isEmpty()) {
            if (message.get("refusal") instanceof JsonString refusal
                    && !refusal.getString().isBlank()) {
                throw server.badResponse("refused to write the note: " + ModelServer.excerpt(refusal.getString()));
            }
            throw server.badResponse("answered with an empty note"
                    + switch (finish) {
                        case "" -> "";
                        case "length" -> " (finish_reason length: the token limit ran out first, raise --max-tokens)";
                        default -> " (finish_reason " + finish + ")";
                    });
        }
        return note;
    }

    /** A plain string, or (some compatible servers) a list of parts whose {@code text} fields form the answer. */
    private static String textOf(JsonValue content) {
        if (content instanceof JsonString text) {
            return text.getString();
        }
        if (content instanceof JsonArray parts) {
            StringBuilder text = new StringBuilder();
            for (JsonValue part : parts) {
                if (part instanceof JsonObject object && object.get("text") instanceof JsonString piece) {
                    text.append(piece.getString());
                }
            }
            return text.toString();
        }
        return "";
    }

    /** {@code openai:<model>}, e.g. {@code openai:gpt-4o-mini} or {@code openai:qwen2.5} on Ollama. */
    @Override
    public String model() {
        return "openai:" + config.model();
    }
}
