package org.canvasbatch.adapters.agents.fake;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import jakarta.json.JsonArray;
import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.OutputStream;
import java.io.StringReader;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.fixtures.TopicEmbeddings;

/**
 * A language-model server for tests, on 127.0.0.1 and a free port, that speaks the OpenAI Chat Completions API
 * ({@code /v1/chat/completions} and {@code /chat/completions}) and Anthropic's Messages API ({@code /v1/messages}) with
 * the JSON the real services send, and OpenAI's embeddings API ({@code /v1/embeddings}, which Ollama serves too) with
 * deterministic vectors that encode each text's topic from a hidden table ({@link #embeddingTopics}). What it answers is
 * scripted: in order ({@link #enqueue}), or by a text the prompt
 * contains ({@link #whenPromptContains}) — which is also how a test picks out one node, since the prompt carries the
 * node's text. By default it answers a short Markdown note about the question. It records every call.
 *
 * <pre>{@code
 * try (FakeLlmServer llm = FakeLlmServer.start()) {
 *     llm.whenPromptContains("什么是等价关系", Reply.error(500, "boom"), Reply.echo());
 *     ... point the agent at llm.openAiBaseUrl() ...
 *     assertThat(llm.callsWithPrompt("什么是等价关系")).isEqualTo(2);
 * }
 * }</pre>
 */
public final class FakeLlmServer implements AutoCloseable {

    private static final JsonProvider JSON = JsonProvider.provider();

    private final HttpServer server;
    private final ExecutorService executor;
    private final CountDownLatch closing = new CountDownLatch(1);
    private final Object lock = new Object();
    private final List<Call> calls = new ArrayList<>();
    private final java.util.concurrent.atomic.AtomicInteger atOnce = new java.util.concurrent.atomic.AtomicInteger();
    private final java.util.concurrent.atomic.AtomicInteger mostAtOnce =
            new java.util.concurrent.atomic.AtomicInteger();
    private final Deque<Reply> queue = new ArrayDeque<>();
    private final Map<String, Deque<Reply>> rules = new LinkedHashMap<>();
    private final Set<String> connections = ConcurrentHashMap.newKeySet();
    private final List<Call> modelListings = new java.util.concurrent.CopyOnWriteArrayList<>();
    private volatile Reply defaultReply = Reply.echo();
    private volatile String requiredApiKey;
    private volatile TopicEmbeddings topicEmbeddings = new TopicEmbeddings(Map.of());
    private volatile Reply embeddingReply;

    private FakeLlmServer(HttpServer server, ExecutorService executor) {
        this.server = server;
        this.executor = executor;
    }

