package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import java.lang.System.Logger.Level;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.port.out.Clock;

/**
 * The REST API of CONTRACT §2, served at the root (the plugin's default base URL) and again under {@code /api/v1}
 * (older callers). Every answer is JSON; every failure is the error envelope, logged once.
 */
final class RestApi {

    static final List<String> PREFIXES = List.of("", "/api/v1");
    private static final String BATCH = "/canvas/intelligent-parallel";
    private static final String SINGLE = "/canvas/single-agent";
    private static final System.Logger LOG = System.getLogger(RestApi.class.getName());

    private final RequestBody body;
    private final AnalyzeEndpoint analyze;
    private final ConfirmEndpoint confirm;
    private final SessionEndpoints sessions;
    private final SingleAgentEndpoint single;

    RestApi(CanvasBatchCore core, ServerSettings settings, Clock clock, SocketUrls sockets) {
        this.body = new RequestBody(settings.maxBodyBytes());
        this.analyze = new AnalyzeEndpoint(core.analyze(), sockets);
        this.confirm = new ConfirmEndpoint(core.start(), sockets, settings.estimatedSecondsPerNode());
        this.sessions = new SessionEndpoints(core, clock);
        this.single = new SingleAgentEndpoint(core.runSingleNode());
    }

    /** One route of the API, without its prefix: a method on a path template. */
    record Route(String method, String path) {}

    /**
     * Every route, in the order they are registered: fixed paths come before {@code {session_id}} so that
     * {@code confirm} is never taken for a session id. Each is served under every prefix of {@link #PREFIXES}.
     */
    static final List<Route> ROUTES = List.of(
            new Route("POST", BATCH + "/confirm"),
            new Route("POST", BATCH + "/cancel/{session_id}"),
            new Route("POST", BATCH + "/pause/{session_id}"),
            new Route("POST", BATCH + "/resume/{session_id}"),
            // builds before 2026-02 poll /status/{id}
            new Route("GET", BATCH + "/status/{session_id}"),
            new Route("GET", BATCH + "/{session_id}"),
            new Route("POST", BATCH),
            new Route("GET", BATCH),
            new Route("POST", SINGLE));

    /** Every (method, path) the API answers, prefixes included: what {@code docs/openapi.yaml} must document. */
    static List<Route> routes() {
        List<Route> all = new ArrayList<>();
        for (String prefix : PREFIXES) {
            ROUTES.forEach(route -> all.add(new Route(route.method(), prefix + route.path())));
        }
        return all;
    }

    private Endpoint endpoint(Route route) {
        return switch (route.method() + " " + route.path()) {
            case "POST " + BATCH + "/confirm" -> confirm;
            case "POST " + BATCH + "/cancel/{session_id}" -> sessions::cancel;
            case "POST " + BATCH + "/pause/{session_id}" -> sessions::pause;
            case "POST " + BATCH + "/resume/{session_id}" -> sessions::resume;
            case "GET " + BATCH + "/status/{session_id}", "GET " + BATCH + "/{session_id}" -> sessions::status;
            case "POST " + BATCH -> analyze;
            case "GET " + BATCH -> sessions::list;
            case "POST " + SINGLE -> single;
            default -> throw new IllegalStateException("no endpoint for " + route);
        };
    }

    /**
     * The routes of {@link #ROUTES} under every prefix; after the last method of a path, that path answers every
     * other method with 405 rather than falling through to "not found".
     */
    void register(HttpRouting.Builder routing) {
        for (String prefix : PREFIXES) {
            for (int i = 0; i < ROUTES.size(); i++) {
                Route route = ROUTES.get(i);
                String path = prefix + route.path();
                routing.route(Method.create(route.method()), path, handler(prefix, endpoint(route)));
                boolean lastOfPath = ROUTES.subList(i + 1, ROUTES.size()).stream()
                        .noneMatch(r -> r.path().equals(route.path()));
                if (lastOfPath) {
                    String allowed = String.join(
                            ", ",
                            ROUTES.stream()
                                    .filter(r -> r.path().equals(route.path()))
                                    .map(Route::method)
                                    .distinct()
                                    .sorted()
                                    .toList());
                    routing.any(path, notAllowed(allowed));
                }
            }
        }
    }

    /**
     * The last route of all: whatever nothing else took. Also the safety net for failures outside the endpoints (an
     * extension's route, the container's own request errors), so that those too get the envelope.
     */
    void registerFallback(HttpRouting.Builder routing) {
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

    private Handler handler(String prefix, Endpoint endpoint) {
        return (request, response) -> {
            Reply reply;
            try {
                reply = endpoint.answer(new Endpoint.ApiCall(request, prefix, body));
            } catch (Exception e) {
                fail(request, response, e);
                return;
            }
            LOG.log(Level.DEBUG, () -> describe(request) + " -> " + reply.status());
            send(response, reply.status(), reply.body());
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
        ApiProblem problem = Problems.from(failure, language(request));
        if (problem.status() >= 500) {
            LOG.log(
                    Level.WARNING,
                    describe(request) + " -> " + problem.status() + " " + problem.name() + ": " + problem.getMessage(),
                    failure);
        } else {
            LOG.log(
                    Level.INFO,
                    () -> describe(request) + " -> " + problem.status() + " " + problem.name() + ": "
                            + problem.getMessage());
        }
        if (!response.isSent()) {
            problem.retryAfterSeconds()
                    .ifPresent(seconds -> response.header(HeaderNames.RETRY_AFTER, String.valueOf(seconds)));
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
