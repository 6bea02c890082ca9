package org.canvasbatch.adapters.http;

import io.helidon.common.buffers.BufferData;
import io.helidon.common.buffers.DataWriter;
import io.helidon.common.concurrency.limits.Limit;
import io.helidon.common.socket.SocketOptions;
import io.helidon.common.task.InterruptableTask;
import io.helidon.webserver.ConnectionContext;
import io.helidon.webserver.spi.ServerConnection;
import io.helidon.webserver.spi.ServerConnectionSelector;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketAddress;
import java.net.SocketOption;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;

/**
 * Ends the connections that hold a place without asking anything: Helidon 4.5 reads a request for as long as the client
 * takes, so a connection that sends nothing, or stops inside its headers or its body, stayed open for good, and a
 * process holding as many as the connection cap made the server unreachable (the next connections waited in the
 * backlog). Each connection, from its {@code accept} on, must
 *
 * <ul>
 *   <li>finish a request's headers within {@link ConnectionLimits#request()} of arriving, or of its last answer plus
 *       {@link ConnectionLimits#keepAlive()} when it has had one;
 *   <li>finish a request's body within {@link ConnectionLimits#request()} of its headers, plus its declared length at
 *       {@link ConnectionLimits#bodyBytesPerSecond()} (up to the body limit: a chunked body, or one declared larger, is
 *       given the limit's time);
 *   <li>take each write of its answers within {@link ConnectionLimits#request()} plus the write's bytes at
 *       {@link ConnectionLimits#bodyBytesPerSecond()} ({@link #watchingWrites(ConnectionContext)}, for the connections
 *       of the HTTP/1 selector it wraps);
 * </ul>
 *
 * and when the server holds as many connections as its cap, the one that has waited longest for a request is ended to
 * make room for the new one. A WebSocket, once upgraded, is left to the socket channel, which pings it and ends the ones
 * that stop answering; not one upgraded only to be closed 4401 for want of the access token ({@link #socketRefused}).
 *
 * <p>A connection is ended by shutting down its input, never by closing it under Helidon: its reader then meets the end
 * of the stream, which Helidon handles as a client that went away (no log line of its own, the connection closed and
 * its place released), and a body cut off this way is answered 400 by {@link RequestBody}. Answers still go out: a
 * handler slower than a deadline loses only the connection's next request. One whose write is past its deadline has its
 * output shut down too, which wakes the write (Helidon then ends the connection as one whose client went away). The
 * decisions are made under each connection's own lock, so a request that begins as its deadline passes either counts or
 * finds its input ended.
 *
 * <p>A connection that ends after an answer while its client may still be sending a body lingers first
 * ({@link #lingerBeforeClose}), so that the reset its unread bytes would bring does not take the answer with it.
 *
 * <p>Connections are known by their two addresses, which Helidon's accepted channel, a request and an upgrade all show.
 */
public final class ConnectionDeadlines {

    private static final System.Logger LOG = System.getLogger(ConnectionDeadlines.class.getName());

    private static final long FARTHEST_NANOS = TimeUnit.DAYS.toNanos(36_500);

    /**
     * The longest a connection ended after its answer reads what its client still sends ({@link #lingerBeforeClose}):
     * a client on this machine or its network sends the body limit's worth in far less.
     */
    static final Duration LINGER = Duration.ofSeconds(2);

    private static final int LINGER_BUFFER_BYTES = 16 * 1024;

    private final ConnectionLimits limits;
    private final long maxBodyBytes;
    private final int cap;
    private final LongSupplier nanoTime;
    private final RefusalLog refusals;
    private final Map<Ends, Watched> connections = new ConcurrentHashMap<>();
    /** Connections ended at the cap since the sweeper's last look, and the longest any of them had waited. */
    private final AtomicInteger madeRoom = new AtomicInteger();

    private final AtomicLong longestWaitMadeRoom = new AtomicLong();
    private ScheduledExecutorService sweeper;

