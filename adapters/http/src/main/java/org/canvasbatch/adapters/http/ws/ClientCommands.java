package org.canvasbatch.adapters.http.ws;

import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.util.Locale;
import java.util.Optional;
import java.util.function.LongFunction;
import org.canvasbatch.adapters.http.wire.EventMessages;
import org.canvasbatch.adapters.http.wire.EventMessages.Envelope;
import org.canvasbatch.adapters.http.wire.EventMessages.Problem;
import org.canvasbatch.adapters.http.wire.StrictJson;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionConflict;
import org.canvasbatch.domain.session.SessionId;

/**
 * What a client may ask over the socket (CONTRACT §3.4): cancel, pause, resume, set_priority, retry, ping, and resume
 * from a {@code last_seq}. Each is answered with {@code ack} or with an {@code error} that is not recoverable and says
 * why in words; a frame that is not a command at all is returned to the caller as a bad frame.
 */
final class ClientCommands {

    private static final System.Logger LOG = System.getLogger(ClientCommands.class.getName());
    private static final String KNOWN = "cancel, pause, resume, set_priority, retry, ping";

    private final Connection connection;
    private final ChannelContext ctx;
    private final SessionId session;

    ClientCommands(Connection connection, ChannelContext ctx) {
        this.connection = connection;
        this.ctx = ctx;
        this.session = connection.sessionId();
    }

    /** Carries out one text message; returns the problem if it was a bad frame rather than a command. */
    Optional<Problem> handle(String text) {
        JsonObject message;
        try {
            JsonValue value = StrictJson.parse(text);
            if (!(value instanceof JsonObject object)) {
                return Optional.of(Problem.of(
                        "A message must be a JSON object with a \"type\", such as {\"type\":\"ping\"}",
                        "malformed_message",
                        true));
            }
            message = object;
        } catch (StrictJson.Refused refused) {
            String subject = refused.place().isEmpty() ? "The message" : "The message's " + refused.place();
            return Optional.of(Problem.of(subject + " " + refused.reason(), "malformed_json", true));
        }
        JsonValue typeValue = message.get("type");
        if (!(typeValue instanceof JsonString typeString)) {
            return Optional.of(Problem.of("A message needs a \"type\": one of " + KNOWN, "unknown_type", true));
        }
        if (session == null) {
            return Optional.empty();
        }
        String type = typeString.getString();
        JsonValue requestId = message.getOrDefault("request_id", JsonValue.NULL);
        switch (type) {
            case "ping" ->
                connection.reply(seq ->
                        EventMessages.pong(session, seq, requestId, ctx.clock().now()));
            case "cancel" ->
                carryOut(
                        type, requestId, () -> ctx.useCases().cancel().cancel(session, "cancelled over the WebSocket"));
            case "pause" ->
                carryOut(
                        type,
                        requestId,
                        () -> ctx.useCases().pause().pause(session, EventMessages.PAUSED_OVER_THE_SOCKET));
            case "resume" -> {
                if (message.containsKey("last_seq")) {
                    resumeFrom(message, requestId);
                } else {
                    carryOut(
                            type,
                            requestId,
                            () -> ctx.useCases().resume().resume(session, "resumed over the WebSocket"));
                }
            }
            case "set_priority" -> setPriority(message, requestId);
            case "retry" -> retry(message, requestId);
            default -> {
                return Optional.of(
                        Problem.of("Unknown message type '" + type + "'; use one of " + KNOWN, "unknown_type", true));
            }
        }
        return Optional.empty();
    }

    private void resumeFrom(JsonObject message, JsonValue requestId) {
        Optional<Long> lastSeq = wholeNumber(message.get("last_seq"));
        if (lastSeq.isEmpty() || lastSeq.get() < 0) {
            refuse(
                    "resume",
                    requestId,
                    "last_seq must be a whole number of 0 or more, the seq of the last event you have",
                    "invalid_command");
            return;
        }
        JsonValue epoch = message.get("epoch");
        connection.resync(lastSeq.get(), epoch instanceof JsonString s ? s.getString() : null, requestId);
    }

    private void setPriority(JsonObject message, JsonValue requestId) {
        Optional<Long> groupId = wholeNumber(message.get("group_id"));
        if (groupId.isEmpty() || groupId.get() < 1 || groupId.get() > Integer.MAX_VALUE) {
            refuse(
                    "set_priority",
                    requestId,
                    "group_id must be the integer id of one of the session's groups",
                    "invalid_command");
            return;
        }
        JsonValue priorityValue = message.get("priority");
        Optional<Priority> priority =
                priorityValue instanceof JsonString s ? WireNames.priority(s.getString()) : Optional.empty();
        if (priority.isEmpty()) {
            refuse("set_priority", requestId, "priority must be one of urgent, high, medium, low", "invalid_command");
            return;
        }
        int group = groupId.get().intValue();
        carryOut(
                "set_priority",
                requestId,
                () -> ctx.useCases().changePriority().changePriority(session, group, priority.get()));
    }

    private void retry(JsonObject message, JsonValue requestId) {
        JsonValue nodeValue = message.get("node_id");
        if (!(nodeValue instanceof JsonString node) || node.getString().isBlank()) {
            refuse("retry", requestId, "node_id must name the failed node to retry", "invalid_command");
            return;
        }
        carryOut("retry", requestId, () -> ctx.useCases().retryNode().retryUnlessFinished(session, node.getString()));
    }

    private void carryOut(String command, JsonValue requestId, Runnable action) {
        connection.answer(() -> {
            try {
                action.run();
                return seq -> EventMessages.ack(
                        session, seq, requestId, command, ctx.clock().now());
            } catch (SessionConflict e) {
                return refusal(
                        command, requestId, e.getMessage(), e.kind().name().toLowerCase(Locale.ROOT));
            } catch (SessionNotFoundException e) {
                return refusal(command, requestId, e.getMessage(), "session_not_found");
            } catch (InvalidCommandException e) {
                return refusal(command, requestId, e.getMessage(), "invalid_command");
            } catch (EventLogException e) {
                // the disk's doing, not a defect: the session is as it was, and the outage has its own notice
                LOG.log(
                        System.Logger.Level.WARNING,
                        "'" + command + "' of session " + session + " not carried out: the journal refused it: "
                                + e.getMessage());
                return refusal(
                        command,
                        requestId,
                        "'" + command + "' was not carried out: it could not be saved (" + e.getMessage()
                                + "); nothing changed, try again once the journal takes events again",
                        "storage_unavailable");
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.ERROR, "'" + command + "' of session " + session + " failed", e);
                return refusal(
                        command,
                        requestId,
                        "The server could not carry out '" + command + "': " + e.getMessage(),
                        "internal_error");
            }
        });
    }

    private void refuse(String command, JsonValue requestId, String message, String errorType) {
        connection.reply(refusal(command, requestId, message, errorType));
    }

    private LongFunction<Envelope> refusal(String command, JsonValue requestId, String message, String errorType) {
        Problem problem = Problem.of(message, errorType, false).answering(requestId, command);
        return seq -> EventMessages.error(session, seq, problem, ctx.clock().now());
    }

    /** A JSON integer, or a string holding one (older callers send ids as strings). */
    private static Optional<Long> wholeNumber(JsonValue value) {
        if (value instanceof JsonNumber number && number.isIntegral()) {
            try {
                return Optional.of(number.longValueExact());
            } catch (ArithmeticException e) {
                return Optional.empty();
            }
        }
        if (value instanceof JsonString string) {
            try {
                return Optional.of(Long.parseLong(string.getString().strip()));
            } catch (NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }
}
