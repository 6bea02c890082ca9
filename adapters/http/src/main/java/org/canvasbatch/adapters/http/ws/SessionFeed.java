package org.canvasbatch.adapters.http.ws;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.LinkedBlockingQueue;
import org.canvasbatch.adapters.http.wire.EventMessages;
import org.canvasbatch.adapters.http.wire.EventMessages.Envelope;
import org.canvasbatch.application.port.in.StorageProblem;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.Registration;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.SessionSubscription;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionProgress;

/**
 * The live events of one session, for every socket watching it: one subscription to the core, the session's progress
 * (the core's read model, taken from the subscription's snapshot and folded event by event here), and each event
 * rendered and serialised once, then offered to every member's queue. The core's listener only hands the
 * event over; the rendering happens on the feed's own virtual thread, and offering never blocks, so neither the batch
 * nor the other sockets wait for a slow one.
 */
final class SessionFeed {

    private static final System.Logger LOG = System.getLogger(SessionFeed.class.getName());

    private final SessionId id;
    private final ChannelContext ctx;
    /** Session events, and storage problems (transient notices, not events) in the order they came. */
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();

    private final Set<Connection> members = new LinkedHashSet<>();
    private final SessionProgress progress;
    private final SessionSubscription subscription;
    private final Registration storageNotices;
    private final Thread thread;
    private long published;
    private volatile int running;
    private volatile boolean stopped;

    private SessionFeed(SessionId id, ChannelContext ctx) {
        this.id = id;
        this.ctx = ctx;
        // subscribe first: the snapshot then tells exactly where the live events start
        this.storageNotices = ctx.useCases().subscriptions().onStorageProblem(id, inbox::add);
        this.subscription = ctx.useCases().subscriptions().subscribe(id, inbox::add);
        this.progress = subscription.snapshot().progress();
        this.published = progress.lastSeq();
        this.running = progress.running();
        this.thread = DeliveryThreads.builder().name("ws-feed-" + id.value()).unstarted(this::run);
    }

    /** @throws org.canvasbatch.application.port.in.SessionNotFoundException for an unknown session */
    static SessionFeed open(SessionId id, ChannelContext ctx) {
        SessionFeed feed = new SessionFeed(id, ctx);
        feed.thread.start();
        return feed;
    }

    String epoch() {
        return subscription.epoch();
    }

    /** Adds a member; it is offered every event after the returned seq. */
    synchronized long join(Connection connection) {
        members.add(connection);
        return published;
    }

    /** Removes a member; true when none is left. */
    synchronized boolean leave(Connection connection) {
        members.remove(connection);
        return members.isEmpty();
    }

    /** Agent calls of the session in flight as of the latest event: a session with one is never idle. */
    int running() {
        return running;
    }

    void stop() {
        stopped = true;
        subscription.close();
        storageNotices.close();
        thread.interrupt();
    }

    private void run() {
        try {
            while (!stopped) {
                Object next = inbox.take();
                if (next instanceof StorageProblem problem) {
                    tellMembers(problem);
                    continue;
                }
                SessionEvent event = (SessionEvent) next;
                List<Outgoing.Message> messages = render(event);
                synchronized (this) {
                    published = event.seq();
                    for (Connection member : List.copyOf(members)) {
                        member.deliver(messages);
                    }
                }
                // only now that every member has the event as its latest activity: the heartbeat closes a socket as
                // idle when no task runs and nothing came for a while, and the last task's end must not look like both
                running = progress.running();
            }
        } catch (InterruptedException e) {
            // stopped: the last socket left
        }
    }

    /**
     * The journal refuses this session's events: every socket gets a recoverable {@code error} saying so. It is a notice,
     * not an event: it carries the newest seq each socket has, and is never replayed.
     */
    private synchronized void tellMembers(StorageProblem problem) {
        for (Connection member : List.copyOf(members)) {
            member.reply(seq ->
                    EventMessages.storageProblem(id, seq, problem, ctx.clock().now()));
        }
    }

    private List<Outgoing.Message> render(SessionEvent event) {
        try {
            List<Envelope> envelopes = EventMessages.of(event, progress);
            List<Outgoing.Message> messages = new ArrayList<>(envelopes.size());
            envelopes.forEach(e -> messages.add(Outgoing.Message.of(e)));
            return messages;
        } catch (RuntimeException e) {
            // a rendering bug is logged and the event skipped, rather than stopping every socket of the session
            LOG.log(
                    System.Logger.Level.ERROR,
                    "event " + event.seq() + " of session " + id + " could not be rendered",
                    e);
            return List.of();
        }
    }
}
