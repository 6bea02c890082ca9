package org.canvasbatch.adapters.http;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import org.canvasbatch.adapters.http.ops.AccessToken;

/**
 * How the HTTP server listens and whom it answers.
 *
 * @param host                    the interface to bind; loopback by default, the plugin runs on the same machine
 * @param port                    8000 by default (the plugin's default base URL); 0 picks a free port (tests)
 * @param allowedOrigins          browser origins that get CORS headers: an exact origin ({@code https://example.org}),
 *                                an origin with {@code [:port]} appended (any port or none, e.g.
 *                                {@code http://localhost[:port]}), or {@code *} for every origin
 * @param maxBodyBytes            the largest request body accepted (CONTRACT §1: 8 MiB)
 * @param shutdownGrace           how long {@link CanvasBatchServer#stop()} lets requests in flight finish
 * @param extensions              what other adapters attach to the same server (the WebSocket channel, a dashboard)
 * @param accessToken             what every call must present ({@link AccessToken#none()}: nothing); required when
 *                                the host is not loopback, since anyone on the network could otherwise run batches
 *                                that write into the vault
 * @param allowedHosts            names and addresses a request's {@code Host} may name besides the loopback ones, the
 *                                bound address and the address a connection arrived at (e.g. {@code studybox.local});
 *                                {@code *} for any (behind a proxy that checks names itself)
 * @param connectionLimits        how long a connection may take to send a request, and how many the server holds
 */
public record ServerSettings(
        String host,
        int port,
        List<String> allowedOrigins,
        long maxBodyBytes,
        Duration shutdownGrace,
        List<ServerExtension> extensions,
        AccessToken accessToken,
        List<String> allowedHosts,
        ConnectionLimits connectionLimits) {

    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 8000;
    public static final long DEFAULT_MAX_BODY_BYTES = 8L * 1024 * 1024;
    public static final List<String> DEFAULT_ORIGINS =
            List.of("app://obsidian.md", "capacitor://localhost", "http://localhost[:port]", "http://127.0.0.1[:port]");

    public static final ServerSettings DEFAULT = new ServerSettings(
            DEFAULT_HOST,
            DEFAULT_PORT,
            DEFAULT_ORIGINS,
            DEFAULT_MAX_BODY_BYTES,
            Duration.ofSeconds(2),
            List.of(),
            AccessToken.none(),
            List.of(),
            ConnectionLimits.DEFAULT);

    public ServerSettings {
        Objects.requireNonNull(host, "host");
        if (port < 0 || port > 65_535) {
            throw new IllegalArgumentException("the port must be 0-65535, not " + port);
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("the body limit must be positive");
        }
        allowedOrigins = List.copyOf(allowedOrigins);
        OriginPolicy.validate(allowedOrigins);
        shutdownGrace = shutdownGrace == null || shutdownGrace.isNegative() ? Duration.ZERO : shutdownGrace;
        extensions = List.copyOf(extensions);
        accessToken = accessToken == null ? AccessToken.none() : accessToken;
        allowedHosts = allowedHosts == null ? List.of() : List.copyOf(allowedHosts);
        HostPolicy.validate(allowedHosts);
        connectionLimits = connectionLimits == null ? ConnectionLimits.DEFAULT : connectionLimits;
        if (!accessToken.required() && !AccessToken.isLoopback(host)) {
            throw new IllegalArgumentException("listening on " + host + " makes the server reachable from other"
                    + " machines, which requires an access token (--token or CANVASBATCH_TOKEN); without one, bind"
                    + " 127.0.0.1");
        }
    }

    /** Settings without an access token (loopback only). */
    public ServerSettings(
            String host,
            int port,
            List<String> allowedOrigins,
            long maxBodyBytes,
            Duration shutdownGrace,
            List<ServerExtension> extensions) {
        this(
                host,
                port,
                allowedOrigins,
                maxBodyBytes,
                shutdownGrace,
                extensions,
                AccessToken.none(),
                List.of(),
                ConnectionLimits.DEFAULT);
    }

    /** The defaults on another port (0 for a free one). */
    public static ServerSettings onPort(int port) {
        return DEFAULT.withPort(port);
    }

    public ServerSettings withHost(String value) {
        return new ServerSettings(
                value,
                port,
                allowedOrigins,
                maxBodyBytes,
                shutdownGrace,
                extensions,
                accessToken,
                allowedHosts,
                connectionLimits);
    }

    public ServerSettings withPort(int value) {
        return new ServerSettings(
                host,
                value,
                allowedOrigins,
                maxBodyBytes,
                shutdownGrace,
                extensions,
                accessToken,
                allowedHosts,
                connectionLimits);
    }

    public ServerSettings withAllowedOrigins(List<String> value) {
        return new ServerSettings(
                host,
                port,
                value,
                maxBodyBytes,
                shutdownGrace,
                extensions,
                accessToken,
                allowedHosts,
                connectionLimits);
    }

    public ServerSettings withMaxBodyBytes(long value) {
        return new ServerSettings(
                host,
                port,
                allowedOrigins,
                value,
                shutdownGrace,
                extensions,
                accessToken,
                allowedHosts,
                connectionLimits);
    }

    public ServerSettings withShutdownGrace(Duration value) {
        return new ServerSettings(
                host,
                port,
                allowedOrigins,
                maxBodyBytes,
                value,
                extensions,
                accessToken,
                allowedHosts,
                connectionLimits);
    }

    /** These settings with one more extension, attached after the ones already there. */
    public ServerSettings withExtension(ServerExtension extension) {
        List<ServerExtension> more = new ArrayList<>(extensions);
        more.add(Objects.requireNonNull(extension, "extension"));
        return new ServerSettings(
                host,
                port,
                allowedOrigins,
                maxBodyBytes,
                shutdownGrace,
                more,
                accessToken,
                allowedHosts,
                connectionLimits);
    }

    /**
     * These settings with an access token that every call must present. The host and the token go together: set the
     * token first, then a host beyond loopback.
     */
    public ServerSettings withAccessToken(AccessToken value) {
        return new ServerSettings(
                host,
                port,
                allowedOrigins,
                maxBodyBytes,
                shutdownGrace,
                extensions,
                value,
                allowedHosts,
                connectionLimits);
    }

    /** These settings with further names the server answers in a request's {@code Host} (see {@link HostPolicy}). */
    public ServerSettings withAllowedHosts(List<String> value) {
        return new ServerSettings(
                host,
                port,
                allowedOrigins,
                maxBodyBytes,
                shutdownGrace,
                extensions,
                accessToken,
                value,
                connectionLimits);
    }

    /** These settings with other request deadlines or connection cap (see {@link ConnectionDeadlines}). */
    public ServerSettings withConnectionLimits(ConnectionLimits value) {
        return new ServerSettings(
                host, port, allowedOrigins, maxBodyBytes, shutdownGrace, extensions, accessToken, allowedHosts, value);
    }
}
