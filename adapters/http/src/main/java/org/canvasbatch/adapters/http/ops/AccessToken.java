package org.canvasbatch.adapters.http.ops;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.uri.UriPath;
import io.helidon.http.HeaderNames;
import io.helidon.http.Headers;
import io.helidon.http.HttpPrologue;
import io.helidon.http.PathMatcher;
import io.helidon.http.PathMatchers;
import io.helidon.webserver.websocket.WsRouting;
import io.helidon.websocket.WsListener;
import io.helidon.websocket.WsSession;
import io.helidon.websocket.WsUpgradeException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The shared secret a caller must present when the server listens beyond loopback: {@code Authorization: Bearer <t>}
 * on HTTP, or {@code ?token=<t>} where a browser cannot set headers (WebSocket upgrades, the dashboard page). Without
 * a token ({@link #none()}) everything is open, as the Obsidian plugin expects on its own machine.
 *
 * <p>The comparison hashes both sides first and compares the digests in constant time, so neither the position of the
 * first wrong character nor the token's length shows in the answer time. {@link #toString()} never shows the secret.
 */
public final class AccessToken {

    /** The WebSocket close code for a missing or wrong token (the socket twin of HTTP 401). */
    public static final int UNAUTHORIZED_CLOSE = 4401;

    public static final String UNAUTHORIZED_REASON = "unauthorized";
    /** The query parameter that carries the token where no header can. */
    public static final String QUERY_PARAMETER = "token";
    /** Short secrets can be guessed over the network; 16 characters is {@code openssl rand -hex 8}. */
    public static final int MIN_LENGTH = 16;

    private static final Pattern BEARER = Pattern.compile("(?i)bearer\\s+(\\S+)\\s*");
    private static final Pattern LOOPBACK_V4 = Pattern.compile("127(\\.[0-9]{1,3}){3}");
    private static final AccessToken NONE = new AccessToken(null);

    private final byte[] digest;
    /** Socket routes whose listeners this token guards: the HTTP edge lets their upgrades through to be closed 4401. */
    private final List<PathMatcher> guardedSockets = new CopyOnWriteArrayList<>();

    private AccessToken(byte[] digest) {
        this.digest = digest;
    }

    /** No token: every call is admitted. */
    public static AccessToken none() {
        return NONE;
    }

    /**
     * A required token.
     *
     * @throws IllegalArgumentException when it is shorter than {@link #MIN_LENGTH} or holds white space, with a
     *                                  sentence a person can act on (it never repeats the secret)
     */
    public static AccessToken of(String secret) {
        String problem = problemWith(secret);
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
        return new AccessToken(sha256(secret));
    }

    /** Why {@code secret} cannot be a token, or null when it can. Never repeats the secret. */
    public static String problemWith(String secret) {
        if (secret == null || secret.isEmpty()) {
            return "the access token is empty";
        }
        if (secret.codePoints().anyMatch(c -> Character.isWhitespace(c) || Character.isISOControl(c))) {
            return "the access token must not contain spaces or control characters";
        }
        if (secret.length() < MIN_LENGTH) {
            return "the access token is too short (" + secret.length() + " characters); use at least " + MIN_LENGTH
                    + ", e.g. the output of 'openssl rand -hex 16'";
        }
        return null;
    }

    /**
     * Whether {@code host} is a loopback address the server may bind without a token: {@code localhost},
     * {@code 127.x.x.x} or {@code ::1}. Names are not resolved: any other name could reach beyond this machine.
     */
    public static boolean isLoopback(String host) {
        if (host == null) {
            return false;
        }
        String h = host.strip().toLowerCase(Locale.ROOT);
        if (h.startsWith("[") && h.endsWith("]")) {
            h = h.substring(1, h.length() - 1);
        }
        return h.equals("localhost")
                || h.equals("::1")
                || h.equals("0:0:0:0:0:0:0:1")
                || LOOPBACK_V4.matcher(h).matches();
    }

    public boolean required() {
        return digest != null;
    }

    /**
     * Whether a call presenting these credentials may proceed.
     *
     * @param authorization the {@code Authorization} header, or null
     * @param queryToken    the {@code token} query parameter, or null
     */
    public boolean admitsCredentials(String authorization, String queryToken) {
        if (!required()) {
            return true;
        }
        boolean admitted = false;
        if (authorization != null) {
            var bearer = BEARER.matcher(authorization);
            if (bearer.matches()) {
                admitted = matches(bearer.group(1));
            }
        }
        if (queryToken != null) {
            // evaluated even when the header already matched, so the time does not tell which one did
            admitted |= matches(queryToken);
        }
        return admitted;
    }

    /** {@link #admitsCredentials} for a Helidon request or WebSocket upgrade. */
    public boolean admits(HttpPrologue prologue, Headers headers) {
        if (!required()) {
            return true;
        }
        String authorization = headers.first(HeaderNames.AUTHORIZATION).orElse(null);
        String query = prologue.query().first(QUERY_PARAMETER).asOptional().orElse(null);
        return admitsCredentials(authorization, query);
    }

    /**
     * A WebSocket listener that lets only callers with the token reach {@code listener}. The others are accepted and
     * then closed with {@link #UNAUTHORIZED_CLOSE} (as the channel closes an unknown session with 4404), because a
     * browser sees nothing of an upgrade refused with a 401, while it does see a close code. Without a token this is
     * {@code listener} itself.
     */
    public WsListener guard(WsListener listener) {
        return required() ? new Guarded(listener) : listener;
    }

    /**
     * Registers a WebSocket endpoint whose every listener is {@linkplain #guard guarded}, and remembers its path so
     * that the HTTP edge, which sees an upgrade request before the socket exists, lets a caller without the token
     * through to be accepted and closed with 4401 instead of refusing the upgrade with a 401 a browser cannot read.
     * Socket routes registered any other way keep getting the 401.
     */
    public WsRouting.Builder guardedEndpoint(WsRouting.Builder routing, String path, Supplier<WsListener> listeners) {
        guardedSockets.add(PathMatchers.create(path));
        return routing.endpoint(path, () -> guard(listeners.get()));
    }

    /** Whether {@code path} is the path of a socket route registered with {@link #guardedEndpoint}. */
    public boolean guardsSocketAt(String path) {
        UriPath uri = UriPath.create(path);
        return guardedSockets.stream().anyMatch(m -> m.match(uri).accepted());
    }

    private boolean matches(String candidate) {
        return MessageDigest.isEqual(digest, sha256(candidate));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    @Override
    public String toString() {
        return required() ? "AccessToken[required]" : "AccessToken[none]";
    }

    /** One connection's guard: decides at the upgrade, closes at the open, passes nothing on for a refused caller. */
    private final class Guarded implements WsListener {
        private final WsListener delegate;
        private volatile boolean admitted;

        Guarded(WsListener delegate) {
            this.delegate = delegate;
        }

        @Override
        public Optional<Headers> onHttpUpgrade(HttpPrologue prologue, Headers headers) throws WsUpgradeException {
            admitted = admits(prologue, headers);
            return admitted ? delegate.onHttpUpgrade(prologue, headers) : Optional.empty();
        }

        @Override
        public void onOpen(WsSession session) {
            if (admitted) {
                delegate.onOpen(session);
            } else {
                session.close(UNAUTHORIZED_CLOSE, UNAUTHORIZED_REASON);
            }
        }

        @Override
        public void onMessage(WsSession session, String text, boolean last) {
            if (admitted) {
                delegate.onMessage(session, text, last);
            }
        }

        @Override
        public void onMessage(WsSession session, BufferData buffer, boolean last) {
            if (admitted) {
                delegate.onMessage(session, buffer, last);
            }
        }

        @Override
        public void onPing(WsSession session, BufferData buffer) {
            if (admitted) {
                delegate.onPing(session, buffer);
            }
        }

        @Override
        public void onPong(WsSession session, BufferData buffer) {
            if (admitted) {
                delegate.onPong(session, buffer);
            }
        }

        @Override
        public void onClose(WsSession session, int status, String reason) {
            if (admitted) {
                delegate.onClose(session, status, reason);
            }
        }

        @Override
        public void onError(WsSession session, Throwable t) {
            if (admitted) {
                delegate.onError(session, t);
            }
        }
    }
}
