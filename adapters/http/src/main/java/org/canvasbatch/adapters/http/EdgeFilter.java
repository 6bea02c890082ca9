package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import io.helidon.common.uri.UriPath;
import io.helidon.http.HeaderNames;
import io.helidon.http.HeaderValues;
import io.helidon.http.HttpPrologue;
import io.helidon.http.Method;
import io.helidon.webserver.CloseConnectionException;
import io.helidon.webserver.http.Filter;
import io.helidon.webserver.http.FilterChain;
import io.helidon.webserver.http.RoutingRequest;
import io.helidon.webserver.http.RoutingResponse;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Pattern;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.text.Message;

/**
 * What every request goes through before any route, in this order, each refusal answered with the error envelope and
 * logged in one line:
 *
 * <ol>
 *   <li>{@code Host} must be a name this server answers ({@link HostPolicy}), else 403: a page that re-pointed its own
 *       name at this machine (DNS rebinding) reads nothing;
 *   <li>the path must be unambiguous ({@link RequestPath}), else 400; doubled and trailing slashes are tidied (a base
 *       URL configured with a trailing slash gives {@code //canvas/...}), without a redirect;
 *   <li>CORS: allowed browser origins get {@code Access-Control-Allow-Origin} on every answer, and preflights are
 *       answered here (204);
 *   <li>a request that carries an {@code Origin} must come from an allowed one (the configured CORS origins, or the
 *       server's own origin: its dashboard), else 403; requests without {@code Origin} (curl, the CLI, scripts) are not
 *       browsers and pass;
 *   <li>with an access token, every route needs it (401) except the named public ones: preflights (a browser never
 *       sends credentials on them) and reading the dashboard's page and static files, which hold no data and which a
 *       browser loads through tags that cannot carry a header; the decision is made on the decoded canonical path;
 *   <li>a request body must be {@code application/json} (415), which also means a browser must ask first (preflight)
 *       before it may send one; a body-less request may carry any content type.
 * </ol>
 *
 * CORS stays here rather than in Helidon's {@code helidon-webserver-cors} (4.5), which cannot do what CONTRACT §1
 * asks: it refuses a foreign origin with a bare 403 (no envelope, no sentence naming {@code server.cors-origins}),
 * answers preflights 200 rather than 204, knows no Private Network Access, and would be a second origin matcher beside
 * the one that decides the 403 here, run after this filter's own refusals (which must carry the CORS header too).
 * Health, metrics and the dashboard are Helidon features; this filter runs before their filters and routes.
 */
final class EdgeFilter implements Filter {

    static final String ALLOWED_METHODS = "GET, POST, OPTIONS";
    /** What the plugin sends (content-type, user-agent) and what an authenticating proxy might add. */
    private static final Set<String> ALWAYS_ALLOWED_HEADERS = Set.of("content-type", "user-agent", "authorization");

    private static final String MAX_AGE_SECONDS = "600";
    private static final Set<String> PUBLIC_PAGES = Set.of("/", "/dashboard", "/favicon.ico");
    private static final Pattern PUBLIC_ASSET = Pattern.compile("/dashboard/[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}");
    private static final Set<Method> BODY_METHODS = Set.of(Method.POST, Method.PUT, Method.PATCH);

    private final OriginPolicy origins;
    private final HostPolicy hosts;
    private final AccessToken token;
    private final ConnectionDeadlines deadlines;
    private final RefusalLog refusals;

    EdgeFilter(
            OriginPolicy origins,
            HostPolicy hosts,
            AccessToken token,
            ConnectionDeadlines deadlines,
            RefusalLog refusals) {
        this.origins = origins;
        this.hosts = hosts;
        this.token = token;
        this.deadlines = deadlines;
        this.refusals = refusals;
    }

    @Override
    public void filter(FilterChain chain, RoutingRequest request, RoutingResponse response) {
        // for RestApi and the socket routes, which log their refusals within the server's budget
        request.context().register(refusals);
        ConnectionDeadlines.Watched connection = deadlines.requestStarted(
                request.localPeer().address(), request.remotePeer().address(), declaredBodyBytes(request));
        if (connection != null) {
            // for RequestBody, which says when the body is in
            request.context().register(connection);
        }
        try {
            filterAndClose(chain, request, response, connection);
        } finally {
            deadlines.answered(connection);
        }
    }

    /** The body's declared length; -1 for a chunked one, 0 for none. */
    private static long declaredBodyBytes(RoutingRequest request) {
        if (!request.content().hasEntity()) {
            return 0;
        }
        return request.headers()
                .first(HeaderNames.CONTENT_LENGTH)
                .map(length -> {
                    try {
                        return Math.max(0, Long.parseLong(length.strip()));
                    } catch (NumberFormatException e) {
                        return -1L;
                    }
                })
                .orElse(-1L);
    }

