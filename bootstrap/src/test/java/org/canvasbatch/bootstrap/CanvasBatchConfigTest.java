package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.canvasbatch.adapters.agents.AgentConfig.Provider;
import org.canvasbatch.adapters.http.ws.WsSettings;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.bootstrap.CanvasBatchConfig.Command;
import org.canvasbatch.bootstrap.SettingsReader.CliValue;
import org.canvasbatch.domain.session.SessionSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CanvasBatchConfigTest {

    private static final String TOKEN = "0123456789abcdef0123";

    @TempDir
    Path temp;

    private final Map<String, String> env = new HashMap<>();
    private final Map<String, CliValue> cli = new LinkedHashMap<>();
    private final ByteArrayOutputStream warnings = new ByteArrayOutputStream();
    private Path file;

    private CanvasBatchConfig load(Command command) {
        env.putIfAbsent("HOME", temp.toString());
        return CanvasBatchConfig.load(
                command, cli, Optional.ofNullable(file), env, new PrintStream(warnings, true, StandardCharsets.UTF_8));
    }

    private CanvasBatchConfig serve() {
        return load(Command.SERVE);
    }

    private void option(String key, String option, String value) {
        cli.put(key, new CliValue(option, value));
    }

    private void configFile(String yaml) throws IOException {
        file = temp.resolve("canvas-batch.yaml");
        Files.writeString(file, yaml);
    }

    private String problems(Command command) {
        try {
            load(command);
        } catch (UsageException e) {
            return e.getMessage();
        }
        throw new AssertionError("the settings were accepted");
    }

    @Test
    void theBuiltInDefaultsAreTheContractsAndTheCoresOwn() {
        CanvasBatchConfig config = serve();

        assertThat(config.server().host()).isEqualTo("127.0.0.1");
        assertThat(config.server().port()).isEqualTo(8000);
        assertThat(config.server().corsOrigins())
                .containsExactly(
                        "app://obsidian.md",
                        "capacitor://localhost",
                        "http://localhost[:port]",
                        "http://127.0.0.1[:port]");
        assertThat(config.server().allowedHosts()).isEmpty();
        assertThat(config.token().required()).isFalse();
        assertThat(config.data()).isEqualTo(temp.resolve(".canvas-batch/data").toString());
        assertThat(config.vault()).isEqualTo(Path.of("").toAbsolutePath().normalize());
        assertThat(config.vaultExplicit()).isFalse();
        CoreSettings core = config.coreSettings();
        assertThat(core.globalConcurrency()).isEqualTo(12);
        assertThat(core.sessionDefaults()).isEqualTo(SessionSettings.DEFAULT);
        assertThat(core.retryBase()).isEqualTo(CoreSettings.DEFAULT.retryBase());
        assertThat(core.retryCap()).isEqualTo(CoreSettings.DEFAULT.retryCap());
        assertThat(core.pendingExpiry()).isEqualTo(CoreSettings.DEFAULT.pendingExpiry());
        assertThat(core.terminalRetention()).isEqualTo(CoreSettings.DEFAULT.terminalRetention());
        assertThat(core.pendingLimit()).isEqualTo(200);
        assertThat(core.pendingLimitPerClient()).isEqualTo(20);
        assertThat(config.wsSettings()).isEqualTo(WsSettings.DEFAULT);
        assertThat(config.agent().provider()).isEqualTo(Provider.OFFLINE);
        assertThat(config.vaultOptions().writeBack()).isTrue();
        assertThat(config.vaultOptions().coalesceInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(config.vaultOptions().labelNodes()).isTrue();
        assertThat(config.server().shutdownGrace()).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void theCommandLineBeatsTheEnvironmentWhichBeatsTheFileWhichBeatsTheBuiltIn() throws IOException {
        configFile("server:\n  port: 9001\n");
        env.put("CANVASBATCH_SERVER_PORT", "9002");
        option("server.port", "--port", "9003");
        assertThat(serve().server().port()).isEqualTo(9003);

        cli.clear();
        assertThat(serve().server().port()).isEqualTo(9002);

        env.remove("CANVASBATCH_SERVER_PORT");
        assertThat(serve().server().port()).isEqualTo(9001);

        file = null;
        assertThat(serve().server().port()).isEqualTo(8000);
    }

    @Test
    void aListFromAStrongerLayerReplacesTheWholeListBelowIt() throws IOException {
        configFile(
                "server:\n  cors-origins:\n    - https://a.example\n    - https://b.example\n    - https://c.example\n");
        assertThat(serve().server().corsOrigins())
                .containsExactly("https://a.example", "https://b.example", "https://c.example");

        env.put("CANVASBATCH_SERVER_CORS_ORIGINS", "app://obsidian.md, https://lab.example");
        assertThat(serve().server().corsOrigins()).containsExactly("app://obsidian.md", "https://lab.example");
    }

    @Test
    void allowedHostsComeFromTheFileTheEnvironmentOrTheCommandLineAndAreChecked() throws IOException {
        configFile("server:\n  allowed-hosts:\n    - studybox.local\n");
        assertThat(serve().server().allowedHosts()).containsExactly("studybox.local");
        assertThat(serve().serverSettings().allowedHosts()).containsExactly("studybox.local");

        option("server.allowed-hosts", "--allowed-hosts", "notes.lan, 192.168.1.5");
        assertThat(serve().server().allowedHosts()).containsExactly("notes.lan", "192.168.1.5");

        option("server.allowed-hosts", "--allowed-hosts", "http://notes.lan:8000");
        assertThat(problems(Command.SERVE))
                .contains("--allowed-hosts")
                .contains("a name or an address without scheme or port");
    }

    @Test
    void everySettingCanBeSetFromTheEnvironmentUnderItsOwnName() {
        Set<String> names = new HashSet<>();
        for (Setting<?> setting : SettingsTable.keyed()) {
            assertThat(names.add(setting.variable()))
                    .as("one variable per key: " + setting.key())
                    .isTrue();
        }
        assertThat(Setting.variable("batch.retries.backoff-base")).isEqualTo("CANVASBATCH_BATCH_RETRIES_BACKOFF_BASE");
        assertThat(names)
                .contains(
                        "CANVASBATCH_TOKEN",
                        "CANVASBATCH_SERVER_PORT",
                        "CANVASBATCH_WEBSOCKET_MAX_FRAME",
                        "CANVASBATCH_WRITE_BACK_COALESCE_INTERVAL",
                        "CANVASBATCH_RETENTION_PENDING_EXPIRY");

        env.put("CANVASBATCH_BATCH_RETRIES_ATTEMPTS", "5");
        env.put("CANVASBATCH_BATCH_RETRIES_BACKOFF_BASE", "250ms");
        env.put("CANVASBATCH_RETENTION_TERMINAL", "2h");
        env.put("CANVASBATCH_RETENTION_PENDING_MAX_PER_CLIENT", "5");
        env.put("CANVASBATCH_WEBSOCKET_MAX_FRAME", "1MiB");
        env.put("CANVASBATCH_WEBSOCKET_PING_INTERVAL", "PT15S");
        env.put("CANVASBATCH_WRITE_BACK_ENABLED", "false");
        env.put("CANVASBATCH_WRITE_BACK_LABEL_NODES", "false");
        env.put("CANVASBATCH_DATA", "memory");
        CanvasBatchConfig config = serve();

        assertThat(config.coreSettings().sessionDefaults().maxAttempts()).isEqualTo(5);
        assertThat(config.coreSettings().retryBase()).isEqualTo(Duration.ofMillis(250));
        assertThat(config.coreSettings().terminalRetention()).isEqualTo(Duration.ofHours(2));
        assertThat(config.coreSettings().pendingLimitPerClient()).isEqualTo(5);
        assertThat(config.wsSettings().maxFrameBytes()).isEqualTo(1024 * 1024);
        assertThat(config.wsSettings().pingInterval()).isEqualTo(Duration.ofSeconds(15));
        assertThat(config.vaultOptions().writeBack()).isFalse();
        assertThat(config.vaultOptions().labelNodes()).isFalse();
        assertThat(config.data()).isEqualTo("memory");
    }

    /**
     * {@code CANVASBATCH_VAULT=$VAULT} with VAULT unset, in a script or a compose file, gives an empty variable: it is
     * not set, for every setting alike, so neither the current folder becomes the vault nor a port, a duration or a
     * flag is refused for being empty, nor is a list of origins emptied.
     */
    @Test
    void everyEmptyVariableIsAsIfItWereNotSet() {
        String unset = serve().toString();
        for (Setting<?> setting : SettingsTable.keyed()) {
            env.put(setting.variable(), "");
            if (setting.olderVariable() != null) {
                env.put(setting.olderVariable(), "");
            }
        }
        env.put("CANVASBATCH_SERVER_PORT", "   ");

        CanvasBatchConfig empty = serve();

        assertThat(empty.toString()).isEqualTo(unset);
        assertThat(empty.vaultGivenBy()).as("no vault was named").isEmpty();
        assertThat(empty.server().corsOrigins()).contains("app://obsidian.md");
        assertThat(warnings.toString(StandardCharsets.UTF_8)).isEmpty();
    }

    @Test
    void anEmptyVariableLeavesTheValueOfTheSettingsFileBelowIt() throws IOException {
        Path vault = Files.createDirectories(temp.resolve("vault"));
        configFile("vault: " + vault + "\nserver:\n  port: 9100\nagent:\n  model: qwen2.5\n");
        env.put("CANVASBATCH_VAULT", "");
        env.put("CANVASBATCH_SERVER_PORT", "");
        env.put("CANVASBATCH_AGENT_MODEL", "");
        env.put("CANVASBATCH_AGENT_PROVIDER", "openai");
        env.put("CANVASBATCH_AGENT_BASE_URL", "http://localhost:11434/v1");

        CanvasBatchConfig config = serve();

        assertThat(config.vault()).isEqualTo(vault);
        assertThat(config.vaultGivenBy()).contains("vault in " + file);
        assertThat(config.server().port()).isEqualTo(9100);
        assertThat(config.agent().model()).isEqualTo("qwen2.5");
    }

    @Test
    void anEmptyOlderModelVariableIsNotSetEitherButAnEmptyNewOneNoLongerHidesASetOlderOne() {
        env.put("CANVAS_BATCH_MODEL_PROVIDER", "openai");
        env.put("CANVAS_BATCH_MODEL", "qwen2.5");
        env.put("CANVAS_BATCH_BASE_URL", "http://localhost:11434/v1");
        env.put("CANVASBATCH_AGENT_MODEL", "");

        assertThat(serve().agent().model()).isEqualTo("qwen2.5");
    }

    /** An empty value given on purpose, on the command line or in a file, names no folder: refused, as --data's is. */
    @Test
    void anEmptyVaultOnTheCommandLineOrInAFileIsRefusedNotTakenForTheCurrentFolder() throws IOException {
        option("vault", "--vault", "");
        assertThat(problems(Command.RUN)).isEqualTo("--vault is empty: name the vault's folder, or leave it out");

        cli.clear();
        configFile("vault: ''\n");
        assertThat(problems(Command.SERVE))
                .isEqualTo("vault in " + file + " is empty: name the vault's folder, or leave it out");
    }

    @Test
    void anEmptyHomeIsNotSetSoTheHomeFolderIsNotTheFilesystemsRoot() {
        env.put("HOME", "");

        assertThat(serve().data())
                .isEqualTo(Path.of(System.getProperty("user.home"), ".canvas-batch", "data")
                        .toString());
    }

    @Test
    void everyWrongValueIsNamedOnceWithWhereItCameFromAndWhatWouldBeRight() throws IOException {
        configFile("""
                server:
                  port: eighty
                batch:
                  retries:
                    backoff-base: 10s
                    backoff-cap: 2s
                """);
        env.put("CANVASBATCH_BATCH_RETRIES_ATTEMPTS", "0");
        env.put("CANVASBATCH_WEBSOCKET_MAX_FRAME", "lots");
        option("batch.node-timeout", "--node-timeout", "0");
        option("agent.temperature", "--temperature", "7");

        String message = problems(Command.SERVE);

        assertThat(message.lines()).hasSize(7).first().isEqualTo("6 settings are wrong:");
        assertThat(message)
                .contains(
                        "server.port in " + file + " must be a whole number between 0 and 65535, not 'eighty'",
                        "CANVASBATCH_BATCH_RETRIES_ATTEMPTS must be between 1 and 10, not 0",
                        "CANVASBATCH_WEBSOCKET_MAX_FRAME must be a size between 1KiB and 1MiB such as 65536, 64KiB or 1MiB,"
                                + " not 'lots'",
                        "--node-timeout must be between 1s and 1h, not 0",
                        "--temperature must be between 0 and 2, not 7",
                        "batch.retries.backoff-cap in " + file + " must be at least the backoff base (10s), not 2s");
    }

    @Test
    void theRunCommandsConcurrencyIsOneMistakeSaidOnceInTheWordsTheUserTyped() {
        option("batch.concurrency.per-session", "--concurrency", "0");
        option("batch.concurrency.global", "--concurrency", "0");

        assertThat(problems(Command.RUN)).isEqualTo("--concurrency must be between 1 and 50, not 0");
    }

    @Test
    void aTypoInTheFileIsAnErrorThatSuggestsTheRealKeys() throws IOException {
        configFile("server:\n  prot: 9000\nbatchh:\n  timeout: 5m\n");

        String message = problems(Command.SERVE);

        assertThat(message)
                .contains(
                        "server.prot in " + file + " is not a setting; settings under server are"
                                + " server.allowed-hosts, server.cors-origins, server.host, server.port, server.shutdown-grace");
        assertThat(message).contains("batchh.timeout in " + file + " is not a setting");
    }

    @Test
    void aFileThatIsNotYamlOrNotThereIsSaidSo() throws IOException {
        configFile("server: [port: 1\n");
        assertThat(problems(Command.SERVE)).startsWith("--config " + file + ": is not valid YAML");

        file = temp.resolve("missing.yaml");
        assertThat(problems(Command.SERVE)).isEqualTo("--config " + file + ": there is no such file");
    }

    /**
     * A settings file far larger than any real one is refused at once, by its size: the YAML parser took minutes and
     * 1.6 GB over a 50 MB file before (a hostile test). A folder given as the file is said to be a folder, and a binary
     * file not to be text (it was "cannot be read (Input length = 3)").
     */
    @Test
    void aHugeFileOrAFolderAsTheSettingsFileIsRefusedAtOnceInOneLine() throws IOException {
        configFile("server:\n  port: 9000\n# " + "x".repeat((int) SettingsReader.MAX_SETTINGS_FILE_BYTES) + "\n");
        assertThat(problems(Command.SERVE))
                .isEqualTo("--config " + file + ": is " + Files.size(file) + " bytes; a settings file has at most "
                        + SettingsReader.MAX_SETTINGS_FILE_BYTES + " (a few dozen lines)");

        file = Files.createDirectories(temp.resolve("settings-folder"));
        assertThat(problems(Command.SERVE)).isEqualTo("--config " + file + ": is a folder, not a settings file");

        file = Files.write(temp.resolve("binary.yaml"), new byte[] {(byte) 0xff, (byte) 0xfe, 0, 1, 2});
        assertThat(problems(Command.SERVE))
                .isEqualTo("--config " + file + ": is not UTF-8 text (a settings file is YAML text)");
    }

    @Test
    void anUnknownCanvasbatchVariableIsAWarningNotAnError() {
        env.put("CANVASBATCH_SERVER_PROT", "9000");

        assertThat(serve().server().port()).isEqualTo(8000);
        assertThat(warnings.toString(StandardCharsets.UTF_8)).contains("CANVASBATCH_SERVER_PROT is not a setting");
    }

    @Test
    void listeningBeyondLoopbackNeedsAGoodToken() {
        option("server.host", "--host", "0.0.0.0");
        assertThat(problems(Command.SERVE))
                .contains("listening on 0.0.0.0 (--host) lets other machines reach the"
                        + " server, so it needs an access token: set --token or CANVASBATCH_TOKEN");

        env.put("CANVASBATCH_TOKEN", "short");
        assertThat(problems(Command.SERVE))
                .startsWith("CANVASBATCH_TOKEN is not usable: the access token is too short")
                .doesNotContain("'short'");

        env.put("CANVASBATCH_TOKEN", TOKEN);
        CanvasBatchConfig config = serve();
        assertThat(config.serverSettings().host()).isEqualTo("0.0.0.0");
        assertThat(config.serverSettings().accessToken().required()).isTrue();
        assertThat(config.toString()).doesNotContain(TOKEN);
    }

    @Test
    void answeringEveryHostNameWithoutATokenIsRefusedWhicheverWayItIsSet() throws IOException {
        option("server.allowed-hosts", "--allowed-hosts", "*");
        assertThat(problems(Command.SERVE))
                .contains("--allowed-hosts '*' answers every host name, which lets any web page reach the server"
                        + " through DNS rebinding, so it needs an access token: set --token or CANVASBATCH_TOKEN");

        cli.clear();
        configFile("server:\n  allowed-hosts:\n    - notes.lan\n    - '*'\n");
        assertThat(problems(Command.SERVE)).contains("answers every host name");

        configFile("server: {}\n");
        env.put("CANVASBATCH_SERVER_ALLOWED_HOSTS", "*");
        assertThat(problems(Command.SERVE)).contains("answers every host name");

        env.put("CANVASBATCH_TOKEN", TOKEN);
        assertThat(serve().serverSettings().allowedHosts()).containsExactly("*");
    }

    @Test
    void runNeverListensSoItsHostNeedsNoToken() {
        env.put("CANVASBATCH_SERVER_HOST", "0.0.0.0");

        assertThat(load(Command.RUN).server().host()).isEqualTo("0.0.0.0");
    }

    @Test
    void theOlderModelVariablesStillWorkBelowTheirNewNames() {
        env.put("CANVAS_BATCH_MODEL_PROVIDER", "openai");
        env.put("CANVAS_BATCH_MODEL", "qwen2.5");
        env.put("CANVAS_BATCH_BASE_URL", "http://localhost:11434/v1");
        assertThat(serve().agent().model()).isEqualTo("qwen2.5");

        env.put("CANVASBATCH_AGENT_MODEL", "llama3.1");
        assertThat(serve().agent().model()).isEqualTo("llama3.1");
        assertThat(serve().agent().provider()).isEqualTo(Provider.OPENAI);
    }

    @Test
    void modelSettingsThatCannotWorkAreRefusedAtStart() {
        option("agent.provider", "--model-provider", "openai");
        assertThat(problems(Command.SERVE)).contains("the openai provider needs a model");

        option("agent.model", "--model", "gpt-4o-mini");
        option("agent.api-key-env", "--api-key-env", "MY_KEY");
        assertThat(problems(Command.SERVE))
                .isEqualTo("--api-key-env names MY_KEY, but that environment variable" + " is not set");

        env.put("MY_KEY", "sk-test");
        assertThat(serve().agent().apiKey()).isEqualTo("sk-test");
    }

    @Test
    void anEmbeddingModelIsOffUnlessNamedAndNeedsItsOwnServerBesideAnthropic() {
        assertThat(serve().embeddings().configured()).isFalse();

        option("agent.provider", "--model-provider", "anthropic");
        option("agent.model", "--model", "claude-3-5-haiku-latest");
        env.put("ANTHROPIC_API_KEY", "sk-ant");
        option("embeddings.model", "--embedding-model", "nomic-embed-text");
        assertThat(problems(Command.SERVE))
                .contains("the embedding settings do not work")
                .contains("--embedding-base-url");

        option("embeddings.base-url", "--embedding-base-url", "http://localhost:11434/v1");
        option("embeddings.timeout", "--embedding-timeout", "5s");
        assertThat(serve().embeddings().model()).isEqualTo("nomic-embed-text");
        assertThat(serve().embeddings().timeout()).isEqualTo(java.time.Duration.ofSeconds(5));
    }

    @Test
    void theHomeFolderIsExpandedAndAVaultThatIsNoFolderIsRefused() {
        env.put("CANVASBATCH_DATA", "~/journal");
        assertThat(serve().data()).isEqualTo(temp.resolve("journal").toString());

        option("vault", "--vault", temp.resolve("nowhere").toString());
        assertThat(problems(Command.SERVE))
                .isEqualTo("--vault names " + temp.resolve("nowhere") + ", which is not a folder");
    }

    /** A file of settings is written once, for wherever serve is started from: its folders are the file's. */
    @Test
    void aRelativeFolderInAConfigFileIsTheFilesOwnAndAWrongOneIsSaidWithTheFile() throws IOException {
        Path settings = Files.createDirectories(temp.resolve("etc"));
        Files.createDirectories(settings.resolve("vault"));
        configFile("vault: vault\ndata: journal\n");
        Files.move(file, settings.resolve("canvas-batch.yaml"));
        file = settings.resolve("canvas-batch.yaml");

        CanvasBatchConfig config = serve();
        assertThat(config.vault()).isEqualTo(settings.resolve("vault"));
        assertThat(config.data()).isEqualTo(settings.resolve("journal").toString());

        Files.writeString(file, "vault: nowhere\n");
        assertThat(problems(Command.SERVE))
                .isEqualTo("vault in " + file + " names " + settings.resolve("nowhere") + ", which is not a folder");
    }

    @Test
    void aClustersLeaseTimeIsTenSecondsUnlessTheFileTheEnvironmentOrTheCommandLineSayOtherwise() throws IOException {
        assertThat(serve().cluster().lease()).isEqualTo(Duration.ofSeconds(10));

        configFile("cluster:\n  lease: 30s\n");
        assertThat(serve().cluster().lease()).isEqualTo(Duration.ofSeconds(30));
        env.put("CANVASBATCH_CLUSTER_LEASE", "5s");
        assertThat(serve().cluster().lease()).isEqualTo(Duration.ofSeconds(5));
        option("cluster.lease", "--cluster-lease", "4s");
        assertThat(load(Command.RUN).cluster().lease()).isEqualTo(Duration.ofSeconds(4));

        // shorter than the database's usual hiccups, a healthy server would give its batches away
        option("cluster.lease", "--cluster-lease", "500ms");
        assertThat(problems(Command.SERVE)).isEqualTo("--cluster-lease must be between 2s and 10m, not 500ms");
    }

    @Test
    void aProviderLimitForTheClusterNeedsADatabaseAndIsOffByDefault() {
        assertThat(serve().cluster().providerLimit()).isZero();

        env.put("CANVASBATCH_CLUSTER_PROVIDER_LIMIT", "5");
        assertThat(problems(Command.SERVE))
                .isEqualTo("CANVASBATCH_CLUSTER_PROVIDER_LIMIT limits the calls of the servers sharing a database,"
                        + " so it needs postgresql://… as --data");

        env.put("CANVASBATCH_DATA", "postgresql://canvas@db.example:5432/canvas");
        assertThat(serve().cluster().providerLimit()).isEqualTo(5);
    }

    @Test
    void aDataLocationOfAnotherKindIsRefusedRatherThanMadeALocalFolderOfThatName() {
        env.put("CANVASBATCH_DATA", "mysql://canvas@db.example:3306/canvas");
        assertThat(problems(Command.SERVE))
                .isEqualTo("CANVASBATCH_DATA names a 'mysql' location: it takes a folder for the journal, memory,"
                        + " or postgresql://USER[:PASS]@HOST:PORT/DB");
        assertThat(temp.resolve("mysql:")).doesNotExist();

        env.put("CANVASBATCH_DATA", "postgres://canvas@db.example:5432/canvas");
        assertThat(serve().data()).isEqualTo("postgres://canvas@db.example:5432/canvas");
    }

    @Test
    void durationsAndSizesAreReadTheWayAPersonWritesThem() {
        assertThat(SettingKind.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(SettingKind.duration("90")).isEqualTo(Duration.ofSeconds(90));
        assertThat(SettingKind.duration("1.5h")).isEqualTo(Duration.ofMinutes(90));
        assertThat(SettingKind.duration("2d")).isEqualTo(Duration.ofDays(2));
        assertThat(SettingKind.duration("PT10M")).isEqualTo(Duration.ofMinutes(10));
        assertThat(SettingKind.duration("soon")).isNull();
        assertThat(SettingKind.bytes("64KiB")).isEqualTo(65_536);
        assertThat(SettingKind.bytes("1 MiB")).isEqualTo(1_048_576);
        assertThat(SettingKind.bytes("2048")).isEqualTo(2048);
        assertThat(SettingKind.bytes("-1")).isNull();
        assertThat(SettingKind.format(Duration.ofSeconds(90))).isEqualTo("90s");
        assertThat(SettingKind.format(Duration.ofMinutes(10))).isEqualTo("10m");
    }

    @Test
    void badSettingsStopServeWithExitCodeTwoBeforeAnythingStarts() throws IOException {
        configFile("batch:\n  concurrency:\n    global: 0\n");
        ByteArrayOutputStream err = new ByteArrayOutputStream();

        int code = Main.run(
                List.of("serve", "--config", file.toString(), "--port", "99999", "--data", "memory"),
                new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));

        assertThat(code).isEqualTo(2);
        assertThat(err.toString(StandardCharsets.UTF_8))
                .startsWith("canvas-batch: 2 settings are wrong:")
                .contains("  - --port must be between 0 and 65535, not 99999")
                .contains("  - batch.concurrency.global in " + file + " must be between 1 and 200, not 0")
                .doesNotContain("Exception");
    }
}
