package org.canvasbatch.application.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.SkippedNode;
import org.canvasbatch.application.port.in.CanvasNotInVaultException;
import org.canvasbatch.application.port.in.NodeAgents;
import org.canvasbatch.application.port.in.NothingToProcessException;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.EmbeddingUnavailable;
import org.canvasbatch.application.port.out.IdGenerator;
import org.canvasbatch.application.port.out.TextEmbedder;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.grouping.GroupingInput;
import org.canvasbatch.domain.grouping.GroupingResult;
import org.canvasbatch.domain.grouping.TopicCluster;
import org.canvasbatch.domain.grouping.TopicGrouping;
import org.canvasbatch.domain.routing.AgentRouter;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.routing.Routing;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Analysis: pick the question nodes, group them by topic, route them to agents, create a pending session. */
final class AnalyzingCanvas implements AnalyzeCanvasUseCase {

    private static final System.Logger LOG = System.getLogger(AnalyzingCanvas.class.getName());
    private static final int LARGE_BATCH = 500;

    private final SessionBook book;
    private final Vault vault;
    private final TextEmbedder embeddings;
    private final Clock clock;
    private final IdGenerator ids;
    private final CoreSettings settings;
    private final PendingQuota quota;
    private final TopicGrouping grouping = new TopicGrouping();
    private final AgentRouter router = new AgentRouter();
    private final StartingSession starting;
    /** Told how many calls the batch just analysed will make at once, so that the agent gets ready for them. */
    private final java.util.function.IntConsumer callsExpected;

    private final CompletionEstimate estimate;

    /** @param starting starts the session at once when the command asks for it ({@code auto_execute}) */
    AnalyzingCanvas(
            SessionBook book,
            Vault vault,
            TextEmbedder embeddings,
            Clock clock,
            IdGenerator ids,
            CoreSettings settings,
            StartingSession starting,
            CompletionEstimate estimate,
            java.util.function.IntConsumer callsExpected) {
        this.callsExpected = callsExpected;
        this.book = book;
        this.starting = starting;
        this.estimate = estimate;
        this.vault = vault;
        this.embeddings = embeddings;
        this.clock = clock;
        this.ids = ids;
        this.settings = settings;
        this.quota = new PendingQuota(book, clock, settings);
    }

    /**
     * A session that will wait for confirmation needs a place under the limits of pending sessions, taken before the
     * grouping so that a flood of analyses is refused before it costs anything; one that starts at once does not.
     */
    @Override
    public Analysis analyze(AnalyzeCanvasCommand command) {
        PendingQuota.Reservation place = command.autoExecute() ? null : quota.reserve(command.client());
        try {
            return analyze(command, place);
        } catch (RuntimeException e) {
            if (place != null) {
                quota.release(place);
            }
            throw e;
        }
    }

