package org.canvasbatch.adapters.http;

import io.helidon.http.HeaderNames;
import io.helidon.http.HttpException;
import io.helidon.http.RequestException;
import io.helidon.http.Status;
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

    /**
     * Helidon's limit on a request's body ({@code maxPayloadSize}): twice the body limit. Helidon 4.5 reads a chunk
     * whole before it hands any of it on, so a chunk declared {@code 7fffffff} held the request until 2 GiB had arrived,
     * each byte kept in the heap; with this limit its chunk reader refuses a chunk that would take the body past it as
     * the chunk is declared, before it reads any of it (413, the contract's 422 here). Past the body limit, not at it:
     * a body declared a little too large is still read to its end and refused by the route, with the CORS header a
     * browser needs to show why and the connection kept; one declared past this is refused by Helidon before any route
     * runs, and the connection closed ({@link MalformedRequests}).
     */
    static long payloadLimit(long maxBodyBytes) {
        return maxBodyBytes > Long.MAX_VALUE / 2 ? -1 : 2 * maxBodyBytes;
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
        // not closed: closing reads on to the next chunk, and after a failure that reads chunk data as a chunk-size
        // line; what is left unread Helidon reads after the answer, or the edge ends the connection (EdgeFilter)
        InputStream in = request.content().inputStream();
        try {
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
            if (isPastPayloadLimit(e)) {
                // a chunk declared past Helidon's limit (payloadLimit), refused before any of it was read
                throw tooLarge();
            }
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

    /** Helidon's refusal of a body past {@link #payloadLimit}: a 413 from its chunk reader or its decoded-size check. */
    private static boolean isPastPayloadLimit(Exception e) {
        Status status = e instanceof RequestException refused
                ? refused.status()
                : e instanceof HttpException http ? http.status() : null;
        return status != null && status.code() == Status.REQUEST_ENTITY_TOO_LARGE_413.code();
    }

    private static ApiProblem unreadable(Exception e) {
        String why = e instanceof IllegalArgumentException
                ? "its chunked transfer encoding is malformed"
                : "it ended before it was complete (the client stopped sending)";
        return ApiProblem.of(400, "BadRequestError", "The request body could not be read: " + why);
    }

    private ApiProblem tooLarge() {
        return tooLarge(maxBytes);
    }

    /** The contract's answer to a body over the limit: a 422 that names it. */
    static ApiProblem tooLarge(long maxBytes) {
        return ApiProblem.invalid(
                "body", "is larger than the " + describeLimit(maxBytes) + " limit for a request body");
    }

    private static String describeLimit(long maxBytes) {
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
