package org.canvasbatch.benchmarks.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One {@code canvas-batch serve} child process: started the way a user starts it, measured from outside through
 * {@code /proc} and {@code jcmd}, and stopped by its own pid.
 */
final class ServerProcess implements AutoCloseable {

    /** How the JVM is launched. */
    sealed interface Launch {
        /** {@code java -jar bootstrap/target/canvas-batch.jar}: the JDK's own class-data archive only. */
        record PlainJar(List<String> javaOptions) implements Launch {
            PlainJar() {
                this(List.of());
            }
        }

        /** The same with the launcher's AppCDS flags and archive file. */
        record JarWithAppCds(Path archive) implements Launch {}

        /** {@code ./canvas-batch serve}: the launcher script itself, JDK lookup and build check included. */
        record Launcher() implements Launch {}
    }

    /** What a server is told: the port is always a free one chosen here. */
    record Options(Path vault, String data, int concurrency, String modelBaseUrl, List<String> more) {
        Options(Path vault, String data, int concurrency, String modelBaseUrl) {
            this(vault, data, concurrency, modelBaseUrl, List.of());
        }
    }

    private static final Pattern HEAP = Pattern.compile("committed (\\d+)K, used (\\d+)K");
    private static final Pattern RSS = Pattern.compile("VmRSS:\\s+(\\d+) kB");

    private final Process process;
    private final int port;
    private final long spawnedNanos;
    private final Path log;
    private final Path vault;

    private ServerProcess(Process process, int port, long spawnedNanos, Path log, Path vault) {
        this.process = process;
        this.vault = vault;
        this.port = port;
        this.spawnedNanos = spawnedNanos;
        this.log = log;
    }

    static ServerProcess start(Path repo, Launch launch, Options options, Path log) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>();
        switch (launch) {
            case Launch.Launcher l -> command.add(repo.resolve("canvas-batch").toString());
            case Launch.PlainJar p -> {
                command.add(java());
                command.addAll(p.javaOptions());
                command.addAll(List.of("-Dcanvasbatch.home=" + repo, "-jar", jar(repo)));
            }
            case Launch.JarWithAppCds cds ->
                command.addAll(List.of(
                        java(),
                        "-XX:+AutoCreateSharedArchive",
                        "-XX:SharedArchiveFile=" + cds.archive(),
                        "-Xlog:cds=off",
                        "-Xlog:cds+dynamic=off",
                        "-Dcanvasbatch.home=" + repo,
                        "-jar",
                        jar(repo)));
        }
        command.addAll(List.of(
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                String.valueOf(port),
                "--vault",
                options.vault().toString(),
                "--data",
                options.data(),
                "--concurrency",
                String.valueOf(options.concurrency()),
                "--shutdown-grace",
                "1",
                "--model-provider",
                "openai",
                "--base-url",
                options.modelBaseUrl(),
                "--model",
                "load-model"));
        command.addAll(options.more());
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(log.getParent().toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
        builder.environment()
                .keySet()
                .removeIf(name -> name.startsWith("CANVAS_BATCH_") || name.equals("JAVA_TOOL_OPTIONS"));
        long spawned = System.nanoTime();
        Process process = builder.start();
        return new ServerProcess(process, port, spawned, log, options.vault());
    }

    Path vault() {
        return vault;
    }

    long pid() {
        return process.pid();
    }

    String httpBase() {
        return "http://127.0.0.1:" + port;
    }

    String wsBase() {
        return "ws://127.0.0.1:" + port;
    }

