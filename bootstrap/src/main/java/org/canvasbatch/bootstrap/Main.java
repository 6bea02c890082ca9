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
            out.print(Usage.full());
            return args.isEmpty() ? 2 : 0;
        }
        if (args.getFirst().equals("--version")) {
            out.println("canvas-batch " + VERSION);
            return 0;
        }
        List<String> rest = args.subList(1, args.size());
        List<String> options = rest.contains("--") ? rest.subList(0, rest.indexOf("--")) : rest;
        if (options.contains("--help") || options.contains("-h")) {
            out.print(
                    switch (args.getFirst()) {
                        case "run" -> Usage.of(CanvasBatchConfig.Command.RUN);
                        case "demo" -> Usage.demo();
                        case "serve" -> Usage.of(CanvasBatchConfig.Command.SERVE);
                        default -> Usage.full();
                    });
            return 0;
        }
        try {
            return switch (args.getFirst()) {
                case "run" -> new RunCommand(out, err, System.getenv()).execute(rest);
                case "demo" -> DemoCommand.execute(rest, out, err);
                case "serve" -> new ServeCommand(out, err, System.getenv()).execute(rest);
                default ->
                    throw new UsageException("unknown command '" + args.getFirst() + "'; use run, serve or demo");
            };
        } catch (java.nio.file.InvalidPathException e) {
            // the JVM reads arguments in the locale's charset: under the C locale (java -jar without the launcher,
            // which takes that locale as UTF-8) a CJK path arrives as characters no file name can hold
            err.println("canvas-batch: "
                    + TerminalText.printable("'" + e.getInput() + "' cannot name a file here (" + e.getReason()
                            + "); for a path outside ASCII, run with a UTF-8 locale, e.g. LC_ALL=C.UTF-8"));
            return 2;
        } catch (UsageException e) {
            // a message may quote a canvas's node id or a setting's value: never as terminal commands
            err.println("canvas-batch: "
                    + String.join(
                            System.lineSeparator(),
                            e.lines().stream().map(TerminalText::printable).toList()));
            return 2;
        }
    }
}
