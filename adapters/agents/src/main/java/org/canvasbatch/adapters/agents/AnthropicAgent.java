package org.canvasbatch.adapters.agents;

import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
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

/** Writes notes with a Claude model through Anthropic's Messages API ({@code POST {baseUrl}/v1/messages}). */
public final class AnthropicAgent implements AgentRunner, ModelServerCheck {

    static final String API_VERSION = "2023-06-01";

    private final AgentConfig config;
    private final PromptTemplates templates;
    private final ModelServer server;
    private final URI endpoint;
    private final URI models;

    /**
     * @param http shared by all calls of this agent (see {@link Agents#fromConfig(AgentConfig)})
     * @throws IllegalArgumentException when the configuration is not an {@code anthropic} one or is incomplete
     */
    public AnthropicAgent(AgentConfig config, PromptTemplates templates, HttpClient http) {
        this(config, templates, http, Clock.systemUTC());
    }

    AnthropicAgent(AgentConfig config, PromptTemplates templates, HttpClient http, Clock clock) {
        if (config.provider() != AgentConfig.Provider.ANTHROPIC) {
            throw new IllegalArgumentException("an Anthropic agent needs the anthropic provider, got "
                    + config.provider().wireName());
        }
        this.config = config.validated(Map.of());
        this.templates = Objects.requireNonNull(templates, "templates");
        String base = this.config.baseUri().toString();
        // Accept a base URL given with the version segment, as people copy it from the endpoint's documentation.
        String root = base.endsWith("/v1") ? base.substring(0, base.length() - "/v1".length()) : base;
        this.endpoint = URI.create(root + "/v1/messages");
        this.models = URI.create(root + "/v1/models");
        this.server = new ModelServer(
                Objects.requireNonNull(http, "http"),
                "Anthropic API at " + root,
                "check --api-key or " + AgentConfig.Provider.ANTHROPIC.apiKeyVariable(),
                clock);
    }

    @Override
    public AgentAnswer run(AgentRequest request) throws AgentFailure, InterruptedException {
        return new AgentAnswer(noteOf(server.call(requestFor(request))), model());
    }

    /**
     * Opens {@code calls} connections to the API (a {@code GET /v1/models} each) and, meanwhile, prepares and reads
     * throwaway calls without sending them; on its own virtual thread.
     */
    @Override
    public CompletableFuture<Void> prepare(int calls) {
        CompletableFuture<Void> connected = server.preconnect(
                () -> {
                    HttpRequest.Builder listing = server.listing(models).header("anthropic-version", API_VERSION);
                    if (config.apiKey() != null) {
                        listing.header("x-api-key", config.apiKey());
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

    /** Asks for {@code GET {baseUrl}/v1/models}, with the key, as the first connection opened ahead of the calls. */
    @Override
    public CompletableFuture<java.util.Optional<String>> checkServer(java.time.Duration within) {
        return server.check(
                () -> {
                    HttpRequest.Builder listing =
                            server.listing(models).timeout(within).header("anthropic-version", API_VERSION);
                    if (config.apiKey() != null) {
                        listing.header("x-api-key", config.apiKey());
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

    /** A message as this API answers it, with {@code note} as its text. */
    private static JsonObject madeUpAnswer(String note) {
        return ModelServer.JSON
                .createObjectBuilder()
                .add("id", "rehearsal")
                .add("type", "message")
                .add(
                        "content",
                        ModelServer.JSON
                                .createArrayBuilder()
                                .add(ModelServer.JSON
                                        .createObjectBuilder()
                                        .add("type", "text")
                                        .add("text", note)))
                .add("stop_reason", "end_turn")
                .build();
    }

    private HttpRequest requestFor(AgentRequest request) {
        Prompt prompt = templates.render(request);
        JsonObjectBuilder body = ModelServer.JSON
                .createObjectBuilder()
                .add("model", config.model())
                .add("max_tokens", config.maxTokens())
                .add("temperature", config.temperature());
        if (!prompt.system().isBlank()) {
            body.add("system", prompt.system());
        }
        body.add(
                "messages",
                ModelServer.JSON
                        .createArrayBuilder()
                        .add(ModelServer.JSON
                                .createObjectBuilder()
                                .add("role", "user")
                                .add("content", prompt.user())));
        HttpRequest.Builder call =
                ModelServer.jsonPost(endpoint, config.timeout(), body.build()).header("anthropic-version", API_VERSION);
        if (config.apiKey() != null) {
            call.header("x-api-key", config.apiKey());
        }
        return call.build();
    }

    /** An answer the model ended itself; a missing reason is taken as one, as before the field existed. */
    private static final Set<String> FINISHED = Set.of("end_turn", "stop_sequence", "");

    private String noteOf(JsonObject answer) throws AgentFailure {
        if (!(answer.get("content") instanceof JsonArray blocks)) {
            throw server.badResponse("answered without content blocks: " + ModelServer.excerpt(answer.toString()));
        }
        StringBuilder text = new StringBuilder();
        for (JsonValue block : blocks) {
            if (block instanceof JsonObject object
                    && object.get("type") instanceof JsonString type
                    && type.getString().equals("text")
                    && object.get("text") instanceof JsonString piece) {
                text.append(piece.getString());
            }
        }
        String note = ModelOutput.noteBody(text.toString());
        String stop = answer.get("stop_reason") instanceof JsonString reason ? reason.getString() : "";
        if (!note.isEmpty() && (stop.equals("max_tokens") || stop.equals("model_context_window_exceeded"))) {
            // a half note written and linked as if whole would tell the learner something untrue
            throw server.badResponse("answered a note cut off by the token limit (stop_reason " + stop + "): raise"
                    + " --max-tokens (now " + config.maxTokens() + ")");
        }
        if (!note.isEmpty() && !FINISHED.contains(stop)) {
            // refusal (the model stopped mid-way: its text so far is no note), pause_turn, tool_use, and whatever a
            // later API version adds: only an answer the model ended itself is a whole note
            throw server.badResponse("answered a note it did not finish (stop_reason " + stop + ")"
                    + (stop.equals("refusal") ? ": the model refused to go on" : ""));
        }
        if (note.isEmpty()) {
            throw server.badResponse("answered with an empty note"
                    + switch (stop) {
                        case "" -> "";
                        case "max_tokens" ->
                            " (stop_reason max_tokens: the token limit ran out first, raise --max-tokens)";
                        default -> " (stop_reason " + stop + ")";
                    });
        }
        return note;
    }

    /** {@code anthropic:<model>}, e.g. {@code anthropic:claude-3-5-haiku-latest}. */
    @Override
    public String model() {
        return "anthropic:" + config.model();
    }
}
