package org.canvasbatch.adapters.http;

import io.helidon.common.Weighted;
import io.helidon.common.socket.SocketOptions;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import java.io.IOException;
import java.lang.System.Logger.Level;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.time.Instant;
import org.canvasbatch.adapters.http.wire.PluginCancels;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.Clock;

/**
 * The HTTP face of the core's {@link UseCases}: the REST API of CONTRACT §2 on a Helidon SE web server, plus whatever
 * {@link ServerExtension}s attach to it (the WebSocket channel, the dashboard, health and metrics). Nothing slow happens
 * at start: no
 * service discovery of server features, no I/O beyond binding the port.
 */
public final class CanvasBatchServer {

    private static final System.Logger LOG = System.getLogger(CanvasBatchServer.class.getName());

    private final UseCases useCases;
    private final ServerSettings settings;
    private final Clock clock;
    private volatile WebServer server;
    private ConnectionDeadlines deadlines;
    private RefusalLog refusals;

    public CanvasBatchServer(UseCases useCases, ServerSettings settings) {
        this(useCases, settings, Instant::now);
    }

    /** @param clock the time elapsed times are measured against; the same clock the core uses */
    public CanvasBatchServer(UseCases useCases, ServerSettings settings, Clock clock) {
        this.useCases = useCases;
        this.settings = settings;
        this.clock = clock;
    }

    /** Binds the port and starts answering; returns at once. */
    public synchronized CanvasBatchServer start() {
        if (server != null) {
            throw new IllegalStateException("the server is already started");
        }
        int cap = settings.connectionLimits().maxConnections() > 0
                ? settings.connectionLimits().maxConnections()
                : maxConnections();
        RefusalLog refusals = RefusalLog.standard();
        ConnectionDeadlines watch =
                new ConnectionDeadlines(settings.connectionLimits(), settings.maxBodyBytes(), cap, refusals);
        OriginPolicy origins = new OriginPolicy(settings.allowedOrigins());
        EdgeFilter edge = new EdgeFilter(
                origins,
                new HostPolicy(settings.host(), settings.allowedHosts()),
                settings.accessToken(),
                watch,
                refusals);
        HttpRouting.Builder routing = HttpRouting.builder().addFeature(new First(edge));
        PluginCancels pluginCancels = settings.extensions().stream()
                .flatMap(extension -> extension.pluginCancels().stream())
                .findFirst()
                .orElseGet(PluginCancels::new);
        org.canvasbatch.adapters.http.wire.PluginPolls pluginPolls = settings.extensions().stream()
                .flatMap(extension -> extension.pluginPolls().stream())
                .findFirst()
                .orElseGet(org.canvasbatch.adapters.http.wire.PluginPolls::new);
        RestApi.register(
                routing, useCases, settings, clock, new SocketUrls(this::authority), pluginCancels, pluginPolls);
        settings.extensions().forEach(extension -> extension.route(routing));
        RestApi.registerFallback(routing);

        WebServerConfig.Builder config = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .shutdownGracePeriod(settings.shutdownGrace())
                .maxTcpConnections(cap)
                .connectionOptions(watch.watching(SocketOptions.create()))
                // Helidon's own answers to malformed requests: our envelope, its words (escaped JSON), one log line
                .directHandlers(MalformedRequests.handlers(refusals, settings.maxBodyBytes(), origins))
                // Helidon holds a chunk whole as it reads it: past this, a chunk is refused as it is declared
                .maxPayloadSize(RequestBody.payloadLimit(settings.maxBodyBytes()))
                // what Helidon's HTTP/1.1 selector leaves (HTTP/1.0, a bare LF, a request line past its limit) would
                // be closed without a byte and without a log line
                .addConnectionSelector(new NotHttp11(refusals))
                .errorHandling(errors -> errors.includeEntity(true))
                .routing(routing);
        settings.extensions().forEach(extension -> extension.configure(config));
        refuseAnAddressItCannotListenOn(settings.host(), settings.port());
        WebServer started = config.build().start();
        if (!started.isRunning()) {
            // Helidon logs why and returns a server that is not listening: taken between the check and the bind
            throw new CannotListenException("the web server did not start (its log says why)");
        }
        server = started;
        deadlines = watch;
        this.refusals = refusals;
        watch.start();
        LOG.log(Level.INFO, "canvas-batch HTTP API listening on http://" + authority());
        return this;
    }

