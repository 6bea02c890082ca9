package org.canvasbatch.adapters.http.dashboard;

import io.helidon.common.Weighted;
import io.helidon.common.media.type.MediaTypes;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpMediaType;
import io.helidon.http.Method;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import io.helidon.webserver.staticcontent.ClasspathHandlerConfig;
import io.helidon.webserver.staticcontent.StaticContentFeature;
import java.util.Map;
import java.util.function.Predicate;
import org.canvasbatch.adapters.http.ServerExtension;
import org.canvasbatch.adapters.http.wire.ErrorEnvelope;
import org.canvasbatch.adapters.http.wire.JsonValues;

/**
 * The operator's dashboard: a page at {@code /} and {@code /dashboard}, its files under {@code /dashboard/…}, served by
 * Helidon's static content from a class path folder that holds nothing else. The page is static; everything it shows
 * comes from the REST API (session list, status, analyze, confirm, cancel) and the WebSocket channel of the same
 * server, so it needs nothing from the core itself.
 */
public final class DashboardExtension implements ServerExtension {

    static final String BASE = "/dashboard";

    /** The page's files and only them: a request can never reach any other resource of the class path. */
    static final String FILES = "org/canvasbatch/adapters/http/dashboard/files";

    /**
     * The page loads only its own files and talks only to its own origin ({@code 'self'} covers the same-origin
     * WebSocket too); no inline script, so injected markup in a node text could never run.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /** Above the API's routes (100), whose "no such endpoint" fallback would otherwise answer first. */
    private static final double WEIGHT = 150;

    @Override
    public void route(HttpRouting.Builder routing) {
        routing.addFeature(new Files());
        // a read of a file that is not there goes on to the API's 404; every other method gets the API's 405
        Predicate<Method> writes = Files.READS.negate();
        for (String path : new String[] {"/", BASE, BASE + "/*"}) {
            routing.route(writes, PathMatchers.create(path), DashboardExtension::notAllowed);
        }
    }

    private static final class Files implements HttpFeature, Weighted {
        private static final Predicate<Method> READS = Method.predicate(Method.GET, Method.HEAD);

        @Override
        public void setup(HttpRouting.Builder routing) {
            routing.route(READS, PathMatchers.exact("/"), (request, response) -> response.reroute(BASE))
                    .route(READS, PathMatchers.create(BASE), Files::headers)
                    .route(READS, PathMatchers.create(BASE + "/*"), Files::headers)
                    .register(
                            BASE,
                            StaticContentFeature.createService(ClasspathHandlerConfig.builder()
                                    .location(FILES)
                                    .pathMapper(path -> path.isEmpty() ? "index.html" : path)
                                    .contentTypes(Map.of(
                                            "html", utf8(MediaTypes.TEXT_HTML),
                                            "js", utf8(MediaTypes.create("text/javascript")),
                                            "css", utf8(MediaTypes.create("text/css"))))
                                    .build()));
        }

        /** Set before the file is sent; a path that has no file goes on to the API's 404. */
        private static void headers(ServerRequest request, ServerResponse response) {
            // the files change with every build of the jar; a browser must ask again rather than show an old page
            response.header(HeaderNames.CACHE_CONTROL, "no-cache");
            response.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
            response.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
            response.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
            response.next();
        }

        private static HttpMediaType utf8(io.helidon.common.media.type.MediaType type) {
            return HttpMediaType.create(type).withCharset("utf-8");
        }

        @Override
        public double weight() {
            return WEIGHT;
        }
    }

    private static void notAllowed(ServerRequest request, ServerResponse response) {
        String path = request.path().path();
        response.header(HeaderNames.ALLOW, "GET, OPTIONS");
        ErrorEnvelope.send(
                response,
                405,
                "MethodNotAllowedError",
                request.prologue().method().text() + " " + path + " is not supported; the dashboard is read with GET",
                JsonValues.BUILDERS.createObjectBuilder().add("path", path));
    }
}