    private void filterAndClose(
            FilterChain chain,
            RoutingRequest request,
            RoutingResponse response,
            ConnectionDeadlines.Watched connection) {
        if (declaredBodyBytes(request) < 0) {
            // the connection ends after an answer to a chunked body nothing read (below): the answer says so, or a
            // client keeping connections alive sends its next request on one already closed
            response.beforeSend(() -> {
                if (!request.content().consumed()) {
                    response.header(HeaderValues.CONNECTION_CLOSE);
                }
            });
        }
        filterRequest(chain, request, response, connection);
        if (!response.isSent()) {
            return;
        }
        String ending;
        if (request.headers().containsToken(HeaderValues.CONNECTION_CLOSE)) {
            // RFC 9112 §9.6: the server that answers "Connection: close" closes the connection. Helidon 4.5 says so
            // in the answer and then waits for the client's next request; this ends the connection once the answer
            // is written (Helidon closes quietly on this exception).
            ending = "the client asked to close the connection after this answer";
        } else if (declaredBodyBytes(request) < 0 && !request.content().consumed()) {
            // a chunked body nothing read (a refusal, the dashboard's page): Helidon 4.5 would read it after the
            // answer, holding each chunk whole in memory before it drops it (a declared 7fffffff is 2 GiB) and a
            // chunk-size line for as long as it goes on, with no limit: anyone without the token could fill the heap
            // as fast as the network carries bytes. The connection ends instead; what the client still sends is
            // dropped as it arrives (below), never held.
            ending = "a chunked request body nothing read is not read after its answer";
        } else {
            return;
        }
        if (request.content().hasEntity() && !request.content().consumed()) {
            // the client may still be writing the body: closed at once, its answer could be lost to a reset
            deadlines.lingerBeforeClose(connection);
        }
        throw new CloseConnectionException(ending);
    }

