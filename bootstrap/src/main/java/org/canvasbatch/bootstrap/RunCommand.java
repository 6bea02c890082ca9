package org.canvasbatch.bootstrap;

import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.Analysis;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.AnalyzeCanvasCommand;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.SkippedNode;
import org.canvasbatch.application.port.in.CanvasNotInVaultException;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.NothingToProcessException;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.in.SubscribeToSessionQuery.SessionSubscription;
import org.canvasbatch.application.port.out.Vault.NotedQuestions;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.NodeState;
import org.canvasbatch.domain.session.NodeTask;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionProgress;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;

/** {@code canvas-batch run CANVAS}: the whole batch in this process, with live progress and a summary. */
final class RunCommand {

    private final PrintStream out;
    /** Journals in the data folder a dry run found damaged beyond reading (the real run sets them aside). */
    private int unreadableJournals;

    private final PrintStream err;
    private final Map<String, String> env;

    RunCommand(PrintStream out, PrintStream err, Map<String, String> env) {
        this.out = out;
        this.err = err;
        this.env = env;
    }

    int execute(List<String> rawArgs) {
        Arguments args = Arguments.parse(CanvasBatchConfig.Command.RUN, rawArgs);
        if (args.positional().size() != 1) {
            throw new UsageException("run needs exactly one canvas, e.g. canvas-batch run \"Exam Prep/review.canvas\"");
        }
        checkColors(args.get(SettingsTable.COLORS));
        LogSetup.configure(Level.WARNING, Level.WARNING);
        CanvasBatchConfig config = CanvasBatchConfig.load(
                CanvasBatchConfig.Command.RUN,
                args.settings(),
                Optional.of(args.get(SettingsTable.CONFIG))
                        .filter(f -> !f.isEmpty())
                        .map(Path::of),
                env,
                err);
        // the vault is the canvas's own unless one was named (option, environment or --config file)
        CanvasLocation location = CanvasLocation.resolve(
                args.positional().getFirst(),
                config.vaultExplicit() ? Optional.of(config.vault().toString()) : Optional.empty(),
                config.vaultGivenBy().orElse("--vault"),
                Path.of("").toAbsolutePath());
        // the folder every path of the canvas is taken in: a wrong one makes links that Obsidian cannot open
        out.printf(
                "Vault: %s (%s)%n",
                TerminalText.printable(location.vault().toString()), TerminalText.printable(location.why()));
        boolean dryRun = args.get(SettingsTable.DRY_RUN);
        var settings = new Wiring.Settings(
                        location.vault(),
                        dryRun ? "memory" : config.data(),
                        config.agent(),
                        config.embeddings(),
                        config.coreSettings(),
                        config.vaultOptions()
                                .withWriteBack(config.vaultOptions().writeBack() && !dryRun),
                        config.wsSettings(),
                        env,
                        Set.copyOf(args.get(SettingsTable.COLORS)))
                .withCluster(config.cluster())
                .withDataGivenBy(config.dataGivenBy());
        try (Wiring wiring = Wiring.create(settings)) {
            // while the canvas is analysed: a model server that is down or refuses the key is said before the batch
            // fails node by node, and never waited for (but by a dry run, which has no batch to delay)
            CompletableFuture<Optional<String>> modelServer = wiring.checkModelServer();
            // the data folder's batches of this canvas are what a later run goes on from; memory keeps none
            boolean durable = !"memory".equals(config.data());
            boolean again = args.get(SettingsTable.AGAIN);
            Optional<SessionSnapshot> interrupted;
            Optional<SessionSnapshot> dropped = Optional.empty();
            Optional<SessionSnapshot> lastFinished = Optional.empty();
            Optional<String> journalDamage = Optional.empty();
            Optional<String> resourceWarning = Optional.empty();
            Ask ask = Ask.EVERY_QUESTION;
            SessionSnapshot planned;
            String groupedBy;
            List<SkippedNode> skipped = List.of();
            try {
                // before a batch is resumed or asked again too, which plan without an analysis: found at the first
                // note, a link would have every question paid for and then refused
                wiring.checkNotesFolder(location.canvasPath());
                StoredBatches stored = storedBatches(wiring, location, config, dryRun);
                if (dryRun || again) {
                    interrupted = stored.interrupted().map(Wiring.Journals.Stored::session);
                    journalDamage = stored.interrupted().flatMap(Wiring.Journals.Stored::damage);
                } else {
                    interrupted = resumeInterrupted(wiring, location, stored);
                }
                if (again) {
                    // asked for: every question anew, the batch this canvas had to go on with dropped
                    dropped = interrupted;
                    interrupted = Optional.empty();
                    journalDamage = Optional.empty();
                }
                if (interrupted.isEmpty()) {
                    lastFinished = stored.finished().map(Wiring.Journals.Stored::session);
                }
                if (interrupted.isEmpty() && durable && !again) {
                    ask = whatToAsk(
                            wiring,
                            location,
                            Set.copyOf(args.get(SettingsTable.COLORS)),
                            lastFinished,
                            lastFinished
                                    .map(batch -> newPlanOptions(batch, args))
                                    .orElse(List.of()),
                            config.vaultOptions().writeBack());
                }
                if (interrupted.isPresent()) {
                    planned = interrupted.get();
                    groupedBy = "as when it was analysed";
                } else if (ask.retry().isPresent()) {
                    // the questions that failed go again in their batch: its groups, agents and settings
                    planned = dryRun ? lastFinished.orElseThrow() : recoverFinished(wiring, lastFinished.orElseThrow());
                    journalDamage = stored.finished().flatMap(Wiring.Journals.Stored::damage);
                    groupedBy = "as when it was analysed";
                } else if (ask.nothing()) {
                    out.printf(
                            "Nothing to ask: the %d question node(s) of %s have their notes already (in %s);"
                                    + " run with --again to ask the model for them anew.%n",
                            ask.withNotes(),
                            TerminalText.printable(location.canvasPath()),
                            TerminalText.printable(notesFolderOf(location.canvasPath())));
                    if (ask.notedUnlinked() > 0) {
                        out.println("Note: " + notedUnlinkedNote(ask.notedUnlinked(), location.canvasPath()));
                    }
                    if (dryRun) {
                        out.println("Dry run: nothing was written.");
                    } else {
                        // its failed questions are no longer questions of the canvas, or have their notes now
                        lastFinished.ifPresent(batch -> wiring.forgetStored(batch.id()));
                    }
                    return 0;
                } else {
                    Analysis analysis = analyze(wiring, location, args, ask.nodes());
                    planned = analysis.session();
                    skipped = analysis.skippedNodes();
                    resourceWarning = Optional.ofNullable(analysis.resourceWarning());
                    // what the analysis did, not what was configured: a failing embedding model leaves the words
                    groupedBy = "grouped by " + analysis.groupedBy();
                }
            } catch (VaultException e) {
                // the canvas as given cannot be read from the vault (a link out of it, a folder in its place): a
                // sentence, as the server answers it, not a crash; a fault later, in the batch, is not a usage error
                throw new UsageException(e.getMessage());
            }
            Set<String> retry = ask.retry().orElse(Set.of());
            printPlan(location, planned, groupedBy, wiring, dryRun, retry);
            if (!skipped.isEmpty()) {
                // the API reports them as skipped_nodes: a learner looking for a red node's note must learn why none
                out.println(describeSkipped(skipped));
            }
            // the API's resource_warning: a batch expected to outlast its time limit is cut there
            resourceWarning.ifPresent(warning -> out.println("Warning: " + warning));
            Optional<String> canvasChange = interrupted.flatMap(s -> canvasChangedSince(
                    s, wiring.canvasNodes(location.canvasPath()), Set.copyOf(args.get(SettingsTable.COLORS))));
            // (a canvas that cannot be read now is compared with nothing: its questions are not "gone")
            Optional<SessionSnapshot> goingOn = retry.isEmpty() ? interrupted : lastFinished;
            Optional<String> modelChange = goingOn.flatMap(
                    s -> ModelChange.of(s, config.agent()).or(() -> ModelChange.unknownWriter(s, config.agent())));
            // a new batch of some of the questions: the others have their notes, and the learner must know why
            List<String> newBatchNotes = new java.util.ArrayList<>();
            if (ask.withNotes() > 0 && retry.isEmpty() && interrupted.isEmpty()) {
                newBatchNotes.add(ask.withNotes() + " question node(s) of the canvas have their notes already and are"
                        + " not asked again (--again asks them too)");
            }
            if (ask.notedUnlinked() > 0) {
                newBatchNotes.add(notedUnlinkedNote(ask.notedUnlinked(), location.canvasPath()));
            }
            if (ask.reworded() > 0 && interrupted.isEmpty()) {
                newBatchNotes.add(ask.reworded() + " question(s) were reworded since their notes were written and are"
                        + " asked again: a note you have not edited, by the agent that answers now, takes the new"
                        + " answer; any other stays as it is");
            }
            Optional<SessionSnapshot> replaced =
                    retry.isEmpty() && interrupted.isEmpty() ? lastFinished : Optional.empty();
            if (replaced.isPresent()
                    && ask.failedAskedAnew() > 0
                    && !ask.asGiven().isEmpty()) {
                // asked again in their batch, the failed questions would get its settings (a learner's longer
                // --node-timeout unused, and the same timeouts for ever): the options given make a new plan for them
                newBatchNotes.add(String.join(", ", ask.asGiven()) + " given: the " + ask.failedAskedAnew()
                        + " question(s) that failed in the batch of "
                        + STARTED.format(replaced.get().createdAt())
                        + " are asked in this new batch with " + (ask.asGiven().size() == 1 ? "it" : "them")
                        + "; the notes that batch wrote are left as they are");
            } else if (replaced.isPresent() && ask.failedAskedAnew() > 0) {
                newBatchNotes.add("the canvas, or the colours asked for, changed since the batch of "
                        + STARTED.format(replaced.get().createdAt()) + ": " + ask.failedAskedAnew()
                        + " question(s) that failed in it are asked in this new batch, with the others to ask ("
                        + (ask.reworded() > 0 ? "without a note, or reworded" : "without a note") + ")");
            }
            if (interrupted.isPresent()) {
                // the batch goes on as it was planned: what would have shaped a new plan is not used, and silence
                // would let the learner believe it was (a tester's --agent on a rerun, its notes by the old agent)
                List<String> unused = newPlanOptions(interrupted.get(), args);
                if (!unused.isEmpty()) {
                    newBatchNotes.add(String.join(", ", unused) + (unused.size() == 1 ? " is" : " are")
                            + " not used: the batch goes on as it was started; --again asks every question in a new"
                            + " batch with " + (unused.size() == 1 ? "it" : "them"));
                }
            }
            dropped.ifPresent(batch -> {
                String which = "interrupted batch of " + STARTED.format(batch.createdAt()) + " (" + batch.processed()
                        + " of " + batch.totalNodes() + " node(s) done)";
                newBatchNotes.add(
                        dryRun
                                ? "--again: the real run drops the " + which + " and asks every question in a new batch"
                                : "--again: the " + which + " is dropped; every question is asked in this new batch");
            });
            if (dryRun) {
                modelChange.ifPresent(change -> out.println("Note: " + change));
                canvasChange.ifPresent(change -> out.println("Note: " + change));
                newBatchNotes.forEach(note -> out.println("Note: " + note));
                // the real run repairs the journal as it starts, and warns: the dry run only reads it
                journalDamage.ifPresent(damage -> out.println("Note: the journal of that batch is damaged ("
                        + TerminalText.printable(damage) + "); the real run keeps what still reads, as counted here,"
                        + " sets the original aside in the data folder and says what was lost"));
                if (unreadableJournals > 0) {
                    // a batch of this canvas among them cannot be resumed: the real run starts anew, asking the model
                    // again for what it had done (a tester found the dry run silent there)
                    out.println("Note: " + unreadableJournals + " batch journal(s) in the data folder cannot be read at"
                            + " all; the real run sets them aside with a warning and cannot resume them (an interrupted"
                            + " batch of this canvas among them would be started anew)");
                }
                outcomeWithin(modelServer, Wiring.modelServerCheckTimeout().plusSeconds(1))
                        .ifPresent(problem -> out.println(warning(problem)));
                // the real run resumes that batch rather than this canvas's new plan: the dry run shows what it will do
                if (interrupted.isPresent()) {
                    SessionSnapshot s = interrupted.get();
                    out.printf(
                            "Dry run: the real run resumes the interrupted batch of %s (%d of %d node(s) already"
                                    + " done) with its first run's settings, rather than a new plan; nothing was"
                                    + " written.%n",
                            STARTED.format(s.createdAt()), s.processed(), s.totalNodes());
                } else if (!retry.isEmpty()) {
                    SessionSnapshot s = lastFinished.orElseThrow();
                    out.printf(
                            "Dry run: the real run asks again for the %d question(s) that failed in the batch of %s,"
                                    + " in that batch with its first run's settings, and leaves its %d written"
                                    + " note(s) as they are; nothing was written.%n",
                            retry.size(), STARTED.format(s.createdAt()), s.succeeded());
                } else {
                    out.println("Dry run: nothing was written.");
                }
                return 0;
            }
            // the batch keeps what it was started with: options given again now would otherwise be silently ignored
            interrupted.ifPresent(s -> out.printf(
                    "Resuming the interrupted batch of %s: %d of %d node(s) already done, with its first run's"
                            + " settings (concurrency %d, node timeout %d s, batch time limit %d s)%n",
                    STARTED.format(s.createdAt()),
                    s.processed(),
                    s.totalNodes(),
                    s.settings().maxConcurrent(),
                    s.settings().nodeTimeout().toSeconds(),
                    s.settings().batchTimeout().toSeconds()));
            if (!retry.isEmpty()) {
                // a rerun of a finished batch has no batch time limit: each question its node timeout and attempts
                out.printf(
                        "%d question(s) failed in the batch of %s; asking again for those only, in that batch, with"
                                + " its first run's settings (concurrency %d, node timeout %d s); its %d written"
                                + " note(s) are left as they are%n",
                        retry.size(),
                        STARTED.format(planned.createdAt()),
                        planned.settings().maxConcurrent(),
                        planned.settings().nodeTimeout().toSeconds(),
                        planned.succeeded());
            }
            modelChange.ifPresent(change -> out.println("Note: " + change));
            canvasChange.ifPresent(change -> out.println("Note: " + change));
            newBatchNotes.forEach(note -> out.println("Note: " + note));
            // replaced by the batch analysed now (its failed questions are in it), or dropped by --again
            replaced.ifPresent(batch -> wiring.forgetStored(batch.id()));
            dropped.ifPresent(batch -> wiring.forgetStored(batch.id()));
            // a journal in memory ends with the process: nothing could resume the batch, so Ctrl-C cancels it
            boolean resumable = !"memory".equals(settings.data());
            if (modelServer.isDone()) {
                // known already (a refused connection or key takes milliseconds): said here, under the plan
                modelServer.join().ifPresent(problem -> out.println(warning(problem)));
                modelServer = CompletableFuture.completedFuture(Optional.empty());
            }
            // a batch with failures is kept in a data folder, for the next run to ask those questions again; a database
            // is not looked in for it (see storedBatches)
            boolean keepFailed =
                    resumable && !org.canvasbatch.adapters.journal.postgres.PostgresLocation.isDatabase(config.data());
            return runBatch(
                    wiring,
                    planned,
                    args.get(SettingsTable.PLAIN) || !isTerminal(),
                    resumable,
                    modelServer,
                    retry,
                    keepFailed,
                    config.vaultOptions().writeBack() ? Optional.of(location.vault()) : Optional.empty());
        } catch (InvalidCommandException e) {
            // the core's words finish a sentence about the field: here the field is the canvas as it was named; a
            // whole sentence of its own (a canvas that cannot be read names the canvas itself) is said as it is
            throw new UsageException(e.errors().stream()
                    .map(f -> f.field().equals("canvas_path") && !startsASentence(f.message())
                            ? "the canvas '" + location.canvasPath() + "' " + f.message()
                            : f.message())
                    .collect(Collectors.joining("; ")));
        } catch (CanvasNotInVaultException e) {
            // the core's sentence is the server's ("restart the server with --vault"): run has no server to restart
            throw new UsageException("no canvas '" + e.canvasPath() + "' in the vault " + e.vaultLocation()
                    + ": give its path inside the vault, or give --vault the folder that holds it (and .obsidian)");
        } catch (NothingToProcessException e) {
            throw new UsageException(e.getMessage());
        }
    }

