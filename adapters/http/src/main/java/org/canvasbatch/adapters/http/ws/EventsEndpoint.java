package org.canvasbatch.adapters.http.ws;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.EventPage;
import org.canvasbatch.domain.session.SessionId;

/**
 * {@code GET …/{session_id}/events?after_seq=N&limit=500}: the socket's messages over plain HTTP (CONTRACT §3.3), for
 * clients that cannot keep a socket and for catching up after a long absence.
 */
final class EventsEndpoint {

    private static final System.Logger LOG = System.getLogger(EventsEndpoint.class.getName());

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
        EventPage head;
        long upTo;
        try {
            head = history.head(id);
            upTo = Math.min(head.lastSeq(), afterSeq + limit);
            if (upTo > afterSeq && !history.holds(id, afterSeq, upTo)) {
                gone(response, id, afterSeq);
                return;
            }
        } catch (SessionNotFoundException e) {
            notFound(response, raw);
            return;
        }
        streamPage(response, id, head, afterSeq, upTo);
    }

    /**
     * A socket route reached as plain HTTP: the refused handshake of an unknown session (404, in the caller's language),
     * or a GET without an upgrade (426).
     */
    void notASocket(ServerRequest request, ServerResponse response) {
        String raw = SocketListener.sessionIdOf(request.path().rawPath());
        Language language =
                Language.of(request.headers().first(HeaderNames.ACCEPT_LANGUAGE).orElse(null));
        if (!history.knows(raw)) {
            send(
                    response,
                    Status.NOT_FOUND_404,
                    envelope(
                                    "SessionNotFoundError",
                                    Message.SESSION_NOT_FOUND.in(language, raw),
                                    BUILDERS.createObjectBuilder()
                                            .add("session_id", raw)
                                            .build())
                            .build());
            return;
        }
        response.header(HeaderNames.UPGRADE, "websocket");
        send(
                response,
                Status.UPGRADE_REQUIRED_426,
                envelope(
                                "UpgradeRequiredError",
                                "This is the WebSocket of session '" + raw + "': connect with a WebSocket client",
                                BUILDERS.createObjectBuilder()
                                        .add("session_id", raw)
                                        .build())
                        .build());
    }

    /**
     * Writes the page as it is read: the events go out chunk by chunk through the response's own stream (chunked
     * transfer), so a page holds one chunk of history in memory, and a client that reads slowly slows only itself.
     */
    private void streamPage(ServerResponse response, SessionId id, EventPage head, long afterSeq, long upTo) {
        response.status(Status.OK_200);
        response.header(HeaderValues.CONTENT_TYPE_JSON);
        try (Writer out = new BufferedWriter(
                new OutputStreamWriter(response.outputStream(), StandardCharsets.UTF_8), 64 * 1024)) {
            out.write("{\"session_id\":");
            out.write(quoted(id.value()));
            out.write(",\"events\":[");
            long[] newest = {afterSeq};
            boolean[] first = {true};
            if (upTo > afterSeq) {
                history.replay(id, afterSeq, upTo, message -> {
                    try {
                        if (!first[0]) {
                            out.write(',');
                        }
                        first[0] = false;
                        out.write(message.text());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    newest[0] = Math.max(newest[0], message.seq());
                    return true;
                });
            }
            out.write("],\"last_seq\":" + head.lastSeq());
            out.write(",\"epoch\":" + quoted(head.epoch()));
            out.write(",\"next_after_seq\":" + newest[0]);
            out.write(",\"has_more\":" + (newest[0] < head.lastSeq()) + "}");
        } catch (IOException | UncheckedIOException e) {
            // the client went away while the page was written: nothing to answer any more
            LOG.log(System.Logger.Level.DEBUG, "the events of session " + id + " were not all sent: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static String quoted(String text) {
        return BUILDERS.createArrayBuilder().add(text).build().getJsonString(0).toString();
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
