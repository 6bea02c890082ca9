package org.canvasbatch.adapters.http.ws;

import io.helidon.common.buffers.BufferData;
import io.helidon.webserver.ConnectionContext;
import io.helidon.websocket.WsSession;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.wire.EventMessages;
import org.canvasbatch.adapters.http.wire.EventMessages.Envelope;
import org.canvasbatch.adapters.http.wire.LocalizedFailures;
import org.canvasbatch.adapters.http.wire.StrictJson;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;

/**
 * One socket watching one session. Everything it sends goes out in order from a bounded queue, written by a drain: a
 * virtual thread started when the queue receives something while no drain runs, which writes until the queue is empty
 * and then ends (writes block until the socket takes the bytes, so no other thread ever waits for this client, and an
 * idle socket holds no thread). At most one drain runs at a time, so the order of the queue is the order on the wire.
 * Every frame is written ready made through the socket's {@link Wire} — event messages as the frames their feed made
 * once for every socket, the greeting, answers and control frames framed here — several in one write; Helidon's
 * {@code WsSession} is never used to send, so its per-connection send buffer never grows to the size of a message. The
 * wire puts Helidon's close answer and our frames in one order: nothing follows a close. The drain remembers the
 * highest event seq the client has (sent, replayed or covered by a snapshot), so no event is sent twice however replay
 * and live delivery overlap.
 */
final class Connection {

    private static final System.Logger LOG = System.getLogger(Connection.class.getName());

    static final int NORMAL = 1000;
    static final int GOING_AWAY = 1001;
    static final int POLICY_VIOLATION = 1008;
    static final int INTERNAL_ERROR = 1011;
    static final int NOT_FOUND = 4404;
    static final int IDLE = 4408;
    static final int SLOW_CONSUMER = 4429;
    /** (plugin) the window's socket that spoke for it closed before its writes settled: reconnect to get them again. */
    static final int WINDOW_RESUMES = 4409;

    /**
     * Drains carry live messages: on the delivery carriers, beside the connections' rather than behind their work. The
     * greeting drain too: measured on the JDK's carriers instead, a thousand replays there held up the live batch's
     * events more often (docs/benchmarks.md).
     */
    private static final ThreadFactory DRAINS =
            DeliveryThreads.builder().name("ws-send").factory();
    /** Queued frames are gathered into one write up to about this size. */
    private static final int FLUSH_BYTES = 32 * 1024;

    private final ChannelContext ctx;
    private final ConnectionManager manager;
    private final WsSession ws;
    /** Where this socket's data frames go out, in one order with Helidon's frames (its close answer among them). */
    private final Wire wire;

    private final String rawSessionId;
    private final SessionId sessionId;
    private final Long resumeFrom;
    private final String resumeEpoch;
    private final Optional<PluginViewer> pluginViewer;
    /** What this socket shares with the other open sockets of its plugin window; null for other clients. */
    private final SharedWindow window;
    /** This socket took its window's end (and the others close once its client has it). */
    private volatile boolean handedTheEnd;
    /** What waits for this socket's client to be done with it (one thing at most: its leaving); guarded by this. */
    private Runnable afterClientDone;
    /** The client answered or sent a close, or the socket was cut off; guarded by this. */
    private boolean clientDone;
    /** The highest seq of a primary message written to this socket. */
    private volatile long sentSeq;
    /**
     * How long a plugin's close waits for the drain to note a write that has ended: long on a busy machine, short beside
     * a person's click; past it, the write counts as not settled and is sent again.
     */
    private static final Duration WRITE_NOTE_PATIENCE = Duration.ofSeconds(1);
    /** When this plugin socket wrote what; null for other clients. */
    private final SettledWrites settledWrites;

    private final OutboundQueue queue;
    private final Language language;
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean detached = new AtomicBoolean();
    private final CountDownLatch closeSent = new CountDownLatch(1);
    private final AtomicInteger missedPongs = new AtomicInteger();
    private volatile boolean finished;
    private volatile long lastActivity;
    private volatile long nextPing;
    private volatile SessionFeed feed;
    /** The drain running now, if any. */
    private volatile Thread sender;

    private final Object delivery = new Object();
    private List<Outgoing.Message> held;

    // confined to the drain (one at a time; the queue's lock orders one drain after the other)
    private boolean started;
    /** Frames gathered for the next write, and the event messages among them (counted once written). */
    private final ArrayList<byte[]> pending = new ArrayList<>(0);

    private final ArrayList<Outgoing.Message> pendingEvents = new ArrayList<>(0);
    private int pendingBytes;
    private String epoch;
    private long joinSeq;
    private long coveredSeq = -1;
    private long streamStart = Long.MAX_VALUE;
    private long lastQueuedPrimary = -1;
    /**
     * (plugin) The last pause or resume this socket wrote its window was a pause, and the window has not been told of
     * it yet ({@link #tellPaused}); with its reason, null when the socket learned of the pause from a snapshot.
     */
    private boolean pauseUntold;

    private String pauseReason;

    /** Where a pause notice says the dashboard's Resume is: the address this socket's client reached the server by. */
    private final String dashboard;

