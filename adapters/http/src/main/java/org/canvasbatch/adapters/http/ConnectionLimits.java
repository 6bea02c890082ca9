package org.canvasbatch.adapters.http;

import java.time.Duration;
import java.util.Objects;

/**
 * How long a connection may take to send a request, and how many connections the server holds at once
 * ({@link ConnectionDeadlines}).
 *
 * @param request        from a connection's arrival, or from the end of a request's headers, to the end of that
 *                       request's headers, or of its body: a client on this machine or its network sends either in
 *                       milliseconds
 * @param keepAlive      how long a connection may sit between requests
 * @param bodyBytesPerSecond the slowest a body may arrive: a declared length adds its bytes at this rate to
 *                       {@code request} (a chunked body, whose length is not known, is given the body limit's time)
 * @param maxConnections at most this many connections at once; 0 takes it from the file descriptors the process has left
 */
public record ConnectionLimits(Duration request, Duration keepAlive, long bodyBytesPerSecond, int maxConnections) {

    public static final ConnectionLimits DEFAULT =
            new ConnectionLimits(Duration.ofSeconds(20), Duration.ofSeconds(60), 64 * 1024, 0);

    public ConnectionLimits {
        Objects.requireNonNull(request, "request");
        Objects.requireNonNull(keepAlive, "keepAlive");
        if (request.isNegative() || request.isZero() || keepAlive.isNegative() || keepAlive.isZero()) {
            throw new IllegalArgumentException("connection deadlines must be positive");
        }
        if (bodyBytesPerSecond < 1) {
            throw new IllegalArgumentException("the slowest body rate must be positive");
        }
        if (maxConnections < 0) {
            throw new IllegalArgumentException("the connection cap must be 0 (from the file descriptors) or more");
        }
    }
}
