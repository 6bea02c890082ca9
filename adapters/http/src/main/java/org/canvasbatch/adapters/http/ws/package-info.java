/**
 * The ADR-007 WebSocket channel of batch sessions (CONTRACT §3), and its HTTP twin for past events.
 *
 * <p><b>Routes.</b> {@code /ws/intelligent-parallel/{session_id}} and {@code /api/v1/ws/intelligent-parallel/{session_id}}
 * (a trailing slash is accepted); {@code GET /canvas/intelligent-parallel/{session_id}/events?after_seq=N&limit=500}
 * and its {@code /api/v1} twin answer {@code {events, last_seq, epoch, next_after_seq, has_more}} with the same
 * messages the socket sends.
 *
 * <p><b>Messages.</b> Every server message is one text frame
 * {@code {type, task_id (= session id), session_id, seq, timestamp, derived?, data}}. Every journal event produces
 * exactly one <em>primary</em> message carrying that event's {@code seq}:
 * <pre>
 *   SessionCreated → session_created      TaskSucceeded      → task_completed   SessionPaused    → session_paused
 *   SessionStarted → session_started      TaskFailed         → task_failed      SessionResumed   → session_resumed
 *   TaskStarted    → task_started         TaskRetryScheduled → task_retrying    SessionCancelled → session_cancelled
 *   TaskRequeued   → task_requeued        GroupPriorityChanged → priority_changed
 *   BatchFailed    → error                SessionFinished    → session_completed
 * </pre>
 * <em>Derived</em> messages carry the seq of the event that caused them and {@code "derived": true}: a
 * {@code progress_update} for the task's group after each task outcome (task_completed, task_failed), with absolute
 * counts ({@code nodes_completed} = processed nodes of the group, {@code progress} = group %, {@code progress_percent}
 * = session % processed, {@code completed_nodes}/{@code failed_nodes}/{@code total_nodes} = session counts); and a
 * {@code session_completed} right after {@code session_cancelled}. {@code connected} and {@code snapshot} (and the
 * per-group {@code progress_update}s sent with a snapshot) carry the seq they reflect; {@code ack}, {@code pong} and
 * {@code error} replies carry the newest seq the socket had when they were sent. A client that tracks its position for
 * resuming uses only primary messages' seq.
 *
 * <p><b>Lifecycle.</b> {@code connected {session_id, state, last_seq, resumed, epoch}} first. Without {@code last_seq}:
 * one {@code progress_update} per group and a {@code snapshot} (the §2.3 status object), then live events after it.
 * With {@code ?last_seq=N} (optionally {@code &epoch=E}) or a {@code {"type":"resume","last_seq":N}} message: the
 * events after N are replayed from the journal, then live ones follow, with no gap and no duplicate; when that cannot
 * be done (N is ahead of the session, the epoch differs, history is gone) {@code resumed} is false and a snapshot is
 * sent instead. A resume message after the stream has started back-fills only the events older than the ones this
 * socket already carried, so nothing is sent twice. After the session's terminal event the socket gets
 * {@code session_completed} and is closed 1000 {@code session completed}; a terminal session gets its snapshot and
 * {@code session_completed} at once. Unknown session: 4404 {@code session not found}. Ping frames every 30 s, dead
 * after 2 unanswered; 4408 {@code idle timeout} after 10 minutes without events or client messages (never while a task
 * runs); 4429 {@code slow consumer} when a socket's queue overflows ({@code progress_update}s of one group are
 * coalesced, newest wins, once half the queue is waiting); 1008 after more than 20 bad frames a minute; 1001 {@code server shutting down}.
 *
 * <p><b>Threads.</b> The core's listener only hands events to the session's feed; the feed renders each event once on
 * its own virtual thread — folding it into the session's progress, the core's read model taken from the subscription's
 * snapshot, so every count is as of its event — and makes each message's text frame once, then offers it to every
 * socket's bounded queue without blocking. A socket's queue is written by a drain (a virtual thread started when the
 * queue receives something while none runs, ended when it is empty) that writes the shared frames as they are,
 * several in one write. A slow client therefore never slows the batch or other clients, and an idle one holds no
 * thread.
 *
 * <p><b>Replays</b> ({@link History}) stream from the journal in chunks of {@code replayPageSize} (256) events: the
 * socket's sender writes each message before the next chunk is read, so a replay of any length holds one chunk and
 * goes at the client's pace. A resuming socket catches up from the journal before it joins the live stream (so a long
 * replay never fills its queue), then replays the little that happened meanwhile up to its join point. Rendered chunks
 * are shared by every socket and request that needs them (a cache bounded by size, each chunk rendered once however
 * many replay it at once), the progress at each chunk's start is kept as a checkpoint (a resume near the end of a long
 * session reads one chunk), at most half the processors render at once, all replays together send within a
 * {@link org.canvasbatch.adapters.http.ws.ReplayBudget} of bytes per second, and a replay yields every few dozen
 * messages — a reconnect storm shares the processor and the memory with live events, requests and health checks. The same holds for {@code GET …/events}, whose
 * page is written to the response as it is read. The storage {@code error} (the journal refuses events) is a notice,
 * not an event: it carries the newest seq the socket had and is never replayed.
 */
package org.canvasbatch.adapters.http.ws;
