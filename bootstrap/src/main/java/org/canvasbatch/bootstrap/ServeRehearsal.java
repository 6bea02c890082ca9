package org.canvasbatch.bootstrap;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.stream.Stream;
import org.canvasbatch.adapters.executor.LocalTaskExecutor;
import org.canvasbatch.adapters.journal.ChannelOpener;
import org.canvasbatch.adapters.journal.FileJournal;
import org.canvasbatch.adapters.vault.FileVault;
import org.canvasbatch.adapters.vault.VaultOptions;
import org.canvasbatch.adapters.vault.VaultPassageIndex;
import org.canvasbatch.application.batch.CanvasBatchCore;
import org.canvasbatch.application.batch.CoreSettings;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.SessionSubscription;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;

/**
 * Rehearsal batches that a freshly started {@code serve} runs in the background, so that the learner's first batch
 * finds compiled what a batch runs (issue 12: a fresh server spent more than half of its first batch's CPU in the JIT
 * compilers). Each is a real batch of the server's own core code (grouping, the dispatcher, the prompt and its JSON,
 * the answer's parsing, the notes and the canvas links, the journal's encoding and group commit) on a throwaway vault
 * and journal in the temporary folder, with the agent's {@link AgentRunner#rehearsal() stand-in}, which asks the model
 * nothing. The learner's vault and data folder are never touched, and it stops (cancelling the rehearsal batch it
 * runs) as soon as the learner asks for work; its folder is deleted when it ends. Small batches, so that it stops soon.
 */
final class ServeRehearsal {

    private static final System.Logger LOG = System.getLogger(ServeRehearsal.class.getName());
    /** Enough batches for the JIT's second tier to reach the per-node code; each is a few hundred ms once compiled. */
    static final int BATCHES = 16;

    static final int NODES = 24;
    /** The throwaway folder's name begins so, in the system's temporary folder. */
    static final String FOLDER_PREFIX = "canvas-batch-rehearsal-";

    private static final String CANVAS = "Rehearsal.canvas";
    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private static final List<String> TOPICS = List.of(
            "photosynthesis light chlorophyll leaves",
            "binary search trees balance rotation",
            "french revolution estates bastille",
            "derivatives limits slope tangent");

    /**
     * True on the rehearsal's threads and on every thread they start (its core's tasks, its journal's writer), so that
     * what they log stays out of the server's log: a learner reading it should find only their own batches.
     */
    private static final InheritableThreadLocal<Boolean> REHEARSING = new InheritableThreadLocal<>();

    private ServeRehearsal() {}

    /** Whether the calling thread does a rehearsal's work. */
    static boolean rehearsing() {
        return Boolean.TRUE.equals(REHEARSING.get());
    }

    /** What one rehearsal did. */
    record Outcome(int batches, int notes, boolean interrupted) {}

    /**
     * Starts the rehearsal on a thread of its own.
     *
     * @param agent        the server's agent; nothing is rehearsed when it has no {@link AgentRunner#rehearsal()}
     * @param realWorkCame true once the learner asked the server for work: the rehearsal stops then
     */
    static CompletableFuture<Outcome> start(
            AgentRunner agent,
            CoreSettings core,
            VaultOptions vaultOptions,
            Set<String> questionColors,
            BooleanSupplier realWorkCame) {
        CompletableFuture<Outcome> done = new CompletableFuture<>();
        Optional<AgentRunner> standIn = agent.rehearsal();
        if (standIn.isEmpty()) {
            done.complete(new Outcome(0, 0, false));
            return done;
        }
        Thread.ofPlatform().daemon().name("serve-rehearsal").start(() -> {
            long began = System.nanoTime();
            Outcome outcome;
            REHEARSING.set(true);
            try {
                outcome = run(standIn.get(), core, vaultOptions, questionColors, realWorkCame);
            } catch (Exception | Error e) {
                outcome = new Outcome(0, 0, true);
            } finally {
                REHEARSING.remove();
            }
            LOG.log(
                    System.Logger.Level.INFO,
                    "Rehearsed {0} batch(es), {1} note(s), on a throwaway vault in {2} ms{3} (a warm-up, so that the"
                            + " first real batch does not wait for the JVM to compile; nothing reaches your vault)",
                    outcome.batches(),
                    outcome.notes(),
                    Duration.ofNanos(System.nanoTime() - began).toMillis(),
                    outcome.interrupted() ? "; stopped for the learner's work" : "");
            done.complete(outcome);
        });
        return done;
    }

