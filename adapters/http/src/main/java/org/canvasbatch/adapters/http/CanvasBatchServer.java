package org.canvasbatch.adapters.http;

import io.helidon.common.Weighted;
import io.helidon.webserver.WebServer;
import io.helidon.webserver.WebServerConfig;
import io.helidon.webserver.http.HttpFeature;
import io.helidon.webserver.http.HttpRouting;
import java.lang.System.Logger.Level;
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
        EdgeFilter edge = new EdgeFilter(
                new OriginPolicy(settings.allowedOrigins()),
                new HostPolicy(settings.host(), settings.allowedHosts()),
                settings.accessToken());
        HttpRouting.Builder routing = HttpRouting.builder().addFeature(new First(edge));
        PluginCancels pluginCancels = settings.extensions().stream()
                .flatMap(extension -> extension.pluginCancels().stream())
                .findFirst()
                .orElseGet(PluginCancels::new);
        RestApi.register(routing, useCases, settings, clock, new SocketUrls(this::authority), pluginCancels);
        settings.extensions().forEach(extension -> extension.route(routing));
        RestApi.registerFallback(routing);

        WebServerConfig.Builder config = WebServer.builder()
                .host(settings.host())
                .port(settings.port())
                .shutdownHook(false)
                .featuresDiscoverServices(false)
                .shutdownGracePeriod(settings.shutdownGrace())
                // Helidon's own answers to malformed requests: our envelope, its words (escaped JSON), one log line
                .directHandlers(MalformedRequests.handlers())
                .errorHandling(errors -> errors.includeEntity(true))
                .routing(routing);
        settings.extensions().forEach(extension -> extension.configure(config));
        server = config.build().start();
        LOG.log(Level.INFO, "canvas-batch HTTP API listening on http://" + authority());
        return this;
    }

    /** The port actually bound (the chosen one when the settings said 0). */
    public synchronized int port() {
        if (server == null) {
            throw new IllegalStateException("the server is not started");
        }
        return server.port();
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

    private String authority() {
        String host = settings.host().contains(":") ? "[" + settings.host() + "]" : settings.host();
        return host + ":" + (server == null ? settings.port() : server.port());
    }
}