    /**
     * @param resumeFrom the client's {@code last_seq}, or null for a fresh start (a snapshot; for the plugin, history)
     * @param origin the upgrade's {@code Origin}: the Obsidian plugin's is served by its own rules
     * @param language the upgrade's {@code Accept-Language}: the nodes' failure reasons are sent in it
     * @param dashboard the dashboard's address as the client reached this server; null when unknown
     */
    Connection(
            ChannelContext ctx,
            ConnectionManager manager,
            WsSession ws,
            String rawSessionId,
            Long resumeFrom,
            String resumeEpoch,
            Optional<String> origin,
            Language language,
            String dashboard) {
        this.ctx = ctx;
        this.language = language;
        this.dashboard = dashboard;
        this.manager = manager;
        this.ws = ws;
        this.wire = Wire.of(ws);
        this.rawSessionId = rawSessionId;
        this.sessionId = SessionId.isWellFormed(rawSessionId) ? new SessionId(rawSessionId) : null;
        this.resumeFrom = resumeFrom;
        this.resumeEpoch = resumeEpoch;
        this.pluginViewer = PluginViewer.of(sessionId, origin, ws);
        this.window = pluginViewer.map(manager::attachWindow).orElse(null);
        this.settledWrites =
                pluginViewer.isPresent() ? new SettledWrites(ctx.settings().pluginSettleMargin()) : null;
        this.queue = new OutboundQueue(ctx.settings().queueCapacity(), this::startDrain);
        long now = System.nanoTime();
        this.lastActivity = now;
        this.nextPing = now + ctx.settings().pingInterval().toNanos();
    }

    /** Starts the first drain, which greets the client (snapshot or replay) before it writes what was queued. */
    void start() {
        startDrain();
    }

    SessionId sessionId() {
        return sessionId;
    }

    /** The plugin window behind this socket, if the plugin opened it. */
    Optional<PluginViewer> pluginViewer() {
        return pluginViewer;
    }

    /** Helidon's side of this socket. */
    WsSession socket() {
        return ws;
    }

    /**
     * Where this plugin socket's window got: what was written to it, or, once the plugin closed it first, only what was
     * written the margin before ({@link SettledWrites}).
     */
    long windowPosition() {
        long atClose = settledWrites == null ? -1 : settledWrites.reachedAtClose();
        return atClose >= 0 ? atClose : sentSeq;
    }

    /** What this socket shares with the other open sockets of its plugin window; null for other clients. */
    SharedWindow sharedWindow() {
        return window;
    }

    /** Whether this socket took its plugin window's end. */
    boolean handedTheEnd() {
        return handedTheEnd;
    }

    /**
     * Runs {@code action} once this socket's client is done with it: its close arrived (an answer to ours, or its own),
     * or the socket was cut off; at once if that happened already. (browser) its close answer follows the messages the
     * socket dispatched before it, while our close frame is written before the client has read what came ahead of it.
     */
    void whenClientDone(Runnable action) {
        synchronized (this) {
            if (!clientDone) {
                afterClientDone = action;
                return;
            }
        }
        action.run();
    }

    private void clientIsDone() {
        Runnable waiting;
        synchronized (this) {
            if (clientDone) {
                return;
            }
            clientDone = true;
            waiting = afterClientDone;
            afterClientDone = null;
        }
        if (waiting != null) {
            waiting.run();
        }
    }

    // ------------------------------------------------------------------------------------ called by other threads

    /** Offered by the session's feed, under its lock: must never block. */
    void deliver(List<Outgoing.Message> messages) {
        lastActivity = System.nanoTime();
        synchronized (delivery) {
            if (held != null) {
                held.addAll(messages);
                return;
            }
            offerAll(messages);
        }
    }

    /**
     * Carries out a client's command and queues its answer ahead of the events the command caused, so that a client
     * always sees the {@code ack} of a cancel before the {@code session_completed} that closes the socket.
     */
    void answer(Supplier<LongFunction<Envelope>> command) {
        synchronized (delivery) {
            held = new ArrayList<>();
        }
        LongFunction<Envelope> reply = null;
        try {
            reply = command.get();
        } finally {
            synchronized (delivery) {
                List<Outgoing.Message> caused = held;
                held = null;
                if (reply != null) {
                    offer(new Outgoing.Reply(reply));
                }
                offerAll(caused);
            }
        }
    }

    private void offerAll(List<Outgoing.Message> messages) {
        for (Outgoing.Message message : messages) {
            switch (queue.offer(message)) {
                case OVERFLOW -> {
                    slowConsumer();
                    return;
                }
                case COALESCED -> ctx.counters().progressCoalesced.increment();
                case CLOSED -> {
                    return;
                }
                case ACCEPTED -> {}
            }
        }
    }

    void reply(LongFunction<Envelope> render) {
        offer(new Outgoing.Reply(render));
    }

    void resync(long lastSeq, String clientEpoch, JsonValue requestId) {
        offer(new Outgoing.Resync(lastSeq, clientEpoch, requestId));
    }

    void clientActivity() {
        lastActivity = System.nanoTime();
    }

    void answerPing(byte[] payload) {
        queue.control(new Outgoing.Pong(payload));
    }

