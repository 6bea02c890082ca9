package org.canvasbatch.adapters.http.ws;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.Status;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonArray;
import jakarta.json.JsonArrayBuilder;
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
import org.canvasbatch.adapters.http.RefusalLog;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.adapters.http.wire.ErrorEnvelope;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.EventPage;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionId;

/**
 * {@code GET …/{session_id}/events?after_seq=N&limit=500}: the socket's messages over plain HTTP (CONTRACT §3.3), for
 * clients that cannot keep a socket and for catching up after a long absence.
 */
final class EventsEndpoint {

    private static final System.Logger LOG = System.getLogger(EventsEndpoint.class.getName());
    /** Longest a caller's text runs in the log. */
    private static final int LOGGED_CODE_POINTS = 300;

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
            notFound(request, response, raw);
            return;
        }
        List<FieldError> errors = new ArrayList<>();
        long afterSeq = number(request, "after_seq", 0, 0, Long.MAX_VALUE - 1, errors);
        long limit = number(request, "limit", DEFAULT_LIMIT, 1, MAX_LIMIT, errors);
        if (!errors.isEmpty()) {
            invalid(request, response, errors);
            return;
        }
        SessionId id = new SessionId(raw);
        EventPage head;
        long upTo;
        try {
            head = history.head(id);
            upTo = Math.min(head.lastSeq(), afterSeq + limit);
            if (upTo > afterSeq && !history.holds(id, afterSeq, upTo)) {
                gone(request, response, id, afterSeq);
                return;
            }
        } catch (SessionNotFoundException e) {
            notFound(request, response, raw);
            return;
        } catch (EventLogException e) {
            unavailable(request, response, id, e);
            return;
        }
        streamPage(request, response, id, head, afterSeq, upTo);
    }

    /**
     * A socket route reached as plain HTTP: the refused handshake of an unknown session (404, in the caller's language),
     * or a GET without an upgrade (426).
     */
    void notASocket(ServerRequest request, ServerResponse response) {
        String raw = SocketListener.sessionIdOf(request.path().rawPath());
        if (!history.knows(raw)) {
            notFound(request, response, raw);
            return;
        }
        response.header(HeaderNames.UPGRADE, "websocket");
        refuse(
                request,
                response,
                Status.UPGRADE_REQUIRED_426,
                "UpgradeRequiredError",
                Message.NOT_A_WEBSOCKET.in(language(request), raw),
                BUILDERS.createObjectBuilder().add("session_id", raw),
                top -> {});
    }

    /**
     * Writes the page as it is read: past its first 64 KiB the events go out chunk by chunk through the response's own
     * stream (chunked transfer), so a page holds one chunk of history in memory, and a client that reads slowly slows
     * only itself. A journal found damaged before that answers 503 as the other routes do; after it, the connection is
     * cut, so that no client takes a page cut short for a whole one.
     */
    private void streamPage(
            ServerRequest request, ServerResponse response, SessionId id, EventPage head, long afterSeq, long upTo) {
        PageOut out = new PageOut(response);
        try {
            out.write("{\"session_id\":");
            out.write(quoted(id.value()));
            out.write(",\"events\":[");
            long[] newest = {afterSeq};
            boolean[] first = {true};
            if (upTo > afterSeq) {
                History.Replayed replayed = history.replay(id, afterSeq, upTo, message -> {
                    try {
                        if (!first[0]) {
                            out.write(",");
                        }
                        first[0] = false;
                        out.write(message.text());
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                    newest[0] = Math.max(newest[0], message.seq());
                    return true;
                });
                if (replayed == History.Replayed.COMPLETE) {
                    // the last seqs may be an event no client is sent (EventsLost): the next page starts after them
                    newest[0] = upTo;
                }
            }
            out.write("],\"last_seq\":" + head.lastSeq());
            out.write(",\"epoch\":" + quoted(head.epoch()));
            out.write(",\"next_after_seq\":" + newest[0]);
            out.write(",\"has_more\":" + (newest[0] < head.lastSeq()) + "}");
            out.finish();
        } catch (IOException | UncheckedIOException e) {
            // the client went away while the page was written: nothing to answer any more
            LOG.log(System.Logger.Level.DEBUG, "the events of session " + id + " were not all sent: " + e);
        } catch (InterruptedException e) {
            // the server is stopping: the page is not finished, and must not look finished
            Thread.currentThread().interrupt();
            cutShort(
                    request,
                    response,
                    id,
                    out,
                    "ServiceUnavailableError",
                    Message.SERVER_STOPPING.in(language(request)),
                    "the server is stopping");
        } catch (EventLogException e) {
            cutShort(
                    request,
                    response,
                    id,
                    out,
                    "EventStoreUnavailableError",
                    Message.EVENT_STORE_UNAVAILABLE.in(language(request), e.getMessage()),
                    e.getMessage());
        }
    }

    /**
     * A page that cannot be read to its end: 503 while nothing of it has gone out; after that, the connection is cut,
     * so that no client takes a page cut short for a whole one.
     */
    private static void cutShort(
            ServerRequest request,
            ServerResponse response,
            SessionId id,
            PageOut out,
            String error,
            String message,
            String why) {
        if (!out.started()) {
            refuse(
                    request,
                    response,
                    Status.SERVICE_UNAVAILABLE_503,
                    error,
                    message,
                    BUILDERS.createObjectBuilder().add("session_id", id.value()),
                    top -> {});
            return;
        }
        LOG.log(System.Logger.Level.WARNING, "the events of session " + id + " were cut off mid-page: " + why);
        throw new CloseConnectionException("the session's history could not be read to the page's end");
    }

    /** The session's journal cannot be read now: 503, as every route answers a journal that refuses (§3.2). */
    private static void unavailable(ServerRequest request, ServerResponse response, SessionId id, EventLogException e) {
        refuse(
                request,
                response,
                Status.SERVICE_UNAVAILABLE_503,
                "EventStoreUnavailableError",
                Message.EVENT_STORE_UNAVAILABLE.in(language(request), e.getMessage()),
                BUILDERS.createObjectBuilder().add("session_id", id.value()),
                top -> {});
    }

    /**
     * A page's text, held until it is longer than 64 K characters (64–192 KiB of UTF-8) and only then streamed, with
     * status 200 committed.
     */
    private static final class PageOut {

        private static final int HELD_CHARS = 64 * 1024;

        private final ServerResponse response;
        private final StringBuilder held = new StringBuilder();
        private Writer stream;

        PageOut(ServerResponse response) {
            this.response = response;
        }

        void write(String text) throws IOException {
            if (stream != null) {
                stream.write(text);
                return;
            }
            held.append(text);
            if (held.length() > HELD_CHARS) {
                response.status(Status.OK_200);
                response.header(HeaderValues.CONTENT_TYPE_JSON);
                stream = new BufferedWriter(
                        new OutputStreamWriter(response.outputStream(), StandardCharsets.UTF_8), HELD_CHARS);
                stream.write(held.toString());
                held.setLength(0);
            }
        }

        boolean started() {
            return stream != null;
        }

        void finish() throws IOException {
            if (stream != null) {
                stream.close();
                return;
            }
            response.status(Status.OK_200);
            response.header(HeaderValues.CONTENT_TYPE_JSON);
            response.send(held.toString().getBytes(StandardCharsets.UTF_8));
        }
    }

    /**
     * A socket route reached as plain HTTP by a caller the access token does not admit: 401, as the edge answers every
     * other route, whatever the session, so that nobody without the token learns which batches exist. (A real upgrade
     * never gets here: it is accepted and closed 4401.)
     */
    void unauthorized(ServerRequest request, ServerResponse response) {
        boolean presented = request.headers().contains(HeaderNames.AUTHORIZATION)
                || request.query().contains(AccessToken.QUERY_PARAMETER);
        response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"canvas-batch\"");
        refuse(
                request,
                response,
                Status.UNAUTHORIZED_401,
                "UnauthorizedError",
                (presented ? Message.TOKEN_WRONG : Message.TOKEN_REQUIRED).in(language(request)),
                BUILDERS.createObjectBuilder().add("token_presented", presented),
                top -> {});
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
        boolean tooLarge;
        try {
            long parsed = Long.parseLong(value.get().strip());
            if (parsed >= min && parsed <= max) {
                return parsed;
            }
            tooLarge = parsed > max;
        } catch (NumberFormatException e) {
            tooLarge = value.get().strip().matches("[0-9]+"); // more digits than a long holds
        }
        String range = tooLarge
                ? "at most " + max
                : max >= Long.MAX_VALUE - 1
                        ? "a whole number of " + min + " or more"
                        : "a whole number from " + min + " to " + max;
        errors.add(new FieldError(name, "must be " + range + ", not '" + value.get() + "'"));
        return fallback;
    }

    private static void notFound(ServerRequest request, ServerResponse response, String raw) {
        refuse(
                request,
                response,
                Status.NOT_FOUND_404,
                "SessionNotFoundError",
                Message.SESSION_NOT_FOUND.in(language(request), raw),
                BUILDERS.createObjectBuilder().add("session_id", raw),
                top -> {});
    }

    private static void gone(ServerRequest request, ServerResponse response, SessionId id, long afterSeq) {
        refuse(
                request,
                response,
                Status.NOT_FOUND_404,
                "EventsUnavailableError",
                Message.EVENTS_NO_LONGER_KEPT.in(language(request), id.value(), String.valueOf(afterSeq)),
                BUILDERS.createObjectBuilder().add("session_id", id.value()).add("after_seq", afterSeq),
                top -> {});
    }

    private static void invalid(ServerRequest request, ServerResponse response, List<FieldError> errors) {
        // the field-by-field sentences stay English: a hand-made request's (Message's rule)
        String message = Message.INVALID_REQUEST.in(
                language(request),
                String.join(
                        "; ",
                        errors.stream().map(e -> e.field() + " " + e.message()).toList()));
        JsonArrayBuilder list = BUILDERS.createArrayBuilder();
        errors.forEach(e ->
                list.add(BUILDERS.createObjectBuilder().add("field", e.field()).add("message", e.message())));
        JsonArray fields = list.build();
        refuse(
                request,
                response,
                Status.UNPROCESSABLE_CONTENT_422,
                "ValidationError",
                message,
                BUILDERS.createObjectBuilder().add("errors", fields),
                top -> top.add("errors", fields));
    }

    /** The error envelope of CONTRACT §1, and the one line a client's mistake is worth in the log. */
    private static void refuse(
            ServerRequest request,
            ServerResponse response,
            Status status,
            String error,
            String message,
            JsonObjectBuilder details,
            java.util.function.Consumer<JsonObjectBuilder> extra) {
        RefusalLog.of(request)
                .refused(
                        LOG,
                        () -> request.prologue().method().text() + " "
                                + forLog(request.prologue().uriPath().rawPath()) + " -> " + status.code() + " " + error
                                + ": " + forLog(message));
        ErrorEnvelope.send(response, status.code(), error, message, details, extra);
    }

    /**
     * A text that carries a caller's (a decoded session id or parameter) as it may go into one log line: its control
     * and format characters escaped, so that a line break never starts a line that reads like the server's, and cut.
     */
    private static String forLog(String text) {
        StringBuilder shown = new StringBuilder();
        text.codePoints().limit(LOGGED_CODE_POINTS).forEach(c -> {
            if (Character.isISOControl(c)
                    || Character.getType(c) == Character.FORMAT
                    || Character.getType(c) == Character.LINE_SEPARATOR
                    || Character.getType(c) == Character.PARAGRAPH_SEPARATOR) {
                shown.append(String.format("\\u%04x", c));
            } else {
                shown.appendCodePoint(c);
            }
        });
        if (text.codePointCount(0, text.length()) > LOGGED_CODE_POINTS) {
            shown.append('…');
        }
        return shown.toString();
    }

    private static Language language(ServerRequest request) {
        return Language.of(request.headers().first(HeaderNames.ACCEPT_LANGUAGE).orElse(null));
    }
}
