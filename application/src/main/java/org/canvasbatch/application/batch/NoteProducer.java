package org.canvasbatch.application.batch;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.canvasbatch.application.port.out.AgentAnswer;
import org.canvasbatch.application.port.out.AgentFailure;
import org.canvasbatch.application.port.out.AgentRequest;
import org.canvasbatch.application.port.out.AgentRequest.NodeContext;
import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.application.port.out.AgentRunner;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.application.port.out.VaultPassages;
import org.canvasbatch.application.port.out.VaultPassages.PassageQuery;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.routing.AgentRouter;
import org.canvasbatch.domain.session.Group;

/**
 * Turns one node into one note: gathers its content and context, asks the agent, writes the note (which the vault
 * links into the canvas). Shared by batch tasks and the single-node retry so both produce the same note at the same place.
 */
final class NoteProducer {

    private static final System.Logger LOG = System.getLogger(NoteProducer.class.getName());
    private static final int MAX_RELATED_QUESTIONS = 12;
    /** A note quotes a few of the learner's passages, not a search result page. */
    static final int MAX_VAULT_PASSAGES = 4;
    /** A file node's whole note would drown the question's own words; its beginning says what it is about. */
    private static final int MAX_QUERY_CONTENT = 1000;
    /**
     * The longest a note waits for the learner's passages, whatever the vault's index does: past it the note is written
     * without them. Above the index's own wait (two seconds), so that this is the guard, not the rule.
     */
    static final Duration PASSAGES_BUDGET = Duration.ofSeconds(5);
    /** Requests gathered ahead at most: a few rounds of the largest concurrency, never a whole 10 000-node canvas. */
    static final int MAX_AHEAD = 400;
    /**
     * The oldest a request gathered ahead may be when its node starts. Gathering ahead pays off only when calls are
     * short (a slot freed every second or so); behind a slow model the learner may edit a note or a file node while
     * the call before runs for half a minute, and the node must be asked about the vault as it is when it starts.
     */
    static final Duration MAX_AHEAD_AGE = Duration.ofSeconds(3);

    private final AgentRunner agents;
    private final AgentRouter router = new AgentRouter();
    private final Vault vault;
    private final VaultPassages passages;
    private final Clock clock;
    private final Duration passagesBudget;
    /** Canvases read once per batch, not once per node: a 170-node canvas is parsed once. */
    private final Map<String, Optional<Canvas>> canvases = new ConcurrentHashMap<>();
    /**
     * Per canvas, how many of its runs ended ({@link #forgetCanvas}): a gathering ahead is begun in one run and may be
     * run by the scheduler after it ended; it keeps nothing (the canvas it reads, the requests it gathers) once the
     * generation it began in is over, so the next run reads the canvas as the learner left it.
     */
    private final Map<String, Long> generations = new ConcurrentHashMap<>();
    /**
     * What the agent will be asked for nodes about to start, gathered while the calls before them are in flight, so
     * that a freed slot goes to the model at once instead of after the vault's lookups. Keyed by the whole job: a node
     * whose job changed meanwhile (its group's priority, its text) gathers again when it starts.
     */
    private final Map<NodeJob, Ahead> ahead = new ConcurrentHashMap<>();

    /** A request being gathered ahead, and when its gathering began. */
    private record Ahead(FutureTask<AgentRequest> request, Instant began) {}

    NoteProducer(AgentRunner agents, Vault vault, VaultPassages passages, Clock clock) {
        this(agents, vault, passages, clock, PASSAGES_BUDGET);
    }

    NoteProducer(AgentRunner agents, Vault vault, VaultPassages passages, Clock clock, Duration passagesBudget) {
        this.agents = agents;
        this.vault = vault;
        this.passages = passages;
        this.clock = clock;
        this.passagesBudget = passagesBudget;
    }

    /**
     * What is known about the node before the agent runs.
     *
     * @param groupQuestions the questions of the node's group (it may be among them), each with its own task's agent
     */
    record NodeJob(
            String canvasPath,
            String nodeId,
            String nodeText,
            AgentId agent,
            Group group,
            List<GroupQuestion> groupQuestions) {}