    /**
     * @param cap at most this many connections at once (the listener's own cap), or 0 or less for none
     */
    ConnectionDeadlines(ConnectionLimits limits, long maxBodyBytes, int cap) {
        this(limits, maxBodyBytes, cap, RefusalLog.unlimited(), System::nanoTime);
    }

    /**
     * @param refusals the server's budget of log lines for what clients do wrong: the lines of connections ended here
     *     are such lines, and spend it as refused requests do
     */
    ConnectionDeadlines(ConnectionLimits limits, long maxBodyBytes, int cap, RefusalLog refusals) {
        this(limits, maxBodyBytes, cap, refusals, System::nanoTime);
    }

    ConnectionDeadlines(
            ConnectionLimits limits, long maxBodyBytes, int cap, RefusalLog refusals, LongSupplier nanoTime) {
        this.limits = limits;
        this.maxBodyBytes = maxBodyBytes;
        this.cap = cap;
        this.refusals = refusals;
        this.nanoTime = nanoTime;
    }

    /** Starts the look at every connection's deadline, a few times within the shortest one. */
    synchronized void start() {
        if (sweeper != null) {
            return;
        }
        long shortest = Math.min(limits.request().toMillis(), limits.keepAlive().toMillis());
        long period = Math.clamp(shortest / 4, 20, 1_000);
        sweeper = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, "canvas-batch connection deadlines");
            thread.setDaemon(true);
            return thread;
        });
        sweeper.scheduleWithFixedDelay(this::sweep, period, period, TimeUnit.MILLISECONDS);
    }

    synchronized void stop() {
        if (sweeper != null) {
            sweeper.shutdownNow();
            sweeper = null;
        }
        logMadeRoom();
        connections.clear();
    }

    /** Helidon's socket options with each accepted connection handed here first. */
    SocketOptions watching(SocketOptions helidon) {
        return new WatchingOptions(helidon, this);
    }

    /** The deadlines of the listener a connection came through, if it has any (a server built without them has none). */
    public static Optional<ConnectionDeadlines> of(ConnectionContext connection) {
        return connection.listenerContext().config().connectionOptions() instanceof WatchingOptions watching
                ? Optional.of(watching.deadlines())
                : Optional.empty();
    }

    /**
     * The connection became a WebSocket: no deadline from here on, unless its upgrade was let through only to be
     * closed at once ({@link #socketRefused}); that one must finish its close within the request deadline.
     */
    public void upgraded(ConnectionContext connection) {
        Watched watched = connections.get(new Ends(
                connection.localPeer().address(), connection.remotePeer().address()));
        if (watched != null) {
            long now = nanoTime.getAsLong();
            synchronized (watched) {
                if (watched.phase == Phase.ENDED) {
                    return;
                }
                if (watched.socketRefused) {
                    watched.phase = Phase.WAITING;
                    watched.since = now;
                    watched.deadline = now + limits.request().toNanos();
                } else {
                    watched.phase = Phase.UPGRADED;
                }
            }
        }
    }

    /**
     * This request's WebSocket upgrade goes through only for the socket to be closed at once (4401, a caller the
     * access token does not admit): it gets no exemption from the deadlines. Exempt, a client that never answered that
     * close kept its connection for good, and anyone who could reach the port, token or not, could hold the connection
     * cap's worth and keep the plugin out.
     */
    void socketRefused(Watched watched) {
        if (watched != null) {
            synchronized (watched) {
                watched.socketRefused = true;
            }
        }
    }

    void accepted(SocketChannel channel) {
        Ends ends;
        try {
            ends = new Ends(channel.getLocalAddress(), channel.getRemoteAddress());
        } catch (IOException e) {
            return; // closed already: Helidon's read finds that out itself
        }
        long now = nanoTime.getAsLong();
        Watched watched = new Watched(channel, now, now + limits.request().toNanos());
        connections.put(ends, watched);
        if (cap > 0 && connections.size() >= cap) {
            makeRoom(watched, now);
        }
    }

    /**
     * A request's headers are in: its body, if it has one, must follow within the request deadline and its length's
     * time; one without a body is answered without a deadline (it reads nothing more).
     *
     * @param declaredBodyBytes the body's declared length, -1 if it is chunked, 0 if it has none
     * @return what {@link #answered} is given when the request is done, or {@code null} for a connection not watched
     */
    Watched requestStarted(SocketAddress local, SocketAddress remote, long declaredBodyBytes) {
        Watched watched = connections.get(new Ends(local, remote));
        if (watched == null) {
            return null;
        }
        long now = nanoTime.getAsLong();
        synchronized (watched) {
            if (watched.phase == Phase.WAITING) {
                watched.requests++;
                // a refusal of an earlier request's upgrade is not this one's
                watched.socketRefused = false;
                if (declaredBodyBytes == 0) {
                    watched.phase = Phase.ANSWERING;
                } else {
                    watched.phase = Phase.READING_BODY;
                    watched.deadline = now + bodyAllowanceNanos(declaredBodyBytes);
                }
                watched.since = now;
            }
        }
        return watched;
    }

    /**
     * How long a body of this declared length (-1: chunked) may take after its headers: the request deadline plus its
     * length at the slowest rate, the length counted up to the body limit only. A larger body is refused whatever it
     * says (after a drain that is only a courtesy), and a declared 9 GB kept a silent connection for 38 hours, beyond
     * the cap's reach (one reading a body is never chosen to make room); 10^18 overflowed the product.
     */
    long bodyAllowanceNanos(long declaredBodyBytes) {
        return allowanceNanos(
                declaredBodyBytes < 0 || declaredBodyBytes > maxBodyBytes ? maxBodyBytes : declaredBodyBytes);
    }

    /** The request deadline plus these bytes at the slowest rate (a century at most). */
    private long allowanceNanos(long bytes) {
        long rate = limits.bodyBytesPerSecond();
        long second = TimeUnit.SECONDS.toNanos(1);
        long bytesNanos;
        try {
            bytesNanos = Math.addExact(
                    Math.multiplyExact(bytes / rate, second), (long) ((double) (bytes % rate) * second / rate));
        } catch (ArithmeticException e) {
            bytesNanos = Long.MAX_VALUE;
        }
        // a deadline so far on never wraps around System.nanoTime's comparison
        return Math.min(bytesNanos, FARTHEST_NANOS) + Math.min(limits.request().toNanos(), FARTHEST_NANOS);
    }

    /** The request is answered: the next must come within the keep-alive deadline. */
    void answered(Watched watched) {
        if (watched == null) {
            return;
        }
        long now = nanoTime.getAsLong();
        synchronized (watched) {
            if (watched.phase == Phase.ANSWERING || watched.phase == Phase.READING_BODY) {
                watched.phase = Phase.WAITING;
                watched.since = now;
                watched.deadline = now + limits.keepAlive().toNanos();
            }
        }
    }

    /**
     * The connection is about to end after its answer with a request body left unread (a refusal's, the dashboard
     * page's): its output is shut down, which ends the answer, and what the client still sends is read and dropped
     * until the client closes its end, up to four times the body limit (twice what Helidon reads of a body) and
     * {@link #LINGER} (or the request deadline, if shorter); then Helidon closes it. Closed at once, the socket held
     * the client's bytes unread, and the system answered them with a reset (RFC 9112 §9.6): the client's write
     * failed, and an answer it had not read yet could be thrown away — Node's {@code fetch} lost 10 of 10 answers to a
     * 1 MB chunked body. The bytes pass through one small buffer, never through Helidon's reader, which holds a chunk
     * whole; and at the connection cap the connection may be ended at once to make room, as one waiting for a request
     * may.
     */
    void lingerBeforeClose(Watched watched) {
        if (watched == null) {
            return;
        }
        long start = nanoTime.getAsLong();
        synchronized (watched) {
            if (watched.phase == Phase.ENDED || watched.phase == Phase.UPGRADED) {
                return;
            }
            watched.phase = Phase.WAITING;
            watched.since = start;
            watched.deadline = start + limits.keepAlive().toNanos();
        }
        long end = start + Math.min(LINGER.toNanos(), limits.request().toNanos());
        long most = maxBodyBytes > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * maxBodyBytes;
        try {
            watched.channel.shutdownOutput();
            Socket socket = watched.channel.socket();
            java.io.InputStream in = socket.getInputStream();
            byte[] dropped = new byte[LINGER_BUFFER_BYTES];
            long total = 0;
            while (total < most) {
                long left = end - nanoTime.getAsLong();
                if (left <= 0) {
                    return;
                }
                socket.setSoTimeout(Math.clamp(TimeUnit.NANOSECONDS.toMillis(left), 1, Integer.MAX_VALUE));
                int read = in.read(dropped, 0, (int) Math.min(dropped.length, most - total));
                if (read < 0) {
                    return;
                }
                total += read;
            }
        } catch (IOException e) {
            // the time is up, the client reset the connection, or its input was ended to make room: it ends now
        }
    }

    /** How many connections are watched now (tests). */
    int watched() {
        return connections.size();
    }

    void sweep() {
        logMadeRoom();
        long now = nanoTime.getAsLong();
        int silent = 0;
        int slowBodies = 0;
        int unreadAnswers = 0;
        for (Map.Entry<Ends, Watched> entry : connections.entrySet()) {
            Watched watched = entry.getValue();
            if (!watched.channel.isOpen()) {
                connections.remove(entry.getKey(), watched);
                continue;
            }
            Phase ended = watched.endIfPast(now);
            if (ended == null) {
                continue;
            }
            // (kept until its channel closes: a write it starts after its input ended still has a deadline)
            if (ended == Phase.ANSWERING) {
                unreadAnswers++;
            } else if (ended == Phase.READING_BODY) {
                slowBodies++;
            } else if (watched.requests == 0) {
                silent++;
            }
        }
        if (silent > 0 || slowBodies > 0 || unreadAnswers > 0) {
            int endedSilent = silent;
            int endedInBody = slowBodies;
            int endedUnread = unreadAnswers;
            refusals.refused(
                    LOG,
                    () -> "Ended " + connections(endedSilent + endedInBody + endedUnread)
                            + " that did not finish a request in time: " + endedSilent
                            + " sent no complete request within " + seconds(limits.request()) + ", " + endedInBody
                            + " stopped inside a request body"
                            + (endedUnread == 0 ? "" : ", " + endedUnread + " stopped reading its answers"));
        }
    }

    /**
     * Helidon's HTTP/1 connections, each with its writes watched ({@link #watchingWrites(ConnectionContext)}) and a
     * lingering end after an answer of Helidon's own ({@link LingeringEnd}).
     */
    public static ServerConnectionSelector watchingWrites(ServerConnectionSelector helidon) {
        return new WritesWatchingSelector(helidon);
    }

    /**
     * The connection's context with its writes watched: one that waits longer than the request deadline plus its bytes
     * at {@link ConnectionLimits#bodyBytesPerSecond()} for the client to take them ends the connection (both ways, which
     * wakes the write). Helidon 4.5 writes with no deadline, and a client that asked (many pipelined requests, or one
     * large answer) and read nothing held its connection, its thread and the answer's bytes for good: a process holding
     * the connection cap's worth of them made the server unreachable, and none was ever chosen to make room. A
     * WebSocket's writes are left to the channel, which cuts off a client that stops reading.
     */
    ConnectionContext watchingWrites(ConnectionContext connection) {
        Watched watched = connections.get(new Ends(
                connection.localPeer().address(), connection.remotePeer().address()));
        return watched == null ? connection : new WritesWatched(connection, this, watched);
    }

    /** How long a write of this many bytes may wait for the client to take them. */
    long answerAllowanceNanos(long bytes) {
        return allowanceNanos(bytes);
    }

    /**
     * The server holds as many connections as it may: the one that has waited longest for a request makes room, since
     * the listener accepts no other until one ends. One that is reading a body, being answered or writing is never
     * chosen. Connections ended but still writing (their client reads nothing) hold their place until their write's
     * deadline: they are counted.
     */
    private void makeRoom(Watched arrived, long now) {
        connections.entrySet().removeIf(entry -> !entry.getValue().channel.isOpen());
        int holding = 0;
        Map.Entry<Ends, Watched> longest = null;
        for (Map.Entry<Ends, Watched> entry : connections.entrySet()) {
            Watched candidate = entry.getValue();
            if (candidate.holdsAPlace()) {
                holding++;
            }
            if (candidate != arrived
                    && candidate.phase == Phase.WAITING
                    && !candidate.writing
                    && (longest == null || candidate.since < longest.getValue().since)) {
                longest = entry;
            }
        }
        if (holding < cap) {
            return;
        }
        if (longest != null && longest.getValue().endIfWaiting()) {
            // told by the next look, once for all since the last: a process that kept opening connections at the cap
            // made one line each, 18 000 in 10 s
            madeRoom.incrementAndGet();
            longestWaitMadeRoom.accumulateAndGet(now - longest.getValue().since, Math::max);
        }
    }

    /** The line for the connections ended at the cap since the last look, if any. */
    private void logMadeRoom() {
        int ended = madeRoom.getAndSet(0);
        if (ended == 0) {
            return;
        }
        long longestWait = longestWaitMadeRoom.getAndSet(0);
        refusals.refused(
                LOG,
                () -> "The server holds " + cap + " connections, as many as it may: ended "
                        + (ended == 1 ? "the one that had" : ended + " that had each")
                        + " waited longest for a request (at most " + TimeUnit.NANOSECONDS.toMillis(longestWait)
                        + " ms), to answer " + (ended == 1 ? "a new one" : "new ones"));
    }

    private static String connections(int count) {
        return count == 1 ? "1 connection" : count + " connections";
    }

    private static String seconds(Duration duration) {
        long millis = duration.toMillis();
        return millis % 1000 == 0 ? millis / 1000 + " s" : millis + " ms";
    }

    private record Ends(SocketAddress local, SocketAddress remote) {}

    private enum Phase {
        /** For a request's headers: the first, or the next on a kept-alive connection. */
        WAITING,
        READING_BODY,
        /** A request without a body is being answered: nothing more is read until then. */
        ANSWERING,
        UPGRADED,
        ENDED
    }

    static final class Watched {
        private final SocketChannel channel;
        private volatile Phase phase = Phase.WAITING;
        private volatile long since;
        private long deadline;
        private volatile int requests;
        private boolean socketRefused;
        /** A write is under way, to be done by {@link #writeDeadline}. */
        private volatile boolean writing;

        private long writeDeadline;

        private boolean outputEnded;

        private Watched(SocketChannel channel, long since, long deadline) {
            this.channel = channel;
            this.since = since;
            this.deadline = deadline;
        }

        /**
         * @return the phase it was ended in ({@link Phase#ANSWERING} for a write the client did not take in time), or
         *     {@code null} if no deadline of its has passed (or it has none)
         */
        synchronized Phase endIfPast(long now) {
            if (writing && phase != Phase.UPGRADED && !outputEnded && now - writeDeadline >= 0) {
                phase = Phase.ENDED;
                outputEnded = true;
                try {
                    // wakes the write; the input too, for a reader that waits beside it
                    channel.shutdownOutput();
                } catch (IOException e) {
                    // closed meanwhile
                }
                end();
                return Phase.ANSWERING;
            }
            if ((phase != Phase.WAITING && phase != Phase.READING_BODY) || now - deadline < 0) {
                return null;
            }
            Phase was = phase;
            end();
            return was;
        }

        /**
         * The request's body is read: what remains is the handler's work and the answer (the single-agent route waits
         * for the model), which no body deadline may cut, as it did every such call over 20 s, logging the client as
         * one that stopped inside its body.
         */
        synchronized void bodyRead() {
            if (phase == Phase.READING_BODY) {
                phase = Phase.ANSWERING;
            }
        }

        synchronized void writing(long deadline) {
            writing = true;
            writeDeadline = deadline;
        }

        synchronized void written() {
            writing = false;
        }

        /** Not ended, or ended but still writing (a client that does not read): its connection is not going away. */
        synchronized boolean holdsAPlace() {
            return phase != Phase.ENDED || writing;
        }

        synchronized boolean endIfWaiting() {
            if (phase != Phase.WAITING || writing) {
                return false;
            }
            end();
            return true;
        }

        private void end() {
            phase = Phase.ENDED;
            try {
                channel.shutdownInput();
            } catch (IOException e) {
                // closed meanwhile: nothing left to end
            }
        }
    }

    /** Helidon's HTTP/1 selector, the connections it makes given their context with its writes watched. */
    private record WritesWatchingSelector(ServerConnectionSelector helidon) implements ServerConnectionSelector {

        @Override
        public int bytesToIdentifyConnection() {
            return helidon.bytesToIdentifyConnection();
        }

        @Override
        public Support supports(BufferData request) {
            return helidon.supports(request);
        }

        @Override
        public Set<String> supportedApplicationProtocols() {
            return helidon.supportedApplicationProtocols();
        }

        @Override
        public ServerConnection connection(ConnectionContext ctx) {
            ConnectionDeadlines deadlines = of(ctx).orElse(null);
            if (deadlines == null) {
                return helidon.connection(ctx);
            }
            ServerConnection connection = helidon.connection(deadlines.watchingWrites(ctx));
            Watched watched = deadlines.connections.get(
                    new Ends(ctx.localPeer().address(), ctx.remotePeer().address()));
            return connection == null || watched == null
                    ? connection
                    : new LingeringEnd(connection, deadlines, watched);
        }
    }

    /**
     * Helidon's HTTP/1 connection, which lingers ({@link #lingerBeforeClose}) when Helidon ends it after an answer of
     * its own: a request it refuses before any route runs (a length declared past its payload limit, a header it cannot
     * parse) is answered and the connection closed at once, with that request's body still arriving, and a client that
     * writes its body before it reads met a reset instead of the answer (Node's {@code fetch} lost 9 of 10 such 422s
     * for a declared 20 MiB).
     */
    private static final class LingeringEnd implements ServerConnection, InterruptableTask<Void> {
        private final ServerConnection helidon;
        private final ConnectionDeadlines deadlines;
        private final Watched watched;
        private volatile boolean closing;

        LingeringEnd(ServerConnection helidon, ConnectionDeadlines deadlines, Watched watched) {
            this.helidon = helidon;
            this.deadlines = deadlines;
            this.watched = watched;
        }

        @Override
        public void handle(Limit limit) throws InterruptedException {
            helidon.handle(limit);
            // Helidon returns once it has answered a request it refused, or when its WebSocket ended or it was closed
            // (neither lingers); it throws when the client went away, or when the edge ended the connection, which
            // lingers itself
            if (!closing) {
                deadlines.lingerBeforeClose(watched);
            }
        }

        @Override
        public Duration idleTime() {
            return helidon.idleTime();
        }

        @Override
        public void close(boolean interrupt) {
            closing = true;
            helidon.close(interrupt);
        }

        @Override
        public boolean canInterrupt() {
            return helidon instanceof InterruptableTask<?> task && task.canInterrupt();
        }
    }

    /** A connection's context, the same in everything but its writer, whose every write has a deadline. */
    private static final class WritesWatched extends ForwardingConnectionContext {
        private final ConnectionDeadlines deadlines;
        private final Watched watched;
        private DataWriter writer;

        WritesWatched(ConnectionContext delegate, ConnectionDeadlines deadlines, Watched watched) {
            super(delegate);
            this.deadlines = deadlines;
            this.watched = watched;
        }

        @Override
        public synchronized DataWriter dataWriter() {
            if (writer == null) {
                writer = new TimedWriter(delegate.dataWriter(), deadlines, watched);
            }
            return writer;
        }
    }

    /** Helidon's writer, each write marked with the time its bytes may take. */
    private record TimedWriter(DataWriter helidon, ConnectionDeadlines deadlines, Watched watched)
            implements DataWriter {

        @Override
        public void write(BufferData... buffers) {
            if (watched.phase == Phase.UPGRADED) {
                // a WebSocket's writes are the channel's to watch: nothing added to each frame
                helidon.write(buffers);
                return;
            }
            start(buffers);
            try {
                helidon.write(buffers);
            } finally {
                watched.written();
            }
        }

        @Override
        public void write(BufferData buffer) {
            if (watched.phase == Phase.UPGRADED) {
                helidon.write(buffer);
                return;
            }
            start(buffer.available());
            try {
                helidon.write(buffer);
            } finally {
                watched.written();
            }
        }

        @Override
        public void writeNow(BufferData... buffers) {
            if (watched.phase == Phase.UPGRADED) {
                helidon.writeNow(buffers);
                return;
            }
            start(buffers);
            try {
                helidon.writeNow(buffers);
            } finally {
                watched.written();
            }
        }

        @Override
        public void writeNow(BufferData buffer) {
            if (watched.phase == Phase.UPGRADED) {
                helidon.writeNow(buffer);
                return;
            }
            start(buffer.available());
            try {
                helidon.writeNow(buffer);
            } finally {
                watched.written();
            }
        }

        @Override
        public void flush() {
            if (watched.phase == Phase.UPGRADED) {
                helidon.flush();
                return;
            }
            start(0);
            try {
                helidon.flush();
            } finally {
                watched.written();
            }
        }

        @Override
        public void close() {
            helidon.close();
        }

        private void start(BufferData... buffers) {
            long bytes = 0;
            for (BufferData buffer : buffers) {
                bytes += buffer.available();
            }
            start(bytes);
        }

        private void start(long bytes) {
            watched.writing(deadlines.nanoTime.getAsLong() + deadlines.answerAllowanceNanos(bytes));
        }
    }

    /** Helidon's socket options, each accepted connection watched from its first moment. */
    private record WatchingOptions(SocketOptions helidon, ConnectionDeadlines deadlines) implements SocketOptions {

        @Override
        public void configureSocket(SocketChannel channel) {
            helidon.configureSocket(channel);
            deadlines.accepted(channel);
        }

        @Override
        public void configureSocket(Socket socket) {
            helidon.configureSocket(socket);
        }

        @Override
        public Map<SocketOption<?>, Object> socketOptions() {
            return helidon.socketOptions();
        }

        @Override
        public Duration connectTimeout() {
            return helidon.connectTimeout();
        }

        @Override
        public Duration readTimeout() {
            return helidon.readTimeout();
        }

        @Override
        public Optional<Integer> socketReceiveBufferSize() {
            return helidon.socketReceiveBufferSize();
        }

        @Override
        public Optional<Integer> socketSendBufferSize() {
            return helidon.socketSendBufferSize();
        }

        @Override
        public boolean socketReuseAddress() {
            return helidon.socketReuseAddress();
        }

        @Override
        public boolean socketKeepAlive() {
            return helidon.socketKeepAlive();
        }

        @Override
        public boolean tcpNoDelay() {
            return helidon.tcpNoDelay();
        }
    }
}
