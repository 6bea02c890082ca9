package org.canvasbatch.adapters.http;

import io.helidon.http.DirectHandler;
import io.helidon.http.DirectHandler.EventType;
import io.helidon.http.HeaderNames;
import io.helidon.http.ServerResponseHeaders;
import io.helidon.http.Status;
import io.helidon.webserver.http.DirectHandlers;
import java.nio.charset.StandardCharsets;

/**
 * The answers Helidon gives by itself, before any route runs, to bytes that are not a well-formed HTTP request (a
 * header line it cannot parse, a WebSocket handshake with a key that is not one): our error envelope (CONTRACT §1)
 * with the status Helidon chose and its words when they are safe to repeat, and one log line. Helidon's own answers
 * are plain text, or nothing, and a 500 of its own is logged with a stack trace; a client's mistake gets neither.
 *
 * <p>Helidon 4.5 reports headers cut short (the client stopped sending in the middle of them: its header parser lets
 * the end of the stream through, where its request-line parser closes the connection quietly) as an internal error of
 * a request it has not read yet. An {@link EventType#INTERNAL_ERROR} before anything was routed, with no request line
 * known, is therefore answered as what it is, a request that could not be read (400). Once a request is routed, an
 * internal error is the server's own fault: Helidon's answer (500) and its stack trace stay.
 *
 * <p>A body declared past Helidon's payload limit ({@link RequestBody#payloadLimit}), which Helidon refuses with a 413,
 * is answered as the contract answers a body over the limit: a 422 that names the limit.
 */
final class MalformedRequests implements DirectHandler {

    private static final System.Logger LOG = System.getLogger(MalformedRequests.class.getName());

    private final RefusalLog refusals;
    private final long maxBodyBytes;
    private final OriginPolicy origins;

    private MalformedRequests(RefusalLog refusals, long maxBodyBytes, OriginPolicy origins) {
        this.refusals = refusals;
        this.maxBodyBytes = maxBodyBytes;
        this.origins = origins;
    }

    /**
     * @param maxBodyBytes the body limit, which a body Helidon refuses as too large is named against
     * @param origins      the browser origins that may read that refusal, as they may read any answer
     */
    static DirectHandlers handlers(RefusalLog refusals, long maxBodyBytes, OriginPolicy origins) {
        MalformedRequests ours = new MalformedRequests(refusals, maxBodyBytes, origins);
        DirectHandlers.Builder builder = DirectHandlers.builder();
        for (EventType type : EventType.values()) {
            builder.addHandler(type, ours);
        }
        return builder.build();
    }

    @Override
    public TransportResponse handle(
            TransportRequest request,
            EventType eventType,
            Status defaultStatus,
            ServerResponseHeaders headers,
            String message) {
        if (defaultStatus.code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code()) {
            return tooLarge(request, headers);
        }
        Status answered = defaultStatus;
        String said = message == null || message.isBlank() ? defaultStatus.reasonPhrase() : message;
        if (said.contains("see server log")) {
            // Helidon's words for a request line it refused (a path's '%' without two hex digits, a backslash) send
            // the client to a log that says nothing more
            said = "its request line is not valid: a path may not hold a backslash, a space or a control character,"
                    + " and a percent sign must be followed by two hexadecimal digits";
        }
        if (eventType == EventType.INTERNAL_ERROR) {
            if (request.method() != null && !request.method().isBlank()) {
                return DirectHandler.defaultHandler().handle(request, eventType, defaultStatus, headers, message);
            }
            answered = Status.BAD_REQUEST_400;
            said = "it ended, or broke off, before its headers were complete";
        }
        byte[] body =
                logAndDescribe(refusals, answered.code(), said, request.method() + " " + printable(request.path()));
        return TransportResponse.builder()
                .status(answered)
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .entity(body)
                .keepAlive(false)
                .build();
    }

    /**
     * A body declared past Helidon's limit ({@link RequestBody#payloadLimit}), refused before any route: the
     * contract's answer to a body over the limit (422, naming it), as the route gives one a little over it, readable by
     * the origins allowed to read any answer (the plugin's {@code fetch} would otherwise see a network error, not the
     * limit). Helidon closes the connection after it.
     */
    private TransportResponse tooLarge(TransportRequest request, ServerResponseHeaders headers) {
        ApiProblem problem = RequestBody.tooLarge(maxBodyBytes);
        String declared = request.headers()
                .first(HeaderNames.CONTENT_LENGTH)
                .map(length -> "declares " + printable(length) + " bytes")
                .orElse("is chunked");
        refusals.refused(
                LOG,
                () -> request.method() + " " + printable(request.path()) + " -> 422 (body past the limit): it "
                        + declared + "; " + problem.getMessage());
        TransportResponse.Builder answer = TransportResponse.builder()
                .status(Status.create(problem.status()))
                .headers(headers)
                .header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8")
                .header(HeaderNames.VARY, "Origin");
        request.headers()
                .first(HeaderNames.ORIGIN)
                .filter(origins::allows)
                .ifPresent(origin -> answer.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin));
        return answer.entity(problem.toJson().toString().getBytes(StandardCharsets.UTF_8))
                .keepAlive(false)
                .build();
    }

    /**
     * Logs the one line of a request that could not be read, {@code shown} being what it was (its method and path, or
     * its request line), and returns the body of its answer: the error envelope with {@code why}.
     */
    static byte[] logAndDescribe(RefusalLog refusals, int status, String why, String shown) {
        refusals.refused(LOG, () -> shown + " -> " + status + " (malformed request): " + why);
        String text = "The request could not be read as HTTP: " + why;
        return ApiProblem.of(status, name(status), text).toJson().toString().getBytes(StandardCharsets.UTF_8);
    }

    private static String name(int status) {
        return switch (status) {
            case 400 -> "BadRequestError";
            case 403 -> "ForbiddenError";
            case 413 -> "PayloadTooLargeError";
            case 505 -> "HttpVersionNotSupportedError";
            default -> "HttpError";
        };
    }

    private static String printable(String text) {
        return text == null ? "" : text.replaceAll("[\\p{Cntrl}]", "?");
    }
}