    /**
     * What the resumed batch will not do that the learner may expect of it: it runs the questions it was started with,
     * as they were then. A question added (or coloured) since is not in it, and a question still to do whose text
     * changed gets a note on the text as it was.
     *
     * @param canvasNow   every node of the canvas as it is now
     * @param colorsGiven the colours asked for now, taken for the batch's when some of its questions still have one of
     *                    them (so a question the learner coloured green since makes no green card a question); else
     *                    the batch was started with others, which are not recorded: those its questions have
     */
    static Optional<String> canvasChangedSince(
            SessionSnapshot batch,
            Optional<List<org.canvasbatch.domain.canvas.CanvasNode>> canvasRead,
            Set<String> colorsGiven) {
        if (canvasRead.isEmpty()) {
            // half-saved, too large: what changed on it is not known, and its links wait (a reviewer found every
            // question still to do said "no longer on the canvas" then)
            return Optional.of("the canvas cannot be read now, so what changed on it since the batch began is not"
                    + " known; the notes' links wait until it can be read.");
        }
        return canvasChangedSince(batch, canvasRead.get(), colorsGiven);
    }

    static Optional<String> canvasChangedSince(
            SessionSnapshot batch, List<org.canvasbatch.domain.canvas.CanvasNode> canvasNow, Set<String> colorsGiven) {
        Map<String, NodeTask> inBatch = batch.tasks().stream()
                .collect(Collectors.toMap(NodeTask::nodeId, task -> task, (first, second) -> first));
        List<org.canvasbatch.domain.canvas.CanvasNode> batchNodes = canvasNow.stream()
                .filter(node -> inBatch.containsKey(node.id()) && node.color() != null)
                .toList();
        Set<String> batchColors = batchNodes.stream()
                .map(org.canvasbatch.domain.canvas.CanvasNode::color)
                .collect(Collectors.toSet());
        java.util.function.Predicate<org.canvasbatch.domain.canvas.CanvasNode> given =
                node -> node.color() != null && colorsGiven.stream().anyMatch(node::hasColor);
        boolean givenAreTheBatchs = batchNodes.stream().anyMatch(given);
        java.util.function.Predicate<org.canvasbatch.domain.canvas.CanvasNode> question =
                givenAreTheBatchs || batchColors.isEmpty()
                        ? given
                        : node -> batchColors.stream().anyMatch(node::hasColor);
        long added = canvasNow.stream()
                .filter(question)
                .filter(node -> !inBatch.containsKey(node.id())
                        && SkippedNode.whyNotAsked(node).isEmpty())
                .count();
        long changed = canvasNow.stream()
                .filter(node -> {
                    NodeTask task = inBatch.get(node.id());
                    return task != null
                            && (task.state() == NodeState.QUEUED || task.state() == NodeState.RUNNING)
                            && !task.text().equals(node.displayText());
                })
                .count();
        java.util.function.Predicate<NodeTask> stillToDo =
                task -> task.state() == NodeState.QUEUED || task.state() == NodeState.RUNNING;
        Set<String> onCanvas = canvasNow.stream()
                .map(org.canvasbatch.domain.canvas.CanvasNode::id)
                .collect(Collectors.toSet());
        long gone = inBatch.values().stream()
                .filter(stillToDo)
                .filter(task -> !onCanvas.contains(task.nodeId()))
                .count();
        // recoloured out of the colours asked for now (marked understood, say): told only when those colours are the
        // batch's, else what a question is now is not known
        long unmarked = givenAreTheBatchs
                ? canvasNow.stream()
                        .filter(node -> inBatch.containsKey(node.id())
                                && stillToDo.test(inBatch.get(node.id()))
                                && !given.test(node))
                        .count()
                : 0;
        List<String> parts = new java.util.ArrayList<>();
        if (added > 0) {
            parts.add(added + " question node(s) of the canvas are not in this batch (added or coloured since it"
                    + " began, or left out when it was started): run the same command again once it is done to include"
                    + " them (it asks only the questions without a note)");
        }
        if (changed > 0) {
            parts.add(changed + " question(s) still to do changed their text since; their notes answer the text as it"
                    + " was");
        }
        if (gone > 0) {
            parts.add(gone + " question(s) still to do are no longer on the canvas; their notes are written all the"
                    + " same, and cannot be linked");
        }
        if (unmarked > 0) {
            parts.add(unmarked + " question(s) still to do are no longer in the colours asked for; they are asked all"
                    + " the same");
        }
        return parts.isEmpty() ? Optional.empty() : Optional.of(String.join("; ", parts) + ".");
    }

