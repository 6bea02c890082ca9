package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;
import static org.canvasbatch.adapters.http.wire.JsonValues.string;

import io.helidon.http.HttpException;
import jakarta.json.JsonArrayBuilder;
import java.util.List;
import java.util.stream.Collectors;
import org.canvasbatch.adapters.http.text.FailureReasons;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.application.port.in.CanvasNotInVaultException;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.canvasbatch.application.port.in.NothingToProcessException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunNotFinishedException;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.TooManyPendingSessionsException;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.session.SessionConflict;

/**
 * What each failure of the core means on the wire, in the caller's language (the sentences are in {@link Message}).
 * Anything not listed is a bug and becomes a 500.
 */
final class Problems {

    private Problems() {}

    static ApiProblem from(Throwable failure) {
        return from(failure, Language.EN);
    }

    static ApiProblem from(Throwable failure, Language language) {
        return (switch (failure) {
                    case ApiProblem problem -> problem;
                    case InvalidCommandException invalid -> ApiProblem.invalid(invalid.errors());
                    case NothingToProcessException nothing -> nothingToProcess(nothing, language);
                    case CanvasNotInVaultException elsewhere ->
                        ApiProblem.of(
                                        404,
                                        "CanvasNotInVaultError",
                                        Message.CANVAS_NOT_IN_VAULT.in(
                                                language, elsewhere.canvasPath(), elsewhere.vaultLocation()),
                                        BUILDERS.createObjectBuilder()
                                                .add("canvas_path", elsewhere.canvasPath())
                                                .add("vault", elsewhere.vaultLocation()))
                                .localized();
                    case SessionNotFoundException missing ->
                        ApiProblem.of(
                                        404,
                                        "SessionNotFoundError",
                                        missing.whyNotLoaded()
                                                .map(why -> Message.SESSION_NOT_LOADED.in(
                                                        language, missing.sessionId(), why))
                                                .orElseGet(() ->
                                                        Message.SESSION_NOT_FOUND.in(language, missing.sessionId())),
                                        BUILDERS.createObjectBuilder().add("session_id", missing.sessionId()))
                                .localized();
                    case SessionConflict conflict -> conflict(conflict, language);
                    case NodeRunNotFinishedException pending ->
                        ApiProblem.of(
                                        503,
                                        "ServerBusyError",
                                        Message.SERVER_BUSY.in(
                                                language,
                                                pending.getMessage(),
                                                retryAfterSeconds(pending.retryAfter())),
                                        BUILDERS.createObjectBuilder()
                                                .add("retry_after", retryAfterSeconds(pending.retryAfter())))
                                .retryAfter(retryAfterSeconds(pending.retryAfter()))
                                .localized();
                    case NodeRunFailedException failed ->
                        ApiProblem.of(
                                        502,
                                        "AgentFailedError",
                                        Message.AGENT_FAILED.in(
                                                language,
                                                FailureReasons.in(language, failed.errorType(), failed.getMessage())),
                                        BUILDERS.createObjectBuilder().add("error_type", string(failed.errorType())))
                                .localized();
                    case VaultException vault
                    when vault.reason() == VaultException.Reason.IO || vault.reason() == VaultException.Reason.FULL ->
                        ApiProblem.of(
                                        503,
                                        "VaultUnavailableError",
                                        Message.VAULT_UNAVAILABLE.in(language, vault.getMessage()))
                                .localized();
                    case VaultException vault -> ApiProblem.invalid("canvas_path", vault.getMessage());
                    case TooManyPendingSessionsException tooMany ->
                        ApiProblem.of(
                                        429,
                                        "TooManyPendingSessionsError",
                                        (tooMany.scope() == TooManyPendingSessionsException.Scope.CLIENT
                                                        ? Message.TOO_MANY_ANALYSING
                                                        : Message.TOO_MANY_PENDING)
                                                .in(
                                                        language,
                                                        tooMany.getMessage(),
                                                        tooMany.limit(),
                                                        tooMany.retryAfter().toSeconds()),
                                        BUILDERS.createObjectBuilder()
                                                .add(
                                                        "scope",
                                                        tooMany.scope().name().toLowerCase(java.util.Locale.ROOT))
                                                .add("limit", tooMany.limit())
                                                .add(
                                                        "retry_after",
                                                        tooMany.retryAfter().toSeconds()))
                                .retryAfter(tooMany.retryAfter().toSeconds())
                                .localized();
                    case EventLogException log ->
                        ApiProblem.of(
                                        503,
                                        "EventStoreUnavailableError",
                                        Message.EVENT_STORE_UNAVAILABLE.in(language, log.getMessage()))
                                .localized();
                    case HttpException http
                    when http.status().code() < 500 ->
                        ApiProblem.of(
                                http.status().code(),
                                httpName(http.status().code()),
                                http.getMessage() == null ? http.status().reasonPhrase() : http.getMessage());
                    default ->
                        ApiProblem.of(
                                        500,
                                        "InternalError",
                                        Message.INTERNAL_ERROR.in(
                                                language, failure.getClass().getSimpleName()))
                                .localized();
                })
                .in(language);
    }

