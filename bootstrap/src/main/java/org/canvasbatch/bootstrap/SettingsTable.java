package org.canvasbatch.bootstrap;

import static org.canvasbatch.bootstrap.CanvasBatchConfig.Command.RUN;
import static org.canvasbatch.bootstrap.CanvasBatchConfig.Command.SERVE;
import static org.canvasbatch.bootstrap.Setting.setting;
import static org.canvasbatch.bootstrap.SettingKind.FLAG;
import static org.canvasbatch.bootstrap.SettingKind.TEXT;
import static org.canvasbatch.bootstrap.SettingKind.WORDS;
import static org.canvasbatch.bootstrap.SettingKind.decimal;
import static org.canvasbatch.bootstrap.SettingKind.duration;
import static org.canvasbatch.bootstrap.SettingKind.size;
import static org.canvasbatch.bootstrap.SettingKind.whole;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every setting and command-line option of canvas-batch, each declared once: key, kind and range, default, option and
 * the commands that take it, help. {@code --help} is made from this table; {@code canvas-batch.yaml} and the README's
 * settings table are generated from it ({@code SettingsDocumentsTest} fails when they are not). The order here is their
 * order; a key's section (the part before its last dot) must stay together.
 *
 * <p>To add a setting: declare it here, read it in {@link CanvasBatchConfig#load} with {@code read.get(NAME)}, and
 * regenerate the documents ({@code -Dsettings.update=true}, see the README).
 */
final class SettingsTable {

    private static final List<Setting<?>> ALL = new ArrayList<>();

    // ------------------------------------------------------------------------------------------ only for one command

    static final Setting<List<String>> COLORS = declare(setting(null, WORDS, "1,6")
            .option("--colors 1,6", RUN)
            .help("node colours to process: 1 red, 2 orange, 3 yellow, 4 green, 5 cyan, 6 purple, or #rrggbb"));
    static final Setting<String> AGENT = declare(setting(null, TEXT, "auto")
            .option("--agent auto|ID", RUN)
            .help("one agent for every node, or auto to route each node by its content"));
    static final Setting<Integer> MAX_GROUPS = declare(
            setting(null, whole(1, 20), "6").option("--max-groups N", RUN).help("at most this many topic groups"));
    static final Setting<Boolean> DRY_RUN = declare(setting(null, FLAG, "false")
            .option("--dry-run", RUN)
            .help("print the groups, each question with the agent that would write its note; write nothing. When the"
                    + " data folder holds an interrupted batch of the canvas, print that batch's plan and say the real run"
                    + " resumes it (and that its journal is damaged, when the real run will repair it); after a batch"
                    + " with failures, the questions the real run asks again in it; when questions have their notes"
                    + " already, the plan of the others; the data folder is read, never changed, and one in use refuses"
                    + " it as it refuses the real run"));
    static final Setting<Boolean> AGAIN = declare(setting(null, FLAG, "false")
            .option("--again", RUN)
            .help("ask the model for every question of the canvas, in a new batch, also those whose note is there"
                    + " (an interrupted batch of the canvas is dropped). Without it, a run with a data folder"
                    + " resumes an interrupted batch, asks again only for the questions the last batch failed, and"
                    + " leaves written notes alone; with --data memory every run asks every question"));
    static final Setting<Boolean> PLAIN = declare(setting(null, FLAG, "false")
            .option("--plain", RUN)
            .help("progress as plain lines, not a live display (the default when output is not a terminal)"));

    // -------------------------------------------------------------------------------------------------------- server

    static final Setting<String> HOST = declare(setting("server.host", TEXT, "127.0.0.1")
            .option("--host HOST", SERVE)
            .help("the interface to listen on; anything but loopback (127.0.0.1, ::1, localhost) needs a token")
            .details("Loopback keeps the server to this machine, which is where the Obsidian plugin runs."));
    static final Setting<Integer> PORT = declare(setting("server.port", whole(0, 65_535), "8000")
            .option("--port PORT", SERVE)
            .help("the port; the plugin's default base URL is http://localhost:8000, and 0 picks a free port"));
    static final Setting<List<String>> CORS_ORIGINS = declare(setting(
                    "server.cors-origins",
                    WORDS,
                    "app://obsidian.md,capacitor://localhost,http://localhost[:port],http://127.0.0.1[:port]")
            .option("--cors-origins A,B", SERVE)
            .help("browser origins that may call the API and open WebSockets (CORS)")
            .details("""
                    An exact origin (https://example.org), an origin with [:port] appended for any port, or * for
                    every origin. app://obsidian.md is the Obsidian app itself."""));
    static final Setting<List<String>> ALLOWED_HOSTS = declare(setting("server.allowed-hosts", WORDS, "")
            .option("--allowed-hosts A,B", SERVE)
            .help("names besides loopback that requests may be addressed to (their Host header)")
            .details("""
                    Loopback (localhost, 127.0.0.1, [::1]), the address the server is bound to and the address a
                    request arrived at are always allowed; a request whose Host header names anything else is
                    refused with 403, which keeps a web page that re-points its own name at this machine (DNS
                    rebinding) from reading sessions. Add the names people type to reach a server bound beyond
                    loopback (studybox.local), or * behind a reverse proxy that checks names itself."""));
    static final Setting<Duration> SHUTDOWN_GRACE =
            declare(setting("server.shutdown-grace", duration("0s", "10m"), "10s")
                    .option("--shutdown-grace DURATION", SERVE)
                    .help("how long running agent calls may finish on Ctrl-C or SIGTERM before they are interrupted")
                    .details("The journal keeps the rest, and the next start resumes it."));

    // ------------------------------------------------------------------------------------------------- the top level

    static final Setting<String> TOKEN = declare(setting("token", TEXT, "")
            .option("--token TOKEN", SERVE)
            .help("the access token every call must send (better: CANVASBATCH_TOKEN in the environment); empty:"
                    + " none, which only loopback allows")
            .details("""
                    HTTP calls send `Authorization: Bearer <token>`; WebSockets and the dashboard page may add
                    `?token=<token>` to their URL (browsers cannot set headers there). Others get 401 (HTTP) or close
                    code 4401 (WebSocket). At least 16 characters, e.g. from `openssl rand -hex 16`. Prefer the
                    environment (CANVASBATCH_TOKEN) to a file or the command line, which other users of the machine
                    may read."""));
    static final Setting<String> VAULT = declare(setting("vault", TEXT, ".")
            .option("--vault DIR", RUN, SERVE)
            .help("the vault (the folder Obsidian opens); unless this is given, run's is the nearest folder above"
                    + " CANVAS holding .obsidian, else CANVAS's folder if CANVAS's file nodes exist in it, else . if"
                    + " CANVAS is inside it (and . is not / or ~), else CANVAS's folder; run prints which and why")
            .details("""
                    serve reads and writes canvases and notes only inside it. A canvas's file nodes name files by their
                    path from the vault's root: when they exist only in a folder above CANVAS's (no .obsidian), run
                    names that folder and stops, to be given it with --vault, for a canvas from a shared folder names
                    files of its sender's choosing and the notes quote the vault's notes."""));
    static final Setting<String> DATA = declare(setting("data", TEXT, "~/.canvas-batch/data")
            .option("--data DIR|memory|URL", RUN, SERVE)
            .help("where the event journal lives (an interrupted batch resumes from it), memory to keep nothing,"
                    + " or postgresql://USER[:PASS]@HOST:PORT/DB, a database shared by the servers of a cluster")
            .details("A folder holds one file per batch; ~ is the home folder. One process uses a folder at a"
                    + " time: a second serve, or a run while a server holds the folder, is refused (give it another"
                    + " folder, or memory). With a database, every server given"
                    + " the same one (and the same vault, by path) answers for every session, and a stopped server's"
                    + " batches go on on another within the lease time (cluster.lease, 10 s); the schema is created and migrated"
                    + " at start. Put a password in CANVASBATCH_DATA or the settings file rather than on the"
                    + " command line, which other users of the machine may read."));

    // ------------------------------------------------------------------------------------------------------- cluster

    static final Setting<Duration> CLUSTER_LEASE = declare(setting("cluster.lease", duration("2s", "10m"), "10s")
            .option("--cluster-lease DURATION", RUN, SERVE)
            .help("with a database as --data: how long a server's hold on a batch lasts without renewal, so the"
                    + " longest a stopped server's batches wait for another")
            .details("Each server renews its leases every third of this. Shorter moves a dead server's batches"
                    + " sooner; a server that cannot reach the database for longer than this gives its batches up,"
                    + " so keep it above the database's longest expected pause. Every server of a cluster should"
                    + " use the same value."));
    static final Setting<Integer> CLUSTER_PROVIDER_LIMIT = declare(setting(
                    "cluster.provider-limit", whole(0, 10_000), "0")
            .option("--cluster-provider-limit N", RUN, SERVE)
            .help("with a database as --data: at most this many calls in flight to the model provider over every"
                    + " server of the cluster together; 0 for no limit beyond each server's concurrency")
            .details("The budget a school pays for: each call first takes a permit in the database and gives it back"
                    + " when the model has answered; a stopped server's permits come back after the lease time. A call"
                    + " waiting for a permit holds its server's slot and counts in its node timeout."));

    // --------------------------------------------------------------------------------------------------------- batch

    // the cluster's placement reads a server row claiming more as written by no server of this build
    static final Setting<Integer> GLOBAL_CONCURRENCY = declare(setting(
                    "batch.concurrency.global",
                    whole(1, org.canvasbatch.adapters.journal.postgres.PostgresSessionLeases.MOST_CONCURRENCY),
                    "12")
            .option("--concurrency N", RUN, SERVE)
            .help("agent calls in flight at once across all batches, shared fairly; run's sets the batch's too, which"
                    + " takes at most 50"));
    static final Setting<Integer> SESSION_CONCURRENCY = declare(setting(
                    "batch.concurrency.per-session", whole(1, 50), "12")
            .option("--concurrency N", RUN)
            .help("agent calls in flight at once for one batch, unless its request asks otherwise (max_concurrent)"));
    static final Setting<Duration> NODE_TIMEOUT = declare(setting("batch.node-timeout", duration("1s", "1h"), "120s")
            .option("--node-timeout DURATION", RUN, SERVE)
            .help("how long one agent call may take before it is interrupted and counts as a (retryable) timeout"));
    static final Setting<Duration> BATCH_TIMEOUT = declare(setting("batch.timeout", duration("1m", "24h"), "600s")
            .option("--timeout DURATION", RUN)
            .help("how long a whole batch may run before it ends failed, unless its request says otherwise"));
    static final Setting<Integer> ATTEMPTS = declare(setting("batch.retries.attempts", whole(1, 10), "3")
            .help("attempts per node for transient failures (timeouts, connection errors, HTTP 429 and 5xx);"
                    + " 1 means no retry"));
    static final Setting<Duration> BACKOFF_BASE = declare(setting(
                    "batch.retries.backoff-base", duration("1ms", "1m"), "1s")
            .help("the first wait before a retry; each next one doubles, with jitter, never earlier than the model"
                    + " server's Retry-After"));
    static final Setting<Duration> BACKOFF_CAP =
            declare(setting("batch.retries.backoff-cap", duration("1ms", "10m"), "30s")
                    .help("the longest wait before a retry; at least the backoff base"));

    // ----------------------------------------------------------------------------------------------------- retention

    static final Setting<Duration> PENDING_EXPIRY =
            declare(setting("retention.pending-expiry", duration("1s", "30d"), "30m")
                    .help("how long a batch analysed but never confirmed is kept"));
    static final Setting<Integer> PENDING_MAX = declare(setting("retention.pending-max", whole(1, 100_000), "200")
            .help("at most this many analysed batches waiting for confirmation at once")
            .details("""
                    Each holds its groups in memory and its events in the journal until it is confirmed, cancelled
                    or expires. Past the limit an analysis is answered 429 with Retry-After (when the oldest expires).
                    Batches that start at once (auto_execute) do not wait and are not counted."""));
    static final Setting<Integer> PENDING_MAX_PER_CLIENT = declare(setting(
                    "retention.pending-max-per-client", whole(1, 100_000), "20")
            .help("the same limit for one client address (everyone behind one proxy shares it: raise it there); past"
                    + " it the client's oldest waiting batch is replaced by its newest"));
    static final Setting<Duration> TERMINAL = declare(setting("retention.terminal", duration("1s", "30d"), "30m")
            .help("how long a finished batch (its status, its events) is kept; its notes stay in the vault"));

    // ----------------------------------------------------------------------------------------------------- websocket

    static final Setting<Duration> PING_INTERVAL =
            declare(setting("websocket.ping-interval", duration("1s", "2m"), "30s")
                    .help("how often every socket gets a ping; one that answers two in a row with nothing is dropped")
                    .details("""
                    The answers (pongs) are also what keeps a quiet socket open under the web server's 5-minute
                    connection idle timeout, hence at most 2m."""));
    static final Setting<Duration> IDLE_TIMEOUT = declare(setting(
                    "websocket.idle-timeout", duration("10s", "24h"), "10m")
            .help("a socket whose batch produced no event and whose client sent nothing this long is closed (4408)")
            .details("Never while a node of the batch is running."));
    static final Setting<Integer> QUEUE_CAPACITY = declare(setting(
                    "websocket.queue-capacity", whole(16, 1_000_000), "1024")
            .help("messages waiting for one slow socket; beyond that it is closed with 4429 and the client resumes"
                    + " by last_seq")
            .details("Progress updates of one group are coalesced first."));
    static final Setting<Integer> MAX_FRAME = declare(setting("websocket.max-frame", size(1024, 1024 * 1024), "64KiB")
            .help("the largest message a client may send; bigger ones are answered with an error event"));

    // --------------------------------------------------------------------------------------------------------- agent

    static final Setting<String> PROVIDER = declare(setting("agent.provider", TEXT, "offline")
            .option("--model-provider NAME", RUN, SERVE)
            .olderVariable("CANVAS_BATCH_MODEL_PROVIDER")
            .help("who writes the notes: offline (no network, no key), openai (or any OpenAI-compatible server:"
                    + " Ollama, vLLM, LM Studio ...) or anthropic")
            .details("The offline agent builds structured study notes from the canvas itself."));
    static final Setting<String> BASE_URL = declare(setting("agent.base-url", TEXT, "")
            .option("--base-url URL", RUN, SERVE)
            .olderVariable("CANVAS_BATCH_BASE_URL")
            .help("the model server's API base, e.g. http://localhost:11434/v1 for Ollama; empty: the provider's"));
    static final Setting<String> MODEL = declare(setting("agent.model", TEXT, "")
            .option("--model NAME", RUN, SERVE)
            .olderVariable("CANVAS_BATCH_MODEL")
            .help("the model, e.g. gpt-4o-mini, qwen2.5, claude-3-5-haiku-latest; required unless offline"));
    static final Setting<String> API_KEY_ENV = declare(setting("agent.api-key-env", TEXT, "")
            .option("--api-key-env VAR", RUN, SERVE)
            .help("the environment variable that holds the API key; empty: OPENAI_API_KEY or ANTHROPIC_API_KEY")
            .details("A local server needs no key."));
    static final Setting<String> API_KEY = declare(setting("agent.api-key", TEXT, "")
            .option("--api-key KEY", RUN, SERVE)
            .help("the API key itself; better left empty and given through the environment (see api-key-env)"));
    static final Setting<Duration> MODEL_TIMEOUT = declare(setting("agent.timeout", duration("1s", "1h"), "90s")
            .option("--model-timeout DURATION", RUN, SERVE)
            .help("one HTTP call to the model server"));
    static final Setting<Double> TEMPERATURE = declare(setting("agent.temperature", decimal(0, 2), "0.4")
            .option("--temperature T", RUN, SERVE)
            .help("sampling temperature"));
    static final Setting<Integer> MAX_TOKENS = declare(setting("agent.max-tokens", whole(1, 1_000_000), "4096")
            .option("--max-tokens N", RUN, SERVE)
            .help("the longest note, in tokens; a note the model cuts off there fails its node, saying so"));
    static final Setting<String> TEMPLATES_DIR = declare(setting("agent.templates-dir", TEXT, "")
            .option("--templates-dir DIR", RUN, SERVE)
            .help("templates that replace the built-in ones: prompts as <agent-id>.md, offline notes as"
                    + " offline/<agent-id>.<zh|en>.md")
            .details(
                    "Also offline/_<piece>.<zh|en>.md for the pieces of the offline notes. Empty: the built-in ones."));

    // ---------------------------------------------------------------------------------------------------- embeddings

    static final Setting<String> EMBEDDING_MODEL = declare(setting("embeddings.model", TEXT, "")
            .option("--embedding-model NAME", RUN, SERVE)
            .help("a model that groups questions by meaning, e.g. text-embedding-3-small, nomic-embed-text (Ollama);"
                    + " empty: by their words, offline")
            .details("""
                    Grouping by words also weighs the subject lexicon and the canvas's own structure. Any failure of
                    the model (down, too slow, an error) groups by words too, with one line in the log."""));
    static final Setting<String> EMBEDDING_BASE_URL = declare(setting("embeddings.base-url", TEXT, "")
            .option("--embedding-base-url URL", RUN, SERVE)
            .help("an OpenAI-compatible /embeddings server; empty: the agent's base-url when the provider is openai")
            .details("""
                    Ollama serves one at http://localhost:11434/v1. Anthropic has no embedding endpoint: with the
                    anthropic or offline provider an embedding model needs this."""));
    static final Setting<String> EMBEDDING_API_KEY_ENV = declare(setting("embeddings.api-key-env", TEXT, "")
            .option("--embedding-api-key-env VAR", RUN, SERVE)
            .help("the environment variable that holds the embedding server's API key")
            .details("Empty: the agent's key when the server is the agent's, else OPENAI_API_KEY for OpenAI's own"
                    + " API, else none."));
    static final Setting<Duration> EMBEDDING_TIMEOUT =
            declare(setting("embeddings.timeout", duration("100ms", "1m"), "2s")
                    .option("--embedding-timeout DURATION", RUN, SERVE)
                    .help("how long one analysis may wait for all its vectors; analyze answers within seconds"));

    // ---------------------------------------------------------------------------------------------------- write-back

    static final Setting<Boolean> WRITE_BACK = declare(setting("write-back.enabled", FLAG, "true")
            .negatedBy("--no-write-back", "write notes but leave the canvas untouched", RUN, SERVE)
            .help("whether each written note is linked back into its canvas (a file node below the question, and an"
                    + " edge)"));
    static final Setting<Duration> COALESCE_INTERVAL = declare(setting(
                    "write-back.coalesce-interval", duration("0s", "1m"), "1s")
            .help("the least time between two writes of one canvas while a batch runs (one more write at the end)"));
    static final Setting<Boolean> LABEL_NODES = declare(setting("write-back.label-nodes", FLAG, "true")
            .help("whether each linked note also gets a small blue label beside its file node, \"[agent] 生成于"
                    + " YYYY-MM-DD HH:mm\" (\"[agent] generated ...\" on an English canvas)")
            .details("In this machine's time zone: what the Obsidian plugin's summary announces. Re-running a node"
                    + " updates its time."));

    // ----------------------------------------------------------------------------------------------- a settings file

    static final Setting<String> CONFIG = declare(setting(null, TEXT, "")
            .option("--config FILE", RUN, SERVE)
            .help("a YAML file of settings: any key of canvas-batch.yaml, below the environment; a relative folder"
                    + " in it is taken from the file's own folder"));

    private SettingsTable() {}

    /** Every declaration, in the order of the documents. */
    static List<Setting<?>> all() {
        return List.copyOf(ALL);
    }

    /** The settings that a file or a variable may give: every declaration with a key. */
    static List<Setting<?>> keyed() {
        return ALL.stream().filter(s -> s.key() != null).toList();
    }

    private static <T> Setting<T> declare(Setting<T> setting) {
        ALL.add(setting);
        return setting;
    }
}
