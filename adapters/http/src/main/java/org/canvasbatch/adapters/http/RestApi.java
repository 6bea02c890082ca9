package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.Method;
import io.helidon.http.Status;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.HttpRules;
import io.helidon.webserver.http.HttpService;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.adapters.http.wire.PluginCancels;
import org.canvasbatch.adapters.http.wire.PluginPolls;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.Clock;

/**
 * The REST API of CONTRACT §2 as a Helidon {@link HttpService}, served at the root (the plugin's default base URL) and
 * again under {@code /api/v1} (older callers): one instance per prefix, which its answers need (a socket URL keeps the
 * prefix the caller used). Every answer is JSON; every failure is the error envelope, logged once. A path answers the
 * methods it does not serve with 405 rather than "not found".
 */
final class RestApi implements HttpService {

    static final List<String> PREFIXES = List.of("", "/api/v1");
    private static final String BATCH = "/canvas/intelligent-parallel";
    private static final String SINGLE = "/canvas/single-agent";
    private static final String SESSION = "/{" + SessionEndpoints.SESSION_ID + "}";
    private static final System.Logger LOG = System.getLogger(RestApi.class.getName());

    private final String prefix;
    private final RequestBody body;
    private final AnalyzeEndpoint analyze;
    private final ConfirmEndpoint confirm;
    private final SessionEndpoints sessions;
    private final SingleAgentEndpoint single;

    /** @param prefix where this instance is registered: {@code ""} or {@code /api/v1} */
    RestApi(
            String prefix,
            UseCases useCases,
            ServerSettings settings,
            Clock clock,
            SocketUrls sockets,
            PluginCancels pluginCancels,
            PluginPolls pluginPolls) {
        this.prefix = prefix;
        this.body = new RequestBody(settings.maxBodyBytes());
        this.analyze = new AnalyzeEndpoint(useCases.analyze(), sockets);
        this.confirm = new ConfirmEndpoint(useCases.start(), sockets);
        this.sessions = new SessionEndpoints(useCases, clock, pluginCancels, pluginPolls);
        this.single = new SingleAgentEndpoint(useCases.runSingleNode());
    }

    /** The API under every prefix of {@link #PREFIXES}, in that order. */
    static void register(
            HttpRules rules,
            UseCases useCases,
            ServerSettings settings,
            Clock clock,
            SocketUrls sockets,
            PluginCancels pluginCancels,
            PluginPolls pluginPolls) {
        for (String prefix : PREFIXES) {
            RestApi api = new RestApi(prefix, useCases, settings, clock, sockets, pluginCancels, pluginPolls);
            if (prefix.isEmpty()) {
                rules.register(api);
            } else {
                rules.register(prefix, api);
            }
        }
    }

    /** Fixed paths come before {@code {session_id}}, so that {@code confirm} is never taken for a session id. */
    @Override
    public void routing(HttpRules rules) {
        rules.post(BATCH + "/confirm", answer(confirm))
                .any(BATCH + "/confirm", notAllowed("POST"))
                .post(BATCH + "/cancel" + SESSION, answer(sessions::cancel))
                .any(BATCH + "/cancel" + SESSION, notAllowed("POST"))
                .post(BATCH + "/pause" + SESSION, answer(sessions::pause))
                .any(BATCH + "/pause" + SESSION, notAllowed("POST"))
                .post(BATCH + "/resume" + SESSION, answer(sessions::resume))
                .any(BATCH + "/resume" + SESSION, notAllowed("POST"))
                // builds before 2026-02 poll /status/{id}
                .get(BATCH + "/status" + SESSION, answer(sessions::status))
                .any(BATCH + "/status" + SESSION, notAllowed("GET"))
                .get(BATCH + SESSION, answer(sessions::status))
                .any(BATCH + SESSION, notAllowed("GET"))
                .post(BATCH, answer(analyze))
                .get(BATCH, answer(sessions::list))
                .any(BATCH, notAllowed("GET, POST"))
                .post(SINGLE, answer(single))
                .any(SINGLE, notAllowed("POST"));
    }

    /**
     * The last route of all: whatever nothing else took. Also the safety net for failures outside the endpoints (an
     * extension's route, the container's own request errors), so that those too get the envelope.
     */
    static void registerFallback(HttpRouting.Builder routing) {
        routing.error(Throwable.class, RestApi::fail);
        routing.any((request, response) -> fail(
                request,
                response,
                ApiProblem.of(
                                404,
                                "NotFoundError",
                                Message.NO_ENDPOINT.in(language(request), describe(request), BATCH, SINGLE),
                                BUILDERS.createObjectBuilder()
                                        .add(
                                                "method",
                                                request.prologue().method().text())
                                        .add("path", request.path().rawPath()))
                        .localized()));
    }

    private Handler answer(Endpoint endpoint) {
        return (request, response) -> {
            Reply reply;
            try {
                reply = endpoint.answer(new Endpoint.ApiCall(request, prefix, body));
            } catch (Exception e) {
                fail(request, response, e);
                return;
            }
            LOG.log(Level.DEBUG, () -> describe(request) + " -> " + reply.status());
            try {
                send(response, reply.status(), reply.body());
            } finally {
                reply.afterAnswer().run();
            }
        };
    }

    private static Handler notAllowed(String allowed) {
        return (request, response) -> {
            response.header(HeaderNames.ALLOW, allowed + ", OPTIONS");
            fail(
                    request,
                    response,
                    ApiProblem.of(
                                    405,
                                    "MethodNotAllowedError",
                                    Message.METHOD_NOT_ALLOWED.in(language(request), describe(request), allowed),
                                    BUILDERS.createObjectBuilder()
                                            .add(
                                                    "method",
                                                    request.prologue().method().text())
                                            .add("allowed", allowed))
                            .localized());
        };
    }

    /** Answers with the envelope; logs a client's mistake in one line and a server fault with its stack trace. */
    static void fail(ServerRequest request, ServerResponse response, Throwable failure) {
        if (failure instanceof HttpException http && http.status().code() == Status.NOT_MODIFIED_304.code()) {
            // the dashboard's files answer a browser's revalidation this way: the copy it has is current. No error, and
            // a 304 carries no body (an envelope made Helidon log SEVERE for every file of every reload)
            if (!response.isSent()) {
                response.status(Status.NOT_MODIFIED_304);
                response.send();
            }
            return;
        }
        ApiProblem problem = Problems.from(failure, language(request));
        if (problem.status() >= 500) {
            LOG.log(
                    Level.WARNING,
                    describe(request) + " -> " + problem.status() + " " + problem.name() + ": " + problem.getMessage(),
                    failure);
        } else {
            RefusalLog.of(request)
                    .refused(
                            LOG,
                            () -> describe(request) + " -> " + problem.status() + " " + problem.name() + ": "
                                    + problem.getMessage());
        }
        if (!response.isSent()) {
            problem.retryAfterSeconds()
                    .ifPresent(seconds -> response.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds)));
            if (request.prologue().method() == Method.HEAD) {
                // the refusal's status and headers without its body (RFC 9110 §9.3.2)
                response.status(problem.status());
                response.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
                response.send();
                return;
            }
            send(response, problem.status(), problem.toJson());
        }
    }

    private static void send(ServerResponse response, int status, JsonObject json) {
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        response.send(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    /** The language the caller reads ({@code Accept-Language}; English without one). */
    static Language language(ServerRequest request) {
        return Language.of(request.headers().first(HeaderNames.ACCEPT_LANGUAGE).orElse(null));
    }

    private static String describe(ServerRequest request) {
        Method method = request.prologue().method();
        return method.text() + " " + request.prologue().uriPath().rawPath();
    }
}
