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
import java.util.List;
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

    /**
     * Fixed paths come before {@code {session_id}} so that {@code confirm} is never taken for a session id, and every
     * path answers other methods with 405 rather than falling through to "not found".
     */
    void register(HttpRouting.Builder routing) {
        for (String prefix : PREFIXES) {
            String batch = prefix + BATCH;
            routing.post(batch + "/confirm", handler(prefix, confirm));
            routing.any(batch + "/confirm", notAllowed("POST"));
            for (String action : List.of("cancel", "pause", "resume")) {
                Endpoint steer = switch (action) {
                    case "cancel" -> sessions::cancel;
                    case "pause" -> sessions::pause;
                    default -> sessions::resume;
                };
                routing.post(batch + "/" + action + "/{session_id}", handler(prefix, steer));
                routing.any(batch + "/" + action + "/{session_id}", notAllowed("POST"));
            }
            // builds before 2026-02 poll /status/{id}
            routing.get(batch + "/status/{session_id}", handler(prefix, sessions::status));
            routing.any(batch + "/status/{session_id}", notAllowed("GET"));
            routing.get(batch + "/{session_id}", handler(prefix, sessions::status));
            routing.any(batch + "/{session_id}", notAllowed("GET"));
            routing.post(batch, handler(prefix, analyze));
            routing.get(batch, handler(prefix, sessions::list));
            routing.any(batch, notAllowed("GET, POST"));
            routing.post(prefix + SINGLE, handler(prefix, single));
            routing.any(prefix + SINGLE, notAllowed("POST"));
        }
    }

    /**
     * The last route of all: whatever nothing else took. Also the safety net for failures outside the endpoints (an
     * extension's route, the container's own request errors), so that those too get the envelope.
     */
    void registerFallback(HttpRouting.Builder routing) {
        routing.error(Throwable.class, RestApi::fail);
        routing.any((request, response) -> fail(request, response, ApiProblem.of(404, "NotFoundError",
                "There is no endpoint at " + describe(request) + "; the API lives under " + BATCH + " and " + SINGLE,
                BUILDERS.createObjectBuilder().add("method", request.prologue().method().text())
                        .add("path", request.path().rawPath()))));
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
            fail(request, response, ApiProblem.of(405, "MethodNotAllowedError",
                    describe(request) + " is not supported; use " + allowed,
                    BUILDERS.createObjectBuilder().add("method", request.prologue().method().text())
                            .add("allowed", allowed)));
        };
    }

    /** Answers with the envelope; logs a client's mistake in one line and a server fault with its stack trace. */
    static void fail(ServerRequest request, ServerResponse response, Throwable failure) {
        ApiProblem problem = Problems.from(failure);
        if (problem.status() >= 500) {
            LOG.log(Level.WARNING, describe(request) + " -> " + problem.status() + " " + problem.name() + ": "
                    + problem.getMessage(), failure);
        } else {
            LOG.log(Level.INFO, () -> describe(request) + " -> " + problem.status() + " " + problem.name() + ": "
                    + problem.getMessage());
        }
        if (!response.isSent()) {
            send(response, problem.status(), problem.toJson());
        }
    }

    private static void send(ServerResponse response, int status, JsonObject json) {
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        response.send(json.toString().getBytes(StandardCharsets.UTF_8));
    }

    private static String describe(ServerRequest request) {
        Method method = request.prologue().method();
        return method.text() + " " + request.prologue().uriPath().rawPath();
    }
}