    private static Outcome run(
            AgentRunner agent,
            CoreSettings core,
            VaultOptions vaultOptions,
            Set<String> questionColors,
            BooleanSupplier realWorkCame)
            throws Exception {
        Path temporary = Path.of(System.getProperty("java.io.tmpdir"));
        sweepLeftovers(temporary);
        Path folder = Files.createTempDirectory(
                temporary, FOLDER_PREFIX + ProcessHandle.current().pid() + "-");
        try {
            Path vault = Files.createDirectories(folder.resolve("vault"));
            writeVault(vault);
            int batches = 0;
            int notes = 0;
            boolean interrupted = false;
            // the server's own limits, so that the same paths are taken; no retention sweep, no recovery
            try (FileJournal journal = FileJournal.open(folder.resolve("journal"), ChannelOpener.DEFAULT)) {
                FileVault files = new FileVault(vault, vaultOptions.withWriteBack(true), Clock.systemDefaultZone());
                VaultPassageIndex passages = new VaultPassageIndex(vault, vaultOptions, questionColors);
                passages.buildInBackground();
                LocalTaskExecutor executor = new LocalTaskExecutor(core.globalConcurrency() + 16);
                CanvasBatchCore rehearsal = new CanvasBatchCore(
                        new CanvasBatchCore.Ports(
                                journal,
                                agent,
                                files,
                                executor,
                                Instant::now,
                                () -> new SessionId(UUID.randomUUID().toString()),
                                new SplittableRandom(),
                                TextEmbedder.none(),
                                passages),
                        core);
                try {
                    while (batches < BATCHES && !realWorkCame.getAsBoolean()) {
                        int written = batch(rehearsal, questionColors, realWorkCame);
                        notes += written;
                        batches++;
                        if (written < NODES) {
                            interrupted = true;
                            break;
                        }
                    }
                } finally {
                    rehearsal.stopDispatching();
                    executor.shutdown(Duration.ofSeconds(5));
                    files.close();
                }
            }
            return new Outcome(batches, notes, interrupted || realWorkCame.getAsBoolean());
        } finally {
            deleteQuietly(folder);
        }
    }

