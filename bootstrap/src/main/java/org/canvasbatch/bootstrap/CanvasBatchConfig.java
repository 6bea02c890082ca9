package org.canvasbatch.bootstrap;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.AgentConfig.Provider;
import org.canvasbatch.adapters.agents.Agents;
import org.canvasbatch.adapters.agents.EmbeddingConfig;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.bootstrap.ConfigLayers.CliValue;
import org.canvasbatch.domain.session.SessionSettings;

/**
 * Every setting of a {@code run} or {@code serve}, read from the command line, the environment, a {@code --config} file
 * and the built-in {@code canvas-batch.yaml} (in that order of strength), and checked all at once: {@link #load} either
 * returns settings that are all usable, or throws one {@link UsageException} listing every wrong value.
 * The keys and their meaning are documented in {@code canvas-batch.yaml}.
 */
record CanvasBatchConfig(
        Server server,
        AccessToken token,
        Path vault,
        boolean vaultExplicit,
        String data,
        Batch batch,
        Retention retention,
        WebSocket websocket,
        AgentConfig agent,
        EmbeddingConfig embeddings,
        WriteBack writeBack) {

    /** Which command reads the settings: {@code serve} also needs a usable listener. */
    enum Command {
        RUN,
        SERVE
    }

    record Server(String host, int port, List<String> corsOrigins, List<String> allowedHosts, Duration shutdownGrace) {}

    record Batch(
            int globalConcurrency,
            int perSessionConcurrency,
            Duration nodeTimeout,
            Duration timeout,
            int attempts,
            Duration backoffBase,
            Duration backoffCap) {}

    record Retention(Duration pendingExpiry, Duration terminal, int pendingMax, int pendingMaxPerClient) {}

    record WebSocket(Duration pingInterval, Duration idleTimeout, int queueCapacity, int maxFrameBytes) {}

    record WriteBack(boolean enabled, Duration coalesceInterval, boolean labelNodes) {}

    /**
     * @param cli  settings given as options, by key
     * @param file the {@code --config} file, if any
     * @param env  the environment (settings, API keys)
     * @param err  where warnings go (an unknown {@code CANVASBATCH_} variable)
     * @throws UsageException listing every wrong value, one per line
     */
    static CanvasBatchConfig load(
            Command command, Map<String, CliValue> cli, Optional<Path> file, Map<String, String> env, PrintStream err) {
        ConfigLayers layers = ConfigLayers.load(cli, file, env);
        layers.warnings().forEach(w -> err.println("canvas-batch: warning: " + w));
        SettingsReader read = new SettingsReader(layers);

        Server server = new Server(
                read.text("server.host"),
                read.whole("server.port", 0, 65_535),
                read.list("server.cors-origins"),
                read.list("server.allowed-hosts"),
                read.duration("server.shutdown-grace", Duration.ZERO, Duration.ofMinutes(10)));
        if (server.host().isEmpty()) {
            read.problem("server.host", "must name an interface such as 127.0.0.1 or 0.0.0.0");
        }
        try {
            ServerSettings.DEFAULT.withAllowedOrigins(server.corsOrigins());
        } catch (IllegalArgumentException e) {
            read.problem("server.cors-origins", "has a wrong entry: " + e.getMessage());
        }
        try {
            ServerSettings.DEFAULT.withAllowedHosts(server.allowedHosts());
        } catch (IllegalArgumentException e) {
            read.problem("server.allowed-hosts", "has a wrong entry: " + e.getMessage());
        }
        AccessToken token = token(read);
        if (command == Command.SERVE
                && !token.required()
                && read.isValid("token")
                && !AccessToken.isLoopback(server.host())) {
            read.problem("listening on " + server.host() + " (" + read.subject("server.host") + ") lets other"
                    + " machines reach the server, so it needs an access token: set --token or CANVASBATCH_TOKEN"
                    + " (at least " + AccessToken.MIN_LENGTH + " characters, e.g. from 'openssl rand -hex 16'),"
                    + " or listen on 127.0.0.1");
        }

        Path vault = path(read.text("vault"), env);
        boolean vaultExplicit = read.isExplicit("vault");
        if (command == Command.SERVE && !Files.isDirectory(vault)) {
            read.problem("vault", vault + " is not a folder");
        }
        String data = read.text("data");
        if (data.isEmpty()) {
            read.problem("data", "must be a folder for the journal, or memory");
        } else if (!data.equals("memory")) {
            Path dataDir = path(data, env);
            data = dataDir.toString();
            if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
                read.problem("data", dataDir + " is a file, not a folder");
            }
        }

        // per-session first: run's --concurrency sets both, and its mistake is best said with the tighter range
        int perSession = read.whole("batch.concurrency.per-session", 1, 50);
        int global = read.whole("batch.concurrency.global", 1, 200);
        Duration backoffBase = read.duration("batch.retries.backoff-base", Duration.ofMillis(1), Duration.ofMinutes(1));
        Duration backoffCap = read.duration("batch.retries.backoff-cap", Duration.ofMillis(1), Duration.ofMinutes(10));
        if (read.isValid("batch.retries.backoff-base")
                && read.isValid("batch.retries.backoff-cap")
                && backoffCap.compareTo(backoffBase) < 0) {
            read.problem(
                    "batch.retries.backoff-cap",
                    "must be at least the backoff base (" + SettingsReader.format(backoffBase) + "), not "
                            + SettingsReader.format(backoffCap));
        }
        Batch batch = new Batch(
                global,
                perSession,
                read.duration("batch.node-timeout", Duration.ofSeconds(1), Duration.ofHours(1)),
                read.duration("batch.timeout", Duration.ofMinutes(1), Duration.ofHours(24)),
                read.whole("batch.retries.attempts", 1, 10),
                backoffBase,
                backoffCap);
        Retention retention = new Retention(
                read.duration("retention.pending-expiry", Duration.ofSeconds(1), Duration.ofDays(30)),
                read.duration("retention.terminal", Duration.ofSeconds(1), Duration.ofDays(30)),
                read.whole("retention.pending-max", 1, 100_000),
                read.whole("retention.pending-max-per-client", 1, 100_000));
        WebSocket websocket = new WebSocket(
                // pongs are what keep a quiet socket inside Helidon's 5-minute connection idle timeout
                read.duration("websocket.ping-interval", Duration.ofSeconds(1), Duration.ofMinutes(2)),
                read.duration("websocket.idle-timeout", Duration.ofSeconds(10), Duration.ofHours(24)),
                read.whole("websocket.queue-capacity", 16, 1_000_000),
                read.size("websocket.max-frame", 1024, 1024 * 1024));
        AgentConfig agent = agent(read, env);
        EmbeddingConfig embeddings = embeddings(read, env, agent);
        WriteBack writeBack = new WriteBack(
                read.flag("write-back.enabled"),
                read.duration("write-back.coalesce-interval", Duration.ZERO, Duration.ofMinutes(1)),
                read.flag("write-back.label-nodes"));

        List<String> problems = read.problems();
        if (!problems.isEmpty()) {
            throw new UsageException(
                    problems.size() == 1
                            ? problems.getFirst()
                            : problems.size() + " settings are wrong:\n"
                                    + problems.stream().map(p -> "  - " + p).collect(Collectors.joining("\n")));
        }
        return new CanvasBatchConfig(
                server, token, vault, vaultExplicit, data, batch, retention, websocket, agent, embeddings, writeBack);
    }

    /** The core's knobs: limits, timeouts, retries and retention. */
    CoreSettings coreSettings() {
        SessionSettings sessions = new SessionSettings(
                batch.perSessionConcurrency(), batch.timeout(), batch.nodeTimeout(), batch.attempts());
        return CoreSettings.DEFAULT
                .withGlobalConcurrency(batch.globalConcurrency())
                .withSessionDefaults(sessions)
                .withRetryBackoff(batch.backoffBase(), batch.backoffCap())
                .withRetention(retention.pendingExpiry(), retention.terminal())
                .withPendingLimits(retention.pendingMax(), retention.pendingMaxPerClient());
    }

    VaultOptions vaultOptions() {
        return VaultOptions.defaults()
                .withWriteBack(writeBack.enabled())
                .withCoalesceInterval(writeBack.coalesceInterval())
                .withLabelNodes(writeBack.labelNodes());
    }

    WsSettings wsSettings() {
        WsSettings d = WsSettings.DEFAULT;
        return new WsSettings(
                websocket.pingInterval(),
                d.missedPongLimit(),
                websocket.idleTimeout(),
                websocket.queueCapacity(),
                websocket.maxFrameBytes(),
                d.badFrameLimit(),
                d.badFrameWindow(),
                d.closeGrace(),
                d.replayPageSize());
    }

    /** The listener; the token first, since a host beyond loopback is refused without one. */
    ServerSettings serverSettings() {
        return ServerSettings.DEFAULT
                .withAccessToken(token)
                .withHost(server.host())
                .withPort(server.port())
                .withAllowedOrigins(server.corsOrigins())
                .withAllowedHosts(server.allowedHosts())
                .withShutdownGrace(server.shutdownGrace());
    }

    private static AccessToken token(SettingsReader read) {
        String secret = read.text("token");
        if (secret.isEmpty()) {
            return AccessToken.none();
        }
        String problem = AccessToken.problemWith(secret);
        if (problem != null) {
            read.problem("token", "is not usable: " + problem);
            return AccessToken.none();
        }
        return AccessToken.of(secret);
    }

    private static AgentConfig agent(SettingsReader read, Map<String, String> env) {
        Provider provider;
        try {
            provider = Provider.parse(read.text("agent.provider"));
        } catch (IllegalArgumentException e) {
            read.problem("agent.provider", "is wrong: " + e.getMessage());
            provider = Provider.OFFLINE;
        }
        AgentConfig config = AgentConfig.offline()
                .withProvider(provider)
                .withModel(read.text("agent.model"))
                .withBaseUrl(read.text("agent.base-url"))
                .withTimeout(read.duration("agent.timeout", Duration.ofSeconds(1), Duration.ofHours(1)))
                .withTemperature(read.decimal("agent.temperature", 0, 2))
                .withMaxTokens(read.whole("agent.max-tokens", 1, 1_000_000));
        String templates = read.text("agent.templates-dir");
        if (!templates.isEmpty()) {
            config = config.withTemplatesDir(path(templates, env));
        }
        String keyVariable = read.text("agent.api-key-env");
        if (!keyVariable.isEmpty()) {
            String key = env.get(keyVariable);
            if (key == null || key.isBlank()) {
                read.problem(
                        "agent.api-key-env", "names " + keyVariable + ", but that environment variable is not set");
            } else {
                config = config.withApiKey(key);
            }
        }
        String key = read.text("agent.api-key");
        if (!key.isEmpty()) {
            config = config.withApiKey(key);
        }
        // a model check on top of a wrong agent value would only repeat it in other words
        if (read.isValid("agent.provider") && read.isValid("agent.api-key-env")) {
            try {
                Agents.fromConfig(config, env);
            } catch (IllegalArgumentException e) {
                read.problem("the model settings do not work: " + e.getMessage());
            }
        }
        return config;
    }

    private static EmbeddingConfig embeddings(SettingsReader read, Map<String, String> env, AgentConfig agent) {
        String key = null;
        String keyVariable = read.text("embeddings.api-key-env");
        if (!keyVariable.isEmpty()) {
            key = env.get(keyVariable);
            if (key == null || key.isBlank()) {
                read.problem(
                        "embeddings.api-key-env",
                        "names " + keyVariable + ", but that environment variable is not set");
            }
        }
        EmbeddingConfig config = new EmbeddingConfig(
                read.text("embeddings.base-url"),
                read.text("embeddings.model"),
                key,
                read.duration("embeddings.timeout", Duration.ofMillis(100), Duration.ofMinutes(1)));
        if (read.isValid("agent.provider")
                && read.isValid("agent.api-key-env")
                && read.isValid("embeddings.api-key-env")
                && (config.configured() || config.baseUrl() != null)) {
            try {
                Agents.fromConfig(agent, env);
            } catch (IllegalArgumentException agentProblem) {
                // already reported as a model problem; the embedding check would only repeat it
                return config;
            }
            try {
                Agents.embeddingsFromConfig(config, agent, env);
            } catch (IllegalArgumentException e) {
                read.problem("the embedding settings do not work: " + e.getMessage());
            }
        }
        return config;
    }

    /** A path as a person writes it: {@code ~} is the home folder, anything relative is from the current folder. */
    private static Path path(String text, Map<String, String> env) {
        String expanded = text;
        if (text.equals("~") || text.startsWith("~/")) {
            String home = env.getOrDefault("HOME", System.getProperty("user.home"));
            expanded = home + text.substring(1);
        }
        return Path.of(expanded).toAbsolutePath().normalize();
    }
}
