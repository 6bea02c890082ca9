package org.canvasbatch.adapters.http;

import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.domain.session.SessionId;

/** A session id from a path or a body: too long is a bad request, anything else we never issued is not found. */
final class SessionIds {

    private SessionIds() {}

    static SessionId parse(String field, String raw) {
        if (raw == null || raw.isBlank()) {
            throw ApiProblem.invalid(field, "is required: the session_id the analysis returned");
        }
        BatchLimits.idLength(field, raw).ifPresent(tooLong -> {
            throw ApiProblem.invalid(tooLong.field(), tooLong.message());
        });
        if (!SessionId.isWellFormed(raw)) {
            throw new SessionNotFoundException(raw);
        }
        return new SessionId(raw);
    }
}
