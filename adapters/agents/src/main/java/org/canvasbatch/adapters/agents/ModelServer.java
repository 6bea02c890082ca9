package org.canvasbatch.adapters.agents;

import jakarta.json.JsonException;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.json.spi.JsonProvider;
import java.io.IOException;
import java.io.StringReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import org.canvasbatch.application.port.out.AgentFailure;

/**
 * The HTTP side shared by the model-backed agents: sending a call so that an interrupt abandons it at once, and turning
 * every way a call can go wrong into an {@link AgentFailure} a person can act on.
 */
final class ModelServer {

    // Looked up once: JsonProvider.provider() runs a ServiceLoader scan on every call.
    static final JsonProvider JSON = JsonProvider.provider();

    private static final int MAX_DETAIL = 300;
    /**
     * The largest answer a model server's call is read to: a note is tens of kilobytes even as JSON escapes, so this
     * is far above any real one, and bounds what a broken or hostile server can make a call hold.
     */
    static final long MAX_ANSWER_BYTES = 8L * 1024 * 1024;

    /**
     * The longest wait a server's {@code Retry-After} is taken for: past it the hint is nonsense or hostile (a wait of
     * centuries overflowed the scheduler), and a node waiting that long would only run into its batch's timeout.
     */
    static final Duration MAX_RETRY_AFTER = Duration.ofHours(1);

    private static final Duration MAX_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** Connections opened ahead at most: the server's concurrency is at most 200, and a batch rarely needs more. */
    private static final int MAX_PRECONNECTIONS = 64;
    /**
     * The most of a model list the warm-up reads before it hangs up: far more than any provider's list (OpenRouter's,
     * the longest, is under 1 MiB), so a server that sends one without end costs a connection, not a core for ever.
     */
    static final long MAX_LISTING_BYTES = 4L * 1024 * 1024;
    /** How long a model list may take to arrive once its head has come: a body dripped for ever is hung up on. */
    private static final Duration MAX_LISTING_BODY_TIME = Duration.ofSeconds(30);

    /** How long connections opened ahead are taken to be there still. */
    private static final Duration PRECONNECT_INTERVAL = Duration.ofSeconds(10);

    private static final System.Logger LOG = System.getLogger(ModelServer.class.getName());

    private final HttpClient http;
    private final long maxAnswerBytes;
    private final String label;
    private final String keyHint;
    private final Clock clock;
    private long lastPreconnectNanos;
    private int lastPreconnections;

    /**
     * @param label   names the server in messages, e.g. {@code OpenAI-compatible server at http://localhost:11434/v1}
     * @param keyHint what to do about a refused key, e.g. {@code check --api-key or OPENAI_API_KEY}
     */
    ModelServer(HttpClient http, String label, String keyHint, Clock clock) {
        this(http, label, keyHint, clock, MAX_ANSWER_BYTES);
    }

    /** @param maxAnswerBytes an answer larger than this is not read further, and the call fails */
    ModelServer(HttpClient http, String label, String keyHint, Clock clock, long maxAnswerBytes) {
        this.maxAnswerBytes = maxAnswerBytes;
        this.http = http;
        this.label = label;
        this.keyHint = keyHint;
        this.clock = clock;
    }