    /** One batch of the rehearsal canvas; the notes it wrote (fewer when it was cancelled for real work). */
    private static int batch(CanvasBatchCore core, Set<String> questionColors, BooleanSupplier realWorkCame)
            throws InterruptedException {
        var analysis = core.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        CANVAS,
                        Optional.empty(),
                        questionColors.isEmpty() ? Set.of("1") : questionColors,
                        TOPICS.size(),
                        1,
                        AgentChoice.AUTO,
                        false,
                        Optional.empty(),
                        Optional.empty()));
        SessionId id = analysis.session().id();
        CountDownLatch finished = new CountDownLatch(1);
        int[] succeeded = {0};
        SessionSubscription subscription = core.useCases().subscriptions().subscribe(id, event -> {
            if (event instanceof SessionEvent.TaskSucceeded) {
                succeeded[0]++;
            }
            if (event instanceof SessionEvent.SessionFinished || event instanceof SessionEvent.SessionCancelled) {
                finished.countDown();
            }
        });
        try {
            core.useCases().start().start(StartSessionCommand.of(id));
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (!finished.await(20, TimeUnit.MILLISECONDS)) {
                if (realWorkCame.getAsBoolean() || System.nanoTime() > deadline) {
                    core.useCases().cancel().cancel(id, "the learner asked for work");
                    finished.await(PATIENCE.toSeconds(), TimeUnit.SECONDS);
                    break;
                }
            }
        } finally {
            subscription.close();
            core.forget(id);
        }
        return succeeded[0];
    }

    /** A canvas of question nodes in a few topics, and a note per topic that the passages can quote. */
    private static void writeVault(Path vault) throws IOException {
        StringBuilder nodes = new StringBuilder();
        for (int i = 0; i < NODES; i++) {
            String topic = TOPICS.get(i % TOPICS.size());
            String[] words = topic.split(" ");
            String question = "Question " + (i + 1) + ": how do " + words[i % words.length] + " and "
                    + words[(i + 1) % words.length] + " relate in " + words[0] + "?";
            nodes.append(nodes.isEmpty() ? "" : ",\n")
                    .append(String.format(
                            "    {\"id\":\"rehearsal-%02d\",\"type\":\"text\",\"text\":\"%s\",\"x\":%d,\"y\":%d,"
                                    + "\"width\":300,\"height\":120,\"color\":\"1\"}",
                            i, question, (i % 8) * 340, (i / 8) * 160));
        }
        Files.writeString(
                vault.resolve(CANVAS),
                "{\n  \"nodes\": [\n" + nodes + "\n  ],\n  \"edges\": []\n}\n",
                StandardCharsets.UTF_8);
        for (String topic : TOPICS) {
            String[] words = topic.split(" ");
            Files.writeString(
                    vault.resolve(words[0] + ".md"),
                    "# " + words[0] + "\n\n## " + words[1] + "\n\nNotes on " + topic + ", as a learner writes them.\n",
                    StandardCharsets.UTF_8);
        }
    }

    /**
     * Deletes the folders of rehearsals whose process is gone: a server killed (SIGKILL, a crash) while it rehearsed
     * could not delete its own. A folder whose name carries no process id, or a live one, is left alone.
     */
    static void sweepLeftovers(Path temporary) {
        try (Stream<Path> all = Files.list(temporary)) {
            java.nio.file.attribute.UserPrincipal me = temporary
                    .getFileSystem()
                    .getUserPrincipalLookupService()
                    .lookupPrincipalByName(System.getProperty("user.name"));
            all.filter(path -> path.getFileName().toString().startsWith(FOLDER_PREFIX))
                    .filter(path -> ownerIsGone(path.getFileName().toString().substring(FOLDER_PREFIX.length())))
                    .filter(path -> Files.isDirectory(path, java.nio.file.LinkOption.NOFOLLOW_LINKS))
                    // the temporary folder is shared with the machine's other users: only a folder this user made
                    // can be one of ours, and only ours are walked (a walk by path can be led through a swapped link)
                    .filter(path -> ownedBy(path, me))
                    .forEach(ServeRehearsal::deleteQuietly);
        } catch (IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not look for earlier rehearsals' folders: " + e);
        }
    }

    private static boolean ownedBy(Path folder, java.nio.file.attribute.UserPrincipal me) {
        try {
            return me != null && me.equals(Files.getOwner(folder, java.nio.file.LinkOption.NOFOLLOW_LINKS));
        } catch (IOException | UnsupportedOperationException e) {
            return false;
        }
    }

    private static boolean ownerIsGone(String rest) {
        int dash = rest.indexOf('-');
        if (dash <= 0) {
            return false;
        }
        try {
            long pid = Long.parseLong(rest.substring(0, dash));
            return ProcessHandle.of(pid).map(process -> !process.isAlive()).orElse(true);
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static void deleteQuietly(Path folder) {
        try (Stream<Path> all = Files.walk(folder)) {
            all.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    // a temporary folder: the system cleans it up eventually
                }
            });
        } catch (IOException e) {
            LOG.log(System.Logger.Level.DEBUG, "could not delete the rehearsal folder " + folder + ": " + e);
        }
    }
}