    /** Whether {@code message} is a sentence of its own rather than the end of one about the field. */
    private static boolean startsASentence(String message) {
        // a sentence that starts by naming the path ("'x.canvas' leads into the hidden folder …") names the canvas
        // itself: prefixed, it read "the canvas 'x.canvas' 'x.canvas' leads into …"
        return !message.isEmpty() && (Character.isUpperCase(message.codePointAt(0)) || message.startsWith("'"));
    }

    /** When an interrupted batch was started, for a person: this machine's time, to the second, and its zone. */
    private static final java.time.format.DateTimeFormatter STARTED = java.time.format.DateTimeFormatter.ofPattern(
                    "yyyy-MM-dd HH:mm:ss z", java.util.Locale.ROOT)
            .withZone(java.time.ZoneId.systemDefault());

    /** What JSON Canvas allows for a node's colour: a preset, 1 to 6, or a hex colour. */
    private static final java.util.regex.Pattern COLOR = java.util.regex.Pattern.compile(
            "[1-6]|#[0-9a-fA-F]{6}|red|purple", java.util.regex.Pattern.CASE_INSENSITIVE);

    /**
     * A colour that is none would select nothing, and with others beside it would be dropped without a word: a
     * mistyped colour is a usage error, not "the canvas has no node of colour 9".
     */
    private static void checkColors(List<String> colors) {
        colors.stream().filter(c -> !COLOR.matcher(c).matches()).findFirst().ifPresent(wrong -> {
            throw new UsageException("--colors: '" + wrong + "' is not a colour; give 1 to 6 (1 red, 2 orange,"
                    + " 3 yellow, 4 green, 5 cyan, 6 purple) or #rrggbb, separated by commas");
        });
    }

    /**
     * What the data folder holds of this canvas: the newest batch a run resumes (interrupted by a crash, a kill or
     * Ctrl-C), and the newest finished one, which a run goes on from when it has questions to ask again. Read without
     * resuming or changing anything, each batch as a start would settle it; the folder is taken as the real run takes
     * it, so one in use refuses both alike. A database is not looked in: the real run resumes its batch of the canvas
     * there all the same ({@link #resumeInterrupted}).
     */
    private StoredBatches storedBatches(
            Wiring wiring, CanvasLocation location, CanvasBatchConfig config, boolean dryRun) {
        if (org.canvasbatch.adapters.journal.postgres.PostgresLocation.isDatabase(config.data())) {
            if (dryRun) {
                out.println("Note: a dry run does not look in the database for an interrupted batch of this canvas;"
                        + " the real run resumes one if there is");
            }
            return new StoredBatches(Optional.empty(), Optional.empty());
        }
        // the journal knows a canvas by its path in its vault only, and one data folder (the default one) serves every
        // vault: a batch is this canvas's only if the canvas still holds some of its nodes (Obsidian's ids are random),
        // not another vault's canvas of the same name
        Set<String> nodeIds = wiring.canvasNodeIds(location.canvasPath());
        // chosen as a start chooses them, by their state before its settling
        Set<SessionId> active = new java.util.HashSet<>();
        List<Wiring.Journals.Stored> found = Wiring.Journals.storedIn(
                config.data(),
                config.dataGivenBy(),
                session -> wiring.core().asRecovered(session),
                s -> {
                    if (ofThisCanvas(s, location, nodeIds)) {
                        active.add(s.id());
                        return true;
                    }
                    return finishedOfThisCanvas(s, location, nodeIds);
                },
                dryRun ? () -> unreadableJournals++ : () -> {});
        java.util.Comparator<Wiring.Journals.Stored> newest =
                java.util.Comparator.comparing(Wiring.Journals.Stored::session, NEWEST);
        return new StoredBatches(
                found.stream().filter(f -> active.contains(f.session().id())).max(newest),
                found.stream()
                        .filter(f -> !active.contains(f.session().id()))
                        .max(newest)
                        // one that completed leaves nothing to ask again (a server keeps them a while)
                        .filter(f -> !toAskAgain(f.session()).isEmpty()));
    }

    /** @param interrupted the newest batch a run resumes; @param finished the newest finished one, if it has failures */
    private record StoredBatches(
            Optional<Wiring.Journals.Stored> interrupted, Optional<Wiring.Journals.Stored> finished) {}

    /**
     * A batch of this canvas that a crash or kill interrupted is continued rather than started again: its succeeded
     * nodes keep their notes and their agents are not called again.
     */
    private Optional<SessionSnapshot> resumeInterrupted(Wiring wiring, CanvasLocation location, StoredBatches stored) {
        Set<String> nodeIds = wiring.canvasNodeIds(location.canvasPath());
        // the newest batch of this canvas only, the one the dry run names: a start continues every batch it recovers,
        // and two of one canvas would run side by side, the other one silently
        Optional<SessionId> newest = stored.interrupted().map(f -> f.session().id());
        // one left running by a crash or kill is continued only once runBatch has its Ctrl-C handler (its calls went
        // out from the recovery on, and a Ctrl-C before the handler ended the process without pausing the batch)
        wiring.core().holdDispatching();
        wiring.core()
                .recover(s -> ofThisCanvas(s, location, nodeIds)
                        && newest.map(id -> id.equals(s.id())).orElse(true));
        // one stopped by an earlier Ctrl-C (or paused on the dashboard) stays paused until runBatch resumes it
        return wiring.useCases().status().sessions().stream().findFirst();
    }

