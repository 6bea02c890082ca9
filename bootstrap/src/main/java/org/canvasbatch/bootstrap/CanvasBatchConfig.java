package org.canvasbatch.bootstrap;

import static org.canvasbatch.bootstrap.SettingsTable.*;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.canvasbatch.adapters.agents.AgentConfig;
import org.canvasbatch.adapters.agents.AgentConfig.Provider;
import org.canvasbatch.adapters.agents.Agents;
import org.canvasbatch.adapters.agents.EmbeddingConfig;
import org.canvasbatch.adapters.http.ServerSettings;
import org.canvasbatch.adapters.http.ops.AccessToken;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.bootstrap.SettingsReader.CliValue;
import org.canvasbatch.domain.session.SessionSettings;

/**
 * Every setting of a {@code run} or {@code serve}, read from the command line, the environment, a {@code --config} file
 * and the built-in {@code canvas-batch.yaml} (in that order of strength), and checked all at once: {@link #load} either
 * returns settings that are all usable, or throws one {@link UsageException} listing every wrong value.
 * The settings are declared in {@link SettingsTable}.
 */
record CanvasBatchConfig(
        Server server,
        AccessToken token,
        Path vault,
        Optional<String> vaultGivenBy,
        String data,
        String dataGivenBy,
        CoreSettings coreSettings,
        WsSettings wsSettings,
        AgentConfig agent,
        EmbeddingConfig embeddings,
        VaultOptions vaultOptions,
        Wiring.ClusterOptions cluster) {

    /** Whether a vault was named, rather than the built-in default taken. */
    boolean vaultExplicit() {
        return vaultGivenBy.isPresent();
    }

    /** Which command reads the settings: {@code serve} also needs a usable listener. */
    enum Command {
        RUN,
        SERVE;

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    record Server(String host, int port, List<String> corsOrigins, List<String> allowedHosts, Duration shutdownGrace) {}

    /** The {@code server.allowed-hosts} entry that answers every host name (behind a proxy that checks names). */
    static final String EVERY_HOST = "*";

    /** A location of some other kind ({@code mysql://…}): two letters at least, so that {@code C://x} stays a path. */
    private static final java.util.regex.Pattern OTHER_LOCATION =
            java.util.regex.Pattern.compile("[A-Za-z][A-Za-z0-9+.-]+://");

    /**
     * @param cli  settings given as options, by key
     * @param file the {@code --config} file, if any
     * @param env  the environment (settings, API keys)
     * @param err  where warnings go (an unknown {@code CANVASBATCH_} variable)
     * @throws UsageException listing every wrong value, one per line
     */
    static CanvasBatchConfig load(
            Command command, Map<String, CliValue> cli, Optional<Path> file, Map<String, String> env, PrintStream err) {
        SettingsReader read = new SettingsReader(cli, file, env);
        read.warnings().forEach(w -> err.println("canvas-batch: warning: " + w));

        Server server = new Server(
                read.get(HOST),
                read.get(PORT),
                read.get(CORS_ORIGINS),
                read.get(ALLOWED_HOSTS),
                read.get(SHUTDOWN_GRACE));
        if (server.host().isEmpty()) {
            read.problem(HOST, "must name an interface such as 127.0.0.1 or 0.0.0.0");
        }
        try {
            ServerSettings.DEFAULT.withAllowedOrigins(server.corsOrigins());
        } catch (IllegalArgumentException e) {
            read.problem(CORS_ORIGINS, "has a wrong entry: " + e.getMessage());
        }
        try {
            ServerSettings.DEFAULT.withAllowedHosts(server.allowedHosts());
        } catch (IllegalArgumentException e) {
            read.problem(ALLOWED_HOSTS, "has a wrong entry: " + e.getMessage());
        }
        AccessToken token = token(read);
        if (command == Command.SERVE
                && !token.required()
                && read.isValid(TOKEN)
                && !AccessToken.isLoopback(server.host())) {
            read.problem("listening on " + server.host() + " (" + read.subject(HOST) + ") lets other"
                    + " machines reach the server, so it needs an access token: set --token or CANVASBATCH_TOKEN"
                    + " (at least " + AccessToken.MIN_LENGTH + " characters, e.g. from 'openssl rand -hex 16'),"
                    + " or listen on 127.0.0.1");
        }
        if (command == Command.SERVE
                && !token.required()
                && read.isValid(TOKEN)
                && server.allowedHosts().contains(EVERY_HOST)) {
            read.problem(
                    ALLOWED_HOSTS,
                    "'" + EVERY_HOST + "' answers every host name, which lets any web page reach the server"
                            + " through DNS rebinding, so it needs an access token: set --token or CANVASBATCH_TOKEN"
                            + " (at least " + AccessToken.MIN_LENGTH + " characters), or name the hosts");
        }

        String vaultText = read.get(VAULT);
        if (vaultText.isBlank()) {
            // an empty --vault or file value ("--vault $VAULT" with VAULT unset) would be the current folder, which
            // need not be a vault at all; an empty variable is not set (SettingsReader) and does not come here
            read.problem(VAULT, "is empty: name the vault's folder, or leave it out");
            vaultText = VAULT.defaultText();
        }
        Path vault = path(vaultText, env, read.folderOfTheFileGiving(VAULT));
        // where a vault that was named came from (--vault, CANVASBATCH_VAULT, a settings file): run says it
        Optional<String> vaultGivenBy = read.isExplicit(VAULT) ? Optional.of(read.subject(VAULT)) : Optional.empty();
        if (command == Command.SERVE && !Files.isDirectory(vault)) {
            read.problem(VAULT, "names " + vault + ", which is not a folder");
        }
        String data = read.get(DATA);
        if (data.isEmpty()) {
            read.problem(DATA, "must be a folder for the journal, memory, or postgresql://USER[:PASS]@HOST:PORT/DB");
        } else if (org.canvasbatch.adapters.journal.postgres.PostgresLocation.isDatabase(data)) {
            try {
                org.canvasbatch.adapters.journal.postgres.PostgresLocation.parse(data);
            } catch (IllegalArgumentException e) {
                read.problem(DATA, e.getMessage());
            }
        } else if (OTHER_LOCATION.matcher(data).lookingAt()) {
            read.problem(
                    DATA,
                    "names a '" + data.substring(0, data.indexOf(':'))
                            + "' location: it takes a folder for the journal, memory, or"
                            + " postgresql://USER[:PASS]@HOST:PORT/DB");
        } else if (!data.equals("memory")) {
            Path dataDir = path(data, env, read.folderOfTheFileGiving(DATA));
            data = dataDir.toString();
            if (Files.exists(dataDir) && !Files.isDirectory(dataDir)) {
                read.problem(DATA, "names " + dataDir + ", which is a file, not a folder");
            }
        }

        Duration cluster = read.get(CLUSTER_LEASE);
        int providerLimit = read.get(CLUSTER_PROVIDER_LIMIT);
        if (providerLimit > 0
                && read.isValid(DATA)
                && !org.canvasbatch.adapters.journal.postgres.PostgresLocation.isDatabase(data)) {
            read.problem(
                    CLUSTER_PROVIDER_LIMIT,
                    "limits the calls of the servers sharing a database, so it needs postgresql://… as --data");
        }

        // per-session first: run's --concurrency sets both, and its mistake is best said with the tighter range
        int perSession = read.get(SESSION_CONCURRENCY);
        int global = read.get(GLOBAL_CONCURRENCY);
        Duration backoffBase = read.get(BACKOFF_BASE);
        Duration backoffCap = read.get(BACKOFF_CAP);
        if (read.isValid(BACKOFF_BASE) && read.isValid(BACKOFF_CAP) && backoffCap.compareTo(backoffBase) < 0) {
            read.problem(
                    BACKOFF_CAP,
                    "must be at least the backoff base (" + SettingKind.format(backoffBase) + "), not "
                            + SettingKind.format(backoffCap));
        }
        Duration nodeTimeout = read.get(NODE_TIMEOUT);
        Duration batchTimeout = read.get(BATCH_TIMEOUT);
        int attempts = read.get(ATTEMPTS);
        Duration pendingExpiry = read.get(PENDING_EXPIRY);
        Duration terminal = read.get(TERMINAL);
        int pendingMax = read.get(PENDING_MAX);
        int pendingMaxPerClient = read.get(PENDING_MAX_PER_CLIENT);
        WsSettings d = WsSettings.DEFAULT;
        WsSettings ws = new WsSettings(
                read.get(PING_INTERVAL),
                d.missedPongLimit(),
                read.get(IDLE_TIMEOUT),
                read.get(QUEUE_CAPACITY),
                read.get(MAX_FRAME),
                d.badFrameLimit(),
                d.badFrameWindow(),
                d.closeGrace(),
                d.replayPageSize(),
                d.pluginSettleMargin());
        AgentConfig agent = agent(read, env);
        EmbeddingConfig embeddings = embeddings(read, env, agent);
        VaultOptions vaultOptions = VaultOptions.defaults()
                .withWriteBack(read.get(WRITE_BACK))
                .withCoalesceInterval(read.get(COALESCE_INTERVAL))
                .withLabelNodes(read.get(LABEL_NODES));

        List<String> problems = read.problems();
        if (!problems.isEmpty()) {
            List<String> lines = new java.util.ArrayList<>();
            if (problems.size() > 1) {
                lines.add(problems.size() + " settings are wrong:");
            }
            problems.forEach(problem -> lines.add(problems.size() == 1 ? problem : "  - " + problem));
            throw new UsageException(lines);
        }
        // the core checks its knobs too, so it is built only from values that passed
        CoreSettings core = CoreSettings.DEFAULT
                .withGlobalConcurrency(global)
                .withSessionDefaults(new SessionSettings(perSession, batchTimeout, nodeTimeout, attempts))
                .withRetryBackoff(backoffBase, backoffCap)
                .withRetention(pendingExpiry, terminal)
                .withPendingLimits(pendingMax, pendingMaxPerClient);
        return new CanvasBatchConfig(
                server,
                token,
                vault,
                vaultGivenBy,
                data,
                read.subject(DATA),
                core,
                ws,
                agent,
                embeddings,
                vaultOptions,
                new Wiring.ClusterOptions(cluster, providerLimit));
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
        String secret = read.get(TOKEN);
        if (secret.isEmpty()) {
            return AccessToken.none();
        }
        String problem = AccessToken.problemWith(secret);
        if (problem != null) {
            read.problem(TOKEN, "is not usable: " + problem);
            return AccessToken.none();
        }
        return AccessToken.of(secret);
    }

    private static AgentConfig agent(SettingsReader read, Map<String, String> env) {
        Provider provider;
        try {
            provider = Provider.parse(read.get(PROVIDER));
        } catch (IllegalArgumentException e) {
            read.problem(PROVIDER, "is wrong: " + e.getMessage());
            provider = Provider.OFFLINE;
        }
        AgentConfig config = AgentConfig.offline()
                .withProvider(provider)
                .withModel(read.get(MODEL))
                .withBaseUrl(read.get(BASE_URL))
                .withTimeout(read.get(MODEL_TIMEOUT))
                .withTemperature(read.get(TEMPERATURE))
                .withMaxTokens(read.get(MAX_TOKENS));
        String templates = read.get(TEMPLATES_DIR);
        if (!templates.isEmpty()) {
            config = config.withTemplatesDir(path(templates, env, read.folderOfTheFileGiving(TEMPLATES_DIR)));
        }
        String named = keyNamedBy(API_KEY_ENV, read, env);
        String given = read.get(API_KEY);
        if (!given.isEmpty() || named != null) {
            config = config.withApiKey(given.isEmpty() ? named : given);
        }
        // a model check on top of a wrong agent value would only repeat it in other words
        if (read.isValid(PROVIDER) && read.isValid(API_KEY_ENV)) {
            try {
                Agents.fromConfig(config, env);
            } catch (IllegalArgumentException e) {
                read.problem("the model settings do not work: " + e.getMessage());
            }
        }
        return config;
    }

    private static EmbeddingConfig embeddings(SettingsReader read, Map<String, String> env, AgentConfig agent) {
        EmbeddingConfig config = new EmbeddingConfig(
                read.get(EMBEDDING_BASE_URL),
                read.get(EMBEDDING_MODEL),
                keyNamedBy(EMBEDDING_API_KEY_ENV, read, env),
                read.get(EMBEDDING_TIMEOUT));
        if (read.isValid(PROVIDER)
                && read.isValid(API_KEY_ENV)
                && read.isValid(EMBEDDING_API_KEY_ENV)
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

    /** The key in the environment variable that {@code setting} names, if it names one; a variable not set is wrong. */
    private static String keyNamedBy(Setting<String> setting, SettingsReader read, Map<String, String> env) {
        String variable = read.get(setting);
        String key = variable.isEmpty() ? null : env.get(variable);
        if (!variable.isEmpty() && (key == null || key.isBlank())) {
            read.problem(setting, "names " + variable + ", but that environment variable is not set");
            return null;
        }
        return key;
    }

    /** A path as a person writes it: {@code ~} is the home folder, anything relative is from the current folder. */
    private static Path path(String text, Map<String, String> env, Optional<Path> relativeTo) {
        String expanded = text;
        if (text.equals("~") || text.startsWith("~/")) {
            // an empty HOME is not set, as an empty CANVASBATCH_ variable is: not the filesystem's root
            String home = Optional.ofNullable(env.get("HOME"))
                    .filter(h -> !h.isBlank())
                    .orElse(System.getProperty("user.home"));
            expanded = home + text.substring(1);
        }
        Path path = Path.of(expanded);
        return relativeTo
                .map(folder -> folder.resolve(path))
                .orElse(path)
                .toAbsolutePath()
                .normalize();
    }
}
