package org.canvasbatch.benchmarks.load;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicBoolean;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.benchmarks.JournalBenchmark;
import org.canvasbatch.domain.session.SessionId;

/**
 * How many durable appends per second this disk gives, and whether the journal's stretch design (issue 12: one shared
 * commit log, one sync per group-commit round for all sessions) would give more than what the journal does now (a file
 * per session, the files of a round synced concurrently). Three appenders, each with N threads that each append one
 * event and wait until it is durable, as a session's appends do:
 *
 * <ul>
 *   <li>{@code journal}: the real {@link FileJournal}, N sessions;
 *   <li>{@code own-files}: no journal code, each thread writes its record into its own file and syncs it
 *       ({@code fdatasync}): the disk's ceiling for the journal's design;
 *   <li>{@code shared-log}: no journal code, one file: a writer takes every record queued since it last looked, writes
 *       them as one, and has the file synced once for all of them (at most two syncs in flight), then releases their
 *       threads: the disk's ceiling for a shared commit log.
 * </ul>
 *
 * <p>Each is measured on a quiet disk and beside another process that writes to the same disk ({@link DiskWriter}: 1
 * MiB writes, each synced, into one file), as the issue asks.
 *
 * <pre>
 * benchmarks/run-journal [--seconds 5] [--threads 16,64] [--runs 2] [--beside quiet,writer]
 * </pre>
 */
public final class DurableAppends {

    /** What a batch mostly appends: a node starting (small), then its outcome with the note's preview (larger). */
    private static final int[] RECORD_BYTES = {160, 2_400};

    private DurableAppends() {}

    public static void main(String[] args) throws Exception {
        int seconds = 5;
        int runs = 2;
        List<Integer> threads = List.of(16, 64);
        List<String> beside = List.of("quiet", "writer");
        Path root = Path.of("benchmarks/target/durable-appends");
        String command = "benchmarks/run-journal";
        List<Appender> appenders = List.of(Appender.values());
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--seconds" -> seconds = Integer.parseInt(args[++i]);
                case "--runs" -> runs = Integer.parseInt(args[++i]);
                case "--threads" ->
                    threads = Arrays.stream(args[++i].split(","))
                            .map(Integer::valueOf)
                            .toList();
                case "--beside" -> beside = List.of(args[++i].split(","));
                case "--dir" -> root = Path.of(args[++i]);
                case "--appenders" ->
                    appenders = Arrays.stream(args[++i].split(","))
                            .map(label -> Arrays.stream(Appender.values())
                                    .filter(a -> a.label.equals(label))
                                    .findFirst()
                                    .orElseThrow(() -> new IllegalArgumentException("unknown appender " + label)))
                            .toList();
                case "--command" -> command = args[++i];
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        Files.createDirectories(root);
        System.out.println("Measured " + Instant.now() + " with `" + command + "`. Machine: "
                + MachineFacts.now().describe() + ". Each line: " + seconds + " s of appends, one event per append.\n");
        System.out.println("| appender | threads | beside | events/s | append p50 / p99 / max | the other writer |"
                + " load average |");
        System.out.println("| --- | ---: | --- | ---: | --- | ---: | --- |");
        for (String next : beside) {
            boolean withWriter = next.equals("writer");
            for (int count : threads) {
                for (int run = 0; run < runs; run++) {
                    // interleaved, so that a busier minute of the machine does not fall on one design only
                    for (Appender appender : appenders) {
                        Path dir = Files.createTempDirectory(root, appender.label + "-");
                        DiskWriter.Handle writer = withWriter ? DiskWriter.start(root) : null;
                        String load = MachineFacts.loadAverage();
                        Result result;
                        try {
                            result = measure(appender, dir, count, seconds);
                        } finally {
                            if (writer != null) {
                                writer.stop();
                            }
                            JournalBenchmark.deleteTree(dir);
                        }
                        System.out.printf(
                                Locale.ROOT,
                                "| %s | %d | %s | %,d | %.2f / %.2f / %.1f ms | %s | %s |%n",
                                appender.label,
                                count,
                                withWriter ? "a writing process" : "quiet",
                                result.eventsPerSecond(),
                                result.latency().p50() / 1000.0,
                                result.latency().p99() / 1000.0,
                                result.latency().max() / 1000.0,
                                writer == null ? "—" : writer.describe(),
                                load);
                    }
                }
            }
        }
    }

    private enum Appender {
        JOURNAL("journal"),
        OWN_FILES("own-files"),
        SHARED_LOG("shared-log");

        final String label;

        Appender(String label) {
            this.label = label;
        }
    }

    private record Result(long eventsPerSecond, Percentiles latency) {}

    /** One appending thread: what it does once per append, and its latencies. */
    private interface Appends extends AutoCloseable {
        void appendOne(int thread, long n) throws Exception;