    private void filterRequest(
            FilterChain chain,
            RoutingRequest request,
            RoutingResponse response,
            ConnectionDeadlines.Watched connection) {
        String origin = request.headers().first(HeaderNames.ORIGIN).orElse(null);
        String host = request.headers().first(HeaderNames.HOST).orElse(null);
        response.header(HeaderNames.VARY, "Origin");
        if (!hosts.allows(host, request.localPeer().host())) {
            if (origins.allows(origin)) {
                response.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
            }
            refuseHost(request, response, host);
            return;
        }
        boolean allowed = origins.allows(origin) || isOwnOrigin(origin, host, request.isSecure());
        if (allowed) {
            response.header(HeaderNames.ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        }
        RequestPath path;
        try {
            path = RequestPath.parse(request.prologue().uriPath().rawPath());
        } catch (RequestPath.Refused refused) {
            refusePath(request, response, refused.getMessage());
            return;
        }
        if (!path.raw().equals(request.prologue().uriPath().rawPath())) {
            HttpPrologue prologue = request.prologue();
            request.prologue(prologue.withUriPath(UriPath.create(path.raw())));
        }
        if (request.prologue().method() == Method.OPTIONS) {
            answerPreflight(request, response, allowed);
            return;
        }
        if (origin != null && !allowed) {
            refuseOrigin(request, response, origin);
            return;
        }
        if (token.required()
                && !isPublic(request.prologue().method(), path)
                && !token.admits(request.prologue(), request.headers())) {
            if (!isGuardedSocketUpgrade(request, path)) {
                refuse(request, response);
                return;
            }
            // let through to be closed 4401 by its socket: no WebSocket's freedom from the deadlines for it
            deadlines.socketRefused(connection);
        }
        if (BODY_METHODS.contains(request.prologue().method())
                && request.content().hasEntity()
                && !isJson(request.headers().first(HeaderNames.CONTENT_TYPE).orElse(null))) {
            refuseMediaType(request, response);
            return;
        }
        if (request.prologue().method() == Method.HEAD) {
            // Helidon 4.5 writes whatever a handler sends, for HEAD too (RFC 9110 §9.3.2 forbids a body there, and a
            // kept-alive client would read it as the start of the next answer): every answer to HEAD loses its body.
            // Not for the refusals above: Helidon does not count an answer sent through the filter as sent by a filter
            // (a 500 and a stack trace for every refused HEAD), so they leave out their body themselves (RestApi).
            response.streamFilter(HeadersOnly::new);
            // RFC 9110 §9.3.2: HEAD is GET without the body. Helidon routes it to nothing (405 for /health, the
            // status, the dashboard), so it is routed as the GET it asks about; the filter above drops the body
            HttpPrologue asked = request.prologue();
            request.context().register(new AskedWithHead());
            request.prologue(HttpPrologue.create(
                    asked.rawProtocol(),
                    asked.protocol(),
                    asked.protocolVersion(),
                    Method.GET,
                    asked.uriPath(),
                    asked.query(),
                    asked.fragment()));
        }
        chain.proceed();
    }

    /**
     * In the request's context of a HEAD routed as a GET: its answer shows the caller nothing, so nothing may count it
     * as seen (a plugin window's poll moves the window on).
     */
    record AskedWithHead() {

        static boolean of(io.helidon.webserver.http.ServerRequest request) {
            return request.context().get(AskedWithHead.class).isPresent();
        }
    }

    /** The answer's bytes are dropped; finishing the answer (its headers) is passed on. */
    private static final class HeadersOnly extends java.io.FilterOutputStream {

        HeadersOnly(java.io.OutputStream answer) {
            super(answer);
        }

        @Override
        public void write(int b) {}

        @Override
        public void write(byte[] bytes, int offset, int length) {}
    }

    /** The dashboard page and its files (see the class comment): only reads, only those decoded paths. */
    static boolean isPublic(Method method, RequestPath path) {
        if (method != Method.GET && method != Method.HEAD) {
            return false;
        }
        return PUBLIC_PAGES.contains(path.decoded())
                || PUBLIC_ASSET.matcher(path.decoded()).matches();
    }

    /**
     * The page this server serves calls it from its own origin, whatever name it was opened by; the {@code Host} has
     * already been checked, so a foreign page cannot pass for it.
     */
    static boolean isOwnOrigin(String origin, String host, boolean secure) {
        if (origin == null || host == null) {
            return false;
        }
        String own = (secure ? "https://" : "http://") + host.strip();
        return origin.strip().equalsIgnoreCase(own);
    }

    /** {@code application/json}, with or without parameters such as {@code charset=utf-8}. */
    static boolean isJson(String contentType) {
        if (contentType == null) {
            return false;
        }
        int semicolon = contentType.indexOf(';');
        String mediaType = (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).strip();
        return mediaType.equalsIgnoreCase("application/json");
    }

    /**
     * A WebSocket upgrade to a route whose listener checks the token itself: it is accepted and then closed with 4401,
     * which a browser can see, where a 401 here would only show as a failed connection.
     */
    private boolean isGuardedSocketUpgrade(RoutingRequest request, RequestPath path) {
        boolean upgrade = request.headers()
                .first(HeaderNames.UPGRADE)
                .filter(value -> value.equalsIgnoreCase("websocket"))
                .isPresent();
        return upgrade && token.guardsSocketAt(path.raw()) && token.guardsSocketAt(path.decoded());
    }

    private static void refuseHost(RoutingRequest request, RoutingResponse response, String host) {
        String shown = host == null ? "(none)" : printable(host);
        RestApi.fail(
                request,
                response,
                ApiProblem.of(
                        403,
                        "HostNotAllowedError",
                        "This server does not answer requests for the host " + shown + "; it answers localhost,"
                                + " 127.0.0.1, [::1] and the names in server.allowed-hosts (--allowed-hosts)",
                        BUILDERS.createObjectBuilder().add("host", shown)));
    }

    private static void refusePath(RoutingRequest request, RoutingResponse response, String reason) {
        String path = printable(request.prologue().uriPath().rawPath());
        RestApi.fail(
                request,
                response,
                ApiProblem.of(
                        400,
                        "BadRequestError",
                        "The path " + path + " is not accepted: " + reason,
                        BUILDERS.createObjectBuilder().add("path", path)));
    }

    private static void refuseOrigin(RoutingRequest request, RoutingResponse response, String origin) {
        String shown = printable(origin);
        RestApi.fail(
                request,
                response,
                ApiProblem.of(
                        403,
                        "OriginNotAllowedError",
                        "Requests from the web page " + shown + " are not allowed; add its origin to"
                                + " server.cors-origins (--cors-origins) if it should drive this server",
                        BUILDERS.createObjectBuilder().add("origin", shown)));
    }

    private static void refuseMediaType(RoutingRequest request, RoutingResponse response) {
        String shown =
                printable(request.headers().first(HeaderNames.CONTENT_TYPE).orElse("(none)"));
        RestApi.fail(
                request,
                response,
                ApiProblem.of(
                        415,
                        "UnsupportedMediaTypeError",
                        "The request body must be JSON sent with 'Content-Type: application/json', not " + shown,
                        BUILDERS.createObjectBuilder().add("content_type", shown)));
    }

    private static void refuse(RoutingRequest request, RoutingResponse response) {
        boolean presented = request.headers().contains(HeaderNames.AUTHORIZATION)
                || request.prologue().query().contains(AccessToken.QUERY_PARAMETER);
        String message = (presented ? Message.TOKEN_WRONG : Message.TOKEN_REQUIRED).in(RestApi.language(request));
        ApiProblem problem = ApiProblem.of(
                        401,
                        "UnauthorizedError",
                        message,
                        BUILDERS.createObjectBuilder().add("token_presented", presented))
                .localized();
        response.header(HeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"canvas-batch\"");
        RestApi.fail(request, response, problem);
    }

    /** A client's text as it may appear in a message and a log line: quoted, printable, bounded. */
    static String printable(String text) {
        StringBuilder shown = new StringBuilder("'");
        text.codePoints().limit(200).forEach(c -> {
            if (c < 0x20 || c == 0x7f || Character.getType(c) == Character.FORMAT) {
                shown.append(String.format("\\u%04x", c));
            } else {
                shown.appendCodePoint(c);
            }
        });
        if (text.codePointCount(0, text.length()) > 200) {
            shown.append('…');
        }
        return shown.append('\'').toString();
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
}