    /** The finished batch whose failed questions this run asks again, loaded from the data folder. */
    private static SessionSnapshot recoverFinished(Wiring wiring, SessionSnapshot batch) {
        // the questions a stopped run had asked again are queued: they start once runBatch has its Ctrl-C handler
        wiring.core().holdDispatching();
        wiring.core().recover(s -> s.id().equals(batch.id()));
        return wiring.useCases().status().status(batch.id());
    }

    /**
     * A finished batch's questions still to do: those that failed, and those a run asking them again had under way
     * when it was stopped (queued again, or running when it was killed).
     */
    private static Map<String, NodeTask> toAskAgain(SessionSnapshot batch) {
        return batch.tasks().stream()
                .filter(t -> t.state() == NodeState.FAILED
                        || t.state() == NodeState.QUEUED
                        || t.state() == NodeState.RUNNING)
                .collect(Collectors.toMap(NodeTask::nodeId, t -> t, (a, b) -> a, java.util.LinkedHashMap::new));
    }

    /**
     * What a run with a data folder asks of the canvas when no batch of it is interrupted. A question is done when its
     * note is there: in the canvas's notes folder (by the notes' front matter; write-back off too), linked in the
     * canvas (a file node of canvas-batch's at the end of an edge from it, whose file exists), or written by the last
     * batch and still in the vault. Done
     * questions are not asked again. When the questions left are exactly the ones the last batch failed, as they were
     * then, they are asked again in that batch: a batch's tasks are its nodes as they were analysed, and cannot take
     * in a question added since, nor a failed one reworded. Otherwise the questions left go into a new batch, which
     * replaces that one.
     */
    private Ask whatToAsk(
            Wiring wiring,
            CanvasLocation location,
            Set<String> colors,
            Optional<SessionSnapshot> lastFinished,
            List<String> newPlanOptions,
            boolean linksNotes) {
        Optional<Canvas> read = wiring.canvas(location.canvasPath());
        if (read.isEmpty()) {
            // the analysis says what is wrong with it
            return Ask.EVERY_QUESTION;
        }
        Canvas canvas = read.get();
        Set<String> targetColors =
                colors.isEmpty() ? org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.DEFAULT_COLORS : colors;
        List<org.canvasbatch.domain.canvas.CanvasNode> questions = canvas.nodesColored(targetColors);
        NotedQuestions inNotesFolder = wiring.nodesWithNotes(location.canvasPath());
        Set<String> noted = notedQuestions(canvas, questions, location.vault(), lastFinished, inNotesFolder);
        // a note answers the words it was written for: a question the learner changed since is asked again
        int reworded = (int) questions.stream()
                .filter(q -> rewordedSinceItsNote(q, inNotesFolder)
                        && SkippedNode.whyNotAsked(q).isEmpty())
                .count();
        Ask ask = whatToAsk(questions, noted, lastFinished, newPlanOptions).withReworded(reworded);
        if (!linksNotes || noted.isEmpty()) {
            return ask;
        }
        // done, but not on the canvas: a link removed, or an editor's save over it; nothing asks them again
        Set<String> linked = notedQuestions(canvas, questions, location.vault(), Optional.empty(), NotedQuestions.NONE);
        return ask.withNotedUnlinked(
                (int) noted.stream().filter(id -> !linked.contains(id)).count());
    }

    private Ask whatToAsk(
            List<org.canvasbatch.domain.canvas.CanvasNode> questions,
            Set<String> noted,
            Optional<SessionSnapshot> lastFinished,
            List<String> newPlanOptions) {
        if (noted.isEmpty() && lastFinished.isEmpty()) {
            return Ask.EVERY_QUESTION;
        }
        List<org.canvasbatch.domain.canvas.CanvasNode> rest =
                questions.stream().filter(q -> !noted.contains(q.id())).toList();
        List<org.canvasbatch.domain.canvas.CanvasNode> askable =
                rest.stream().filter(q -> SkippedNode.whyNotAsked(q).isEmpty()).toList();
        Map<String, NodeTask> failed = lastFinished.map(RunCommand::toAskAgain).orElse(Map.of());
        boolean theSameAsFailed = !askable.isEmpty()
                && askable.size() == failed.size()
                && askable.stream()
                        .allMatch(q -> failed.containsKey(q.id())
                                && failed.get(q.id()).text().equals(q.displayText()));
        if (theSameAsFailed && newPlanOptions.isEmpty()) {
            return new Ask(Optional.of(failed.keySet()), Optional.empty(), noted.size(), false, 0, List.of(), 0, 0);
        }
        if (theSameAsFailed) {
            return new Ask(
                    Optional.empty(), Optional.of(rest), noted.size(), false, failed.size(), newPlanOptions, 0, 0);
        }
        if (askable.isEmpty() && !noted.isEmpty()) {
            return new Ask(Optional.empty(), Optional.empty(), noted.size(), true, 0, List.of(), 0, 0);
        }
        int failedAskedAnew =
                (int) askable.stream().filter(q -> failed.containsKey(q.id())).count();
        // no question has its note: the canvas's questions as the analysis reads them, as a first run
        return new Ask(
                Optional.empty(),
                noted.isEmpty() ? Optional.empty() : Optional.of(rest),
                noted.size(),
                false,
                failedAskedAnew,
                List.of(),
                0,
                0);
    }

    /**
     * The options given on this command line that would plan {@code batch} otherwise than it was planned: a batch that
     * goes on as it was started does not use them. A value given as the batch has it is no other plan; where the batch
     * does not keep the value (auto routing, the group cap), only a value it cannot have had counts: an agent other than
     * its questions still to do have, fewer groups than it has. A lower {@code --concurrency} caps every batch of the
     * process, this one too, so only a higher one is another plan.
     */
    private static List<String> newPlanOptions(SessionSnapshot batch, Arguments args) {
        List<String> options = new java.util.ArrayList<>();
        if (args.given(SettingsTable.AGENT)) {
            String agent = args.get(SettingsTable.AGENT);
            boolean asPlanned = "auto".equals(agent)
                    || batch.tasks().stream()
                            .filter(t -> t.state() != NodeState.SUCCEEDED)
                            .allMatch(t ->
                                    t.agent() != null && t.agent().wireName().equals(agent));
            if (!asPlanned) {
                options.add(optionName(SettingsTable.AGENT));
            }
        }
        if (args.given(SettingsTable.MAX_GROUPS)
                && args.get(SettingsTable.MAX_GROUPS) < batch.groups().size()) {
            options.add(optionName(SettingsTable.MAX_GROUPS));
        }
        if (args.given(SettingsTable.SESSION_CONCURRENCY)
                && args.get(SettingsTable.SESSION_CONCURRENCY)
                        > batch.settings().maxConcurrent()) {
            options.add(optionName(SettingsTable.SESSION_CONCURRENCY));
        }
        if (args.given(SettingsTable.NODE_TIMEOUT)
                && !args.get(SettingsTable.NODE_TIMEOUT).equals(batch.settings().nodeTimeout())) {
            options.add(optionName(SettingsTable.NODE_TIMEOUT));
        }
        if (args.given(SettingsTable.BATCH_TIMEOUT)
                && !args.get(SettingsTable.BATCH_TIMEOUT)
                        .equals(batch.settings().batchTimeout())) {
            options.add(optionName(SettingsTable.BATCH_TIMEOUT));
        }
        return options;
    }

    private static String optionName(Setting<?> setting) {
        return "--" + setting.option().name();
    }

    /**
     * What a run asks.
     *
     * @param retry           the questions of the last finished batch asked again in it
     * @param nodes           the questions of a new batch, when not every question of the canvas
     * @param withNotes       how many questions of the canvas have their notes, and are not asked
     * @param nothing         every question has its note
     * @param failedAskedAnew how many of the new batch's questions had failed in the batch it replaces
     * @param asGiven         the options given that planned the new batch of the failed questions, if they did
     * @param notedUnlinked   how many questions with notes the canvas does not link (write-back on)
     * @param reworded        how many of the new batch's questions have notes written for their words before the
     *                        learner changed them
     */
    private record Ask(
            Optional<Set<String>> retry,
            Optional<List<org.canvasbatch.domain.canvas.CanvasNode>> nodes,
            int withNotes,
            boolean nothing,
            int failedAskedAnew,
            List<String> asGiven,
            int notedUnlinked,
            int reworded) {
        /** A new batch of every question of the canvas, as the analysis reads them. */
        static final Ask EVERY_QUESTION = new Ask(Optional.empty(), Optional.empty(), 0, false, 0, List.of(), 0, 0);

        Ask withNotedUnlinked(int count) {
            return new Ask(retry, nodes, withNotes, nothing, failedAskedAnew, asGiven, count, reworded);
        }

        Ask withReworded(int count) {
            return new Ask(retry, nodes, withNotes, nothing, failedAskedAnew, asGiven, notedUnlinked, count);
        }
    }

