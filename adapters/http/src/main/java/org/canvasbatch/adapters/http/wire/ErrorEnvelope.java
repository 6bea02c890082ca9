package org.canvasbatch.adapters.http.wire;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;

/**
 * The error envelope of CONTRACT §1 for the routes that live beside the API (operations, dashboard), so that every
 * non-2xx of the server reads the same: top-level for the plugin, the same three again under {@code detail}.
 */
public final class ErrorEnvelope {

    private ErrorEnvelope() {}

    public static void send(
            ServerResponse response, int status, String error, String message, JsonObjectBuilder details) {
        send(response, status, error, message, details, top -> {});
    }

    /** {@link #send}, with {@code extra} adding fields of the route's own beside the envelope's. */
    public static void send(
            ServerResponse response,
            int status,
            String error,
            String message,
            JsonObjectBuilder details,
            Consumer<JsonObjectBuilder> extra) {
        JsonObject inner = BUILDERS.createObjectBuilder()
                .add("error", error)
                .add("message", message)
                .add("details", details)
                .build();
        JsonObjectBuilder envelope =
                BUILDERS.createObjectBuilder(inner).add("detail", inner).add("status_code", status);
        extra.accept(envelope);
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        response.send(envelope.build().toString().getBytes(StandardCharsets.UTF_8));
    }
}
