package org.canvasbatch.adapters.http.ws;

import io.helidon.websocket.WsSession;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.http.text.Language;
import org.canvasbatch.adapters.http.wire.PluginCancels;
import org.canvasbatch.domain.session.SessionId;

/**
 * The open sockets, grouped by session (ADR-007's abstraction): who watches which session, the one feed per watched
 * session, and the heartbeat that pings, drops the dead and closes the idle. Cleanup never waits for a close callback:
 * a failed send, missed pongs or an overflow remove a socket just the same.
 */
final class ConnectionManager {

    private static final System.Logger LOG = System.getLogger(ConnectionManager.class.getName());
    private static final int REMEMBERED_VIEWERS = 4096;
    /** How often the plugin windows' positions are kept: a crash costs a window at most this much counted twice. */
    private static final Duration WINDOW_KEEPING_PERIOD = Duration.ofMillis(500);

    /** Where a joining socket's live stream starts: every event after {@code seq} will be offered to it. */
    record JoinPoint(SessionFeed feed, long seq) {}

    private final ChannelContext ctx;
    private final Set<Connection> connections = ConcurrentHashMap.newKeySet();
    private final Map<SessionId, SessionFeed> feeds = new HashMap<>();
    /** How far each plugin window's last socket got, for its next one; the oldest are forgotten first. */
    private final Map<PluginViewer, Long> viewerPositions = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<PluginViewer, Long> eldest) {
            return size() > REMEMBERED_VIEWERS;
        }
    };

    /** Sessions the plugin's own window cancelled (recorded by the cancel endpoint); kept with the positions. */
    private final PluginCancels pluginCancels = new PluginCancels();

    /** The plugin windows' answered polls (told by the status endpoint): each moves its window's position on. */
    private final org.canvasbatch.adapters.http.wire.PluginPolls pluginPolls =
            new org.canvasbatch.adapters.http.wire.PluginPolls();

    /** The plugin windows with a socket open now; guarded by itself. */
    private final Map<PluginViewer, SharedWindow> openWindows = new HashMap<>();

    private final ScheduledExecutorService scheduler;
    private final PluginWindowMemory windowMemory;
    private final ScheduledExecutorService windowKeeper;
    private final Object keeping = new Object();
    /** What {@link #windowMemory} was last given (null: nothing for sure); guarded by {@link #keeping}. */
    private Map<PluginViewer, Long> keptPositions = Map.of();

    private List<SessionId> keptCancels = List.of();

    private volatile boolean shuttingDown;

    /**
     * Runs between a socket's construction, which attaches it to its plugin window, and its listing among the open
     * sockets; null (nothing runs) but in the test that holds a socket at that step while another of its window leaves.
     */
    private volatile Runnable beforeListing;

    ConnectionManager(ChannelContext ctx) {
        this(ctx, PluginWindowMemory.NONE);
    }

    ConnectionManager(ChannelContext ctx, PluginWindowMemory windowMemory) {
        this.ctx = ctx;
        this.windowMemory = windowMemory;
        recallWindows();
        pluginPolls.onAnswer((session, address, origin, lastSeq) -> {
            synchronized (viewerPositions) {
                viewerPositions.merge(new PluginViewer(session, address, origin), lastSeq, Math::max);
            }
        });
        this.scheduler = Executors.newSingleThreadScheduledExecutor(
                Thread.ofVirtual().name("ws-heartbeat").factory());
        long period = ctx.settings().heartbeatPeriod().toNanos();
        scheduler.scheduleAtFixedRate(this::beat, period, period, TimeUnit.NANOSECONDS);
        if (windowMemory != PluginWindowMemory.NONE) {
            // its own thread: a slow disk must not hold up the heartbeat's pings and dead-socket checks
            windowKeeper = Executors.newSingleThreadScheduledExecutor(
                    Thread.ofVirtual().name("ws-plugin-windows").factory());
            long keep = WINDOW_KEEPING_PERIOD.toNanos();
            windowKeeper.scheduleWithFixedDelay(this::keepWindows, keep, keep, TimeUnit.NANOSECONDS);
            // at once, not at the next round: a crash right after the answer must not forget who cancelled
            pluginCancels.onChange(() -> {
                try {
                    windowKeeper.execute(this::keepWindows);
                } catch (java.util.concurrent.RejectedExecutionException e) {
                    // shutting down: its last keeping takes this along
                }
            });
        } else {
            windowKeeper = null;
        }
    }

    private void recallWindows() {
        PluginWindowMemory.Kept recalled = windowMemory.recall();
        List<SessionId> cancelled = new ArrayList<>();
        for (String id : recalled.cancelledByPlugin()) {
            if (SessionId.isWellFormed(id)) {
                cancelled.add(new SessionId(id));
            }
        }
        pluginCancels.recall(cancelled);
        for (PluginWindowMemory.WindowPosition kept : recalled.windows()) {
            try {
                PluginViewer viewer = new PluginViewer(new SessionId(kept.sessionId()), kept.address(), kept.origin());
                synchronized (viewerPositions) {
                    viewerPositions.merge(viewer, kept.seq(), Math::max);
                }
            } catch (IllegalArgumentException e) {
                LOG.log(System.Logger.Level.DEBUG, "a kept plugin window names no valid session: " + e.getMessage());
            }
        }
    }

    /**
     * Gives the window memory where every plugin window got to (its open socket's position, else its last one's), if
     * anything moved since the last time: a restart then sends each window only the rest, as a reconnect does.
     */
    private void keepWindows() {
        synchronized (keeping) {
            keepWindowsNow();
        }
    }

    private void keepWindowsNow() {
        Map<PluginViewer, Long> positions;
        synchronized (viewerPositions) {
            positions = new LinkedHashMap<>(viewerPositions);
        }
        for (Connection connection : connections) {
            connection
                    .pluginViewer()
                    .ifPresent(viewer -> positions.merge(viewer, connection.windowPosition(), Math::max));
        }
        List<SessionId> cancels = pluginCancels.sessions();
        if (positions.equals(keptPositions) && cancels.equals(keptCancels)) {
            return;
        }
        windowMemory.keep(new PluginWindowMemory.Kept(
                positions.entrySet().stream()
                        .map(e -> new PluginWindowMemory.WindowPosition(
                                e.getKey().session().value(),
                                e.getKey().address(),
                                e.getKey().origin(),
                                e.getValue()))
                        .toList(),
                cancels.stream().map(SessionId::value).toList()));
        keptPositions = positions;
        keptCancels = cancels;
    }

    Connection open(
            WsSession ws,
            String rawSessionId,
            Long resumeFrom,
            String resumeEpoch,
            Optional<String> origin,
            Language language,
            String dashboard) {
        Connection connection =
                new Connection(ctx, this, ws, rawSessionId, resumeFrom, resumeEpoch, origin, language, dashboard);
        Runnable hook = beforeListing;
        if (hook != null) {
            hook.run();
        }
        connections.add(connection);
        closeIfItsWindowIsClosing(connection);
        if (shuttingDown) {
            connection.closeNow(Connection.GOING_AWAY, "server shutting down");
        }
        connection.start();
        return connection;
    }

    /**
     * A socket attached to its plugin window before the window's sockets were closed, but listed among the open sockets
     * only after the closing looked there, is closed the same way: else its window, which refuses everything once
     * abandoned (or once its end went out on another socket), would leave it open and silent until the idle timeout —
     * (plugin) progress frozen, where a close makes the window reconnect and resume. Either the closing finds the socket
     * or this finds the closing: this reads it under the window's lock after listing the socket, and the closing says
     * so under that lock before it looks; if this read came first, the listing happened-before the look, whose iterator
     * then sees the socket. Both may close it: the first close wins, the second does nothing. The same holds for a
     * socket attached after the closing of a window whose end went out, which stays open until its last socket leaves.
     */
    private static void closeIfItsWindowIsClosing(Connection connection) {
        SharedWindow window = connection.sharedWindow();
        SharedWindow.Closing closing = window == null ? null : window.closing();
        if (closing != null) {
            connection.closeNow(closing.code(), closing.reason());
        }
    }

    /** Test seam: {@code hook} runs in {@link #open} after each socket's construction, before its listing. */
    void beforeListing(Runnable hook) {
        beforeListing = hook;
    }

    /** @throws org.canvasbatch.application.port.in.SessionNotFoundException for an unknown session */
    JoinPoint join(Connection connection) {
        SessionId id = connection.sessionId();
        synchronized (this) {
            SessionFeed feed = feeds.get(id);
            if (feed != null) {
                return new JoinPoint(feed, feed.join(connection));
            }
        }
        // opening subscribes to the core, which waits (up to seconds) while a cancel of the session is being answered:
        // not under the lock that every session's sockets share, or one cancel would hold up every other session
        SessionFeed opened = SessionFeed.open(id, ctx);
        synchronized (this) {
            SessionFeed feed = feeds.get(id);
            if (feed == null && !shuttingDown) {
                feeds.put(id, opened);
                feed = opened;
            } else {
                // another socket of the session opened one meanwhile, or the channel shut down and stops no more feeds
                opened.stop();
                feed = feed == null ? opened : feed;
            }
            return new JoinPoint(feed, feed.join(connection));
        }
    }

    /**
     * Where a plugin window's socket without {@code last_seq} starts: after the last event its previous socket sent
     * (a reconnect of the same window, whose counts live on), else at the session's first event (a new window, which
     * counts the task messages it receives, so it must receive them all). A socket of the window still attached
     * counts as its previous one.
     */
    long resumePoint(PluginViewer viewer, Connection joining) {
        long point = 0;
        for (Connection other : connections) {
            if (other != joining && other.pluginViewer().filter(viewer::equals).isPresent()) {
                point = Math.max(point, other.windowPosition());
            }
        }
        synchronized (viewerPositions) {
            return Math.max(point, viewerPositions.getOrDefault(viewer, 0L));
        }
    }

    /** A window's remembered position the history cannot resume from: its sockets' own positions count from now. */
    void forgetPosition(PluginViewer viewer) {
        synchronized (viewerPositions) {
            viewerPositions.remove(viewer);
        }
    }

    /** Where the status endpoint tells of the plugin's answered polls. */
    org.canvasbatch.adapters.http.wire.PluginPolls pluginPolls() {
        return pluginPolls;
    }

    /** Where the cancel endpoint records the plugin's own cancels; the same record this manager keeps. */
    PluginCancels pluginCancels() {
        return pluginCancels;
    }

    /** Whether the plugin's own window cancelled {@code session}. */
    boolean isCancelledByPlugin(SessionId session) {
        return pluginCancels.contains(session);
    }

    /** What the open sockets of {@code viewer}'s window share; the caller is one more of them. */
    SharedWindow attachWindow(PluginViewer viewer) {
        synchronized (openWindows) {
            SharedWindow window = openWindows.computeIfAbsent(viewer, v -> new SharedWindow());
            window.attach();
            return window;
        }
    }

    /** A detached plugin socket finished a write after all: its window got further. */
    void windowMoved(Connection connection) {
        connection.pluginViewer().ifPresent(viewer -> {
            synchronized (viewerPositions) {
                viewerPositions.merge(viewer, connection.windowPosition(), Math::max);
            }
        });
    }

    void remove(Connection connection) {
        SharedWindow.Left left = SharedWindow.Left.LAST;
        Optional<PluginViewer> viewer = connection.pluginViewer();
        SharedWindow window = connection.sharedWindow();
        if (viewer.isPresent()) {
            long reached = connection.windowPosition();
            synchronized (viewerPositions) {
                viewerPositions.merge(viewer.get(), reached, Math::max);
            }
            synchronized (openWindows) {
                left = window.detach(connection, reached);
                if (left != SharedWindow.Left.OTHERS_GO_ON && openWindows.get(viewer.get()) == window) {
                    // a socket of the window that opens from now on shares nothing with those left to close
                    openWindows.remove(viewer.get());
                }
            }
        }
        connections.remove(connection);
        // only while its window has other sockets: a look through every socket for each one that ends would cost a
        // storm of a thousand windows a million looks
        if (left != SharedWindow.Left.LAST && connection.handedTheEnd()) {
            // its window's other sockets stayed open without the end: closed once its client has had it (its close
            // answer comes after it), so that their close does not make the window reconnect — closed as soon as this
            // socket's close frame was written, one of them could reach the window first, which would then reconnect
            // and be given the end a second time (two notices, two summaries). A window that dropped the end behind a
            // click reconnects all the same, and is sent it again
            connection.whenClientDone(() -> closeOthersOf(window, connection, Connection.NORMAL, "session completed"));
        } else if (left == SharedWindow.Left.OTHERS_MUST_RECONNECT) {
            // its window's other sockets went past what the plugin dropped behind its close and cannot send it again:
            // closed, so that the window reconnects (plugin: a close without session_completed) from where it surely
            // got
            LOG.log(
                    System.Logger.Level.DEBUG,
                    "the socket speaking for a plugin window of session " + connection.sessionId()
                            + " closed before its last writes settled; the window's other sockets are closed to resume");
            closeOthersOf(window, connection, Connection.WINDOW_RESUMES, "window resumes on a new socket");
        }
        if (connection.sessionId() == null) {
            return;
        }
        synchronized (this) {
            SessionFeed feed = feeds.get(connection.sessionId());
            if (feed != null && feed.leave(connection)) {
                feeds.remove(connection.sessionId());
                feed.stop();
            }
        }
    }

    private void closeOthersOf(SharedWindow window, Connection leaving, int code, String reason) {
        // said before the look: a socket of the window that it misses (made, so attached, before it; listed after it)
        // closes itself on the same terms once listed (closeIfItsWindowIsClosing)
        window.closeAll(new SharedWindow.Closing(code, reason));
        connections.stream()
                .filter(other -> other != leaving && other.sharedWindow() == window)
                .forEach(other -> other.closeNow(code, reason));
    }

    /** Removal off the caller's thread: callers may hold a feed's lock. */
    void detachLater(Connection connection) {
        Thread.ofVirtual().name("ws-detach").start(connection::detach);
    }

    /** A closing socket that has not finished its close handshake within the grace period is cut off. */
    void cutOffLater(Connection connection) {
        try {
            scheduler.schedule(
                    connection::cutOffIfUnfinished, ctx.settings().closeGrace().toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // shut down already: the server's stop closes what is left
        }
    }

    int count() {
        return connections.size();
    }

    /** Helidon's side of every open socket. */
    List<WsSession> sockets() {
        return connections.stream().map(Connection::socket).toList();
    }

    /** Closes every socket with 1001 and waits (up to {@code patience}) until the close frames are out. */
    void shutdown(Duration patience) {
        shuttingDown = true;
        List<Connection> all = new ArrayList<>(connections);
        all.forEach(c -> c.closeNow(Connection.GOING_AWAY, "server shutting down"));
        long deadline = System.nanoTime() + patience.toNanos();
        try {
            for (Connection connection : all) {
                long left = deadline - System.nanoTime();
                if (left <= 0 || !connection.awaitCloseSent(Duration.ofNanos(left))) {
                    break;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        scheduler.shutdownNow();
        if (windowKeeper != null) {
            // not interrupted: a keeping cut off in its write would leave the file behind while counting as kept
            windowKeeper.shutdown();
            try {
                windowKeeper.awaitTermination(patience.toNanos(), TimeUnit.NANOSECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // the windows reconnect to the next process, which must know how far each got and who cancelled
        synchronized (keeping) {
            keptPositions = null;
            keepWindowsNow();
        }
        synchronized (this) {
            feeds.values().forEach(SessionFeed::stop);
            feeds.clear();
        }
    }

    private void beat() {
        long now = System.nanoTime();
        for (Connection connection : connections) {
            try {
                connection.heartbeat(now);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "heartbeat of a socket failed", e);
            }
        }
        ctx.history().forgetUnused();
    }
}
