/**
 * The HTTP face of canvas-batch on Helidon SE: {@link org.canvasbatch.adapters.http.CanvasBatchServer} serves the REST
 * API of CONTRACT §2 at the root and under {@code /api/v1}, and lets other adapters attach to the same server through
 * {@link org.canvasbatch.adapters.http.ServerExtension} (the WebSocket channel of {@code ..http.ws}, a dashboard).
 *
 * <p>The edge rules every route shares, in {@code EdgeFilter}: paths are canonical ({@code //} collapsed, trailing
 * slash dropped, never a redirect); allowed browser origins get {@code Access-Control-Allow-Origin} on every answer,
 * errors included; preflights are answered 204. Endpoints depend only on the core's use cases, parse the request into
 * the core's self-validating commands and let what they throw become the error envelope ({@code Problems}): 422 with the
 * fields to fix, 404 for unknown sessions, 409 for state conflicts, 502 when an agent failed a synchronous retry, and 500
 * (logged with its stack) only for bugs.
 */
package org.canvasbatch.adapters.http;
