package org.canvasbatch.bootstrap;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** {@code canvas-batch run|serve|demo …}: one entry point, wired by hand. */
public final class Main {

    static final String VERSION = "0.1.0";

    private Main() {}

    public static void main(String[] args) {
        int code = run(Arrays.asList(args), System.out, System.err);
        System.exit(code);
    }

    /** Runs a command and returns its exit code: 0 all good, 1 some nodes failed, 2 usage or input error. */
    static int run(List<String> args, PrintStream out, PrintStream err) {
        if (args.isEmpty()
                || args.getFirst().equals("--help")
                || args.getFirst().equals("-h")
                || args.getFirst().equals("help")) {
            out.print(USAGE);
            return args.isEmpty() ? 2 : 0;
        }
        if (args.getFirst().equals("--version")) {
            out.println("canvas-batch " + VERSION);
            return 0;
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.getFirst()) {
                case "run" -> new RunCommand(out, err, System.getenv()).execute(rest);
                case "demo" -> DemoCommand.execute(rest, out, err);
                case "serve" -> new ServeCommand(out, err, System.getenv()).execute(rest);
                default ->
                    throw new UsageException("unknown command '" + args.getFirst() + "'; use run, serve or demo");
            };
        } catch (UsageException e) {
            err.println("canvas-batch: " + e.getMessage());
            return 2;
        }
    }

    static final String USAGE = """
            canvas-batch — teaching notes for the red and purple questions of an Obsidian canvas

            Usage:
              canvas-batch demo                      run the bundled example vault with the offline agent
              canvas-batch run CANVAS [options]      process one canvas in this process, then exit
              canvas-batch serve [options]           the HTTP + WebSocket server the Obsidian plugin talks to

            run options:
              --vault DIR             vault root (default: the nearest folder above CANVAS holding .obsidian,
                                      else the canvas's folder)
              --colors 1,6            node colours to process (default 1,6: red and purple)
              --agent auto|ID         one agent for every node, or auto (default) to route by content
              --concurrency N         agent calls at once (default 12)
              --max-groups N          at most N topic groups (default 6)
              --dry-run               print the groups and agents, write nothing
              --no-write-back         write notes but leave the canvas untouched
              --node-timeout SECONDS  per agent call (default 120)
              --timeout SECONDS       whole batch (default 600)
              --data DIR|memory       event journal location (default ~/.canvas-batch/data)
              --config FILE           settings file (see below)

            serve options:
              --host HOST             default 127.0.0.1; anything but loopback requires --token
              --port PORT             default 8000
              --token TOKEN           every call must send 'Authorization: Bearer TOKEN' (or ?token=TOKEN);
                                      better: CANVASBATCH_TOKEN in the environment
              --vault DIR             vault root (default: current folder)
              --data DIR|memory       event journal location (default ~/.canvas-batch/data)
              --concurrency N         agent calls at once across all sessions (default 12)
              --node-timeout SECONDS  per agent call (default 120)
              --cors-origins A,B      browser origins allowed to call (default: Obsidian and localhost)
              --allowed-hosts A,B     names besides localhost that requests may be addressed to (Host header)
              --shutdown-grace SECONDS  running calls may finish on Ctrl-C (default 10)
              --no-write-back         write notes but leave canvases untouched
              --config FILE           settings file (see below)
              Operator endpoints: /health, /health/ready, /metrics, /openapi.yaml, /asyncapi.yaml; dashboard at /

            model options (run and serve; default: the offline agent, no network):
              --model-provider offline|openai|anthropic
              --model NAME            e.g. gpt-4o-mini, llama3.1 (Ollama), claude-3-5-haiku-latest
              --base-url URL          e.g. http://localhost:11434/v1 for Ollama
              --api-key KEY           the API key (better: OPENAI_API_KEY / ANTHROPIC_API_KEY in the environment)
              --api-key-env VAR       read the API key from the environment variable VAR
              --model-timeout SECONDS per HTTP call (default 90)
              --temperature T         0–2 (default 0.4)
              --max-tokens N          longest note in tokens (default 4096)
              --templates-dir DIR     templates that replace the built-in ones: prompts as <agent-id>.md,
                                      offline notes as offline/<agent-id>.<zh|en>.md

            grouping by meaning (run and serve; default: by words, the subject lexicon and the canvas, offline):
              --embedding-model NAME  e.g. text-embedding-3-small, nomic-embed-text (Ollama)
              --embedding-base-url URL  an OpenAI-compatible /embeddings server (default: --base-url of openai);
                                      needed with anthropic, which has none, e.g. http://localhost:11434/v1
              --embedding-api-key-env VAR  read the embedding server's key from VAR
              --embedding-timeout SECONDS  wait for the vectors of one analysis at most (default 2)

            Settings: every option above, and more (retries, retention, WebSocket limits), can also come from a
            YAML file given with --config or from CANVASBATCH_* environment variables (server.port ->
            CANVASBATCH_SERVER_PORT); the command line wins, then the environment, then the file. Every setting and
            its default is documented in canvas-batch.yaml inside the jar (bootstrap/src/main/resources/).

            Exit codes: 0 every node succeeded, 1 some failed or the run was interrupted, 2 usage or input error.
            """;
}