    /**
     * The questions that have their notes: linked in the canvas, written by {@code lastFinished} and still there, or
     * with a note in the canvas's notes folder ({@code inNotesFolder}, by the notes' front matter: what tells a canvas
     * written back without links, or a batch no longer kept) — unless the notes in the folder were all written for
     * other words than the question's now, linked or not: the learner reworded it.
     */
    static Set<String> notedQuestions(
            Canvas canvas,
            List<org.canvasbatch.domain.canvas.CanvasNode> questions,
            Path vault,
            Optional<SessionSnapshot> lastFinished,
            NotedQuestions inNotesFolder) {
        Map<String, org.canvasbatch.domain.canvas.CanvasNode> byId = new java.util.HashMap<>();
        canvas.nodes().forEach(node -> byId.putIfAbsent(node.id(), node));
        Map<String, List<org.canvasbatch.domain.canvas.CanvasEdge>> edgesFrom = canvas.edges().stream()
                .collect(Collectors.groupingBy(org.canvasbatch.domain.canvas.CanvasEdge::fromNode));
        Map<String, NodeTask> written = lastFinished.stream()
                .flatMap(batch -> batch.tasks().stream())
                .filter(t -> t.state() == NodeState.SUCCEEDED && t.notePath() != null)
                .collect(Collectors.toMap(NodeTask::nodeId, t -> t, (a, b) -> a));
        Set<String> noted = new java.util.HashSet<>();
        for (org.canvasbatch.domain.canvas.CanvasNode question : questions) {
            boolean linked = edgesFrom.getOrDefault(question.id(), List.of()).stream()
                    .anyMatch(edge -> {
                        org.canvasbatch.domain.canvas.CanvasNode note = byId.get(edge.toNode());
                        // the note's file node and edge are canvas-batch's own (the learner's links are theirs)
                        return note != null
                                && note.isFile()
                                && (note.id().startsWith("cb-note-")
                                        || edge.id().startsWith("cb-edge-"))
                                && fileIn(vault, note.file());
                    });
            NodeTask task = written.get(question.id());
            if (rewordedSinceItsNote(question, inNotesFolder)) {
                continue;
            }
            if (linked || inNotesFolder.hasNote(question.id()) || (task != null && fileIn(vault, task.notePath()))) {
                noted.add(question.id());
            }
        }
        return noted;
    }

    /**
     * Whether every note of {@code question} in its notes folder was written for other words. Not a file node's: its
     * words are its file's name, and the model answers what the file says, so a file renamed or moved is no other
     * question (and a file rewritten is not seen as one either).
     */
    private static boolean rewordedSinceItsNote(
            org.canvasbatch.domain.canvas.CanvasNode question, NotedQuestions inNotesFolder) {
        return !question.isFile() && inNotesFolder.reworded(question.id(), question.displayText());
    }

    /** Said of questions whose notes are there but not linked: whatever the cause, nothing asks them again. */
    private static String notedUnlinkedNote(int count, String canvasPath) {
        return count + " question(s) have their notes in " + TerminalText.printable(notesFolderOf(canvasPath))
                + " but no link in the canvas; they are not asked again: drag a note onto the canvas to link it"
                + " yourself, or delete it to have it asked and linked again";
    }

    /** The notes folder of the canvas at {@code canvasPath} (relative to the vault), as the learner finds it. */
    private static String notesFolderOf(String canvasPath) {
        return canvasPath.substring(0, canvasPath.lastIndexOf('/') + 1)
                + org.canvasbatch.domain.note.NoteName.notesFolder(
                        org.canvasbatch.domain.canvas.Canvas.baseName(canvasPath));
    }

    /** Whether {@code file}, relative to the vault, is a file inside it. */
    private static boolean fileIn(Path vault, String file) {
        if (file == null || file.isBlank()) {
            return false;
        }
        try {
            Path path = vault.resolve(file).normalize();
            return path.startsWith(vault) && Files.isRegularFile(path);
        } catch (java.nio.file.InvalidPathException notAPath) {
            return false;
        }
    }

    /** The batch resumed when a canvas has several: the newest, and of two made in one instant the larger id. */
    private static final java.util.Comparator<SessionSnapshot> NEWEST =
            java.util.Comparator.comparing(SessionSnapshot::createdAt).thenComparing(SessionSnapshot::id);

    /** A batch of this canvas: at its path, and holding some of its nodes (not another vault's canvas of that name). */
    private static boolean ofThisCanvas(SessionSnapshot session, CanvasLocation location, Set<String> nodeIds) {
        return session.canvasPath().equals(location.canvasPath())
                && session.state().isActive()
                && session.tasks().stream().anyMatch(t -> nodeIds.contains(t.nodeId()));
    }

    /** A finished batch of this canvas, as {@link #ofThisCanvas}; not a cancelled one (a person ended it). */
    private static boolean finishedOfThisCanvas(SessionSnapshot session, CanvasLocation location, Set<String> nodeIds) {
        return session.canvasPath().equals(location.canvasPath())
                && session.state().isTerminal()
                && session.state() != SessionState.CANCELLED
                && session.tasks().stream().anyMatch(t -> nodeIds.contains(t.nodeId()));
    }

    /** The batch's limits and timeout are the core's defaults, which the settings made. */
    private Analysis analyze(
            Wiring wiring,
            CanvasLocation location,
            Arguments args,
            Optional<List<org.canvasbatch.domain.canvas.CanvasNode>> nodes) {
        Set<String> colors = Set.copyOf(args.get(SettingsTable.COLORS));
        AgentChoice agent;
        try {
            agent = AgentChoice.parse("agent", args.get(SettingsTable.AGENT));
        } catch (InvalidCommandException e) {
            throw new UsageException("--agent: " + e.errors().getFirst().message());
        }
        return wiring.useCases()
                .analyze()
                .analyze(new AnalyzeCanvasCommand(
                        location.canvasPath(),
                        nodes,
                        colors,
                        args.get(SettingsTable.MAX_GROUPS),
                        1,
                        agent,
                        false,
                        Optional.empty(),
                        Optional.empty()));
    }

    /** @param only the questions asked again of a finished batch, its plan shown for them alone; empty for all */
    private void printPlan(
            CanvasLocation location,
            SessionSnapshot planned,
            String groupedBy,
            Wiring wiring,
            boolean eachQuestion,
            Set<String> only) {
        java.util.function.Predicate<NodeTask> shown = only.isEmpty() ? t -> true : t -> only.contains(t.nodeId());
        List<Group> groups = planned.groups().stream()
                .filter(g -> planned.tasks().stream().anyMatch(t -> t.groupId() == g.id() && shown.test(t)))
                .toList();
        out.printf(
                "%s: %d question node(s)%s in %d group(s) (%s), notes by %s%n",
                location.canvasPath(),
                only.isEmpty() ? planned.totalNodes() : only.size(),
                only.isEmpty() ? "" : " to ask again",
                groups.size(),
                groupedBy,
                wiring.agentDescription());
        for (Group group : groups) {
            // each question's own agent is the one that writes its note (the analysis routes node by node): the
            // group's recommended one is only what most of them got
            List<NodeTask> tasks = planned.tasks().stream()
                    .filter(t -> t.groupId() == group.id() && shown.test(t))
                    .sorted(java.util.Comparator.comparingInt(NodeTask::canvasOrder))
                    .toList();
            List<String> agents =
                    tasks.stream().map(t -> t.agent().wireName()).distinct().toList();
            out.printf(
                    "  %d. %s %3d node(s)  %-7s %s%n",
                    group.id(),
                    TerminalText.fit(group.name(), 30),
                    only.isEmpty() ? group.size() : tasks.size(),
                    group.priority().wireName(),
                    agents.size() == 1 ? agents.getFirst() : agents.size() + " agents, one per question");
            if (eachQuestion) {
                tasks.forEach(t -> out.printf("     %-22s %s%n", t.agent().wireName(), oneLine(t.text())));
            }
        }
    }

