package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;
import static org.canvasbatch.adapters.http.wire.JsonValues.string;

import io.helidon.http.HttpException;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunFailedException;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.NodeRunNotFinishedException;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.TooManyPendingSessionsException;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.session.SessionConflict;

/** What each failure of the core means on the wire. Anything not listed is a bug and becomes a 500. */
final class Problems {

    private Problems() {}

    static ApiProblem from(Throwable failure) {
        return switch (failure) {
            case ApiProblem problem -> problem;
            case InvalidCommandException invalid -> ApiProblem.invalid(invalid.errors());
            case SessionNotFoundException missing ->
                ApiProblem.of(
                        404,
                        "SessionNotFoundError",
                        missing.getMessage(),
                        BUILDERS.createObjectBuilder().add("session_id", missing.sessionId()));
            case SessionConflict conflict -> conflict(conflict);
            case NodeRunNotFinishedException pending ->
                ApiProblem.of(
                                503,
                                "ServerBusyError",
                                pending.getMessage(),
                                BUILDERS.createObjectBuilder()
                                        .add("retry_after", retryAfterSeconds(pending.retryAfter())))
                        .retryAfter(retryAfterSeconds(pending.retryAfter()));
            case NodeRunFailedException failed ->
                ApiProblem.of(
                        502,
                        "AgentFailedError",
                        failed.getMessage(),
                        BUILDERS.createObjectBuilder().add("error_type", string(failed.errorType())));
            case VaultException vault
            when vault.reason() == VaultException.Reason.IO || vault.reason() == VaultException.Reason.FULL ->
                ApiProblem.of(503, "VaultUnavailableError", vault.getMessage());
            case VaultException vault -> ApiProblem.invalid("canvas_path", vault.getMessage());
            case TooManyPendingSessionsException tooMany ->
                ApiProblem.of(
                                429,
                                "TooManyPendingSessionsError",
                                tooMany.getMessage(),
                                BUILDERS.createObjectBuilder()
                                        .add("scope", tooMany.scope().name().toLowerCase(java.util.Locale.ROOT))
                                        .add("limit", tooMany.limit())
                                        .add("retry_after", tooMany.retryAfter().toSeconds()))
                        .retryAfter(tooMany.retryAfter().toSeconds());
            case EventLogException log ->
                ApiProblem.of(
                        503,
                        "EventStoreUnavailableError",
                        "The session journal could not be written or read: " + log.getMessage());
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
                        "The server failed unexpectedly (" + failure.getClass().getSimpleName()
                                + "); this is a bug, please report it");
        };
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

    private static ApiProblem conflict(SessionConflict conflict) {
        String name = switch (conflict.kind()) {
            case ALREADY_STARTED -> "SessionAlreadyStartedError";
            case ALREADY_FINISHED -> "SessionAlreadyCompletedError";
            case NOT_RUNNING -> "SessionNotRunningError";
            case NOT_PAUSED -> "SessionNotPausedError";
            case UNKNOWN_NODE -> "NodeNotFoundError";
            case UNKNOWN_GROUP -> "GroupNotFoundError";
            case NODE_BUSY -> "NodeBusyError";
            case STALE_RESULT -> "StaleResultError";
        };
        int status = switch (conflict.kind()) {
            case UNKNOWN_NODE, UNKNOWN_GROUP -> 404;
            default -> 409;
        };
        return ApiProblem.of(
                status,
                name,
                conflict.getMessage(),
                BUILDERS.createObjectBuilder()
                        .add("conflict", conflict.kind().name().toLowerCase(java.util.Locale.ROOT)));
    }
}
