package org.canvasbatch.adapters.http;

import jakarta.json.JsonObject;

/**
 * A successful answer: its status and JSON body, and what must happen once it has been written (or could not be) —
 * such as letting a session's sockets hear of a cancellation only after the canceller has its answer.
 */
record Reply(int status, JsonObject body, Runnable afterAnswer) {

    Reply(int status, JsonObject body) {
        this(status, body, () -> {});
    }

    static Reply ok(JsonObject body) {
        return new Reply(200, body);
    }

    static Reply accepted(JsonObject body) {
        return new Reply(202, body);
    }

    Reply then(Runnable afterAnswer) {
        return new Reply(status, body, afterAnswer);
    }
}