    /** "2 node(s) skipped, with nothing to ask: 1 empty text node, 1 group without a label". */
    static String describeSkipped(List<SkippedNode> skipped) {
        Map<SkippedNode.Reason, Long> byReason = skipped.stream()
                .collect(Collectors.groupingBy(
                        SkippedNode::reason,
                        () -> new java.util.EnumMap<>(SkippedNode.Reason.class),
                        Collectors.counting()));
        return skipped.size() + " node(s) skipped, with nothing to ask: "
                + byReason.entrySet().stream()
                        .map(e -> e.getValue() + " " + what(e.getKey(), e.getValue() == 1))
                        .collect(Collectors.joining(", "));
    }

    private static String what(SkippedNode.Reason reason, boolean one) {
        return switch (reason) {
            case EMPTY_TEXT -> one ? "empty text node" : "empty text nodes";
            case NO_FILE -> one ? "file node without a file" : "file nodes without a file";
            case NO_URL -> one ? "link node without a URL" : "link nodes without a URL";
            case EMPTY_LABEL -> one ? "group without a label" : "groups without a label";
        };
    }

    /** What the model server's check found, as {@code run} says it: a warning line, never a terminal command. */
    private static String warning(String problem) {
        return "Warning: " + TerminalText.printable(problem.replaceAll("\\s+", " "));
    }

    /** How many of the batch's questions are being answered now; none when its status cannot be read. */
    private static long runningNow(Wiring wiring, SessionId id) {
        try {
            return wiring.useCases().status().status(id).tasks().stream()
                    .filter(t -> t.state() == NodeState.RUNNING)
                    .count();
        } catch (RuntimeException gone) {
            return 0;
        }
    }

