package org.canvasbatch.benchmarks.load;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * What every measurement shares: the repository, a scratch folder, the fake model, the options, and the servers started
 * so far (so that all of them are stopped, by pid, whatever happens).
 */
final class Bench {

    private final Path repo;
    private final Path work;
    private final FakeModel model;
    private final LoadOptions options;
    private final PrintStream progress;
    private final List<ServerProcess> started = new ArrayList<>();

    Bench(Path repo, Path work, FakeModel model, LoadOptions options, PrintStream progress) {
        this.repo = repo;
        this.work = work;
        this.model = model;
        this.options = options;
        this.progress = progress;
    }

    Path repo() {
        return repo;
    }

    FakeModel model() {
        return model;
    }

    LoadOptions options() {
        return options;
    }

    void say(String format, Object... args) {
        progress.printf("[load] " + format + "%n", args);
        progress.flush();
    }

    /** A fresh folder under the scratch folder. */
    Path folder(String name) throws IOException {
        return Files.createDirectories(work.resolve(name));
    }

    /** A vault for one server: a copy of {@code examples/vault}, where the generated canvases are added later. */
    Path vault(String name) throws IOException {
        Path vault = folder(name + "/vault");
        Path example = repo.resolve("examples/vault");
        if (Files.isDirectory(example)) {
            try (Stream<Path> files = Files.walk(example)) {
                files.forEach(source -> {
                    Path target = vault.resolve(example.relativize(source).toString());
                    try {
                        if (Files.isDirectory(source)) {
                            Files.createDirectories(target);
                        } else {
                            Files.copy(source, target, StandardCopyOption.REPLACE_EXISTING);
                        }
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
            }
        }
        Files.createDirectories(vault.resolve(".obsidian"));
        return vault;
    }

    /** The journal the server is given: {@code memory}, or a fresh directory (the durable journal, as users run it). */
    String data(String name) throws IOException {
        return options.diskJournal() ? folder(name + "/journal").toString() : "memory";
    }

    /** Starts a server and waits until it answers; it is stopped by {@link #stopAll()} at the latest. */
    ServerProcess server(String name, ServerProcess.Launch launch, int concurrency)
            throws IOException, InterruptedException {
        ServerProcess server =
                spawn(name, launch, new ServerProcess.Options(vault(name), data(name), concurrency, model.baseUrl()));
        server.awaitFirstAnswer(java.time.Duration.ofSeconds(120));
        say("server %s: pid %d at %s", name, server.pid(), server.httpBase());
        return server;
    }

    ServerProcess spawn(String name, ServerProcess.Launch launch, ServerProcess.Options serverOptions)
            throws IOException {
        ServerProcess server =
                ServerProcess.start(repo, launch, serverOptions, folder(name).resolve("server.log"));
        synchronized (started) {
            started.add(server);
        }
        return server;
    }

    void stopAll() {
        List<ServerProcess> servers;
        synchronized (started) {
            servers = List.copyOf(started);
        }
        for (ServerProcess server : servers) {
            try {
                server.close();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
