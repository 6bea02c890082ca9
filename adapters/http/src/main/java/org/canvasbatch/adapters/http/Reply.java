package org.canvasbatch.adapters.http;

import jakarta.json.JsonObject;

/** A successful answer: its status and JSON body. */
record Reply(int status, JsonObject body) {

    static Reply ok(JsonObject body) {
        return new Reply(200, body);
    }

    static Reply accepted(JsonObject body) {
        return new Reply(202, body);
    }
}
