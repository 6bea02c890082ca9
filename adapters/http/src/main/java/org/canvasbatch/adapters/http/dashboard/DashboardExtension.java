package org.canvasbatch.adapters.http.dashboard;

import io.helidon.http.HeaderNames;
import io.helidon.http.Method;
import io.helidon.webserver.http.Handler;
import io.helidon.webserver.http.HttpRouting;
import io.helidon.webserver.http.ServerRequest;
import io.helidon.webserver.http.ServerResponse;
import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.nio.charset.StandardCharsets;
import org.canvasbatch.adapters.http.ServerExtension;
import org.canvasbatch.adapters.http.dashboard.DashboardAssets.Asset;

/**
 * The operator's dashboard: a page at {@code /} and {@code /dashboard}, its files under {@code /dashboard/…}. The page
 * is static; everything it shows comes from the REST API (session list, status, analyze, confirm, cancel) and the
 * WebSocket channel of the same server, so it needs nothing from the core itself.
 */
public final class DashboardExtension implements ServerExtension {

    static final String BASE = "/dashboard";

    /**
     * The page loads only its own files and talks only to its own origin ({@code 'self'} covers the same-origin
     * WebSocket too); no inline script, so injected markup in a node text could never run.
     */
    static final String CONTENT_SECURITY_POLICY = "default-src 'self'; script-src 'self'; style-src 'self'; "
            + "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    private final DashboardAssets assets;

    public DashboardExtension() {
        this.assets = DashboardAssets.load();
    }

    @Override
    public void route(HttpRouting.Builder routing) {
        Handler page = (request, response) -> send(response, assets.page());
        routing.get("/", page);
        routing.get(BASE, page);
        routing.get(BASE + "/*", this::asset);
        for (String path : new String[] {"/", BASE, BASE + "/*"}) {
            routing.any(path, DashboardExtension::notAllowed);
        }
    }

    private void asset(ServerRequest request, ServerResponse response) {
        String path = request.path().path();
        String name = path.substring(BASE.length() + 1);
        assets.find(name)
                .ifPresentOrElse(
                        asset -> send(response, asset),
                        () -> problem(
                                response, 404, "NotFoundError", "The dashboard has no file '" + name + "'", path));
    }

    private static void send(ServerResponse response, Asset asset) {
        response.header(HeaderNames.CONTENT_TYPE, asset.contentType());
        // the files change with every build of the jar; a browser must ask again rather than show an old page
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        response.header(HeaderNames.X_CONTENT_TYPE_OPTIONS, "nosniff");
        response.header(HeaderNames.create("Content-Security-Policy"), CONTENT_SECURITY_POLICY);
        response.header(HeaderNames.create("Referrer-Policy"), "no-referrer");
        response.send(asset.bytes());
    }

    private static void notAllowed(ServerRequest request, ServerResponse response) {
        Method method = request.prologue().method();
        response.header(HeaderNames.ALLOW, "GET, OPTIONS");
        problem(
                response,
                405,
                "MethodNotAllowedError",
                method.text() + " " + request.path().path() + " is not supported; the dashboard is read with GET",
                request.path().path());
    }

    /** The API's error envelope (CONTRACT §1), so that every non-2xx of the server reads the same. */
    private static void problem(ServerResponse response, int status, String name, String message, String path) {
        JsonObject inner = Json.createObjectBuilder()
                .add("error", name)
                .add("message", message)
                .add("details", Json.createObjectBuilder().add("path", path))
                .build();
        JsonObject envelope = Json.createObjectBuilder(inner)
                .add("detail", inner)
                .add("status_code", status)
                .build();
        response.status(status);
        response.header(HeaderNames.CONTENT_TYPE, "application/json; charset=utf-8");
        response.header(HeaderNames.CACHE_CONTROL, "no-cache");
        response.send(envelope.toString().getBytes(StandardCharsets.UTF_8));
    }
}