    void pongReceived() {
        missedPongs.set(0);
    }

    /** Ends the socket with {@code code} after whatever is being sent right now; what waits in the queue is dropped. */
    void closeNow(int code, String reason) {
        if (!closing.compareAndSet(false, true)) {
            return;
        }
        queue.closeWith(new Outgoing.Close(code, reason));
        manager.cutOffLater(this);
        manager.detachLater(this);
    }

    /**
     * The client finished the close handshake (or started it): nothing more may be sent. Called on Helidon's reading
     * thread before it writes its answer, which therefore follows whatever the drain is writing now and nothing else.
     */
    void closedByClient() {
        Instant arrived = ctx.clock().now();
        boolean pluginClosedFirst = !closing.get() && settledWrites != null && !manager.isCancelledByPlugin(sessionId);
        if (pluginClosedFirst) {
            // the plugin closed first (a minimize): what reached it since, or waited behind the click, was dropped.
            // Set before the socket counts as closing, so that its window never takes what it wrote as reached
            settledWrites.closeAt(arrived, Duration.ZERO);
        }
        finished = true;
        closing.set(true);
        queue.closeWith(new Outgoing.Stop());
        boolean writeDone;
        try {
            writeDone = wire.endData(ctx.settings().closeGrace());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            writeDone = false;
        }
        closeSent.countDown();
        if (!writeDone) {
            // a client that closes while it leaves a write of ours unread would hold both threads: cut it off
            abort();
        }
        if (pluginClosedFirst) {
            // judged again once the write under way has ended and been noted (it only ever rises): a write that reached
            // the client long before the close, but that its drain had not noted yet, is not sent again
            settledWrites.closeAt(arrived, WRITE_NOTE_PATIENCE);
            if (detached.get()) {
                // the drain, done once that write ended, usually left first, with the position taken at the arrival
                manager.windowMoved(this);
            }
        }
        detach();
        clientIsDone();
    }

    /** The socket broke; Helidon will not tell us more, so clean up now. */
    void failed(Throwable cause) {
        LOG.log(System.Logger.Level.DEBUG, "socket of session " + rawSessionId + " failed: " + cause);
        abort();
        detach();
    }

    /** Called by the heartbeat: pings, declares the silent dead, closes the idle. */
    void heartbeat(long now) {
        if (closing.get()) {
            return;
        }
        if (now - nextPing >= 0) {
            if (missedPongs.get() >= ctx.settings().missedPongLimit()) {
                ctx.counters().deadConnections.increment();
                LOG.log(System.Logger.Level.DEBUG, "socket of session " + rawSessionId + " answered no ping; dropped");
                closing.set(true);
                abort();
                detach();
                return;
            }
            missedPongs.incrementAndGet();
            nextPing = now + ctx.settings().pingInterval().toNanos();
            queue.control(new Outgoing.Ping());
        }
        SessionFeed current = feed;
        boolean taskInFlight = current != null && current.running() > 0;
        if (!taskInFlight && now - lastActivity >= ctx.settings().idleTimeout().toNanos()) {
            closeNow(IDLE, "idle timeout");
        }
    }

    /** Cuts a socket off that did not finish closing in time (a client that stopped reading cannot take a close frame). */
    void cutOffIfUnfinished() {
        if (!finished) {
            abort();
            detach();
        }
    }

    boolean awaitCloseSent(Duration patience) throws InterruptedException {
        return closeSent.await(patience.toNanos(), TimeUnit.NANOSECONDS);
    }

    void detach() {
        if (detached.compareAndSet(false, true)) {
            manager.remove(this);
        }
    }

    private void offer(Outgoing item) {
        if (queue.offer(item) == OutboundQueue.Offer.OVERFLOW) {
            slowConsumer();
        }
    }

    private void slowConsumer() {
        if (!closing.get()) {
            ctx.counters().slowConsumerCloses.increment();
            closeNow(SLOW_CONSUMER, "slow consumer");
        }
    }