    /** What {@code check} came to within {@code limit}; nothing when it has not by then. */
    private static Optional<String> outcomeWithin(CompletableFuture<Optional<String>> check, Duration limit) {
        try {
            return check.get(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return Optional.empty();
        }
    }

    /**
     * @param modelServer what the model server's check finds, if it has not yet: said as soon as it comes, while the
     *     batch runs
     */
    private int runBatch(
            Wiring wiring,
            SessionSnapshot planned,
            boolean plain,
            boolean resumable,
            CompletableFuture<Optional<String>> modelServer,
            Set<String> retry,
            boolean keepFailed,
            Optional<Path> linkingInto) {
        SessionId id = planned.id();
        long startedHere = System.nanoTime();
        CountDownLatch finished = new CountDownLatch(1);
        AtomicBoolean stoppedToResume = new AtomicBoolean();
        CountDownLatch summarised = new CountDownLatch(1);
        ProgressDisplay display = new ProgressDisplay(out, !plain, planned);
        modelServer.thenAccept(problem -> problem.ifPresent(line -> display.note(warning(line))));
        // a finished batch asked again ends with no event of its own when its outcome stays the same: this run is
        // over once each question asked again has its outcome
        Set<String> awaited = java.util.concurrent.ConcurrentHashMap.newKeySet();
        awaited.addAll(retry);
        // the notes this run wrote, whose links it wrote: what the end checks the canvas for
        Set<String> writtenHere = java.util.concurrent.ConcurrentHashMap.newKeySet();
        SessionSubscription subscription = wiring.useCases().subscriptions().subscribe(id, event -> {
            display.onEvent(event);
            if (event instanceof SessionEvent.SessionFinished || event instanceof SessionEvent.SessionCancelled) {
                finished.countDown();
            }
            if (event instanceof SessionEvent.TaskSucceeded succeeded) {
                writtenHere.add(succeeded.nodeId());
            }
            String outcomeOf = switch (event) {
                case SessionEvent.TaskSucceeded e -> e.nodeId();
                case SessionEvent.TaskFailed e -> e.nodeId();
                default -> null;
            };
            if (outcomeOf != null && awaited.remove(outcomeOf) && awaited.isEmpty()) {
                finished.countDown();
            }
        });
        display.sync(subscription.snapshot());
        if (retry.isEmpty() && subscription.snapshot().state().isTerminal()) {
            finished.countDown();
        }
        // one a stopped run had asked again, and that got its note since the batch was loaded, has its outcome
        subscription.snapshot().tasks().stream()
                .filter(t -> t.state() == NodeState.SUCCEEDED)
                .forEach(t -> awaited.remove(t.nodeId()));
        if (!retry.isEmpty() && awaited.isEmpty()) {
            finished.countDown();
        }
        Thread interruptHandler = new Thread(
                () -> {
                    if (finished.getCount() > 0) {
                        // the live display stops first: its next frame would move the cursor up over this message
                        display.close();
                        err.println();
                        if (resumable) {
                            // stopped, not cancelled: a cancelled batch is over, and the same command run again would
                            // ask the model anew for every note this one already wrote
                            // the calls in flight are given up (their answers would come seconds later): a learner
                            // must not count them as done, nor be surprised to see them asked again
                            long answering = runningNow(wiring, id);
                            err.println("Interrupted: stopping the batch; notes already written are kept"
                                    + (answering > 0
                                            ? ", and the " + answering + " question(s) being answered now are asked"
                                                    + " again by the next run"
                                            : "")
                                    + ". Run the same command again to finish the rest.");
                            stoppedToResume.set(true);
                            wiring.stopForResume(id);
                            finished.countDown();
                        } else {
                            err.println("Interrupted: cancelling the batch; notes already written are kept.");
                            try {
                                wiring.useCases().cancel().cancel(id, "interrupted from the terminal");
                            } catch (RuntimeException alreadyOver) {
                                // the batch ended between the signal and the cancel: nothing to stop
                            }
                        }
                    }
                    // also when the batch had just ended: the exit would otherwise cut off the canvas's last write, the
                    // summary and the journal's clean-up, which the main thread is doing now
                    awaitQuietly(summarised, Duration.ofSeconds(15));
                },
                "ctrl-c");
        Runtime.getRuntime().addShutdownHook(interruptHandler);
        try {
            // a batch found running (a crash, a kill) or with questions asked again goes on now that Ctrl-C stops it
            wiring.core().releaseDispatching();
            if (subscription.snapshot().state() == SessionState.PENDING) {
                wiring.useCases().start().start(StartSessionCommand.of(id));
            } else if (subscription.snapshot().state() == SessionState.PAUSED) {
                // stopped by an earlier Ctrl-C (or paused on the dashboard): running the command again is the
                // go-ahead, given only now that a Ctrl-C stops it again (resumed before, its calls went out while a
                // Ctrl-C still ended the process without a word and without pausing the batch)
                wiring.useCases().resume().resume(id, "run again in the terminal");
            }
            // the failed questions go back to the batch's queue now that a Ctrl-C stops them too (those a stopped run
            // had asked again are queued already)
            for (NodeTask task : subscription.snapshot().tasks()) {
                if (retry.contains(task.nodeId()) && task.state() == NodeState.FAILED) {
                    try {
                        wiring.useCases().retryNode().retry(id, task.nodeId());
                    } catch (org.canvasbatch.domain.session.SessionConflict inARunAlready) {
                        // queued again meanwhile: its outcome comes all the same
                    }
                }
            }
            awaitQuietly(finished, Duration.ofDays(1));
            display.close();
            subscription.close();
            // before the summary, so that an interrupt's exit (which waits only for the summary) finds the canvas
            // linked
            wiring.closeVault();
            SessionSnapshot outcome = wiring.useCases().status().status(id);
            printSummary(
                    outcome,
                    stoppedToResume.get(),
                    Duration.ofNanos(System.nanoTime() - startedHere),
                    !retry.isEmpty(),
                    keepFailed);
            List<org.canvasbatch.application.port.out.Vault.LinksLeftWaiting> leftWaiting = wiring.linksLeftWaiting();
            printLinksLeftWaiting(leftWaiting);
            if (leftWaiting.isEmpty()) {
                linkingInto.ifPresent(vault -> printLinksSavedOver(wiring, outcome, vault, writtenHere));
            }
            // the notes are the result; a finished run's journal has nothing left to resume, a stopped one has, and
            // one with failures the questions the next run asks again
            boolean failures = outcome.tasks().stream().anyMatch(t -> t.state() == NodeState.FAILED);
            if (!stoppedToResume.get() && !(keepFailed && failures)) {
                wiring.core().forget(id);
            }
            return outcome.state() == SessionState.COMPLETED ? 0 : 1;
        } finally {
            summarised.countDown();
            try {
                Runtime.getRuntime().removeShutdownHook(interruptHandler);
            } catch (IllegalStateException shuttingDown) {
                // the hook is running: it waits for the summary printed above
            }
        }
    }

    /** How the core says a node's agent ran out of the node timeout (ExecutingNodeTask). */
    private static final String NODE_TIMED_OUT = "The agent did not answer within ";

    /**
     * @param askedAgain the run asked again for the failed questions of a finished batch
     * @param kept       a batch with failures is kept for the next run to ask them again
     */
    private void printSummary(
            SessionSnapshot outcome, boolean stoppedToResume, Duration thisRun, boolean askedAgain, boolean kept) {
        out.println();
        // a resumed batch's own time spans the runs before and the pause between them: this run's is what was waited
        // (a finished batch's counts its first run only)
        Duration sinceStart = outcome.elapsed(java.time.Instant.now());
        String took = askedAgain
                ? ProgressDisplay.clock(thisRun)
                : sinceStart.minus(thisRun).compareTo(Duration.ofSeconds(2)) > 0
                        ? ProgressDisplay.clock(thisRun) + " (" + ProgressDisplay.clock(sinceStart)
                                + " since the batch began)"
                        : ProgressDisplay.clock(sinceStart);
        // stopped with questions still to do: a batch's, or those asked again of a finished one
        boolean leftToDo =
                outcome.tasks().stream().anyMatch(t -> t.state() == NodeState.QUEUED || t.state() == NodeState.RUNNING);
        out.printf(
                "%s in %s: %d succeeded, %d failed%s, of %d%n",
                stoppedToResume && (outcome.state().isActive() || leftToDo) ? "Interrupted" : describe(outcome.state()),
                took,
                outcome.succeeded(),
                outcome.failed(),
                outcome.cancelled() > 0 ? ", " + outcome.cancelled() + " cancelled" : "",
                outcome.totalNodes());
        outcome.tasks().stream().filter(t -> t.notePath() != null).findFirst().ifPresent(t -> {
            String folder = t.notePath().contains("/")
                    ? t.notePath().substring(0, t.notePath().lastIndexOf('/'))
                    : ".";
            out.printf("Notes: %s%n", TerminalText.printable(folder));
        });
        List<NodeTask> failures = outcome.tasks().stream()
                .filter(t -> t.state() == NodeState.FAILED)
                .toList();
        // every one: this is the learner's only list of the questions to do again (the lines above scroll away, a
        // batch of --data memory keeps nothing)
        failures.forEach(
                t -> out.printf("  failed: %s — %s%n", oneLine(t.text()), TerminalText.printable(t.errorMessage())));
        if (kept && !failures.isEmpty() && !stoppedToResume) {
            // what to do next: the same command, which asks the model for these again and leaves the notes written
            out.printf(
                    "Run the same command again to ask again for the %d failed question(s), and only those.%n",
                    failures.size());
            long timedOut = failures.stream()
                    .filter(t -> t.errorMessage() != null && t.errorMessage().startsWith(NODE_TIMED_OUT))
                    .count();
            if (timedOut > 0) {
                // asked again with the same node timeout, a model that slow fails them the same way every time
                out.printf(
                        "%d of them did not answer within the node timeout of %d s: add --node-timeout with a longer"
                                + " time, and they are asked in a new batch with it.%n",
                        timedOut, outcome.settings().nodeTimeout().toSeconds());
            }
        }
        List<SessionProgress.NodeResult> unlinked = outcome.progress().results().stream()
                .filter(r -> r.succeeded() && r.linkProblem() != null)
                .toList();
        if (!unlinked.isEmpty()) {
            out.printf("%d note(s) written but not linked into the canvas:%n", unlinked.size());
            unlinked.stream()
                    .limit(10)
                    .forEach(r -> out.printf(
                            "  not linked: %s — %s%n", oneLine(r.text()), TerminalText.printable(r.linkProblem())));
            if (unlinked.size() > 10) {
                out.printf("  … and %d more%n", unlinked.size() - 10);
            }
        }
        // the batch's time limit cut its first run; a run asking again has none, and the line would say questions
        // were stopped again when they were answered (or failed on their own)
        if (outcome.batchError() != null && !askedAgain) {
            out.println("  " + TerminalText.printable(outcome.batchError()));
        }
    }

    /**
     * After the vault's last write: the notes this run wrote whose links the vault wrote but the canvas does not have now
     * — a program holding the canvas open (an editor) saved its own copy over them. Said, or "succeeded" reads as notes
     * on the canvas; the next run says it again, and asks nothing for them.
     */
    private void printLinksSavedOver(Wiring wiring, SessionSnapshot outcome, Path vault, Set<String> writtenHere) {
        Optional<Canvas> read = wiring.canvas(outcome.canvasPath());
        if (read.isEmpty()) {
            return;
        }
        Canvas canvas = read.get();
        // this run's notes, still in the vault (one deleted meanwhile has no link to miss)
        Set<String> linkedByTheVault = outcome.progress().results().stream()
                .filter(r -> r.succeeded()
                        && writtenHere.contains(r.nodeId())
                        && r.linkProblem() == null
                        && fileIn(vault, r.notePath()))
                .map(SessionProgress.NodeResult::nodeId)
                .collect(Collectors.toSet());
        // a question deleted since has no link to miss
        List<org.canvasbatch.domain.canvas.CanvasNode> questions = canvas.nodes().stream()
                .filter(node -> linkedByTheVault.contains(node.id()))
                .toList();
        Set<String> linked = notedQuestions(canvas, questions, vault, Optional.empty(), NotedQuestions.NONE);
        long savedOver =
                questions.stream().filter(q -> !linked.contains(q.id())).count();
        if (savedOver > 0) {
            out.printf(
                    "%d note(s) written are not linked in '%s' now: another program saved the canvas over their links"
                            + " (an editor with it open?). The notes are in %s; delete one to have it asked and linked"
                            + " again.%n",
                    savedOver,
                    TerminalText.printable(outcome.canvasPath()),
                    TerminalText.printable(notesFolderOf(outcome.canvasPath())));
        }
    }

    /**
     * The notes are written but some of their links are not in the canvas (it could not be read or written to the
     * end): without this a learner reads "13 succeeded" and finds fewer notes on the canvas.
     */
    private void printLinksLeftWaiting(List<org.canvasbatch.application.port.out.Vault.LinksLeftWaiting> left) {
        for (var canvas : left) {
            out.printf(
                    canvas.kept()
                            ? "%d note(s) written but not linked into '%s' yet%s%n  They are kept, and linked by the"
                                    + " next canvas-batch run or serve on this vault that can write the canvas.%n"
                            : "%d note(s) written but not linked into '%s'%s%n  Their links could not be recorded in"
                                    + " the vault's .canvas-batch folder either, so nothing will link them later (a"
                                    + " run again does not ask questions whose notes are there): once the canvas can be"
                                    + " written, drag the notes onto it, or delete one to have its question asked and"
                                    + " linked again.%n",
                    canvas.count(),
                    TerminalText.printable(canvas.canvasPath()),
                    canvas.reason() == null ? "." : ": " + TerminalText.printable(canvas.reason()));
        }
    }

    private static String describe(SessionState state) {
        return switch (state) {
            case COMPLETED -> "Done";
            case PARTIAL_FAILURE -> "Done with failures";
            case FAILED -> "Failed";
            case CANCELLED -> "Cancelled";
            default -> WireNames.state(state);
        };
    }

    private static String oneLine(String text) {
        String line = TerminalText.printable(text.replaceAll("\\s+", " ").strip());
        // cut between characters, never inside one (half an emoji printed as '?')
        return line.codePointCount(0, line.length()) > 60
                ? line.substring(0, line.offsetByCodePoints(0, 59)) + "…"
                : line;
    }

    private boolean isTerminal() {
        // the launcher knows whether stdout is a terminal; the JVM alone cannot tell reliably on Java 21
        return "1".equals(System.getProperty("canvasbatch.tty")) && !"dumb".equals(env.get("TERM"));
    }

    private static void awaitQuietly(CountDownLatch latch, Duration limit) {
        try {
            latch.await(limit.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * Where the canvas is: the vault root on disk, the canvas path inside it, with forward slashes, and why that folder
     * is the vault, for a person ("holds .obsidian").
     */
    record CanvasLocation(Path vault, String canvasPath, String why) {

        /** Canvases larger than this are not searched for file nodes (the vault refuses them anyway). */
        private static final long MAX_CANVAS_BYTES_READ = 64L << 20;

        static CanvasLocation resolve(String canvasArgument, Optional<String> vaultOption) {
            return resolve(canvasArgument, vaultOption, Path.of("").toAbsolutePath());
        }

        static CanvasLocation resolve(String canvasArgument, Optional<String> vaultOption, Path workingDirectory) {
            return resolve(canvasArgument, vaultOption, "--vault", workingDirectory);
        }

        /**
         * @param givenBy          where {@code vaultOption} came from, for a person: {@code --vault},
         *                         {@code CANVASBATCH_VAULT}, a settings file
         * @param workingDirectory what relative paths are relative to: the current folder
         */
        static CanvasLocation resolve(
                String canvasArgument, Optional<String> vaultOption, String givenBy, Path workingDirectory) {
            if (!canvasArgument.endsWith(".canvas")) {
                throw new UsageException("'" + canvasArgument + "' is not a .canvas file");
            }
            Path here = workingDirectory.toAbsolutePath().normalize();
            if (vaultOption.isPresent()) {
                Path vault = existingDirectory(here, vaultOption.get(), givenBy);
                String why = "given by " + givenBy;
                Path asGiven = here.resolve(canvasArgument).normalize();
                if (Files.isRegularFile(asGiven) && asGiven.startsWith(vault)) {
                    return new CanvasLocation(vault, relative(vault, asGiven), why);
                }
                boolean absolute = Path.of(canvasArgument).isAbsolute();
                // a '..' segment, not any two dots: "Wait... why.canvas" is a name inside the vault
                boolean climbs = Arrays.asList(canvasArgument.replace('\\', '/').split("/"))
                        .contains("..");
                if ((absolute || climbs) && Files.isRegularFile(asGiven)) {
                    throw new UsageException("'" + canvasArgument + "' is outside the vault " + vault + " (" + why
                            + "): name a canvas inside it, or the canvas's own vault");
                }
                if ((absolute || climbs) && asGiven.startsWith(vault)) {
                    // no canvas file where it points (a typo, a folder named like a canvas): the vault says which,
                    // about the path the learner meant, not about how it was typed
                    return new CanvasLocation(vault, relative(vault, asGiven), why);
                }
                if (absolute || climbs) {
                    throw notACanvasFile(canvasArgument, asGiven);
                }
                // one canvas, one path, however it was typed: the journal finds a stopped batch by it
                String inVault = Path.of(canvasArgument.replace('\\', '/'))
                        .normalize()
                        .toString()
                        .replace('\\', '/');
                return new CanvasLocation(vault, inVault, why);
            }
            Path canvas = here.resolve(canvasArgument).normalize();
            if (!Files.isRegularFile(canvas)) {
                throw notACanvasFile(canvasArgument, canvas);
            }
            Path folder = canvas.getParent();
            for (Path dir = folder; dir != null; dir = dir.getParent()) {
                if (Files.isDirectory(dir.resolve(".obsidian"))) {
                    return new CanvasLocation(dir, relative(dir, canvas), "holds .obsidian");
                }
            }
            String choose = "no .obsidian found above the canvas — pass --vault to choose";
            // a file node's path is relative to the vault's root (Obsidian writes no other): the vault is the nearest
            // folder under which they exist, searched up to the filesystem's root as .obsidian is, so that a canvas
            // whose vault has never been opened in Obsidian (a copy, a synced folder) still links notes that open
            List<String> files = learnersFileNodes(canvas);
            Path best = null;
            long found = 0;
            // a canvas's file nodes are not to be trusted: one naming a system file must not make the disk the vault
            for (Path dir = folder; dir != null && !wholeDisk(dir) && found < files.size(); dir = dir.getParent()) {
                Path root = dir;
                long count =
                        files.stream().filter(file -> existsUnder(root, file)).count();
                if (count > found) {
                    best = dir;
                    found = count;
                }
            }
            // the folder one works in, the canvas inside it, is the learner's own choice (cd vault && run …), as it is
            // for a canvas without file nodes
            boolean chosenByTheLearner =
                    best != null && best.equals(here) && canvas.startsWith(here) && !wholeDisk(here);
            if (best != null && !best.equals(folder) && !chosenByTheLearner) {
                // a canvas from a shared or synced folder names file nodes of its sender's choosing: taken as the
                // vault, a folder above it would have the learner's own notes there read and quoted into the notes
                // written beside the canvas, back into that shared folder (a hostile tester's finding). Said, not done.
                throw new UsageException("no .obsidian found above the canvas, and "
                        + (found == files.size()
                                ? "its file nodes name"
                                : found + " of its " + files.size() + " file nodes name")
                        + " files in " + TerminalText.printable(best.toString()) + ", above its own folder: if that is"
                        + " the canvas's vault, say so with --vault " + TerminalText.printable(best.toString())
                        + " (its notes may quote any note in the vault)");
            }
            if (best != null) {
                String which = found == files.size()
                        ? "the folder the canvas's file nodes are relative to"
                        : "the folder where " + found + " of the canvas's " + files.size() + " file nodes exist";
                return new CanvasLocation(best, relative(best, canvas), which + "; " + choose);
            }
            String unfound = files.isEmpty()
                    ? ""
                    : "; none of the canvas's " + files.size() + " file node(s) exist in a folder above it";
            // what "(default .)" promises: a canvas named from inside the folder one works in is that folder's; but
            // never the filesystem's root or the home folder, whose every file the vault's index would read
            if (canvas.startsWith(here) && !wholeDisk(here)) {
                return new CanvasLocation(here, relative(here, canvas), "the current folder" + unfound + "; " + choose);
            }
            return new CanvasLocation(
                    folder,
                    relative(folder, canvas),
                    "the canvas's folder, as "
                            + (canvas.startsWith(here)
                                    ? "the current folder is the filesystem's root or the home folder"
                                    : "it is outside the current folder")
                            + unfound + "; " + choose);
        }

        /** The filesystem's root or the home folder: a vault there would have the vault's index read every file. */
        private static boolean wholeDisk(Path dir) {
            return dir.getParent() == null
                    || dir.equals(Path.of(System.getProperty("user.home"))
                            .toAbsolutePath()
                            .normalize());
        }

        /**
         * The vault-relative paths of the canvas's file nodes but the notes canvas-batch links into it (their ids, or
         * a path through this canvas's notes folder): a run writes those files itself, so they would make the same
         * command after Ctrl-C find another vault than the first run, and no stopped batch there. None when the
         * canvas cannot be read as JSON.
         */
        private static List<String> learnersFileNodes(Path canvas) {
            String stem = canvas.getFileName().toString().replaceFirst("\\.canvas$", "");
            String notesFolder = org.canvasbatch.domain.note.NoteName.notesFolder(stem);
            return fileNodes(canvas).stream()
                    .filter(node -> !node.id().startsWith("cb-note-"))
                    .map(FileNode::file)
                    .filter(file ->
                            java.util.Arrays.stream(file.split("[/\\\\]")).noneMatch(notesFolder::equals))
                    .distinct()
                    .toList();
        }

        private record FileNode(String id, String file) {}

        private static List<FileNode> fileNodes(Path canvas) {
            try {
                if (Files.size(canvas) > MAX_CANVAS_BYTES_READ) {
                    return List.of();
                }
                try (var reader = jakarta.json.Json.createReader(Files.newBufferedReader(canvas))) {
                    var nodes = reader.readObject().getJsonArray("nodes");
                    if (nodes == null) {
                        return List.of();
                    }
                    return nodes.stream()
                            .filter(n -> n instanceof jakarta.json.JsonObject)
                            .map(n -> (jakarta.json.JsonObject) n)
                            .filter(n -> "file".equals(n.getString("type", null)))
                            .map(n -> new FileNode(n.getString("id", ""), n.getString("file", "")))
                            .filter(node -> !node.file().isBlank())
                            .toList();
                }
            } catch (java.io.IOException | RuntimeException unreadable) {
                // the core reads the canvas next and says what is wrong with it
                return List.of();
            }
        }

        private static boolean existsUnder(Path root, String file) {
            try {
                Path path = root.resolve(file).normalize();
                return path.startsWith(root) && Files.exists(path);
            } catch (java.nio.file.InvalidPathException notAPath) {
                return false;
            }
        }

        private static Path existingDirectory(Path here, String path, String givenBy) {
            Path dir = here.resolve(path).normalize();
            if (!Files.isDirectory(dir)) {
                throw new UsageException(givenBy + " names " + dir + ", which is not a folder");
            }
            return dir;
        }

        private static UsageException notACanvasFile(String canvasArgument, Path where) {
            if (Files.isDirectory(where)) {
                return new UsageException("'" + canvasArgument + "' is a folder, not a canvas file");
            }
            if (isSpecialFile(where)) {
                // something is there: "no canvas at" would send the learner looking for the canvas elsewhere
                return new UsageException("'" + canvasArgument
                        + "' is not a regular file (a named pipe, a device or a socket), not a canvas file");
            }
            return new UsageException("no canvas at " + canvasArgument);
        }

        /** A named pipe, a device or a socket (through a link too), only looked at: never opened. */
        private static boolean isSpecialFile(Path where) {
            try {
                return Files.readAttributes(where, java.nio.file.attribute.BasicFileAttributes.class)
                        .isOther();
            } catch (java.io.IOException | RuntimeException gone) {
                return false;
            }
        }

        private static String relative(Path vault, Path canvas) {
            return vault.relativize(canvas).toString().replace('\\', '/');
        }

        String name() {
            return Canvas.baseName(canvasPath);
        }
    }
}