    /** One client per agent, shared by all its calls so that connections are kept alive and reused. */
    static HttpClient newClient(Duration callTimeout) {
        Duration connectTimeout = callTimeout.compareTo(MAX_CONNECT_TIMEOUT) < 0 ? callTimeout : MAX_CONNECT_TIMEOUT;
        return HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /**
     * Opens up to {@code connections} connections to the server before the calls need them, by as many concurrent
     * requests for {@code listing} (the server's model list: each provider answers it, and it costs no tokens); the
     * answers are dropped and their connections stay in the client's pool, kept alive for the calls. Returns at once;
     * a server that cannot be reached now is left to the calls to report.
     */
    CompletableFuture<Void> preconnect(java.util.function.Supplier<HttpRequest> listingRequest, int connections) {
        if (!preconnectDue(connections)) {
            return CompletableFuture.completedFuture(null);
        }
        HttpRequest listing;
        try {
            listing = listingRequest.get();
        } catch (IllegalArgumentException e) {
            // a key no header can carry (two lines of an environment variable): the calls report it; not its text,
            // which would put the key into the log
            LOG.log(System.Logger.Level.DEBUG, "no connection opened ahead to the " + label + ": invalid request");
            return CompletableFuture.completedFuture(null);
        }
        int count = Math.min(connections, MAX_PRECONNECTIONS);
        HeldListings held = new HeldListings(count);
        List<CompletableFuture<?>> opening = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++) {
            opening.add(http.sendAsync(listing, held.handler()).exceptionally(error -> {
                held.arrived();
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "could not open a connection to the " + label + " ahead of the calls: " + describe(error));
                return null;
            }));
        }
        return CompletableFuture.allOf(opening.toArray(CompletableFuture[]::new));
    }

    /**
     * Asks the server for its model list once and says what its answer means for the calls (see {@link
     * ModelServerCheck#checkServer}). The listing counts as the first connection opened ahead: a {@link #preconnect}
     * of one right after it asks nothing more, and its connection stays in the pool for the calls.
     *
     * @param listingRequest the listing with the credentials, timed out by the caller's {@code within}
     * @param keyGiven       whether a key is sent (a 401 then means it is refused, else that one is needed)
     */
    CompletableFuture<Optional<String>> check(
            java.util.function.Supplier<HttpRequest> listingRequest, Duration within, boolean keyGiven) {
        preconnectDue(1);
        HttpRequest listing;
        try {
            listing = listingRequest.get();
        } catch (IllegalArgumentException e) {
            // a key no header can carry: refused before an agent is built, so this is not reached; not its text
            return CompletableFuture.completedFuture(Optional.empty());
        }
        CompletableFuture<Optional<String>> verdict = new CompletableFuture<>();
        CompletableFuture<HttpResponse<Void>> exchange;
        try {
            exchange = http.sendAsync(listing, head -> {
                verdict.complete(verdictOn(head.statusCode(), keyGiven));
                // read to its end (within bounds) and dropped, so that the connection goes back to the pool
                return new DroppedListing(CompletableFuture.completedFuture(null));
            });
        } catch (RuntimeException e) {
            // the client refused the request itself (a closed client): nothing is known about the server
            LOG.log(System.Logger.Level.DEBUG, "could not check the " + label + ": " + describe(e));
            return CompletableFuture.completedFuture(Optional.empty());
        }
        exchange.whenComplete((answered, error) -> {
            if (error != null) {
                verdict.complete(Optional.of(
                        speaksNoHttp(error)
                                ? "The " + label + " answered with something that is not HTTP; batches will fail"
                                        + " until --base-url names a model server."
                                : notAnswering(unreachable(error, within))));
            }
        });
        CompletableFuture.delayedExecutor(within.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS)
                .execute(() -> {
                    if (verdict.complete(Optional.of(notAnswering("no answer within " + seconds(within))))) {
                        exchange.cancel(true);
                    }
                });
        return verdict;
    }

    /** What an answer's status means for the calls; nothing when they can work. */
    private Optional<String> verdictOn(int status, boolean keyGiven) {
        String server = "The " + label;
        if (status == 404) {
            // the server is there, but the most common mistake looks the same: a base URL without its /v1 (Ollama's
            // http://localhost:11434), whose every call then fails with 404 too (a reviewer); said as a possibility
            return Optional.of(server + " has no model list (HTTP 404 for its models); if batches fail with HTTP 404"
                    + " too, check --base-url" + (label.startsWith("OpenAI") ? " (it usually ends in /v1)." : "."));
        }
        if (status == 401 || status == 403) {
            return Optional.of(
                    keyGiven
                            ? server + " refused the API key (HTTP " + status + "); batches will fail until the key"
                                    + " is right: " + keyHint + "."
                            : server + " asks for an API key (HTTP " + status + ") and none is set; batches will fail"
                                    + " until one is given with " + keyHint.replaceFirst("^check ", "") + ".");
        }
        if (status == 429) {
            return Optional.of(server + " is refusing requests for now (HTTP 429: too many requests, or no quota"
                    + " left); batches may fail until it takes them again.");
        }
        if (status >= 500 && status <= 599) {
            return Optional.of(server + " answered with a server error (HTTP " + status + "); batches may fail until"
                    + " it recovers.");
        }
        if (status >= 300 && status <= 399) {
            return Optional.of(server + " answered with a redirect (HTTP " + status + "), which canvas-batch does not"
                    + " follow; batches will fail: check --base-url.");
        }
        return Optional.empty();
    }

    private String notAnswering(String why) {
        return "The " + label + " is not answering (" + why + "); batches will fail until it does.";
    }

    /**
     * Why a listing got no answer, in a few words of this program's own: an exception's message can quote what the
     * server sent (the JDK's "Invalid status line" does), so only the local system's words are kept, cut short.
     */
    private String unreachable(Throwable error, Duration within) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpConnectTimeoutException) {
                return "no connection within " + seconds(http.connectTimeout().orElse(within));
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpTimeoutException) {
                return "no answer within " + seconds(within);
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                String message = cause.getMessage();
                return message == null
                                || message.isBlank()
                                || message.toLowerCase(Locale.ROOT).contains("refused")
                        ? "connection refused"
                        : printable(message, 80);
            }
            if (cause instanceof java.net.UnknownHostException
                    || cause instanceof java.nio.channels.UnresolvedAddressException) {
                return "its host name is not known";
            }
            if (cause instanceof javax.net.ssl.SSLException) {
                return "the TLS handshake failed";
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return "the connection failed: " + printable(describe(cause), 80);
            }
        }
        return "the request failed: " + error.getClass().getSimpleName();
    }

    /** Whether the server answered with bytes that are no HTTP answer (another service on that port). */
    private static boolean speaksNoHttp(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.net.ProtocolException) {
                return true;
            }
        }
        return false;
    }

    /** {@code text} on one line, without control or direction characters, cut to {@code max} characters. */
    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder();
        text.codePoints()
                .limit(max)
                .forEach(c -> out.appendCodePoint(
                        Character.isISOControl(c)
                                        || Character.getType(c) == Character.FORMAT
                                        || Character.getType(c) == Character.LINE_SEPARATOR
                                        || Character.getType(c) == Character.PARAGRAPH_SEPARATOR
                                ? '?'
                                : c));
        return text.codePointCount(0, text.length()) > max ? out.append('…').toString() : out.toString();
    }

    /**
     * The model listings of one warm-up, each of whose bodies is read only once every listing has its answer's head
     * (or failed). A listing read at once would hand its connection back to the pool, and a listing sent a moment
     * later would take that one instead of opening its own: fewer connections than the first round's calls.
     */
    private static final class HeldListings {

        private final java.util.concurrent.atomic.AtomicInteger waiting;
        private final CompletableFuture<Void> allArrived = new CompletableFuture<>();

        HeldListings(int count) {
            waiting = new java.util.concurrent.atomic.AtomicInteger(count);
            // a listing whose head never comes must not keep the others' connections busy for ever
            allArrived.completeOnTimeout(
                    null, MAX_CONNECT_TIMEOUT.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
        }

        void arrived() {
            if (waiting.decrementAndGet() == 0) {
                allArrived.complete(null);
            }
        }

        HttpResponse.BodyHandler<Void> handler() {
            return head -> {
                arrived();
                return new DroppedListing(allArrived);
            };
        }
    }

    /**
     * A model list's body, read only once {@code readFrom} completes and thrown away; one longer than
     * {@link #MAX_LISTING_BYTES}, or still arriving {@link #MAX_LISTING_BODY_TIME} after its head, is hung up on.
     */
    private static final class DroppedListing implements HttpResponse.BodySubscriber<Void> {

        private final CompletableFuture<Void> body = new CompletableFuture<>();
        private final CompletableFuture<Void> readFrom;
        private long bytes;
        private java.util.concurrent.Flow.Subscription subscription;

        DroppedListing(CompletableFuture<Void> readFrom) {
            this.readFrom = readFrom;
        }

        @Override
        public CompletableFuture<Void> getBody() {
            return body;
        }

        @Override
        public void onSubscribe(java.util.concurrent.Flow.Subscription subscription) {
            this.subscription = subscription;
            CompletableFuture.delayedExecutor(
                            MAX_LISTING_BODY_TIME.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)
                    .execute(() -> hangUp("still arriving after " + MAX_LISTING_BODY_TIME.toSeconds() + " s"));
            readFrom.whenComplete((done, error) -> subscription.request(Long.MAX_VALUE));
        }

        @Override
        public void onNext(List<java.nio.ByteBuffer> item) {
            for (java.nio.ByteBuffer buffer : item) {
                bytes += buffer.remaining();
            }
            if (bytes > MAX_LISTING_BYTES) {
                hangUp("longer than " + (MAX_LISTING_BYTES >> 20) + " MiB");
            }
        }

        @Override
        public void onError(Throwable throwable) {
            body.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            body.complete(null);
        }

        private void hangUp(String why) {
            if (body.complete(null)) {
                subscription.cancel();
                LOG.log(System.Logger.Level.DEBUG, "stopped reading a model list " + why);
            }
        }
    }

    /** Runs {@code rehearse} on a virtual thread of its own; what it throws only costs the warm-up. */
    static CompletableFuture<Void> rehearse(Rehearsal.Run rehearse) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Thread.ofVirtual().name("agent-rehearsal").start(() -> {
            try {
                rehearse.run();
            } catch (AgentFailure | RuntimeException e) {
                LOG.log(System.Logger.Level.DEBUG, "the agent's rehearsal failed: " + describe(e));
            } finally {
                done.complete(null);
            }
        });
        return done;
    }

    /**
     * Whether connections should be opened now: not again for no more of them within {@link #PRECONNECT_INTERVAL},
     * so that a flood of analyses does not become a flood of requests to the learner's model account.
     */
    private synchronized boolean preconnectDue(int connections) {
        long now = System.nanoTime();
        if (lastPreconnectNanos != 0
                && now - lastPreconnectNanos < PRECONNECT_INTERVAL.toNanos()
                && connections <= lastPreconnections) {
            return false;
        }
        lastPreconnectNanos = now;
        lastPreconnections = connections;
        return true;
    }

    /** A {@code GET} for the model list, timed out as a connection is; the caller adds the credentials. */
    HttpRequest.Builder listing(URI uri) {
        return HttpRequest.newBuilder(uri)
                .timeout(http.connectTimeout().orElse(MAX_CONNECT_TIMEOUT))
                .header("Accept", "application/json")
                .header("User-Agent", "canvas-batch")
                .GET();
    }

    static HttpRequest.Builder jsonPost(URI uri, Duration timeout, JsonObject body) {
        return HttpRequest.newBuilder(uri)
                .timeout(timeout)
                .header("Content-Type", "application/json")
                .header("Accept", "application/json")
                .header("User-Agent", "canvas-batch")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString(), StandardCharsets.UTF_8));
    }

    /**
     * Sends the call and returns the server's JSON answer.
     *
     * @throws AgentFailure         for an error status, a broken connection, a timeout or an answer that is not JSON
     * @throws InterruptedException when the calling thread is interrupted; the HTTP exchange is cancelled first
     */
    JsonObject call(HttpRequest request) throws AgentFailure, InterruptedException {
        HttpResponse<String> response = send(request);
        if (response.statusCode() / 100 != 2) {
            throw failureOf(response.statusCode(), response.headers(), response.body());
        }
        return parseAnswer(response.body());
    }

    private HttpResponse<String> send(HttpRequest request) throws AgentFailure, InterruptedException {
        // sendAsync + get rather than send: get() answers an interrupt at once, and cancelling the future aborts the
        // exchange and closes its connection, so a cancelled node does not leave a call running on the server.
        CompletableFuture<HttpResponse<String>> pending = http.sendAsync(request, BoundedBody.ofText(maxAnswerBytes));
        // the client's own timeout ends when the answer's head arrives: a body dripped a byte at a time would hold the
        // call for as long as it lasts, so the whole exchange, body included, gets the request's timeout
        Duration timeout = request.timeout().orElse(null);
        try {
            return timeout == null
                    ? pending.get()
                    : pending.get(timeout.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            pending.cancel(true);
            throw e;
        } catch (java.util.concurrent.TimeoutException e) {
            pending.cancel(true);
            throw AgentFailure.transientFailure(
                    "timeout", "the " + label + " did not answer within " + seconds(timeout), null);
        } catch (ExecutionException e) {
            throw failureOf(e.getCause() == null ? e : e.getCause(), request);
        }
    }

    private AgentFailure failureOf(Throwable error, HttpRequest request) {
        Duration timeout = request.timeout().orElse(null);
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof BoundedBody.TooLarge tooLarge) {
                return badResponse("answered with more than " + tooLarge.limit() / (1024 * 1024)
                        + " MiB, far more than any answer; the rest was not read");
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpConnectTimeoutException) {
                return AgentFailure.transientFailure(
                        "connection",
                        "could not connect to the " + label + " within "
                                + seconds(http.connectTimeout().orElse(null)),
                        null);
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof HttpTimeoutException) {
                return AgentFailure.transientFailure(
                        "timeout", "the " + label + " did not answer within " + seconds(timeout), null);
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof ConnectException) {
                return AgentFailure.transientFailure(
                        "connection",
                        "could not connect to the " + label + ": is it running? (" + describe(cause) + ")",
                        null);
            }
        }
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof IOException) {
                return AgentFailure.transientFailure(
                        "connection", "the connection to the " + label + " failed: " + describe(cause), null);
            }
        }
        return AgentFailure.permanent("agent_error", "calling the " + label + " failed: " + describe(error));
    }

    private static String seconds(Duration duration) {
        if (duration == null) {
            return "the time allowed";
        }
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", millis / 1000.0);
    }

    private static String describe(Throwable error) {
        String message = error.getMessage();
        return message == null || message.isBlank() ? error.getClass().getSimpleName() : message;
    }

    /** An answer other than 2xx: 408, 429 and 5xx may pass when tried again, any other status will not. */
    AgentFailure failureOf(int status, HttpHeaders headers, String body) {
        String detail = errorDetail(body);
        String message = "the " + label + " answered " + status + (detail.isEmpty() ? "" : ": " + detail);
        Duration retryAfter = retryAfter(headers).orElse(null);
        if (status == 429) {
            return AgentFailure.transientFailure("rate_limited", message, retryAfter);
        }
        if (status == 408) {
            return AgentFailure.transientFailure("timeout", message, retryAfter);
        }
        if (status >= 500 && status <= 599) {
            return AgentFailure.transientFailure("http_" + status, message, retryAfter);
        }
        String hint = switch (status) {
            case 401, 403 -> " (" + keyHint + ")";
            case 404 -> " (check --base-url and --model)";
            default -> "";
        };
        return AgentFailure.permanent("http_" + status, message + hint);
    }

    AgentFailure badResponse(String what) {
        return AgentFailure.permanent("bad_response", "the " + label + " " + what);
    }

    JsonObject parseAnswer(String body) throws AgentFailure {
        if (body == null || body.isBlank()) {
            throw badResponse("answered with an empty body instead of a JSON answer");
        }
        try {
            JsonValue value = JSON.createReader(new StringReader(body)).readValue();
            if (value instanceof JsonObject object) {
                return object;
            }
            throw badResponse("answered with JSON that is not an object: " + excerpt(body));
        } catch (JsonException e) {
            throw badResponse("answered with a body that is not JSON: " + excerpt(body));
        } catch (RuntimeException e) {
            // the reader's own limits (nesting deeper than 1 000, a number like 1e99999999999) are not JsonExceptions
            throw badResponse("answered with JSON that cannot be read (" + describe(e) + "): " + excerpt(body));
        }
    }

    /**
     * The server's own words about an error: OpenAI's {@code {"error":{"message"}}}, Anthropic's
     * {@code {"type":"error","error":{"message"}}}, Ollama's {@code {"error":"…"}}, else the start of the body.
     */
    static String errorDetail(String body) {
        if (body == null || body.isBlank()) {
            return "";
        }
        try {
            JsonValue value = JSON.createReader(new StringReader(body)).readValue();
            if (value instanceof JsonObject object) {
                JsonValue error = object.get("error");
                if (error instanceof JsonObject errorObject && errorObject.get("message") instanceof JsonString text) {
                    return excerpt(text.getString());
                }
                for (String key : new String[] {"error", "message", "detail"}) {
                    if (object.get(key) instanceof JsonString text) {
                        return excerpt(text.getString());
                    }
                }
            }
        } catch (RuntimeException notJson) {
            // a proxy's HTML page or plain text (or JSON past the reader's limits): show its beginning below
        }
        return excerpt(body);
    }

    static String excerpt(String text) {
        String flat = text.replaceAll("\\s+", " ").strip();
        return flat.length() <= MAX_DETAIL ? flat : flat.substring(0, MAX_DETAIL) + "…";
    }

    /** {@code retry-after-ms} (OpenAI), else {@code Retry-After} in seconds or as an HTTP date. */
    Optional<Duration> retryAfter(HttpHeaders headers) {
        return serverRetryAfter(headers).map(wait -> wait.compareTo(MAX_RETRY_AFTER) > 0 ? MAX_RETRY_AFTER : wait);
    }

    private Optional<Duration> serverRetryAfter(HttpHeaders headers) {
        Optional<String> millis = headers.firstValue("retry-after-ms");
        if (millis.isPresent()) {
            try {
                return Optional.of(Duration.ofMillis(
                        Math.max(0, Math.round(Double.parseDouble(millis.get().strip())))));
            } catch (NumberFormatException ignored) {
                // fall back to Retry-After
            }
        }
        Optional<String> header = headers.firstValue("retry-after").map(String::strip);
        if (header.isEmpty() || header.get().isEmpty()) {
            return Optional.empty();
        }
        try {
            double seconds = Double.parseDouble(header.get());
            return seconds >= 0 && seconds < Long.MAX_VALUE / 1000
                    ? Optional.of(Duration.ofMillis(Math.round(seconds * 1000)))
                    : Optional.empty();
        } catch (NumberFormatException notSeconds) {
            try {
                ZonedDateTime when = ZonedDateTime.parse(header.get(), DateTimeFormatter.RFC_1123_DATE_TIME);
                Duration wait = Duration.between(clock.instant(), when.toInstant());
                return Optional.of(wait.isNegative() ? Duration.ZERO : wait);
            } catch (DateTimeParseException notADate) {
                return Optional.empty();
            }
        }
    }
}
