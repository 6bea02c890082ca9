package org.canvasbatch.adapters.journal;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Another process on a data folder's lock file: it takes the lock on the journal's byte, shared as a dry run's look
 * takes it or exclusive as a server holds it, says {@code holding} once it has it, keeps it for as long as it is told,
 * and makes a marker file just before it lets go.
 */
public final class OtherProcessLock implements AutoCloseable {

    private final Process process;
    private final BufferedReader said;

    private OtherProcessLock(Process process) {
        this.process = process;
        this.said = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    }

    /** Starts the process and returns once it holds the lock. */
    static OtherProcessLock hold(Path lockFile, boolean shared, long millis, Path endingMarker) throws Exception {
        Process process = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-cp",
                        System.getProperty("java.class.path"),
                        OtherProcessLock.class.getName(),
                        lockFile.toString(),
                        shared ? "shared" : "exclusive",
                        String.valueOf(millis),
                        endingMarker.toString())
                .redirectError(ProcessBuilder.Redirect.INHERIT)
                .start();
        OtherProcessLock holder = new OtherProcessLock(process);
        String first = holder.said.readLine();
        if (!"holding".equals(first)) {
            holder.close();
            throw new IllegalStateException("the other process could not take the lock: " + first);
        }
        return holder;
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    @Override
    public void close() throws Exception {
        process.destroyForcibly().waitFor();
        said.close();
    }

    public static void main(String[] args) throws Exception {
        try (FileChannel channel =
                FileChannel.open(Path.of(args[0]), StandardOpenOption.READ, StandardOpenOption.WRITE)) {
            var lock = channel.tryLock(Long.MAX_VALUE - 1, 1, args[1].equals("shared"));
            System.out.println(lock == null ? "refused" : "holding");
            System.out.flush();
            Thread.sleep(Long.parseLong(args[2]));
            Files.createFile(Path.of(args[3]));
        }
    }
}