    /** Starts a server on 127.0.0.1 and a free port. */
    public static FakeLlmServer start() {
        try {
            HttpServer http = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
            ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
            FakeLlmServer fake = new FakeLlmServer(http, executor);
            http.createContext("/", fake::handle);
            http.setExecutor(executor);
            http.start();
            return fake;
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the fake LLM server", e);
        }
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** What to give as the base URL of an OpenAI-compatible agent: {@code http://127.0.0.1:PORT/v1}. */
    public String openAiBaseUrl() {
        return "http://127.0.0.1:" + port() + "/v1";
    }

    /** What to give as the base URL of an Anthropic agent: {@code http://127.0.0.1:PORT}. */
    public String anthropicBaseUrl() {
        return "http://127.0.0.1:" + port();
    }

    // ---- scripting -------------------------------------------------------------------------------------------------

    /** From now on, a call without this key ({@code Authorization: Bearer …} or {@code x-api-key}) gets a 401. */
    public FakeLlmServer requireApiKey(String key) {
        this.requiredApiKey = key;
        return this;
    }

    /**
     * The hidden table that the embeddings endpoint encodes: texts of one topic get vectors close together, texts of
     * two topics far apart, texts not in the table a direction of their own.
     */
    public FakeLlmServer embeddingTopics(TopicEmbeddings table) {
        this.topicEmbeddings = Objects.requireNonNull(table);
        return this;
    }

    /** From now on every embeddings call gets {@code reply} (an error, a hang …); null answers with vectors again. */
    public FakeLlmServer embeddingsReply(Reply reply) {
        this.embeddingReply = reply;
        return this;
    }

    /** How many embeddings calls arrived. */
    public int embeddingCalls() {
        synchronized (lock) {
            return (int) calls.stream()
                    .filter(call -> call.api().equals("embeddings"))
                    .count();
        }
    }

    /** What a call gets when no rule and no queued reply applies. Initially {@link Reply#echo()}. */
    public FakeLlmServer defaultReply(Reply reply) {
        this.defaultReply = Objects.requireNonNull(reply);
        return this;
    }

    /** The next calls, whatever their prompt, get these replies in order; then the default applies again. */
    public FakeLlmServer enqueue(Reply... replies) {
        synchronized (lock) {
            queue.addAll(List.of(replies));
        }
        return this;
    }

    /**
     * Calls whose prompt (system and user parts) contains {@code text} get these replies in order, the last one for
     * every call after that. The first rule that matches wins; rules win over {@link #enqueue}.
     */
    public FakeLlmServer whenPromptContains(String text, Reply... replies) {
        if (replies.length == 0) {
            throw new IllegalArgumentException("give at least one reply");
        }
        synchronized (lock) {
            rules.put(text, new ArrayDeque<>(List.of(replies)));
        }
        return this;
    }

    // ---- observing -------------------------------------------------------------------------------------------------

    public int calls() {
        synchronized (lock) {
            return calls.size();
        }
    }

    /** How many calls had {@code text} in their prompt: the calls made for one node. */
    public int callsWithPrompt(String text) {
        synchronized (lock) {
            return (int)
                    calls.stream().filter(call -> call.prompt().contains(text)).count();
        }
    }

    public List<Call> recordedCalls() {
        synchronized (lock) {
            return List.copyOf(calls);
        }
    }

    public Call lastCall() {
        synchronized (lock) {
            if (calls.isEmpty()) {
                throw new IllegalStateException("the fake LLM server has received no call");
            }
            return calls.getLast();
        }
    }

    /**
     * The {@code GET /models} requests received (an agent opens its connections with them before its calls); they
     * are not among the {@link #recordedCalls() calls}.
     */
    public List<Call> modelListings() {
        return List.copyOf(modelListings);
    }

    /** The most completion calls this server was answering at one time (from arrival to the answer sent). */
    public int mostCallsAtOnce() {
        return mostAtOnce.get();
    }

    /** How many TCP connections clients opened: 1 for many sequential calls means they were kept alive. */
    public int connectionsOpened() {
        return connections.size();
    }

    /** Waits until {@code count} calls have arrived (they may still be in progress, e.g. hanging). */
    public boolean awaitCalls(int count, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        synchronized (lock) {
            while (calls.size() < count) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(lock, left);
            }
            return true;
        }
    }

    /** Stops the server; calls that hang or wait out a latency are released and their connections closed. */
    @Override
    public void close() {
        if (closing.getCount() == 0) {
            return;
        }
        closing.countDown();
        server.stop(0);
        executor.shutdownNow();
    }

    // ---- serving ---------------------------------------------------------------------------------------------------

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            connections.add(String.valueOf(exchange.getRemoteAddress()));
            String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
            String path = exchange.getRequestURI().getPath();
            if (exchange.getRequestMethod().equals("GET") && (path.equals("/v1/models") || path.equals("/models"))) {
                modelListings.add(new Call("models", "GET", path, lowerCaseHeaders(exchange), body, ""));
                if (listsModelsEndlessly) {
                    sendForever(exchange);
                    return;
                }
                // as the real services do: the model list is the key's too
                Api listingApi =
                        exchange.getRequestHeaders().getFirst("anthropic-version") != null ? Api.ANTHROPIC : Api.OPENAI;
                String key = requiredApiKey;
                String given = listingApi == Api.OPENAI
                        ? exchange.getRequestHeaders().getFirst("Authorization")
                        : exchange.getRequestHeaders().getFirst("x-api-key");
                if (key != null && !(listingApi == Api.OPENAI ? "Bearer " + key : key).equals(given)) {
                    send(exchange, 401, listingApi.error(401, "Incorrect API key provided."), Map.of());
                    return;
                }
                Reply listingReply = modelListReply;
                if (listingReply != null) {
                    answer(exchange, listingApi, null, null, listingReply);
                    return;
                }
                send(
                        exchange,
                        200,
                        "{\"object\":\"list\",\"data\":[{\"id\":\"fake-model\",\"object\":\"model\"}]}",
                        Map.of());
                return;
            }
            if (path.equals("/v1/embeddings") || path.equals("/embeddings")) {
                embeddings(exchange, path, body);
                return;
            }
            Api api = path.equals("/v1/messages")
                    ? Api.ANTHROPIC
                    : path.equals("/v1/chat/completions") || path.equals("/chat/completions") ? Api.OPENAI : null;
            JsonObject request = parse(body);
            Call call = new Call(
                    api == null ? "unknown" : api.name().toLowerCase(Locale.ROOT),
                    exchange.getRequestMethod(),
                    path,
                    lowerCaseHeaders(exchange),
                    body,
                    request == null || api == null ? "" : promptOf(api, request));
            record(call);
            if (api == null) {
                send(
                        exchange,
                        404,
                        Api.OPENAI.error(
                                404,
                                "Unknown request URL: " + exchange.getRequestMethod() + " " + path
                                        + ". Please check the URL for typos."),
                        Map.of());
                return;
            }
            String refusal = validate(api, exchange, request);
            if (refusal != null) {
                int status = refusal.startsWith("401:") ? 401 : refusal.startsWith("405:") ? 405 : 400;
                send(exchange, status, api.error(status, refusal.substring(5)), Map.of());
                return;
            }
            mostAtOnce.accumulateAndGet(atOnce.incrementAndGet(), Math::max);
            try {
                answer(exchange, api, request, call, replyFor(call));
            } finally {
                atOnce.decrementAndGet();
            }
        } catch (IOException | RuntimeException e) {
            // the client went away (cancelled call) or the server is closing: nothing left to answer
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void embeddings(HttpExchange exchange, String path, String body) throws IOException, InterruptedException {
        JsonObject request = parse(body);
        record(new Call("embeddings", exchange.getRequestMethod(), path, lowerCaseHeaders(exchange), body, ""));
        String refusal = validateEmbeddings(exchange, request);
        if (refusal != null) {
            int status = refusal.startsWith("401:") ? 401 : refusal.startsWith("405:") ? 405 : 400;
            send(exchange, status, Api.OPENAI.error(status, refusal.substring(5)), Map.of());
            return;
        }
        Reply scripted = embeddingReply;
        if (scripted != null) {
            answer(exchange, Api.OPENAI, request, recordedCalls().getLast(), scripted);
            return;
        }
        List<String> inputs = request.get("input") instanceof JsonString one
                ? List.of(one.getString())
                : request.getJsonArray("input").getValuesAs(JsonString.class).stream()
                        .map(JsonString::getString)
                        .toList();
        var data = JSON.createArrayBuilder();
        int tokens = 0;
        for (int i = 0; i < inputs.size(); i++) {
            var vector = JSON.createArrayBuilder();
            for (float value : topicEmbeddings.vectorOf(inputs.get(i))) {
                vector.add(value);
            }
            data.add(JSON.createObjectBuilder()
                    .add("object", "embedding")
                    .add("index", i)
                    .add("embedding", vector));
            tokens += Math.max(1, inputs.get(i).length() / 4);
        }
        send(
                exchange,
                200,
                JSON.createObjectBuilder()
                        .add("object", "list")
                        .add("data", data)
                        .add("model", request.getString("model"))
                        .add(
                                "usage",
                                JSON.createObjectBuilder()
                                        .add("prompt_tokens", tokens)
                                        .add("total_tokens", tokens))
                        .build()
                        .toString(),
                Map.of());
    }

    /** What OpenAI's embeddings endpoint refuses: a missing model, an input that is empty or not text. */
    private String validateEmbeddings(HttpExchange exchange, JsonObject request) {
        if (!exchange.getRequestMethod().equals("POST")) {
            return "405: Method " + exchange.getRequestMethod() + " not allowed, use POST";
        }
        String key = requiredApiKey;
        if (key != null
                && !("Bearer " + key).equals(exchange.getRequestHeaders().getFirst("Authorization"))) {
            return "401: Incorrect API key provided.";
        }
        if (request == null) {
            return "400: We could not parse the JSON body of your request.";
        }
        if (!(request.get("model") instanceof JsonString)) {
            return "400: you must provide a model parameter";
        }
        JsonValue input = request.get("input");
        if (input instanceof JsonString text) {
            return text.getString().isEmpty() ? "400: '$.input' is invalid: it must not be empty" : null;
        }
        if (!(input instanceof JsonArray items) || items.isEmpty()) {
            return "400: '$.input' is invalid: give a string or a non-empty array of strings";
        }
        for (JsonValue item : items) {
            if (!(item instanceof JsonString text) || text.getString().isEmpty()) {
                return "400: '$.input' is invalid: every item must be a non-empty string";
            }
        }
        return null;
    }

    private void record(Call call) {
        synchronized (lock) {
            calls.add(call);
            lock.notifyAll();
        }
    }

    private Reply replyFor(Call call) {
        synchronized (lock) {
            for (Map.Entry<String, Deque<Reply>> rule : rules.entrySet()) {
                if (call.prompt().contains(rule.getKey())) {
                    Deque<Reply> replies = rule.getValue();
                    return replies.size() > 1 ? replies.poll() : replies.peek();
                }
            }
            Reply queued = queue.poll();
            return queued != null ? queued : defaultReply;
        }
    }

    private String validate(Api api, HttpExchange exchange, JsonObject request) {
        if (!exchange.getRequestMethod().equals("POST")) {
            return "405: Method " + exchange.getRequestMethod() + " not allowed, use POST";
        }
        String key = requiredApiKey;
        if (key != null) {
            String given = api == Api.OPENAI
                    ? exchange.getRequestHeaders().getFirst("Authorization")
                    : exchange.getRequestHeaders().getFirst("x-api-key");
            String expected = api == Api.OPENAI ? "Bearer " + key : key;
            if (!expected.equals(given)) {
                return api == Api.OPENAI
                        ? "401: Incorrect API key provided. You can find your API key at "
                                + "https://platform.openai.com/account/api-keys."
                        : "401: invalid x-api-key";
            }
        }
        if (api == Api.ANTHROPIC && exchange.getRequestHeaders().getFirst("anthropic-version") == null) {
            return "400: anthropic-version: header is required";
        }
        if (request == null) {
            return "400: We could not parse the JSON body of your request.";
        }
        if (!(request.get("model") instanceof JsonString)) {
            return "400: you must provide a model parameter";
        }
        if (!(request.get("messages") instanceof JsonArray messages) || messages.isEmpty()) {
            return "400: messages: at least one message is required";
        }
        if (api == Api.ANTHROPIC && request.get("max_tokens") == null) {
            return "400: max_tokens: Field required";
        }
        return null;
    }

    private void answer(HttpExchange exchange, Api api, JsonObject request, Call call, Reply reply)
            throws IOException, InterruptedException {
        switch (reply) {
            case Reply.Delayed delayed -> {
                closing.await(delayed.latency().toNanos(), TimeUnit.NANOSECONDS);
                answer(exchange, api, request, call, delayed.then());
            }
            case Reply.Hang hang -> closing.await();
            case Reply.Gated gated -> {
                while (gated.gate().getCount() > 0 && closing.getCount() > 0) {
                    gated.gate().await(50, TimeUnit.MILLISECONDS);
                }
                answer(exchange, api, request, call, gated.then());
            }
            case Reply.Endless endless -> sendForever(exchange);
            case Reply.Note note ->
                send(
                        exchange,
                        200,
                        api.completion(request.getString("model"), note.markdown(), call.prompt(), calls()),
                        Map.of());
            case Reply.Echo echo ->
                send(
                        exchange,
                        200,
                        api.completion(request.getString("model"), echoNote(call.prompt()), call.prompt(), calls()),
                        Map.of());
            case Reply.Error error ->
                send(exchange, error.status(), api.error(error.status(), error.message()), error.headers());
            case Reply.Drip drip -> sendSlowly(exchange, drip);
            case Reply.Raw raw -> {
                Map<String, String> headers = new LinkedHashMap<>(raw.headers());
                headers.put("Content-Type", raw.contentType());
                send(exchange, raw.status(), raw.body(), headers);
            }
        }
    }

    private final java.util.concurrent.atomic.AtomicLong endlessBytes = new java.util.concurrent.atomic.AtomicLong();
    private final CountDownLatch endlessHungUp = new CountDownLatch(1);
    private volatile boolean listsModelsEndlessly;

    /** From now on every {@code GET /models} is answered as {@link Reply#endless} answers: a body that never ends. */
    public void listModelsEndlessly() {
        listsModelsEndlessly = true;
    }

    private volatile Reply modelListReply;

    /**
     * From now on every {@code GET /models} gets {@code reply} ({@link Reply#error}, {@link Reply#raw}, {@link
     * Reply#hang} or {@link Reply#delayed} of those) instead of the model list; null lists the models again.
     */
    public FakeLlmServer listModelsWith(Reply reply) {
        modelListReply = reply;
        return this;
    }

    /** Whether a client hung up on an endless answer within {@code patience}. */
    public boolean awaitHangUpOnAnEndlessAnswer(Duration patience) throws InterruptedException {
        return endlessHungUp.await(patience.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** How many bytes the {@link Reply#endless} answers sent before their clients hung up. */
    public long endlessBytesSent() {
        return endlessBytes.get();
    }

    private void sendForever(HttpExchange exchange) {
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        byte[] chunk = "The note goes on and on. ".repeat(2_600).getBytes(StandardCharsets.UTF_8);
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(200, 0);
            out.write("{\"choices\":[{\"message\":{\"role\":\"assistant\",\"content\":\""
                    .getBytes(StandardCharsets.UTF_8));
            while (closing.getCount() > 0) {
                out.write(chunk);
                out.flush();
                endlessBytes.addAndGet(chunk.length);
            }
        } catch (IOException hungUp) {
            // the client stopped reading and closed the connection: what this reply waits for
            endlessHungUp.countDown();
        }
    }

    /** The head at once, then the body one byte at a time, {@code drip.interval()} apart, until it or the server ends. */
    private void sendSlowly(HttpExchange exchange, Reply.Drip drip) throws InterruptedException {
        byte[] bytes = drip.body().getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        try (OutputStream out = exchange.getResponseBody()) {
            exchange.sendResponseHeaders(200, bytes.length);
            for (byte b : bytes) {
                out.write(b);
                out.flush();
                if (closing.await(drip.interval().toNanos(), TimeUnit.NANOSECONDS)) {
                    return;
                }
            }
        } catch (IOException hungUp) {
            // the client gave up on the answer: what this reply waits for
        }
    }

    private static void send(HttpExchange exchange, int status, String body, Map<String, String> headers)
            throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        if (!headers.containsKey("Content-Type")) {
            exchange.getResponseHeaders().set("Content-Type", "application/json");
        }
        headers.forEach((name, value) -> exchange.getResponseHeaders().set(name, value));
        exchange.sendResponseHeaders(status, bytes.length == 0 ? -1 : bytes.length);
        if (bytes.length > 0) {
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        }
    }

    /** The default note: mentions the node's text, taken from the {@code <question>} of the prompt when there is one. */
    static String echoNote(String prompt) {
        String question;
        int start = prompt.indexOf("<question>");
        int end = prompt.indexOf("</question>");
        if (start >= 0 && end > start) {
            question = prompt.substring(start + "<question>".length(), end).strip();
        } else {
            String lastLine =
                    prompt.strip().lines().reduce((first, second) -> second).orElse("");
            question = lastLine.length() > 80 ? lastLine.substring(0, 80) : lastLine;
        }
        return "# " + question + "\n\nA note from the fake model about: " + question
                + "\n\n## Key points\n\n- the first point\n- the second point\n";
    }

    private static JsonObject parse(String body) {
        try {
            return JSON.createReader(new StringReader(body)).readValue() instanceof JsonObject object ? object : null;
        } catch (JsonException e) {
            return null;
        }
    }

    private static String promptOf(Api api, JsonObject request) {
        StringBuilder prompt = new StringBuilder();
        if (api == Api.ANTHROPIC && request.get("system") instanceof JsonString system) {
            prompt.append(system.getString()).append('\n');
        }
        if (request.get("messages") instanceof JsonArray messages) {
            for (JsonValue message : messages) {
                if (message instanceof JsonObject object && object.get("content") instanceof JsonString content) {
                    prompt.append(content.getString()).append('\n');
                }
            }
        }
        return prompt.toString();
    }

    private static Map<String, List<String>> lowerCaseHeaders(HttpExchange exchange) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        exchange.getRequestHeaders()
                .forEach((name, values) -> headers.put(name.toLowerCase(Locale.ROOT), List.copyOf(values)));
        return headers;
    }

    private enum Api {
        OPENAI {
            @Override
            String completion(String model, String text, String prompt, int n) {
                return JSON.createObjectBuilder()
                        .add("id", "chatcmpl-fake" + n)
                        .add("object", "chat.completion")
                        .add("created", Instant.now().getEpochSecond())
                        .add("model", model)
                        .add(
                                "choices",
                                JSON.createArrayBuilder()
                                        .add(JSON.createObjectBuilder()
                                                .add("index", 0)
                                                .add(
                                                        "message",
                                                        JSON.createObjectBuilder()
                                                                .add("role", "assistant")
                                                                .add("content", text)
                                                                .addNull("refusal"))
                                                .addNull("logprobs")
                                                .add("finish_reason", "stop")))
                        .add(
                                "usage",
                                usage("prompt_tokens", "completion_tokens", prompt, text)
                                        .add("total_tokens", tokens(prompt) + tokens(text)))
                        .add("system_fingerprint", "fp_fake")
                        .build()
                        .toString();
            }

            @Override
            String error(int status, String message) {
                String type = switch (status) {
                    case 429 -> "requests";
                    case 500, 502, 503, 504 -> "server_error";
                    default -> "invalid_request_error";
                };
                return JSON.createObjectBuilder()
                        .add(
                                "error",
                                JSON.createObjectBuilder()
                                        .add("message", message)
                                        .add("type", type)
                                        .addNull("param")
                                        .add(
                                                "code",
                                                status == 401 ? JSON.createValue("invalid_api_key") : JsonValue.NULL))
                        .build()
                        .toString();
            }
        },
        ANTHROPIC {
            @Override
            String completion(String model, String text, String prompt, int n) {
                return JSON.createObjectBuilder()
                        .add("id", "msg_fake" + n)
                        .add("type", "message")
                        .add("role", "assistant")
                        .add("model", model)
                        .add(
                                "content",
                                JSON.createArrayBuilder()
                                        .add(JSON.createObjectBuilder()
                                                .add("type", "text")
                                                .add("text", text)))
                        .add("stop_reason", "end_turn")
                        .addNull("stop_sequence")
                        .add("usage", usage("input_tokens", "output_tokens", prompt, text))
                        .build()
                        .toString();
            }

            @Override
            String error(int status, String message) {
                String type = switch (status) {
                    case 400 -> "invalid_request_error";
                    case 401 -> "authentication_error";
                    case 403 -> "permission_error";
                    case 404 -> "not_found_error";
                    case 413 -> "request_too_large";
                    case 429 -> "rate_limit_error";
                    case 529 -> "overloaded_error";
                    default -> "api_error";
                };
                return JSON.createObjectBuilder()
                        .add("type", "error")
                        .add(
                                "error",
                                JSON.createObjectBuilder().add("type", type).add("message", message))
                        .build()
                        .toString();
            }
        };

        abstract String completion(String model, String text, String prompt, int n);

        abstract String error(int status, String message);

        private static JsonObjectBuilder usage(String in, String out, String prompt, String text) {
            return JSON.createObjectBuilder().add(in, tokens(prompt)).add(out, tokens(text));
        }

        private static int tokens(String text) {
            return Math.max(1, text.length() / 4);
        }
    }

    /**
     * One call as the server received it.
     *
     * @param api     {@code openai}, {@code anthropic}, {@code embeddings} or {@code unknown} (a path no API has)
     * @param headers names in lower case
     * @param prompt  the system and user texts of the call, one after the other
     */
    public record Call(
            String api, String method, String path, Map<String, List<String>> headers, String body, String prompt) {

        /** The first value of a header, or null. */
        public String header(String name) {
            List<String> values = headers.get(name.toLowerCase(Locale.ROOT));
            return values == null || values.isEmpty() ? null : values.getFirst();
        }

        /** The request body as JSON. */
        public JsonObject json() {
            JsonObject json = parse(body);
            if (json == null) {
                throw new IllegalStateException("the request body is not a JSON object: " + body);
            }
            return json;
        }
    }

    /** What the server answers to one call. */
    public sealed interface Reply {

        /** A well-formed answer whose note is {@code markdown} (an empty string makes an answer with empty content). */
        static Reply note(String markdown) {
            return new Note(markdown);
        }

        /** A well-formed answer with a short note that mentions the question (the default). */
        static Reply echo() {
            return new Echo();
        }

        /** An error status with the API's own error JSON carrying {@code message}. */
        static Reply error(int status, String message) {
            return new Error(status, message, Map.of());
        }

        static Reply error(int status, String message, Map<String, String> headers) {
            return new Error(status, message, headers);
        }

        /** 429 with {@code Retry-After: retryAfter} (seconds, or an HTTP date). */
        static Reply rateLimited(String retryAfter) {
            return new Error(
                    429, "Rate limit reached for requests. Please try again later.", Map.of("Retry-After", retryAfter));
        }

        /** Any status, content type, body and headers, as given. */
        static Reply raw(int status, String contentType, String body, Map<String, String> headers) {
            return new Raw(status, contentType, body, headers);
        }

        /** 200 with a body that is not JSON (a truncated answer). */
        static Reply garbage() {
            return new Raw(200, "application/json", "{\"id\": \"chatcmpl-broken\", \"choices\": [{\"mess", Map.of());
        }

        /** 200, well-formed, but the note is empty. */
        static Reply emptyContent() {
            return new Note("");
        }

        /** Never answers; released (connection closed, no response) when the server is closed. */
        static Reply hang() {
            return new Hang();
        }

        /**
         * 200 and a JSON answer that never ends: its note's text is sent chunk after chunk until the client hangs up
         * (a broken or hostile server); how many bytes went is in {@link #endlessBytesSent}.
         */
        static Reply endless() {
            return new Endless();
        }

        /**
         * 200 with {@code body}: its head at once, then its bytes one by one, {@code interval} apart (a server that
         * drips its answer, which a timeout on the head alone does not catch).
         */
        static Reply drip(String body, Duration interval) {
            return new Drip(body, interval);
        }

        /** {@code then}, after {@code latency}. */
        static Reply delayed(Duration latency, Reply then) {
            return new Delayed(latency, then);
        }

        /** {@code then}, once {@code gate} is open (or the server closes): the test decides when the answer comes. */
        static Reply gated(CountDownLatch gate, Reply then) {
            return new Gated(gate, then);
        }

        record Gated(CountDownLatch gate, Reply then) implements Reply {}

        record Note(String markdown) implements Reply {}

        record Echo() implements Reply {}

        record Error(int status, String message, Map<String, String> headers) implements Reply {}

        record Raw(int status, String contentType, String body, Map<String, String> headers) implements Reply {}

        record Hang() implements Reply {}

        record Endless() implements Reply {}

        record Drip(String body, Duration interval) implements Reply {}

        record Delayed(Duration latency, Reply then) implements Reply {}
    }
}
