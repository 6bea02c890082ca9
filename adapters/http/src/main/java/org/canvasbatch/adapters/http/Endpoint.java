package org.canvasbatch.adapters.http;

import io.helidon.webserver.http.ServerRequest;

/** One operation of the API. It answers or throws; {@link RestApi} turns what it throws into the error envelope. */
@FunctionalInterface
interface Endpoint {

    /**
     * @param call the request and where it came in: under {@code /api/v1} or at the root
     */
    Reply answer(ApiCall call);

    /** The request as an endpoint sees it. */
    record ApiCall(ServerRequest request, String prefix, RequestBody body) {

        jakarta.json.JsonObject json() {
            return body.read(request);
        }

        String pathParameter(String name) {
            return request.path().pathParameters().get(name);
        }

        /** The language the caller reads, from {@code Accept-Language}. */
        org.canvasbatch.adapters.http.text.Language language() {
            return RestApi.language(request);
        }

        /** The request's {@code Origin}, if it has one. */
        java.util.Optional<String> origin() {
            return request.headers().first(io.helidon.http.HeaderNames.ORIGIN);
        }
    }
}
