package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import io.helidon.common.uri.UriPath;
import io.helidon.http.HeaderNames;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import org.canvasbatch.adapters.http.ops.AccessToken;

/**
 * What every request goes through before any route: its path made canonical (a base URL configured with a trailing
 * slash gives {@code //canvas/...}; a trailing slash is as good as none, and neither is worth a redirect), CORS headers
 * for allowed browser origins, the answer to CORS preflights, and — when the server has an access token — the 401 for
 * callers without it. Preflights stay open (a browser never sends credentials on them), and so do the dashboard's
 * static files, which hold no data and which a browser loads through {@code <script>} and {@code <link>} tags that
 * cannot carry a header; everything the page shows comes through API calls that do.
 */
final class EdgeFilter implements Filter {

    static final String ALLOWED_METHODS = "GET, POST, OPTIONS";
    /** What the plugin sends (content-type, user-agent) and what an authenticating proxy might add. */
    private static final Set<String> ALWAYS_ALLOWED_HEADERS = Set.of("content-type", "user-agent", "authorization");

    private static final String MAX_AGE_SECONDS = "600";

    private final OriginPolicy origins;
    private final AccessToken token;

    EdgeFilter(OriginPolicy origins) {
        this(origins, AccessToken.none());
    }

    EdgeFilter(OriginPolicy origins, AccessToken token) {
        this.origins = origins;
        this.token = token;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        canonicalisePath(request);
        String origin = request.headers().first(HeaderNames.ORIGIN).orElse(null);
        boolean allowed = origins.allows(origin);
        response.header(HeaderNames.VARY, "Origin");
        if (allowed) {
            response.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        if (request.prologue().method() == Method.OPTIONS) {
            answerPreflight(request, response, allowed);
            return;
        }
        if (token.required()
                && !isPublicAsset(request)
                && !isGuardedSocketUpgrade(request)
                && !token.admits(request.prologue(), request.headers())) {
            refuse(request, response);
            return;
        }
        chain.proceed();
    }

    /** The dashboard page and its files (see the class comment); only reads, only those paths. */
    static boolean isPublicAsset(RoutingRequest request) {
        if (request.prologue().method() != Method.GET && request.prologue().method() != Method.HEAD) {
            return false;
        }
        String path = request.prologue().uriPath().rawPath();
        return path.equals("/")
                || path.equals("/dashboard")
                || path.startsWith("/dashboard/")
                || path.equals("/favicon.ico");
    }

    /**
     * A WebSocket upgrade to a route whose listener checks the token itself: it is accepted and then closed with 4401,
     * which a browser can see, where a 401 here would only show as a failed connection.
     */
    private boolean isGuardedSocketUpgrade(RoutingRequest request) {
        boolean upgrade = request.headers()
                .first(HeaderNames.UPGRADE)
                .filter(value -> value.equalsIgnoreCase("websocket"))
                .isPresent();
        return upgrade && token.guardsSocketAt(request.prologue().uriPath().rawPath());
    }

    private static void refuse(RoutingRequest request, RoutingResponse response) {
        boolean presented = request.headers().contains(HeaderNames.AUTHORIZATION)
                || request.prologue().query().contains(AccessToken.QUERY_PARAMETER);
        String message = (presented ? "The access token is wrong" : "This server requires an access token")
                + ": send the header 'Authorization: Bearer <token>' (a WebSocket or a browser page may add"
                + " ?token=<token> to the URL instead)";
        ApiProblem problem = ApiProblem.of(
                401,
                "UnauthorizedError",
                message,
                BUILDERS.createObjectBuilder().add("token_presented", presented));
        response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"canvas-batch\"");
        RestApi.fail(request, response, problem);
    }

    private static void answerPreflight(RoutingRequest request, RoutingResponse response, boolean allowed) {
        response.header(HeaderNames.ALLOW, ALLOWED_METHODS);
        if (allowed) {
            response.header(HeaderNames.ACCESS_CONTROL_ALLOW_METHODS, ALLOWED_METHODS);
            response.header(HeaderNames.ACCESS_CONTROL_ALLOW_HEADERS, allowedHeaders(request));
            response.header(HeaderNames.ACCESS_CONTROL_MAX_AGE, MAX_AGE_SECONDS);
            // Chromium asks before a public origin may call a loopback server (Private Network Access)
            if (request.headers()
                    .first(HeaderNames.create("Access-Control-Request-Private-Network"))
                    .isPresent()) {
                response.header("Access-Control-Allow-Private-Network", "true");
            }
        }
        response.status(204);
        response.send();
    }

    private static String allowedHeaders(RoutingRequest request) {
        Set<String> headers = new LinkedHashSet<>();
        request.headers().first(HeaderNames.ACCESS_CONTROL_REQUEST_HEADERS).ifPresent(requested -> {
            for (String header : requested.split(",")) {
                if (!header.isBlank()) {
                    headers.add(header.strip().toLowerCase(Locale.ROOT));
                }
            }
        });
        headers.addAll(ALWAYS_ALLOWED_HEADERS);
        return String.join(", ", headers);
    }

    private static void canonicalisePath(RoutingRequest request) {
        HttpPrologue prologue = request.prologue();
        String raw = prologue.uriPath().rawPath();
        String canonical = canonical(raw);
        if (!canonical.equals(raw)) {
            request.prologue(prologue.withUriPath(UriPath.create(canonical)));
        }
    }

    /** {@code //a//b/} → {@code /a/b}; the root stays {@code /}. */
    static String canonical(String rawPath) {
        StringBuilder path = new StringBuilder(rawPath.length() + 1);
        char previous = 0;
        for (int i = 0; i < rawPath.length(); i++) {
            char c = rawPath.charAt(i);
            if (c == '/' && previous == '/') {
                continue;
            }
            path.append(c);
            previous = c;
        }
        if (path.isEmpty() || path.charAt(0) != '/') {
            path.insert(0, '/');
        }
        if (path.length() > 1 && path.charAt(path.length() - 1) == '/') {
            path.setLength(path.length() - 1);
        }
        return path.toString();
    }
}