    private Analysis analyze(AnalyzeCanvasCommand command, PendingQuota.Reservation place) {
        Optional<Canvas> canvas =
                canvasInVault(command.canvasPath(), command.nodes().isPresent());
        List<CanvasNode> candidates = command.nodes()
                .map(sent -> canvas.map(stored -> completedFrom(stored, sent)).orElse(sent))
                .orElseGet(() -> canvas.orElseThrow().nodesColored(command.targetColors()));
        List<SkippedNode> skipped = new ArrayList<>();
        List<CanvasNode> nodes = new ArrayList<>(candidates.size());
        for (CanvasNode node : candidates) {
            SkippedNode.whyNotAsked(node)
                    .ifPresentOrElse(reason -> skipped.add(new SkippedNode(node.id(), reason)), () -> nodes.add(node));
        }
        if (nodes.isEmpty()) {
            boolean sent = command.nodes().isPresent();
            throw new NothingToProcessException(
                    sent ? "nodes" : "target_colors",
                    sent ? "the request's nodes" : "'" + command.canvasPath() + "'",
                    command.targetColors(),
                    skipped);
        }
        if (!skipped.isEmpty()) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "analysing " + command.canvasPath() + ": " + skipped.size() + " empty node(s) left out ("
                            + skipped.stream().map(SkippedNode::id).collect(Collectors.joining(", ")) + ")");
        }
        GroupingInput input = GroupingInput.ofNodes(nodes, canvas);
        // the tasks keep each node's whole text; grouping and routing read its beginning (GroupingInput)
        List<String> texts = nodes.stream().map(CanvasNode::displayText).toList();
        int maxGroups = Math.max(1, Math.min(command.maxGroups(), nodes.size() / command.minNodesPerGroup()));
        GroupingInput grouped = withEmbeddings(input, command.canvasPath());
        GroupingResult result = grouping.group(grouped, maxGroups);
        List<Routing> routings = input.texts().stream().map(router::route).toList();

        List<Group> groups = new ArrayList<>();
        List<PlannedTask> tasks = new ArrayList<>(nodes.size());
        int[] groupOf = new int[nodes.size()];
        int groupId = 1;
        for (TopicCluster cluster : result.clusters()) {
            List<Routing> members =
                    cluster.members().stream().map(routings::get).toList();
            AgentId agent = command.agent().named().orElseGet(() -> router.recommendFor(members));
            Category category = router.dominantCategory(members);
            List<String> nodeIds =
                    cluster.members().stream().map(i -> nodes.get(i).id()).toList();
            groups.add(new Group(
                    groupId,
                    cluster.name(),
                    cluster.topTerms(),
                    category,
                    agent,
                    cluster.priority(),
                    round2(cluster.cohesion()),
                    nodeIds));
            for (int member : cluster.members()) {
                groupOf[member] = groupId;
            }
            groupId++;
        }
        for (int i = 0; i < nodes.size(); i++) {
            Group group = groups.get(groupOf[i] - 1);
            tasks.add(new PlannedTask(
                    nodes.get(i).id(),
                    group.id(),
                    texts.get(i),
                    agentFor(command.agent(), command.nodeAgents(), routings.get(i), group)));
        }
        SessionSettings sessionSettings =
                settings.sessionDefaults().withOverrides(command.maxConcurrent(), command.timeout());
        SessionId id = ids.newSessionId();
        Instant createdAt = clock.now();
        book.add(Session.create(
                id,
                command.canvasPath(),
                groups,
                tasks,
                sessionSettings,
                result.silhouette(),
                result.recommendedK(),
                createdAt));
        if (place != null) {
            quota.taken(place, id, createdAt);
        }
        // the learner confirms within seconds: the first round's calls then find their connections open
        callsExpected.accept(
                Math.min(nodes.size(), Math.min(sessionSettings.maxConcurrent(), settings.globalConcurrency())));
        String byTopic = grouped.embeddings().isEmpty() ? "words" : embeddings.model() + " embeddings";
        String groupedBy = switch (result.basis()) {
            case LEARNER_GROUPS -> "the canvas's own groups";
            case LEARNER_GROUPS_AND_TOPICS ->
                "the canvas's own groups, and " + byTopic + " for the questions outside them";
            case TOPICS -> byTopic;
        };
        LOG.log(
                System.Logger.Level.INFO,
                "session " + id + " analysed: " + nodes.size() + " nodes in " + groups.size() + " groups from "
                        + command.canvasPath() + " (grouped by " + groupedBy
                        + (canvas.isPresent() && result.basis() == GroupingResult.Basis.TOPICS
                                ? " and the canvas's own structure)"
                                : ")"));

        SessionSnapshot snapshot = command.autoExecute()
                ? starting.start(org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand.of(id))
                        .session()
                : book.read(id, Session::snapshot);
        Map<Integer, Long> estimates = new LinkedHashMap<>();
        groups.forEach(g -> estimates.put(g.id(), estimate.groupSeconds(g)));
        long batchSeconds = estimate.batchSeconds(nodes.size(), sessionSettings.maxConcurrent());
        String warning = warning(nodes.size(), batchSeconds, sessionSettings.batchTimeout());
        return new Analysis(snapshot, batchSeconds, estimates, warning, skipped, groupedBy);
    }

    /**
     * What the learner should know before confirming, or null: a batch that is expected to outlast its time limit has
     * its unfinished questions stopped at the limit (a hostile tester: "4分钟" promised, the batch cut at 60 s), and a
     * very large one makes as many calls as it has questions.
     */
    private static String warning(int nodes, long batchSeconds, java.time.Duration batchTimeout) {
        List<String> said = new ArrayList<>(2);
        if (batchSeconds > batchTimeout.toSeconds()) {
            said.add("at the expected pace this batch needs about " + minutes(batchSeconds)
                    + ", past its time limit of "
                    + minutes(batchTimeout.toSeconds()) + ": the questions not done by then are stopped; split the"
                    + " canvas, or raise the limit (run --timeout, batch.timeout in the settings"
                    + " file, CANVASBATCH_BATCH_TIMEOUT)");
        }
        if (nodes > LARGE_BATCH) {
            said.add(nodes + " nodes will make " + nodes + " agent calls; consider splitting the canvas");
        }
        return said.isEmpty() ? null : String.join("; ", said);
    }

    private static String minutes(long seconds) {
        return seconds < 120 ? seconds + " s" : (seconds + 59) / 60 + " min";
    }

    /**
     * A named agent wins. Otherwise, per group, every node runs the group's recommendation — what a preview of one
     * agent per group promised. Per node, a node whose own question is clear (a confident routing) gets its own agent,
     * so "what is X" inside a comparison-heavy group is still explained rather than tabulated; the rest take the
     * group's recommendation.
     */
    private static AgentId agentFor(AgentChoice choice, NodeAgents nodeAgents, Routing routing, Group group) {
        if (choice.named().isPresent()) {
            return choice.named().get();
        }
        if (nodeAgents == NodeAgents.GROUP) {
            return group.recommendedAgent();
        }
        return routing.category() != Category.GENERAL ? routing.agent() : group.recommendedAgent();
    }

    /**
     * The canvas as stored. It must be in this server's vault: the notes are written beside it and linked into it, and
     * a canvas that is not there almost always means a server started with another vault than the learner's, whose
     * notes would otherwise land in a folder of their own while the plugin says the canvas was updated. When the
     * caller sent the nodes, a canvas that is there but cannot be read only costs what it adds to grouping (canvas
     * groups, edges, yellow notes, file and link targets); without nodes, it is the source and its problem is the
     * answer. Empty only for a canvas that is there, could not be read, and whose nodes were sent.
     */
    private Optional<Canvas> canvasInVault(String canvasPath, boolean nodesSent) {
        if (!vault.canvasExists(canvasPath)) {
            StoredCanvas.refuseWhatIsThereInstead(vault, canvasPath);
            throw new CanvasNotInVaultException(canvasPath, vault.location());
        }
        StoredCanvas.refuseUnwritableNotes(vault, canvasPath);
        if (!nodesSent) {
            return Optional.of(StoredCanvas.read(vault, canvasPath));
        }
        try {
            return Optional.of(vault.readCanvas(canvasPath));
        } catch (VaultException e) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "grouping " + canvasPath + " from the request's nodes alone: " + e.getMessage());
            return Optional.empty();
        }
    }

    /**
     * The sent nodes with what the plugin leaves out taken from the stored canvas: it copies only {@code id, type,
     * text, color} and the geometry, so a file node arrives without its file and a link without its URL, and would be
     * asked and named by its id. What was sent wins where both have a value.
     */
    private static List<CanvasNode> completedFrom(Canvas stored, List<CanvasNode> sent) {
        List<CanvasNode> completed = new ArrayList<>(sent.size());
        for (CanvasNode node : sent) {
            Optional<CanvasNode> known = stored.node(node.id());
            if (known.isEmpty()) {
                completed.add(node);
                continue;
            }
            CanvasNode k = known.get();
            completed.add(new CanvasNode(
                    node.id(),
                    node.type(),
                    node.text() != null ? node.text() : k.text(),
                    node.file() != null ? node.file() : k.file(),
                    node.url() != null ? node.url() : k.url(),
                    node.label() != null ? node.label() : k.label(),
                    node.color(),
                    node.x(),
                    node.y(),
                    node.width(),
                    node.height()));
        }
        return completed;
    }

    /** The input with the embedding model's vectors when one is configured and answers; else as it was. */
    private GroupingInput withEmbeddings(GroupingInput input, String canvasPath) {
        if (!embeddings.configured()) {
            return input;
        }
        try {
            return input.withEmbeddings(embeddings.embed(input.texts()));
        } catch (EmbeddingUnavailable e) {
            LOG.log(
                    System.Logger.Level.WARNING,
                    "grouping " + canvasPath + " by words: the embedding model " + embeddings.model()
                            + " gave no vectors (" + e.getMessage() + ")");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.log(System.Logger.Level.INFO, "grouping " + canvasPath + " by words: interrupted while embedding");
        }
        return input;
    }

    private static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