    /**
     * Polls {@code GET /canvas/intelligent-parallel} every 5 ms until the server answers anything at all.
     *
     * @return nanoseconds from the spawn of the process to the first answer
     */
    long awaitFirstAnswer(Duration patience) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + patience.toNanos();
        while (System.nanoTime() - deadline < 0) {
            if (!process.isAlive()) {
                throw new IOException(
                        "the server exited with " + process.exitValue() + " before answering:\n" + logTail());
            }
            if (answers()) {
                return System.nanoTime() - spawnedNanos;
            }
            Thread.sleep(5);
        }
        throw new IOException("the server did not answer within " + patience.toSeconds() + " s:\n" + logTail());
    }

    private boolean answers() {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            socket.setSoTimeout(2_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET /canvas/intelligent-parallel HTTP/1.1\r\nHost: 127.0.0.1:" + port
                            + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = socket.getInputStream();
            byte[] head = in.readNBytes(12);
            return head.length == 12 && new String(head, StandardCharsets.US_ASCII).startsWith("HTTP/1.1 ");
        } catch (IOException notYet) {
            return false;
        }
    }

    /** Resident memory now, from {@code /proc/<pid>/status}. */
    long rssKiB() throws IOException {
        return rssKiB(pid());
    }

    /** The same for any process of this machine. */
    static long rssKiB(long pid) throws IOException {
        Matcher m = RSS.matcher(Files.readString(Path.of("/proc", String.valueOf(pid), "status")));
        if (!m.find()) {
            throw new IOException("no VmRSS for " + pid);
        }
        return Long.parseLong(m.group(1));
    }

    /** User + system CPU time so far, in clock ticks of {@link #ticksPerSecond()}, from {@code /proc/<pid>/stat}. */
    long cpuTicks() throws IOException {
        return cpuTicks(pid());
    }

    /** The same for any process of this machine, e.g. the Node processes of the fan-out benchmark. */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", String.valueOf(pid), "stat"));
        // the command name in parentheses may hold spaces; fields count from after its closing parenthesis
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(fields[11]) + Long.parseLong(fields[12]);
    }

    static long ticksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK")
                    .redirectErrorStream(true)
                    .start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
            getconf.waitFor(5, TimeUnit.SECONDS);
            return Long.parseLong(out);
        } catch (IOException | NumberFormatException | InterruptedException e) {
            return 100;
        }
    }

    /** The Java heap after a full collection: what stays alive, and what the JVM keeps committed for it. */
    record Heap(long usedKiB, long committedKiB) {}

    /** {@code jcmd GC.run}, then {@code GC.heap_info}. */
    Heap heapAfterFullGc() throws IOException, InterruptedException {
        jcmd("GC.run");
        Matcher m = HEAP.matcher(jcmd("GC.heap_info"));
        if (!m.find()) {
            throw new IOException("jcmd GC.heap_info said nothing about the heap");
        }
        return new Heap(Long.parseLong(m.group(2)), Long.parseLong(m.group(1)));
    }

    /** One class of {@code jcmd GC.class_histogram}: its live instances and their bytes (shallow). */
    record ClassCount(long instances, long bytes) {}

    private static final Pattern HISTOGRAM_LINE = Pattern.compile("^\\s*\\d+:\\s+(\\d+)\\s+(\\d+)\\s+(\\S+)");

    /** {@code jcmd GC.class_histogram}: what is alive, class by class (it collects the whole heap first). */
    java.util.Map<String, ClassCount> classHistogram() throws IOException, InterruptedException {
        java.util.Map<String, ClassCount> classes = new java.util.HashMap<>();
        for (String line : jcmd("GC.class_histogram").split("\n")) {
            Matcher m = HISTOGRAM_LINE.matcher(line);
            if (m.find()) {
                classes.merge(
                        m.group(3),
                        new ClassCount(Long.parseLong(m.group(1)), Long.parseLong(m.group(2))),
                        (a, b) -> new ClassCount(a.instances() + b.instances(), a.bytes() + b.bytes()));
            }
        }
        if (classes.isEmpty()) {
            throw new IOException("jcmd GC.class_histogram said nothing about classes");
        }
        return classes;
    }

    private String jcmd(String command) throws IOException, InterruptedException {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(jcmd.toString(), String.valueOf(pid()), command)
                .redirectErrorStream(true)
                .start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("jcmd " + command + " did not finish");
        }
        if (p.exitValue() != 0) {
            throw new IOException("jcmd " + command + " failed: " + out);
        }
        return out;
    }

    String logTail() {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 30), lines.size()));
        } catch (IOException e) {
            return "(no log: " + e.getMessage() + ")";
        }
    }

    /** SIGKILL, as a machine that dies: nothing is given back, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(20, TimeUnit.SECONDS);
    }

    /** SIGTERM (the server shuts down gracefully), then SIGKILL if it is still there after {@code patience}. */
    void stop(Duration patience) throws InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        process.destroy();
        if (!process.waitFor(patience.toMillis(), TimeUnit.MILLISECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Override
    public void close() throws InterruptedException {
        stop(Duration.ofSeconds(20));
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static String jar(Path repo) {
        return repo.resolve("bootstrap/target/canvas-batch.jar").toString();
    }
}
