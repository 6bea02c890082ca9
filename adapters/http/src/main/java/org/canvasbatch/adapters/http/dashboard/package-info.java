/**
 * The operator's dashboard: plain HTML, CSS and JavaScript shipped in the jar and served by {@link
 * org.canvasbatch.adapters.http.dashboard.DashboardExtension} on the API's own server.
 *
 * <p>How the page talks to the server (all same-origin):
 * <ul>
 *   <li>{@code GET /canvas/intelligent-parallel} lists the sessions (polled every few seconds to find new ones);
 *       {@code GET /canvas/intelligent-parallel/{id}} gives a finished session's groups and failures.</li>
 *   <li>One WebSocket per unfinished session, {@code /ws/intelligent-parallel/{id}}: per-group bars from
 *       {@code progress_update}, failures from {@code task_failed}, the whole state from {@code snapshot}. On reconnect
 *       it asks for {@code ?last_seq=N}, N being the seq of the last primary (not {@code derived}) message applied.
 *       While no socket can be opened it polls the status instead.</li>
 *   <li>Cancel, pause, resume and retry are WebSocket commands answered by {@code ack}; without an open socket the
 *       page uses {@code POST …/cancel|pause|resume/{id}}, and a failed node of a finished session is retried with
 *       {@code POST /canvas/single-agent}.</li>
 *   <li>The start form calls analyze ({@code POST /canvas/intelligent-parallel}) and confirm
 *       ({@code POST …/confirm}).</li>
 * </ul>
 */
package org.canvasbatch.adapters.http.dashboard;