        @Override
        void close() throws Exception;
    }

    private static Result measure(Appender appender, Path dir, int threads, int seconds) throws Exception {
        try (Appends appends = switch (appender) {
            case JOURNAL -> new JournalAppends(dir, threads);
            case OWN_FILES -> new OwnFileAppends(dir, threads);
            case SHARED_LOG -> new SharedLogAppends(dir);
        }) {
            AtomicBoolean measuring = new AtomicBoolean();
            AtomicBoolean stop = new AtomicBoolean();
            CyclicBarrier ready = new CyclicBarrier(threads + 1);
            long[][] latencies = new long[threads][];
            int[] counts = new int[threads];
            List<Thread> appenders = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int thread = t;
                appenders.add(Thread.ofPlatform().name("appender-" + t).start(() -> {
                    long[] micros = new long[1 << 14];
                    int count = 0;
                    long n = 0;
                    try {
                        ready.await();
                        while (!stop.get()) {
                            long started = System.nanoTime();
                            appends.appendOne(thread, ++n);
                            if (measuring.get()) {
                                if (count == micros.length) {
                                    micros = Arrays.copyOf(micros, count * 2);
                                }
                                micros[count++] = (System.nanoTime() - started) / 1000;
                            }
                        }
                    } catch (Exception e) {
                        throw new IllegalStateException("appender " + thread + " failed", e);
                    }
                    latencies[thread] = Arrays.copyOf(micros, count);
                    counts[thread] = count;
                }));
            }
            ready.await();
            Thread.sleep(1_000); // warm-up: the files exist, the JIT has seen the loop
            measuring.set(true);
            long began = System.nanoTime();
            Thread.sleep(seconds * 1_000L);
            measuring.set(false);
            long elapsed = System.nanoTime() - began;
            stop.set(true);
            for (Thread thread : appenders) {
                thread.join();
            }
            long total = Arrays.stream(counts).asLongStream().sum();
            long[] all = Arrays.stream(latencies).flatMapToLong(Arrays::stream).toArray();
            return new Result(total * 1_000_000_000L / elapsed, Percentiles.of(all));
        }
    }

    /** The journal itself: one session per thread, alternating a node's start and its outcome. */
    private static final class JournalAppends implements Appends {
        private final FileJournal journal;
        private final SessionId[] sessions;

        JournalAppends(Path dir, int threads) {
            journal = FileJournal.open(dir);
            sessions = new SessionId[threads];
            for (int t = 0; t < threads; t++) {
                sessions[t] = new SessionId("durable-" + t + "-" + UUID.randomUUID());
            }
        }

        @Override
        public void appendOne(int thread, long seq) {
            journal.append(List.of(JournalBenchmark.batchEvent(sessions[thread], seq)));
        }

        @Override
        public void close() {
            journal.close();
        }
    }

    /** Each thread its own file, written and synced per record: the journal's design with nothing else in the way. */
    private static final class OwnFileAppends implements Appends {
        private final FileChannel[] files;
        private final long[] ends;

        OwnFileAppends(Path dir, int threads) throws IOException {
            files = new FileChannel[threads];
            ends = new long[threads];
            for (int t = 0; t < threads; t++) {
                files[t] = FileChannel.open(
                        dir.resolve("session-" + t), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            }
        }

        @Override
        public void appendOne(int thread, long n) throws IOException {
            ByteBuffer record = ByteBuffer.allocate(RECORD_BYTES[(int) (n % 2)]);
            while (record.hasRemaining()) {
                ends[thread] += files[thread].write(record, ends[thread]);
            }
            files[thread].force(false);
        }

        @Override
        public void close() throws IOException {
            for (FileChannel file : files) {
                file.close();
            }
        }
    }

    /** One log for every thread: group commit, one write and one sync per round, two syncs at most in flight. */
    private static final class SharedLogAppends implements Appends {
        private static final int SYNCS_IN_FLIGHT = 2;

        private record Queued(int bytes, CompletableFuture<Void> durable) {}

        private final FileChannel log;
        private final LinkedBlockingQueue<Queued> queue = new LinkedBlockingQueue<>();
        private final Semaphore syncs = new Semaphore(SYNCS_IN_FLIGHT);
        private final java.util.concurrent.ExecutorService syncers =
                java.util.concurrent.Executors.newFixedThreadPool(SYNCS_IN_FLIGHT);
        private final Thread writer;
        private volatile boolean closed;

        SharedLogAppends(Path dir) throws IOException {
            log = FileChannel.open(dir.resolve("commit-log"), StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
            writer = Thread.ofPlatform().name("shared-log-writer").start(this::writeRounds);
        }

        @Override
        public void appendOne(int thread, long n) {
            var queued = new Queued(RECORD_BYTES[(int) (n % 2)], new CompletableFuture<>());
            queue.add(queued);
            queued.durable().join();
        }

        private void writeRounds() {
            long end = 0;
            List<Queued> round = new ArrayList<>();
            while (!closed) {
                round.clear();
                try {
                    Queued first = queue.poll(100, java.util.concurrent.TimeUnit.MILLISECONDS);
                    if (first == null) {
                        continue;
                    }
                    round.add(first);
                    queue.drainTo(round);
                    ByteBuffer records = ByteBuffer.allocate(
                            round.stream().mapToInt(Queued::bytes).sum());
                    while (records.hasRemaining()) {
                        end += log.write(records, end);
                    }
                    List<Queued> synced = List.copyOf(round);
                    syncs.acquire();
                    syncers.execute(() -> {
                        try {
                            log.force(false);
                            synced.forEach(q -> q.durable().complete(null));
                        } catch (IOException e) {
                            synced.forEach(q -> q.durable().completeExceptionally(e));
                        } finally {
                            syncs.release();
                        }
                    });
                } catch (IOException e) {
                    round.forEach(q -> q.durable().completeExceptionally(e));
                } catch (InterruptedException e) {
                    return;
                }
            }
        }

        @Override
        public void close() throws Exception {
            closed = true;
            writer.join();
            syncs.acquire(SYNCS_IN_FLIGHT);
            syncers.shutdown();
            log.close();
        }
    }

    /**
     * Another process writing to the same disk: 1 MiB at a time into one 256 MiB file it goes round in, each write
     * synced, until it is stopped. Started as its own JVM (a second process, as the issue asks), with this one's class
     * path.
     */
    public static final class DiskWriter {
        private static final int CHUNK = 1 << 20;
        private static final long FILE_BYTES = 256L << 20;

        public static void main(String[] args) throws IOException {
            Path file = Path.of(args[0]);
            ByteBuffer chunk = ByteBuffer.allocateDirect(CHUNK);
            long written = 0;
            try (FileChannel channel = FileChannel.open(
                    file, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.DELETE_ON_CLOSE)) {
                // reports how much it wrote once a second on standard out, so the measurement can say how busy the
                // disk was kept
                long reportAt = System.nanoTime() + 1_000_000_000L;
                long position = 0;
                while (true) {
                    chunk.clear();
                    while (chunk.hasRemaining()) {
                        position += channel.write(chunk, position);
                    }
                    channel.force(false);
                    written += CHUNK;
                    position %= FILE_BYTES;
                    if (System.nanoTime() >= reportAt) {
                        System.out.println(written);
                        System.out.flush();
                        reportAt += 1_000_000_000L;
                    }
                }
            }
        }

        static Handle start(Path dir) throws IOException {
            Path file = dir.resolve("other-writer-" + UUID.randomUUID());
            Process process = new ProcessBuilder(
                            Path.of(System.getProperty("java.home"), "bin", "java")
                                    .toString(),
                            "-Xmx64m",
                            "-cp",
                            System.getProperty("java.class.path"),
                            DiskWriter.class.getName(),
                            file.toString())
                    .redirectErrorStream(true)
                    .start();
            var handle = new Handle(process, file, System.nanoTime());
            handle.readReports();
            try {
                Thread.sleep(1_000); // writing steadily before the appends begin
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return handle;
        }

        static final class Handle {
            private final Process process;
            private final Path file;
            private final long started;
            private volatile long lastReport;
            private volatile long lastReportAt;
            private long stoppedAt;

            Handle(Process process, Path file, long started) {
                this.process = process;
                this.file = file;
                this.started = started;
            }

            void readReports() {
                Thread.ofPlatform().daemon().start(() -> {
                    try (var lines = process.inputReader()) {
                        String line;
                        while ((line = lines.readLine()) != null) {
                            try {
                                lastReport = Long.parseLong(line.strip());
                                lastReportAt = System.nanoTime();
                            } catch (NumberFormatException notAReport) {
                                System.err.println("disk writer: " + line);
                            }
                        }
                    } catch (IOException e) {
                        // the writer was stopped
                    }
                });
            }

            void stop() throws IOException, InterruptedException {
                stoppedAt = System.nanoTime();
                process.destroy();
                process.waitFor();
                Files.deleteIfExists(file);
            }

            /** The writer's own rate over the time it ran. */
            String describe() {
                long at = lastReportAt == 0 ? stoppedAt : lastReportAt;
                double seconds = (at - started) / 1e9;
                return seconds <= 0 || lastReport == 0
                        ? "no report"
                        : String.format(Locale.ROOT, "%.0f MiB/s synced", lastReport / (1024.0 * 1024.0) / seconds);
            }
        }
    }
}
