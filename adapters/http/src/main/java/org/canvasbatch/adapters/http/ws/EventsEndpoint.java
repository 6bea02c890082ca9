package org.canvasbatch.adapters.http.ws;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.EventPage;
import org.canvasbatch.domain.session.SessionId;

/**
 * {@code GET …/{session_id}/events?after_seq=N&limit=500}: the socket's messages over plain HTTP (CONTRACT §3.3), for
 * clients that cannot keep a socket and for catching up after a long absence.
 */
final class EventsEndpoint {

    static final int DEFAULT_LIMIT = 500;
    static final int MAX_LIMIT = 1_000;

    private record FieldError(String field, String message) {}

    private final History history;

    EventsEndpoint(History history) {
        this.history = history;
    }

    void handle(ServerRequest request, ServerResponse response) {
        String raw = request.path().pathParameters().first("session_id").orElse("");
        if (!SessionId.isWellFormed(raw)) {
            notFound(response, raw);
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        long afterSeq = number(request, "after_seq", 0, 0, Long.MAX_VALUE - 1, errors);
        long limit = number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, errors);
        if (!errors.isEmpty()) {
            invalid(response, errors);
            return;
        }
        SessionId id = new SessionId(raw);
        try {
            EventPage head = history.head(id);
            long upTo = Math.min(head.lastSeq(), afterSeq + limit);
            JsonArrayBuilder events = BUILDERS.createArrayBuilder();
            long[] newest = {afterSeq};
            if (upTo > afterSeq && !history.holds(id, afterSeq, upTo)) {
                gone(response, id, afterSeq);
                return;
            }
            if (upTo > afterSeq) {
                history.replay(id, afterSeq, upTo, envelope -> {
                    events.add(envelope.json());
                    newest[0] = Math.max(newest[0], envelope.seq());
                });
            }
            send(
                    response,
                    Status.OK_200,
                    BUILDERS.createObjectBuilder()
                            .add("session_id", id.value())
                            .add("events", events)
                            .add("last_seq", head.lastSeq())
                            .add("epoch", head.epoch())
                            .add("next_after_seq", newest[0])
                            .add("has_more", newest[0] < head.lastSeq())
                            .build());
        } catch (SessionNotFoundException e) {
            notFound(response, raw);
        }
    }

    private static long number(
            ServerRequest request, String name, long fallback, long min, long max, List<FieldError> errors) {
        Optional<String> value = request.query().first(name).asOptional();
        if (value.isEmpty() || value.get().isBlank()) {
            return fallback;
        }
        try {
            long parsed = Long.parseLong(value.get().strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        String range = max >= Long.MAX_VALUE - 1
                ? "a whole number of " + min + " or more"
                : "a whole number from " + min + " to " + max;
        errors.add(new FieldError(name, "must be " + range + ", not '" + value.get() + "'"));
        return fallback;
    }

    private static void notFound(ServerResponse response, String raw) {
        send(
                response,
                Status.NOT_FOUND_404,
                envelope(
                                "SessionNotFoundError",
                                "Session '" + raw + "' not found",
                                BUILDERS.createObjectBuilder()
                                        .add("session_id", raw)
                                        .build())
                        .build());
    }

    private static void gone(ServerResponse response, SessionId id, long afterSeq) {
        send(
                response,
                Status.NOT_FOUND_404,
                envelope(
                                "EventsUnavailableError",
                                "The events of session '" + id + "' after seq " + afterSeq
                                        + " are no longer kept; read the session's status instead",
                                BUILDERS.createObjectBuilder()
                                        .add("session_id", id.value())
                                        .add("after_seq", afterSeq)
                                        .build())
                        .build());
    }

    private static void invalid(ServerResponse response, List<FieldError> errors) {
        String message = String.join(
                "; ", errors.stream().map(e -> e.field() + " " + e.message()).toList());
        JsonArrayBuilder list = BUILDERS.createArrayBuilder();
        errors.forEach(e ->
                list.add(BUILDERS.createObjectBuilder().add("field", e.field()).add("message", e.message())));
        JsonObject details =
                BUILDERS.createObjectBuilder().add("errors", list.build()).build();
        send(
                response,
                Status.UNPROCESSABLE_CONTENT_422,
                envelope("ValidationError", message, details)
                        .add("errors", details.getJsonArray("errors"))
                        .build());
    }

    /** The error envelope of CONTRACT §1: top-level for the plugin, repeated under {@code detail} for older callers. */
    private static JsonObjectBuilder envelope(String error, String message, JsonObject details) {
        JsonObject inner = BUILDERS.createObjectBuilder()
                .add("error", error)
                .add("message", message)
                .add("details", details)
                .build();
        return BUILDERS.createObjectBuilder(inner).add("detail", inner);
    }

    private static void send(ServerResponse response, Status status, JsonObject body) {
        response.status(status);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        response.send(body.toString().getBytes(StandardCharsets.UTF_8));
    }
}