    /**
     * Helidon, given an address it cannot bind (a port another program holds, a second {@code serve}), logs a stack
     * trace and returns a server that listens nowhere: the reason is asked of the system first, in one line. A
     * command that starts a server asks before it touches anything else (its data folder may be another server's).
     *
     * @throws CannotListenException if nothing could listen there now
     */
    public static void refuseAnAddressItCannotListenOn(String host, int port) {
        if (port == 0) {
            return;
        }
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (address.isUnresolved()) {
            throw new CannotListenException("no address is known for the host " + host);
        }
        // a ServerSocket binds as a listener does on each system (on Linux and macOS, past a stopped server's
        // connections that are still closing)
        try (ServerSocket probe = new ServerSocket()) {
            probe.bind(address);
        } catch (IOException e) {
            throw new CannotListenException(
                    e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage(), e);
        }
    }

    /** The server could not listen on the address its settings give; the message says why, in the system's words. */
    public static final class CannotListenException extends IllegalStateException {

        CannotListenException(String reason) {
            super(reason);
        }

        CannotListenException(String reason, Throwable cause) {
            super(reason, cause);
        }
    }

    /** The port actually bound (the chosen one when the settings said 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the server is not started");
        }
        return server.port();
    }

    /** How many connections the server has open now, as its deadlines watch them (tests). */
    synchronized int openConnections() {
        return deadlines == null ? 0 : deadlines.watched();
    }

    public synchronized boolean isRunning() {
        return server != null && server.isRunning();
    }

    /** Lets extensions say goodbye, then stops accepting and lets requests in flight finish within the grace period. */
    public synchronized void stop() {
        if (server == null) {
            return;
        }
        for (ServerExtension extension : settings.extensions()) {
            try {
                extension.beforeStop();
            } catch (RuntimeException e) {
                LOG.log(Level.WARNING, "an extension failed while the server was stopping", e);
            }
        }
        server.stop();
        server = null;
        deadlines.stop();
        refusals.flush();
        LOG.log(Level.INFO, "canvas-batch HTTP API stopped");
    }

    /**
     * The edge filter as the heaviest feature, so that it runs before the filters and routes of every other feature
     * (Helidon's observe and static content features register their own, above the API's routes).
     */
    private record First(EdgeFilter edge) implements HttpFeature, Weighted {
        @Override
        public void setup(HttpRouting.Builder routing) {
            routing.addFilter(edge);
        }

        @Override
        public double weight() {
            return 10_000;
        }
    }

    /**
     * At most this many connections at once: fewer than the file descriptors this process has left, with a quarter
     * (at least 64) kept for the journal, the vault and the model server. Helidon 4.5's listener stops for good when
     * {@code accept} meets "Too many open files" (the process lives on, deaf to the plugin until restarted), so a local
     * process that opens connections until the limit would otherwise take the server away for good; at this cap the
     * next connection waits in the backlog until one closes, and the server answers again once they are gone.
     * Unlimited where the platform says nothing of file descriptors (Windows).
     */
    static int maxConnections() {
        if (java.lang.management.ManagementFactory.getOperatingSystemMXBean()
                instanceof com.sun.management.UnixOperatingSystemMXBean unix) {
            long max = unix.getMaxFileDescriptorCount();
            long free = max - unix.getOpenFileDescriptorCount();
            long cap = free - Math.max(64, max / 4);
            return (int) Math.clamp(cap, 16, Integer.MAX_VALUE);
        }
        return -1;
    }

    private String authority() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return host + ":" + (server == null ? settings.port() : server.port());
    }
}