    /** A question of the node's group: its node, its text and the agent of its own task. */
    record GroupQuestion(String nodeId, String text, AgentId agent) {}

    record ProducedNote(WrittenNote note, AgentAnswer answer) {}

    /**
     * @param stillWanted false once the task was cancelled or timed out: an answer that arrives anyway (an agent that
     *                    ignored the interrupt) is not written
     */
    ProducedNote produce(NodeJob job, java.util.function.BooleanSupplier stillWanted)
            throws AgentFailure, InterruptedException {
        return produce(job, stillWanted, () -> {});
    }

    /**
     * @param agentDone told the moment the agent has answered or given up, before the note is written: the agent call
     *                  is over, and the slot it held can go to the next one
     */
    ProducedNote produce(NodeJob job, java.util.function.BooleanSupplier stillWanted, Runnable agentDone)
            throws AgentFailure, InterruptedException {
        return produce(job, stillWanted, () -> {}, agentDone);
    }

    /**
     * @param callReady told when the agent's request is ready, just before it is sent: what runs then takes no CPU
     *                  from this node's own preparation
     * @param agentDone told the moment the agent has answered or given up, before the note is written
     */
    ProducedNote produce(
            NodeJob job, java.util.function.BooleanSupplier stillWanted, Runnable callReady, Runnable agentDone)
            throws AgentFailure, InterruptedException {
        AgentRequest request = gatheredAhead(job)
                .orElseGet(() -> requestFor(job, canvas(job.canvasPath()), new java.util.HashMap<>()));
        callReady.run();
        AgentAnswer answer;
        try {
            answer = agents.run(request);
        } finally {
            agentDone.run();
        }
        if (Thread.currentThread().isInterrupted() || !stillWanted.getAsBoolean()) {
            throw new InterruptedException("the answer arrived after the task was stopped");
        }
        // linked into the canvas by the vault itself: nothing here or at the end of the batch links it again
        NoteDraft draft = new NoteDraft(
                job.canvasPath(),
                job.nodeId(),
                job.nodeText(),
                job.agent(),
                answer.markdown(),
                answer.model(),
                clock.now());
        try {
            return new ProducedNote(vault.writeNote(draft), answer);
        } catch (VaultException e) {
            if (e.reason() == VaultException.Reason.FULL) {
                throw new UnwrittenNote(e, draft, answer);
            }
            throw e;
        }
    }

    /**
     * Gathers, each on a thread of its own, what the agent will be asked for nodes that are about to start;
     * {@link #produce} then finds it ready. The jobs share their lookups of the related notes' names (a round's nodes
     * are mostly of one group): looked up at one moment, as if one by one. Only while the nodes' canvas is being read
     * for a running batch: a batch that ended (and forgot its canvas) gathers nothing more, and nothing here reads the
     * canvas again.
     */
    void gatherAhead(List<NodeJob> jobs) {
        gatherAhead(jobs, jobs.isEmpty() ? 0 : generation(jobs.getFirst().canvasPath()));
    }

    /**
     * As {@link #gatherAhead(List)}, for a gathering begun in {@code generation} of the jobs' canvas (see
     * {@link #generation}): nothing is kept once that run ended.
     */
    void gatherAhead(List<NodeJob> jobs, long generation) {
        Map<RelatedNote, String> names = new ConcurrentHashMap<>();
        for (NodeJob job : jobs) {
            if (generation(job.canvasPath()) != generation) {
                return;
            }
            Optional<Canvas> canvas = canvases.get(job.canvasPath());
            if (ahead.size() >= MAX_AHEAD) {
                dropStale(); // jobs that changed or never started leave room for the nodes about to
            }
            if (canvas == null || ahead.size() >= MAX_AHEAD || ahead.containsKey(job)) {
                continue;
            }
            FutureTask<AgentRequest> gathering = new FutureTask<>(() -> requestFor(job, canvas, names));
            Ahead entry = new Ahead(gathering, clock.now());
            if (ahead.putIfAbsent(job, entry) == null) {
                if (generation(job.canvasPath()) != generation) {
                    // the run ended between the look above and the put: its drop may have come before the put
                    ahead.remove(job, entry);
                    return;
                }
                Thread.ofVirtual().name("gather-" + job.nodeId()).start(gathering);
            }
        }
    }

