package org.canvasbatch.adapters.journal.postgres;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Starts a PostgreSQL of its own for the tests that need one: Debian's {@code postgresql} package ({@code initdb} and
 * {@code pg_ctl} on the PATH or under {@code /usr/lib/postgresql/<version>/bin}), a cluster in a temporary folder on a
 * free port, run as the {@code postgres} user when the tests run as root (PostgreSQL refuses to run as root). One
 * cluster serves every test class of the JVM; each asks for a database of its own. It is stopped by its pid when the
 * tests end (and by a shutdown hook if the JVM ends first), and its folder is deleted.
 *
 * <p>Without PostgreSQL installed the tests are skipped with one line saying what to install, except under CI
 * ({@code CI=true}), where they fail: a build that should prove cluster mode must not pass without running it.
 * Inject a {@link Server} into a constructor, a lifecycle method or a test.
 */
public final class LocalPostgres implements ExecutionCondition, ParameterResolver {

    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(LocalPostgres.class);
    private static final String MISSING = "PostgreSQL is not installed (no initdb and pg_ctl on the PATH or under"
            + " /usr/lib/postgresql): the cluster-mode tests need 'apt-get install postgresql'";
    private static volatile boolean toldMissing;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        if (binaries().isPresent() || "true".equals(System.getenv("CI"))) {
            return ConditionEvaluationResult.enabled("PostgreSQL is installed (or CI requires it)");
        }
        if (!toldMissing) {
            toldMissing = true;
            System.err.println("SKIPPED: " + MISSING);
        }
        return ConditionEvaluationResult.disabled(MISSING);
    }

    @Override
    public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
        return parameter.getParameter().getType() == Server.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
        return context.getRoot()
                .getStore(NAMESPACE)
                .getOrComputeIfAbsent("server", key -> Server.start(), Server.class);
    }

    static Optional<Path> binaries() {
        String path = System.getenv("PATH");
        if (path != null) {
            for (String dir : path.split(":")) {
                Path candidate = Path.of(dir);
                if (Files.isExecutable(candidate.resolve("pg_ctl"))
                        && Files.isExecutable(candidate.resolve("initdb"))) {
                    return Optional.of(candidate);
                }
            }
        }
        Path debian = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(debian)) {
            return Optional.empty();
        }
        try (Stream<Path> versions = Files.list(debian)) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("pg_ctl")))
                    .max(Comparator.comparing(
                            bin -> bin.getParent().getFileName().toString(), LocalPostgres::byNumber));
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    private static int byNumber(String a, String b) {
        try {
            return Integer.compare(Integer.parseInt(a), Integer.parseInt(b));
        } catch (NumberFormatException e) {
            return a.compareTo(b);
        }
    }

    /** A running PostgreSQL cluster of the tests. */
    public static final class Server implements AutoCloseable, ExtensionContext.Store.CloseableResource {

        static final String USER = "canvas";

        private final Path bin;
        private final Path folder;
        private final int port;
        private final boolean asPostgresUser;
        private final AtomicInteger databases = new AtomicInteger();
        private final Thread shutdownHook;

        private Server(Path bin, Path folder, int port, boolean asPostgresUser) {
            this.bin = bin;
            this.folder = folder;
            this.port = port;
            this.asPostgresUser = asPostgresUser;
            this.shutdownHook = new Thread(this::stopQuietly, "local-postgres-stop");
        }

        static Server start() {
            Path bin = binaries().orElseThrow(() -> new IllegalStateException("CI=true: " + MISSING));
            try {
                boolean root = "root".equals(System.getProperty("user.name"));
                Path folder = Files.createTempDirectory("canvas-batch-pg-");
                if (root) {
                    UserPrincipal postgres = folder.getFileSystem()
                            .getUserPrincipalLookupService()
                            .lookupPrincipalByName("postgres");
                    Files.setOwner(folder, postgres);
                }
                Files.setPosixFilePermissions(folder, PosixFilePermissions.fromString("rwx------"));
                Server server = new Server(bin, folder, freePort(), root);
                server.run(
                        "initdb",
                        "-D",
                        server.data().toString(),
                        "-U",
                        USER,
                        "--auth=trust",
                        "--encoding=UTF8",
                        "--no-locale",
                        "--no-sync");
                server.startProcess();
                Runtime.getRuntime().addShutdownHook(server.shutdownHook);
                return server;
            } catch (IOException e) {
                throw new UncheckedIOException("PostgreSQL could not be started for the tests", e);
            }
        }

        private Path data() {
            return folder.resolve("data");
        }

        /** Starts the postmaster (again, after {@link #stopProcess()}), waiting until it takes connections. */
        public void startProcess() {
            run(
                    "pg_ctl",
                    "-D",
                    data().toString(),
                    "-l",
                    folder.resolve("server.log").toString(),
                    "-w",
                    "-t",
                    "60",
                    "-o",
                    "-p " + port + " -k " + folder + " -c listen_addresses=127.0.0.1 -c fsync=off"
                            + " -c max_connections=200 -c shared_buffers=32MB",
                    "start");
        }

        /** Stops the postmaster by its pid (fast shutdown: connections are cut, nothing stored is lost). */
        public void stopProcess() {
            long pid = postmasterPid();
            if (pid <= 0) {
                return;
            }
            run("pg_ctl", "-D", data().toString(), "-m", "fast", "-w", "-t", "60", "stop");
            ProcessHandle.of(pid).ifPresent(handle -> {
                try {
                    handle.onExit().get(30, TimeUnit.SECONDS);
                } catch (Exception e) {
                    handle.destroyForcibly();
                }
            });
        }

        private long postmasterPid() {
            Path pidFile = data().resolve("postmaster.pid");
            try {
                if (!Files.exists(pidFile)) {
                    return -1;
                }
                String first = Files.readAllLines(pidFile, StandardCharsets.UTF_8)
                        .getFirst()
                        .trim();
                return Long.parseLong(first);
            } catch (IOException | RuntimeException e) {
                return -1;
            }
        }

        public int port() {
            return port;
        }

        /** A new, empty database on this cluster. */
        public PostgresLocation newDatabase() {
            String name = "test_" + ProcessHandle.current().pid() + "_" + databases.incrementAndGet();
            try (Connection admin = connect("postgres");
                    Statement statement = admin.createStatement()) {
                statement.execute("create database " + name);
            } catch (SQLException e) {
                throw new IllegalStateException("could not create database " + name, e);
            }
            return new PostgresLocation(USER, null, "127.0.0.1", port, name);
        }

        /** A connection to {@code database} as the cluster's owner, for tests that look at the rows. */
        public Connection connect(String database) throws SQLException {
            Properties properties = new Properties();
            properties.setProperty("user", USER);
            return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/" + database, properties);
        }

        private void run(String program, String... arguments) {
            List<String> command = new ArrayList<>();
            if (asPostgresUser) {
                command.addAll(List.of("runuser", "-u", "postgres", "--"));
            }
            command.add(bin.resolve(program).toString());
            command.addAll(List.of(arguments));
            try {
                Path output = Files.createTempFile("canvas-batch-pg-command", ".log");
                try {
                    Process process = new ProcessBuilder(command)
                            .directory(folder.toFile())
                            .redirectErrorStream(true)
                            .redirectOutput(output.toFile())
                            .start();
                    if (!process.waitFor(120, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                        throw new IllegalStateException(program + " did not finish within 120 s");
                    }
                    if (process.exitValue() != 0) {
                        throw new IllegalStateException(program + " failed (" + process.exitValue() + "): "
                                + Files.readString(output) + logTail());
                    }
                } finally {
                    Files.deleteIfExists(output);
                }
            } catch (IOException e) {
                throw new UncheckedIOException(program + " could not be run", e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(program + " was interrupted", e);
            }
        }

        private String logTail() {
            try {
                List<String> lines = Files.readAllLines(folder.resolve("server.log"));
                return "\nserver.log:\n"
                        + String.join("\n", lines.subList(Math.max(0, lines.size() - 20), lines.size()));
            } catch (IOException e) {
                return "";
            }
        }

        private static int freePort() throws IOException {
            try (ServerSocket socket = new ServerSocket(0)) {
                return socket.getLocalPort();
            }
        }

        private void stopQuietly() {
            try {
                stopProcess();
            } catch (RuntimeException e) {
                long pid = postmasterPid();
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
            try (Stream<Path> files = Files.walk(folder)) {
                files.sorted(Comparator.reverseOrder())
                        .forEach(file -> file.toFile().delete());
            } catch (IOException | UncheckedIOException e) {
                // a temporary folder left behind
            }
        }

        @Override
        public void close() {
            stopQuietly();
            try {
                Runtime.getRuntime().removeShutdownHook(shutdownHook);
            } catch (IllegalStateException e) {
                // the JVM is already shutting down: the hook runs anyway, and stopping twice is harmless
            }
        }
    }
}