    private void abort() {
        finished = true;
        closeSent.countDown();
        clientIsDone();
        try {
            if (ws.socketContext() instanceof ConnectionContext connection) {
                connection.serverSocket().close();
            }
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "closing the socket of session " + rawSessionId + ": " + e);
        }
        Thread thread = sender;
        if (thread != null && thread != Thread.currentThread()) {
            thread.interrupt();
        }
    }

    // ------------------------------------------------------------------------------------------ the sender thread

    private void startDrain() {
        DRAINS.newThread(this::drain).start();
    }

    /** Writes what is queued, in order, until the queue is empty (then ends) or the socket is done. */
    private void drain() {
        sender = Thread.currentThread();
        boolean over = true;
        try {
            boolean open = true;
            if (!started) {
                started = true;
                open = greet();
            }
            while (open) {
                Outgoing next = queue.poll();
                if (next != null) {
                    open = handle(next);
                    continue;
                }
                tellPaused();
                flush();
                sender = null;
                if (queue.release()) {
                    over = false;
                    return;
                }
                sender = Thread.currentThread();
            }
        } catch (InterruptedException e) {
            // aborted or shutting down
        } catch (RuntimeException e) {
            if (!finished) {
                LOG.log(
                        System.Logger.Level.DEBUG,
                        "sending to the socket of session " + rawSessionId + " failed: " + e);
                abort();
            }
        } finally {
            if (over) {
                sender = null;
                queue.shutDown();
                closeSent.countDown();
                detach();
            }
        }
    }

    /** The first things a socket gets: the snapshot, the replay it asked for, or the close it is due. */
    private boolean greet() throws InterruptedException {
        if (closing.get()) {
            return true;
        }
        if (sessionId == null) {
            return closeSocket(NOT_FOUND, "session not found");
        }
        return resumeFrom != null
                ? resumeThenJoin(resumeFrom, resumeEpoch)
                : pluginViewer.isPresent()
                        ? resumeThenJoin(manager.resumePoint(pluginViewer.get(), this), null)
                        : join() && freshSync();
    }

    private boolean join() {
        try {
            ConnectionManager.JoinPoint point = manager.join(this);
            feed = point.feed();
            epoch = point.feed().epoch();
            joinSeq = point.seq();
            return true;
        } catch (SessionNotFoundException e) {
            return closeSocket(NOT_FOUND, "session not found");
        }
    }

    private boolean handle(Outgoing item) throws InterruptedException {
        if (!(item instanceof Outgoing.Message) && !(item instanceof Outgoing.Stop)) {
            flush();
        }
        return switch (item) {
            case Outgoing.Message message -> {
                if (!isNew(message) || withheld(message) || !takenHere(message)) {
                    yield true;
                }
                if (pluginViewer.isPresent() && message.endsSession() && message.derived()) {
                    flush();
                    // the session_completed a cancellation implies: (plugin) its window reads any session_completed
                    // as success, and one that reaches it before its cancel's answer wins that race in the browser;
                    // its own cancel ends the window on the answer (and a close no longer reconnects it), and a
                    // window whose batch was cancelled elsewhere reconnects and gets session_completed then
                    yield closeSocket(NORMAL, "session cancelled");
                }
                if (message.endsSession()) {
                    tellCanvasNotUpdated(message.seq(), message.succeeded());
                }
                write(message);
                if (message.endsSession()) {
                    flush();
                    yield closeSocket(NORMAL, "session completed");
                }
                yield true;
            }
            case Outgoing.Reply reply -> {
                send(reply.render().apply(Math.max(0, coveredSeq)));
                yield true;
            }
            case Outgoing.Resync resync -> {
                send(EventMessages.ack(
                        sessionId,
                        Math.max(0, coveredSeq),
                        resync.requestId(),
                        "resume",
                        ctx.clock().now()));
                yield resync(resync.lastSeq(), resync.epoch());
            }
            case Outgoing.Ping ping -> {
                writeNow(ControlFrame.ping());
                yield true;
            }
            case Outgoing.Pong pong -> {
                writeNow(ControlFrame.pong(pong.payload()));
                yield true;
            }
            case Outgoing.Close close -> closeSocket(close.code(), close.reason());
            case Outgoing.Stop stop -> {
                // the client's close came first: nothing more may go out, not even what was gathered
                dropPending();
                yield false;
            }
        };
    }

    /**
     * What the plugin must not be sent: the {@code progress_update} after a group's last outcome, which it would read as
     * "running again" (its badge turns ✅/❌ back into 🔄); the task message before it already finished the group.
     */
    private boolean withheld(Outgoing.Message message) {
        return pluginViewer.isPresent() && message.closesGroup();
    }

    /** The seq of the last primary message this socket took from its window; its derived ones go with it. */
    private long lastTaken = -1;

    /**
     * Whether this socket sends {@code message} rather than another open socket of its plugin window
     * ({@link SharedWindow}). A cancellation's end is left to every socket (each closes without it). A socket whose
     * window's end went out on another stays open and silent: that one closes it once its client has the end.
     */
    private boolean takenHere(Outgoing.Message message) {
        if (window == null || (message.derived() && message.endsSession())) {
            return true;
        }
        if (message.derived()) {
            return message.seq() == lastTaken;
        }
        boolean taken = message.endsSession() ? takeEnd() : takeFromWindow(message.seq(), false);
        if (taken) {
            lastTaken = message.seq();
        }
        return taken;
    }

    /** Whether this socket sends its window the session's end (always, for a socket that is no plugin's). */
    private boolean takeEnd() {
        if (window == null) {
            return true;
        }
        if (takeFromWindow(0, true)) {
            // (plugin) a window that handled the end never reconnects, so one that does dropped it (behind a click,
            // with the plugin's close crossing ours), and what was written the margin before it may be gone too
            settledWrites.closeAt(ctx.clock().now(), Duration.ZERO);
            handedTheEnd = true;
            return true;
        }
        return false;
    }

    /**
     * Takes {@code seq} (or the end) from this socket's window, unless the socket has left it: its drain may still be
     * handling a message it polled before it was detached, and taking it then would make it the window's speaker again
     * — detached, so that no socket of the window would ever speak for it again (a window that never ends). Under the
     * window's lock, which its detach holds too: the flag is set before that.
     */
    private boolean takeFromWindow(long seq, boolean end) {
        synchronized (window) {
            if (detached.get()) {
                return false;
            }
            return end ? window.takeEnd(this) : window.take(this, seq);
        }
    }

    /**
     * How a plugin socket learns that its session was cancelled, once its history has reached the cancellation. The
     * window that cancelled it is closed without {@code session_completed}: (plugin) a reconnect it had scheduled
     * before the click opens a socket after the cancel's answer, and its handlers still run, so that message would show
     * "✅ 全部处理完成" and the summary after "处理已取消". Any other window gets the end in its own terms
     * ({@link EventMessages#pluginCancelledEnd}), so that it does not read the cancelled batch as complete.
     */
    private boolean endCancelledForPlugin() {
        if (manager.isCancelledByPlugin(sessionId)) {
            return closeSocket(NORMAL, "session cancelled");
        }
        Optional<SessionSnapshot> status = ctx.history().status(sessionId);
        if (status.isEmpty()) {
            return closeSocket(NOT_FOUND, "session not found");
        }
        if (!takeEnd()) {
            return true;
        }
        tellCanvasNotUpdated(status.get().lastSeq(), status.get().succeeded());
        EventMessages.pluginCancelledEnd(status.get(), ctx.clock().now()).forEach(this::send);
        return closeSocket(NORMAL, "session completed");
    }

    private void sent(Outgoing.Message message) {
        ctx.counters().eventsSent.increment();
        if (!message.derived()) {
            sentSeq = Math.max(sentSeq, message.seq());
        }
    }

    /** A primary message is new if the client does not have its seq yet; derived ones follow their primary. */
    private boolean isNew(Outgoing.Message message) {
        if (!message.derived()) {
            if (message.seq() <= coveredSeq) {
                return false;
            }
            coveredSeq = message.seq();
            lastQueuedPrimary = message.seq();
            return true;
        }
        return message.seq() == lastQueuedPrimary || message.seq() > coveredSeq;
    }

    /** {@code connected}, one absolute progress_update per group, the whole status; then live from there. */
    private boolean freshSync() throws InterruptedException {
        Optional<SessionSnapshot> status = ctx.history().status(sessionId);
        if (status.isEmpty()) {
            return closeSocket(NOT_FOUND, "session not found");
        }
        SessionSnapshot s = status.get();
        var now = ctx.clock().now();
        send(EventMessages.connected(sessionId, s.state(), s.lastSeq(), false, epoch, now));
        EventMessages.groupProgress(s, now).stream()
                .filter(progress -> pluginViewer.isEmpty() || !progress.closesGroup())
                .forEach(this::send);
        send(EventMessages.snapshot(s, now));
        if (pluginViewer.isPresent() && s.state() == SessionState.PAUSED) {
            // (plugin) a history it could not be replayed: the snapshot says paused, not why
            pauseUntold = true;
            pauseReason = null;
        }
        coveredSeq = Math.max(coveredSeq, s.lastSeq());
        streamStart = Math.min(streamStart, s.lastSeq());
        tellStorageProblem();
        return continueUnlessOver(s);
    }

    /**
     * (plugin) Goes right before the {@code session_completed} this socket hands its window: the summary that follows
     * says "Canvas已自动更新，添加了N个蓝色说明节点和N个文档节点" whenever a node succeeded, so a window whose server's
     * settings leave the canvas untouched (write-back off) or the notes unlabelled is told so in a notice. Once per
     * window, since only the socket that sends its window the end sends it; never to other clients, whose views say
     * nothing of the canvas. Not when no note was written: the summary then makes no claim.
     */
    private void tellCanvasNotUpdated(long seq, int succeeded) {
        if (pluginViewer.isEmpty() || succeeded <= 0) {
            return;
        }
        CanvasWriting writing = ctx.canvasWriting();
        Envelope notice = EventMessages.canvasNotUpdated(
                sessionId,
                seq,
                writing.linksNotes(),
                writing.labelsNotes(),
                ctx.clock().now());
        if (notice != null) {
            send(notice);
        }
    }

    /** A socket that arrives while the journal refuses the session's events learns it at once, not at the next one. */
    private void tellStorageProblem() {
        ctx.history()
                .storageProblem(sessionId)
                .ifPresent(problem -> send(EventMessages.storageProblem(
                        sessionId, Math.max(0, coveredSeq), problem, ctx.clock().now())));
    }

    /**
     * Brings a reconnecting client up from {@code lastSeq}. While it is more than a chunk behind, the history is replayed
     * from the journal without taking live events yet, so even a replay of a whole long session never fills this
     * socket's queue; then the socket joins the live stream and the little that happened meanwhile is replayed up to
     * the join point, and live events follow — no gap, no duplicate (a live event the replay already carried is not
     * sent again). Falls back to a snapshot when the journal cannot tell the whole story.
     */
    private boolean resumeThenJoin(long lastSeq, String clientEpoch) throws InterruptedException {
        Optional<SessionSnapshot> status = ctx.history().status(sessionId);
        if (status.isEmpty()) {
            return closeSocket(NOT_FOUND, "session not found");
        }
        SessionSnapshot s = status.get();
        String storeEpoch;
        try {
            storeEpoch = ctx.history().head(sessionId).epoch();
        } catch (SessionNotFoundException e) {
            return closeSocket(NOT_FOUND, "session not found");
        }
        boolean resumable = lastSeq >= 0
                && lastSeq <= s.lastSeq()
                && (clientEpoch == null || clientEpoch.equals(storeEpoch))
                && ctx.history().holds(sessionId, lastSeq, s.lastSeq());
        if (!resumable) {
            if (resumeFrom == null && pluginViewer.isPresent() && lastSeq > s.lastSeq()) {
                // (plugin) a window said to be past the history (a kept position not to be trusted, a journal that
                // lost its tail): a snapshot would leave out what it never got, so it is taken as new — what it
                // already had is counted twice, nothing is missed; and that position is not its window's any more
                manager.forgetPosition(pluginViewer.get());
                return resumeThenJoin(0, null);
            }
            return join() && freshSync();
        }
        if (settledWrites != null) {
            // a plugin socket resumed from lastSeq has everything up to it; one that named a last_seq the history
            // cannot resume from has nothing (a snapshot): its window must not be taken as having got there
            settledWrites.startAfter(lastSeq);
        }
        epoch = storeEpoch;
        send(EventMessages.connected(
                sessionId, s.state(), s.lastSeq(), true, epoch, ctx.clock().now()));
        long cursor = lastSeq;
        while (true) {
            long head = ctx.history().head(sessionId).lastSeq();
            if (head - cursor <= ctx.history().chunkSize()) {
                break;
            }
            Optional<Boolean> stopped = replayed(cursor, head);
            if (stopped.isPresent()) {
                return stopped.get();
            }
            cursor = head;
        }
        if (closing.get()) {
            // asked to close while it caught up: its close waits in the queue (unless the client went away), and
            // joining now would leave it in its session's feed after it was removed
            return !finished;
        }
        if (!join()) {
            return false;
        }
        if (joinSeq > cursor) {
            Optional<Boolean> stopped = replayed(cursor, joinSeq);
            if (stopped.isPresent()) {
                return stopped.get();
            }
        }
        coveredSeq = Math.max(coveredSeq, Math.max(cursor, joinSeq));
        streamStart = Math.min(streamStart, lastSeq);
        tellStorageProblem();
        return continueUnlessOver(s);
    }

    /**
     * A client's resume message after its stream started: back-fills what it missed before the earliest event this
     * socket has streamed, without repeating what it got. Falls back to a snapshot when the journal cannot.
     */
    private boolean resync(long lastSeq, String clientEpoch) throws InterruptedException {
        Optional<SessionSnapshot> status = ctx.history().status(sessionId);
        if (status.isEmpty()) {
            return closeSocket(NOT_FOUND, "session not found");
        }
        SessionSnapshot s = status.get();
        long upTo = Math.min(streamStart, coveredSeq);
        boolean resumable = lastSeq >= 0
                && lastSeq <= s.lastSeq()
                && (clientEpoch == null || clientEpoch.equals(epoch))
                && ctx.history().holds(sessionId, lastSeq, upTo);
        if (!resumable) {
            return freshSync();
        }
        send(EventMessages.connected(
                sessionId, s.state(), s.lastSeq(), true, epoch, ctx.clock().now()));
        if (lastSeq < upTo) {
            Optional<Boolean> stopped = replayed(lastSeq, upTo);
            if (stopped.isPresent()) {
                return stopped.get();
            }
        }
        coveredSeq = Math.max(coveredSeq, Math.max(lastSeq, upTo));
        streamStart = Math.min(streamStart, lastSeq);
        tellStorageProblem();
        return continueUnlessOver(s);
    }

    /**
     * Sends the history {@code (after, upTo]}, chunk by chunk, each message written before the next is asked for.
     * Empty when it all went out; otherwise whether the sender goes on: true when the window's end went out on another
     * socket, or when the socket was asked to close meanwhile (its queue holds the close frame to write); false when
     * this drain closed the socket (the session ended, the history has a hole) or the client went away.
     */
    private Optional<Boolean> replayed(long after, long upTo) throws InterruptedException {
        boolean[] ended = {false};
        boolean[] cancelledHere = {false};
        boolean[] endedElsewhere = {false};
        History.Replayed outcome;
        try {
            outcome = ctx.history().replay(sessionId, after, upTo, message -> {
                if (closing.get()) {
                    return false;
                }
                if (!message.derived()) {
                    coveredSeq = Math.max(coveredSeq, message.seq());
                }
                if (withheld(message)) {
                    return true;
                }
                if (pluginViewer.isPresent() && message.endsSession() && message.derived()) {
                    // a cancellation: ended below in the plugin's own terms
                    cancelledHere[0] = true;
                    return false;
                }
                if (!takenHere(message)) {
                    // another socket of the window sends it; after the end, nothing more
                    endedElsewhere[0] = message.endsSession();
                    return !endedElsewhere[0];
                }
                if (message.endsSession()) {
                    tellCanvasNotUpdated(message.seq(), message.succeeded());
                }
                write(message);
                keepHeartbeat();
                lastActivity = System.nanoTime();
                ended[0] = message.endsSession();
                return !ended[0];
            });
            flush();
        } catch (SessionNotFoundException e) {
            return Optional.of(closeSocket(NOT_FOUND, "session not found"));
        } catch (org.canvasbatch.application.port.out.EventLogException e) {
            LOG.log(System.Logger.Level.WARNING, "replaying session " + sessionId + " failed: " + e.getMessage());
            return Optional.of(closeSocket(INTERNAL_ERROR, "event history unavailable; reconnect without last_seq"));
        }
        if (cancelledHere[0]) {
            return Optional.of(endCancelledForPlugin());
        }
        if (endedElsewhere[0]) {
            return Optional.of(true);
        }
        if (ended[0]) {
            return Optional.of(closeSocket(NORMAL, "session completed"));
        }
        return switch (outcome) {
            case COMPLETE -> Optional.empty();
            // the sink stops only once the socket is closing: a close asked for (closeNow) waits in the queue, and the
            // drain goes on to write it; a client that closed, or a socket cut off, gets nothing more
            case STOPPED -> Optional.of(!finished);
            case HOLE ->
                Optional.of(closeSocket(INTERNAL_ERROR, "event history unavailable; reconnect without last_seq"));
        };
    }

    /**
     * Sends the pings and pongs that wait while a replay runs: a replay can outlast several ping intervals (a slow link,
     * a storm sharing the replay budget), and a ping that waits for its end is counted missed, so a client reading
     * every byte would be dropped as dead. A client that stops reading still is: this drain blocks in its write, and
     * the pings stay unsent.
     */
    private void keepHeartbeat() {
        for (Outgoing beat = queue.pollHeartbeat(); beat != null; beat = queue.pollHeartbeat()) {
            flush();
            switch (beat) {
                case Outgoing.Ping ping -> writeNow(ControlFrame.ping());
                case Outgoing.Pong pong -> writeNow(ControlFrame.pong(pong.payload()));
                default -> throw new IllegalStateException("not a heartbeat frame: " + beat);
            }
        }
    }

    /**
     * A session that is already over gets its summary at once, then the close. The summary is the session's as it is
     * now: a node run again since {@code seen} was read (the single-agent route) sends its events from the history
     * first, so that the summary follows what it counts — never a summary older than events the socket already sent,
     * and never a socket left waiting for an end that a rerun leaving the outcome as it was never sends.
     */
    private boolean continueUnlessOver(SessionSnapshot seen) throws InterruptedException {
        if (!seen.state().isTerminal()) {
            return true;
        }
        SessionSnapshot s = ctx.history().status(sessionId).orElse(seen);
        if (s.lastSeq() > coveredSeq) {
            Optional<Boolean> stopped = replayed(coveredSeq, s.lastSeq());
            if (stopped.isPresent()) {
                return stopped.get();
            }
            coveredSeq = Math.max(coveredSeq, s.lastSeq());
        }
        if (!s.state().isTerminal()) {
            // not expected (a finished session refuses what would start it again); were it so, its end comes live
            return true;
        }
        if (s.state() == SessionState.CANCELLED && pluginViewer.isPresent()) {
            return endCancelledForPlugin();
        }
        if (!takeEnd()) {
            return true;
        }
        tellCanvasNotUpdated(s.lastSeq(), s.succeeded());
        gather(ctx.history().endFrame(s, ctx.clock().now(), language), null);
        return closeSocket(NORMAL, "session completed");
    }

    /**
     * Queues a message of this socket's own (its greeting, an answer) as a text frame framed here, in order with the
     * events: the frame is written from this array and then dropped, where Helidon's {@code send} would copy it into a
     * send buffer that keeps the size of the largest message for the connection's life.
     */
    private void send(Envelope envelope) {
        gather(TextFrame.of(LocalizedFailures.message(envelope.json(), language).toString()), null);
    }

    /** Queues a message's ready frame for the next write. */
    private void write(Outgoing.Message message) {
        notePause(message);
        gather(message.frame(language), message);
    }

    /**
     * (plugin) Keeps track of whether the batch stands paused as of what this socket has written its window: a
     * {@code session_paused} leaves a notice to tell, a {@code session_resumed} or the end takes it back (a replay that
     * passes a pause resumed since tells nothing, and neither does a pause resumed before the socket caught up).
     */
    private void notePause(Outgoing.Message message) {
        if (pluginViewer.isEmpty()) {
            return;
        }
        if (message.endsSession()) {
            pauseUntold = false;
        } else if (!message.derived()) {
            switch (message.type()) {
                case EventMessages.SESSION_PAUSED -> {
                    pauseUntold = true;
                    pauseReason = reasonOf(message);
                }
                case "session_resumed", "session_cancelled" -> pauseUntold = false;
                default -> {}
            }
        }
    }

    private static String reasonOf(Outgoing.Message message) {
        try {
            if (StrictJson.parse(message.text()) instanceof JsonObject json
                    && json.get("data") instanceof JsonObject data
                    && data.get("reason") instanceof JsonString reason) {
                return reason.getString();
            }
        } catch (RuntimeException unreadable) {
            // not expected (the server made it); the notice then says no more than that the batch is paused
        }
        return null;
    }

    /**
     * (plugin) It ignores {@code session_paused}, so a window whose batch someone else paused kept spinning, its
     * percentage still, and the learner was told nothing. Once this socket has written all it has, and the last pause
     * or resume among it was a pause, the window is sent a notice ({@link EventMessages#batchPaused}, a recoverable
     * {@code error}, shown as "处理错误: …"). Once per pause per window: only the socket that wrote the window the
     * {@code session_paused} tells it, and a later socket of the window is replayed only what came after its position,
     * so a reconnect after the notice (a drop, a minimize, the idle timeout of a long pause) does not repeat it, while a
     * window that opens (or comes back) after the pause replays it and is told. Nothing on resume: the plugin would show
     * it as an error ("处理错误: …"), and its progress moves again.
     */
    private void tellPaused() {
        if (!pauseUntold) {
            return;
        }
        pauseUntold = false;
        if (closing.get() || finished) {
            return;
        }
        send(EventMessages.batchPaused(
                sessionId,
                Math.max(0, coveredSeq),
                pauseReason,
                dashboard,
                ctx.clock().now()));
    }

    /**
     * A write goes out once enough has gathered. A frame of a write's size or more goes out alone, after what was
     * gathered before it: joined with it, it would be copied into a fresh array once per socket — a
     * {@code session_completed} listing ten thousand nodes is 3.5 MB, and a reconnect storm of a thousand sockets made
     * 3.5 GB of garbage of it (JFR).
     *
     * @param message the event message the frame is, counted as sent once written; null for a socket's own frames
     */
    private void gather(byte[] frame, Outgoing.Message message) {
        if (frame.length >= FLUSH_BYTES) {
            flush();
        }
        if (message != null) {
            pendingEvents.add(message);
        }
        pending.add(frame);
        pendingBytes += frame.length;
        if (pendingBytes >= FLUSH_BYTES) {
            flush();
        }
    }

    /** Writes the gathered frames in one write to the socket, as they are: no per-socket encoding. */
    private void flush() {
        if (pending.isEmpty()) {
            return;
        }
        if (finished) {
            // the client closed or the socket was cut off: nothing more may go out
            dropPending();
            return;
        }
        byte[] joined;
        if (pending.size() == 1) {
            joined = pending.getFirst();
        } else {
            joined = new byte[pendingBytes];
            int at = 0;
            for (byte[] frame : pending) {
                System.arraycopy(frame, 0, joined, at, frame.length);
                at += frame.length;
            }
        }
        Instant writeBegan = null;
        long writeBeganNanos = 0;
        if (settledWrites != null) {
            writeBegan = ctx.clock().now();
            writeBeganNanos = System.nanoTime();
            settledWrites.writing();
        }
        boolean noted = false;
        try {
            boolean written = writeNow(joined);
            // when the write returned, as when it began plus how long it took: its last bytes cannot reach the client
            // sooner, and a write that waited on a slow reader (a busy renderer) ends seconds after it began, its
            // messages reaching the browser behind a click or after the plugin's close. Not read from the clock again,
            // so that a clock moved meanwhile (a test's, once the client has the bytes) does not move it: a thread slow
            // to run again after its write makes it later only by that real delay, a node counted twice, never missed
            Instant writeEnded = writeBegan == null ? null : writeBegan.plusNanos(System.nanoTime() - writeBeganNanos);
            if (written) {
                long before = sentSeq;
                pendingEvents.forEach(this::sent);
                if (settledWrites != null && sentSeq > before) {
                    settledWrites.written(writeEnded, sentSeq);
                    noted = true;
                    if (detached.get()) {
                        // a socket cut off (4429) is detached at once, while its drain may still finish a write: its
                        // window's next socket must go on after that write, not send it again
                        manager.windowMoved(this);
                    }
                }
            }
        } finally {
            if (settledWrites != null && !noted) {
                settledWrites.notWritten();
            }
        }
        dropPending();
    }

    /**
     * Writes frames to the wire now. False if the socket's data is over: the client's close arrived meanwhile (Helidon
     * answers it; the drain stops at its {@code Stop}); if Helidon itself closed the socket (a protocol error), this
     * drain is done as after a failed write.
     */
    private boolean writeNow(byte[] frames) {
        if (wire.writeFrames(BufferData.create(frames))) {
            return true;
        }
        if (!finished) {
            throw new IllegalStateException("the socket's close has been sent");
        }
        return false;
    }

    private void dropPending() {
        pending.clear();
        pendingEvents.clear();
        pendingBytes = 0;
    }

    /** Sends the close frame; returns false (the sender is done) in every case. */
    private boolean closeSocket(int code, String reason) {
        closing.set(true);
        try {
            flush();
            // written by us, not by Helidon's WsSession.close: the wire orders it with Helidon's answer to a client's
            // close, whichever comes first is the only close frame, and the other is dropped
            wire.writeClose(ControlFrame.close(code, reason));
        } catch (RuntimeException e) {
            abort();
        } finally {
            closeSent.countDown();
            manager.cutOffLater(this);
        }
        return false;
    }
}