    /**
     * The run of the canvas now: it changes when a run of it ends. A gathering ahead takes it as it begins and hands it
     * to {@link #gatherAhead(List, long)} and {@link #canvasOfRun}.
     */
    long generation(String canvasPath) {
        return generations.getOrDefault(canvasPath, 0L);
    }

    private boolean isStale(Ahead gathered) {
        return Duration.between(gathered.began(), clock.now()).compareTo(MAX_AHEAD_AGE) > 0;
    }

    private void dropStale() {
        ahead.values().removeIf(this::isStale);
    }

    /** A related question's note, as named for the notes of one canvas. */
    private record RelatedNote(String canvasPath, GroupQuestion question) {}

    /** The request gathered ahead for this job, waiting for it if it is still being gathered. */
    private Optional<AgentRequest> gatheredAhead(NodeJob job) throws InterruptedException {
        Ahead gathered = ahead.remove(job);
        if (gathered == null || isStale(gathered)) {
            return Optional.empty();
        }
        try {
            return Optional.of(gathered.request().get());
        } catch (ExecutionException e) {
            LOG.log(System.Logger.Level.DEBUG, "gathering node " + job.nodeId() + " ahead failed: " + e.getCause());
            return Optional.empty();
        }
    }

    /** Everything the agent is asked about the node: its content, its group, the canvas around it, the vault. */
    private AgentRequest requestFor(NodeJob job, Optional<Canvas> canvas, Map<RelatedNote, String> names) {
        Optional<CanvasNode> node = canvas.flatMap(c -> c.node(job.nodeId()));
        String content = node.isPresent() ? vault.contentOf(job.canvasPath(), node.get()) : job.nodeText();
        List<String> understanding =
                canvas.map(c -> c.understandingNextTo(job.nodeId())).orElse(List.of());
        List<RelatedQuestion> related = job.groupQuestions().stream()
                .filter(q -> !q.text().equals(job.nodeText()))
                .limit(MAX_RELATED_QUESTIONS)
                .map(q -> new RelatedQuestion(
                        q.text(),
                        q.agent(),
                        names.computeIfAbsent(
                                new RelatedNote(job.canvasPath(), q), note -> noteName(note.canvasPath(), q))))
                .toList();
        Group group = job.group();
        var context = new NodeContext(
                job.canvasPath(),
                Canvas.baseName(job.canvasPath()),
                group == null ? "" : group.name(),
                group == null ? List.of() : group.terms(),
                related,
                understanding,
                passagesAbout(job, content, understanding));
        // The session keeps each node's agent but not its routing; routing is a pure function of the text analysis
        // routed, so this is the routing analysis made, handed to the agent so that no adapter routes again.
        var routing = router.route(job.nodeText());
        return new AgentRequest(job.agent(), job.nodeId(), job.nodeText(), content, context, routing);
    }

    /** Writes a note the full disk refused before, as it was then; the vault's refusal again when it still is full. */
    ProducedNote writeAgain(UnwrittenNote unwritten) {
        return new ProducedNote(vault.writeNote(unwritten.draft()), unwritten.answer());
    }

