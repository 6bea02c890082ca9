package org.canvasbatch.adapters.http;

import io.helidon.http.HeaderNames;
import io.helidon.webserver.http.ServerRequest;
import jakarta.json.JsonObject;
import jakarta.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import org.canvasbatch.adapters.http.wire.StrictJson;

/**
 * Reads a request's JSON object within the body limit and the limits of {@link StrictJson} (UTF-8, nesting, number and
 * string lengths, nothing after the value), each broken limit a 422 that names it. An absent or blank body is an empty
 * object: the plugin sends body-less POSTs with {@code Content-Type: application/json}.
 */
final class RequestBody {

    /** Past this much surplus we stop reading a too-large body and let the connection close. */
    private static final long DRAIN_LIMIT = 64L * 1024 * 1024;

    private final long maxBytes;

    RequestBody(long maxBytes) {
        this.maxBytes = maxBytes;
    }

    JsonObject read(ServerRequest request) {
        if (!request.content().hasEntity()) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        long declared = request.headers()
                .first(HeaderNames.CONTENT_LENGTH)
                .map(RequestBody::parseLength)
                .orElse(-1L);
        byte[] bytes;
        try (InputStream in = request.content().inputStream()) {
            if (declared > maxBytes) {
                drain(in);
                throw tooLarge();
            }
            bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
            if (bytes.length > maxBytes) {
                drain(in);
                throw tooLarge();
            }
        } catch (ApiProblem problem) {
            throw problem;
        } catch (IOException | RuntimeException e) {
            // The client's bytes, not the server, are at fault: a chunk size that is no number, a body that ends
            // before its declared length (the client gave up). A 400 in one log line, never a 500 with a trace.
            throw unreadable(e);
        } finally {
            // the body deadline ends here: the handler's own time (a model call) is not the client's
            request.context().get(ConnectionDeadlines.Watched.class).ifPresent(ConnectionDeadlines.Watched::bodyRead);
        }
        return parse(bytes);
    }

    private static JsonObject parse(byte[] bytes) {
        if (isBlank(bytes)) {
            return JsonValue.EMPTY_JSON_OBJECT;
        }
        JsonValue value;
        try {
            value = StrictJson.parse(bytes);
        } catch (StrictJson.Refused refused) {
            String place = refused.place();
            throw ApiProblem.invalid(
                    place.isEmpty() || place.startsWith("[") ? "body" + place : place, refused.reason());
        }
        if (value.getValueType() != JsonValue.ValueType.OBJECT) {
            throw ApiProblem.invalid("body", "must be a JSON object, not " + Fields.describe(value));
        }
        return value.asJsonObject();
    }

    private static ApiProblem unreadable(Exception e) {
        String why = e instanceof IllegalArgumentException
                ? "its chunked transfer encoding is malformed"
                : "it ended before it was complete (the client stopped sending)";
        return ApiProblem.of(400, "BadRequestError", "The request body could not be read: " + why);
    }

    private ApiProblem tooLarge() {
        return ApiProblem.invalid("body", "is larger than the " + describeLimit() + " limit for a request body");
    }

    private String describeLimit() {
        long mib = 1024 * 1024;
        return maxBytes % mib == 0 ? maxBytes / mib + " MiB" : maxBytes + " bytes";
    }

    /** Reads the rest of a rejected body so that the client sees our answer instead of a reset connection. */
    private static void drain(InputStream in) throws IOException {
        byte[] sink = new byte[64 * 1024];
        long total = 0;
        int n;
        while (total < DRAIN_LIMIT && (n = in.read(sink)) >= 0) {
            total += n;
        }
    }

    private static long parseLength(String value) {
        try {
            return Long.parseLong(value.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static boolean isBlank(byte[] bytes) {
        for (byte b : bytes) {
            if (b != ' ' && b != '\n' && b != '\r' && b != '\t') {
                return false;
            }
        }
        return true;
    }
}