    private static ApiProblem nothingToProcess(NothingToProcessException nothing, Language language) {
        String source = nothing.field().equals("nodes") ? Message.THE_REQUEST_NODES.in(language) : nothing.source();
        String message = nothing.skipped().isEmpty()
                ? Message.NO_NODE_OF_COLOUR.in(
                        language, source, NothingToProcessException.Colors.describe(nothing.colors()))
                : Message.ALL_NODES_EMPTY.in(
                        language,
                        nothing.skipped().size(),
                        source,
                        nothing.skipped().stream()
                                .map(s -> s.id() + ": " + Message.skipped(s.reason(), language))
                                .limit(10)
                                .collect(Collectors.joining("; ")));
        ApiProblem problem = ApiProblem.invalid(List.of(new FieldError(nothing.field(), message)), message);
        if (nothing.skipped().isEmpty()) {
            return problem;
        }
        JsonArrayBuilder skipped = BUILDERS.createArrayBuilder();
        nothing.skipped()
                .forEach(s -> skipped.add(BUILDERS.createObjectBuilder()
                        .add("id", s.id())
                        .add("reason", Message.skipped(s.reason(), language))
                        .add("code", s.reason().name().toLowerCase(java.util.Locale.ROOT))));
        return new ApiProblem(
                        422,
                        "ValidationError",
                        message,
                        BUILDERS.createObjectBuilder()
                                .add("fields", BUILDERS.createArrayBuilder().add(nothing.field()))
                                .add("skipped_nodes", skipped)
                                .build(),
                        problem.fields())
                .localized();
    }

    /** Whole seconds, rounded up: asking again a moment too early would only be refused again. */
    private static long retryAfterSeconds(java.time.Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }

    private static String httpName(int status) {
        return switch (status) {
            case 400 -> "BadRequestError";
            case 404 -> "NotFoundError";
            case 405 -> "MethodNotAllowedError";
            case 413 -> "PayloadTooLargeError";
            default -> "HttpError";
        };
    }

    private static ApiProblem conflict(SessionConflict conflict, Language language) {
        String name = switch (conflict.kind()) {
            case ALREADY_STARTED, CANCELLED_BEFORE_START -> "SessionAlreadyStartedError";
            case ALREADY_FINISHED -> "SessionAlreadyCompletedError";
            case NOT_RUNNING -> "SessionNotRunningError";
            case NOT_PAUSED -> "SessionNotPausedError";
            case UNKNOWN_NODE -> "NodeNotFoundError";
            case UNKNOWN_GROUP -> "GroupNotFoundError";
            case NODE_BUSY -> "NodeBusyError";
            case STALE_RESULT -> "StaleResultError";
        };
        Message sentence = switch (conflict.kind()) {
            case ALREADY_STARTED -> Message.CONFLICT_ALREADY_STARTED;
            case CANCELLED_BEFORE_START -> Message.CONFLICT_CANCELLED_BEFORE_START;
            case ALREADY_FINISHED -> Message.CONFLICT_ALREADY_FINISHED;
            case NOT_RUNNING -> Message.CONFLICT_NOT_RUNNING;
            case NOT_PAUSED -> Message.CONFLICT_NOT_PAUSED;
            case UNKNOWN_NODE -> Message.CONFLICT_UNKNOWN_NODE;
            case UNKNOWN_GROUP -> Message.CONFLICT_UNKNOWN_GROUP;
            case NODE_BUSY -> Message.CONFLICT_NODE_BUSY;
            case STALE_RESULT -> Message.CONFLICT_STALE_RESULT;
        };
        int status = switch (conflict.kind()) {
            case UNKNOWN_NODE, UNKNOWN_GROUP -> 404;
            default -> 409;
        };
        return ApiProblem.of(
                        status,
                        name,
                        sentence.in(language, conflict.getMessage()),
                        BUILDERS.createObjectBuilder()
                                .add("conflict", conflict.kind().name().toLowerCase(java.util.Locale.ROOT)))
                .localized();
    }
}