    /**
     * What the learner wrote about the question elsewhere. A failing look costs the note its passages, nothing more, and
     * so does a slow one: the look runs on its own thread and the note waits for it within {@link #passagesBudget}, or
     * until the node's task is interrupted (its timeout, a cancel), whichever comes first.
     */
    private List<VaultPassage> passagesAbout(NodeJob job, String content, List<String> understanding) {
        String details = content.equals(job.nodeText())
                ? ""
                : content.substring(0, Math.min(content.length(), MAX_QUERY_CONTENT));
        PassageQuery query = new PassageQuery(
                job.nodeText(), details, job.canvasPath(), job.nodeId(), understanding, MAX_VAULT_PASSAGES);
        FutureTask<List<VaultPassage>> lookUp = new FutureTask<>(() -> passages.about(query));
        Thread.ofVirtual().name("passages-" + job.nodeId()).start(lookUp);
        try {
            return lookUp.get(passagesBudget.toNanos(), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            lookUp.cancel(true);
            LOG.log(
                    System.Logger.Level.WARNING,
                    "the vault gave no passages for node " + job.nodeId() + " of " + job.canvasPath() + " within "
                            + passagesBudget.toMillis() + " ms: the note is written without them");
            return List.of();
        } catch (InterruptedException e) {
            lookUp.cancel(true);
            Thread.currentThread().interrupt();
            return List.of();
        } catch (ExecutionException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "no passages of the vault for node " + job.nodeId() + " of " + job.canvasPath() + ": "
                            + e.getCause());
            return List.of();
        }
    }

    /** The name the vault gives the question's note: a link names the file it writes, whatever the text suggests. */
    private String noteName(String canvasPath, GroupQuestion question) {
        try {
            return vault.noteNameFor(canvasPath, question.nodeId(), question.text(), question.agent());
        } catch (RuntimeException e) {
            LOG.log(System.Logger.Level.DEBUG, "the note of node " + question.nodeId() + " cannot be named yet: " + e);
            return "";
        }
    }

    /** The canvas for context; one that cannot be read costs the notes their context (said once), nothing more. */
    Optional<Canvas> canvas(String canvasPath) {
        return canvases.computeIfAbsent(canvasPath, this::read);
    }

    /**
     * As {@link #canvas}, for a gathering ahead begun in {@code generation} of the canvas: false, with nothing read or
     * kept, once that run ended. Checked under the map's lock of the canvas, which the end of a run takes to drop it
     * after it changed the generation: a canvas kept here in time is dropped by that end.
     */
    boolean canvasOfRun(String canvasPath, long generation) {
        canvases.computeIfAbsent(canvasPath, path -> generation(path) == generation ? read(path) : null);
        return generation(canvasPath) == generation;
    }

    private Optional<Canvas> read(String path) {
        try {
            return vault.canvasExists(path) ? Optional.of(vault.readCanvas(path)) : Optional.empty();
        } catch (VaultException e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "Notes of ''{0}'' are written without the canvas''s context: {1}",
                    path,
                    e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The canvas a command names, read now: empty when there is none; one that is there but cannot be read is refused
     * with the vault's own words, never taken for a missing one.
     */
    Optional<Canvas> canvasOrRefusal(String canvasPath) throws VaultException {
        if (!vault.canvasExists(canvasPath)) {
            StoredCanvas.refuseWhatIsThereInstead(vault, canvasPath);
            return Optional.empty();
        }
        vault.checkNotesFolder(canvasPath);
        Canvas canvas = vault.readCanvas(canvasPath);
        canvases.put(canvasPath, Optional.of(canvas));
        return Optional.of(canvas);
    }

    /**
     * Refuses the canvas, when it is there, whose notes the vault would refuse to write now (its notes folder is a
     * symbolic link): a node run in the session that holds it reads no canvas first, and would be asked of the model,
     * paid for, and then refused at its note.
     */
    void refuseUnwritableNotes(String canvasPath) {
        if (vault.canvasExists(canvasPath)) {
            StoredCanvas.refuseUnwritableNotes(vault, canvasPath);
        }
    }

    /** A run of this canvas ended: the next one reads the canvas again, with whatever the learner changed since. */
    void forgetCanvas(String canvasPath) {
        generations.merge(canvasPath, 1L, Long::sum);
        canvases.remove(canvasPath);
        dropGatheredAhead(canvasPath);
    }

    /**
     * Drops what was gathered ahead for this canvas's nodes: the batch paused, and the learner may edit the vault
     * before it goes on; its nodes gather again when they start.
     */
    void dropGatheredAhead(String canvasPath) {
        ahead.keySet().removeIf(job -> job.canvasPath().equals(canvasPath));
    }
}
