/**
 * What an operator needs from a running server, beside the API itself.
 *
 * <p><b>Access token</b> ({@link org.canvasbatch.adapters.http.ops.AccessToken}): required when the server listens
 * beyond loopback. The HTTP edge answers 401 (the error envelope, with CORS and {@code WWW-Authenticate}) to any call
 * without {@code Authorization: Bearer <t>} or {@code ?token=<t>}; preflights and the dashboard's static files stay
 * open. Helidon runs the HTTP filters on a WebSocket upgrade too, so a socket route is refused there with a 401 unless
 * it was registered with {@code token.guardedEndpoint(routing, path, listeners)}: then the edge lets the upgrade
 * through and the route's guarded listener accepts it and closes with 4401, which a browser can see (a refused upgrade
 * it cannot). Tokens are compared as SHA-256 digests in constant time.
 *
 * <p><b>Health and metrics</b> ({@link org.canvasbatch.adapters.http.ops.Operations}): Helidon's observe feature
 * serves {@code /health}, {@code /health/live}, {@code /health/ready} ({@code {status: UP|DOWN, checks: [{name,
 * status, data: {detail}}]}}, 503 when down) and {@code /metrics} (Prometheus text) from Helidon's meter registry.
 * What is measured and checked is decided where the measured things are wired (bootstrap); this package knows none of
 * them.
 *
 * <p><b>API documents</b>: {@code /openapi.yaml} and {@code /asyncapi.yaml}, served from the jar. Their one copy is
 * {@code docs/} at the repository root; the build copies them into the jar, and the tests hold them against the
 * server's real answers.
 */
package org.canvasbatch.adapters.http.ops;
