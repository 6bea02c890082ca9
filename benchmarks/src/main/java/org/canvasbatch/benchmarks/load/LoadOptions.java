package org.canvasbatch.benchmarks.load;

import java.nio.file.Path;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The command line of the load tool.
 *
 * @param command the command as the user typed it, recorded in the docs with the figures
 * @param only    the figures to run ({@code batch}, {@code latency}, {@code idle}, {@code startup}); all by default
 * @param serverJavaOptions extra JVM options for the measured servers (e.g. a flight recording), not for startup
 * @param node      the {@code node} executable for the bare Node {@code ws} server the idle figure is compared with
 *                  (benchmarks/node/install prepares it); null: no comparison
 */
record LoadOptions(
        Path repo,
        String command,
        boolean quick,
        boolean writeDocs,
        boolean diskJournal,
        Set<String> only,
        List<String> serverJavaOptions,
        String node) {

    static final List<String> FIGURES = List.of("startup", "batch", "latency", "idle", "replay", "storm");

    static final String USAGE = """
            usage: benchmarks/run-load [--write-docs] [--quick] [--journal disk|memory] [--only startup,batch,latency,idle,replay,storm]
              --write-docs   write the figures between the load-tool markers of docs/benchmarks.md
              --quick        smaller and shorter runs, to check that the tool works (not for the docs)
              --journal      the server's event journal: a fresh directory (disk, default, as users run it) or memory
              --only         run only these figures
              --server-java-opts "..."  extra JVM options for the servers of batch, latency and idle (profiling)
              --node PATH    compare the idle sockets with a bare Node ws server run by this node (run-load passes it)
            """;

    static LoadOptions parse(List<String> args) {
        Path repo = null;
        String command = "benchmarks/run-load";
        boolean quick = false;
        boolean writeDocs = false;
        boolean disk = true;
        Set<String> only = new LinkedHashSet<>(FIGURES);
        List<String> javaOptions = List.of();
        String node = null;
        for (int i = 0; i < args.size(); i++) {
            String arg = args.get(i);
            switch (arg) {
                case "--repo" -> repo = Path.of(value(args, ++i, arg));
                case "--command" -> command = value(args, ++i, arg);
                case "--quick" -> quick = true;
                case "--write-docs" -> writeDocs = true;
                case "--journal" -> {
                    String journal = value(args, ++i, arg);
                    if (!journal.equals("disk") && !journal.equals("memory")) {
                        throw new IllegalArgumentException("--journal is disk or memory, not " + journal);
                    }
                    disk = journal.equals("disk");
                }
                case "--only" -> {
                    only = new LinkedHashSet<>(List.of(value(args, ++i, arg).split(",")));
                    if (!FIGURES.containsAll(only)) {
                        throw new IllegalArgumentException("--only takes some of " + FIGURES + ", not " + only);
                    }
                }
                case "--node" -> node = value(args, ++i, arg);
                case "--server-java-opts" ->
                    javaOptions = List.of(value(args, ++i, arg).strip().split("\\s+"));
                default -> throw new IllegalArgumentException("unknown option " + arg);
            }
        }
        if (repo == null) {
            repo = Path.of("").toAbsolutePath();
        }
        return new LoadOptions(
                repo.toAbsolutePath().normalize(),
                command,
                quick,
                writeDocs,
                disk,
                Set.copyOf(only),
                javaOptions,
                node);
    }

    private static String value(List<String> args, int i, String option) {
        if (i >= args.size()) {
            throw new IllegalArgumentException(option + " needs a value");
        }
        return args.get(i);
    }

    boolean runs(String figure) {
        return only.contains(figure);
    }
}
