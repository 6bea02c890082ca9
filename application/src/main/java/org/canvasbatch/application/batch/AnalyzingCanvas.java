package org.canvasbatch.application.batch;

import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase;
import org.canvasbatch.application.port.in.InvalidCommandException;
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
            CompletionEstimate estimate) {
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
        Optional<Canvas> stored = command.nodes().isPresent()
                ? storedCanvas(command.canvasPath())
                : Optional.of(StoredCanvas.read(vault, command.canvasPath()));
        List<CanvasNode> nodes =
                command.nodes().orElseGet(() -> stored.orElseThrow().nodesColored(command.targetColors()));
        if (nodes.isEmpty()) {
            String where = command.nodes().isPresent() ? "the request's nodes" : "'" + command.canvasPath() + "'";
            throw InvalidCommandException.of(
                    command.nodes().isPresent() ? "nodes" : "target_colors",
                    "No nodes to process: " + where + " has no node of colour " + describe(command.targetColors()));
        }
        GroupingInput input = GroupingInput.ofNodes(nodes, stored);
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
                    nodes.get(i).id(), group.id(), texts.get(i), agentFor(command.agent(), routings.get(i), group)));
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
        LOG.log(
                System.Logger.Level.INFO,
                "session " + id + " analysed: " + nodes.size() + " nodes in " + groups.size() + " groups from "
                        + command.canvasPath() + " (grouped by "
                        + (grouped.embeddings().isEmpty() ? "words" : embeddings.model() + " embeddings")
                        + (stored.isPresent() ? " and the canvas's own structure)" : ")"));

        SessionSnapshot snapshot = command.autoExecute()
                ? starting.start(org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand.of(id))
                        .session()
                : book.read(id, Session::snapshot);
        Map<Integer, Long> estimates = new LinkedHashMap<>();
        groups.forEach(g -> estimates.put(g.id(), estimate.groupSeconds(g)));
        String warning = nodes.size() > LARGE_BATCH
                ? nodes.size() + " nodes will make " + nodes.size() + " agent calls; consider splitting the canvas"
                : null;
        return new Analysis(
                snapshot, estimate.batchSeconds(nodes.size(), sessionSettings.maxConcurrent()), estimates, warning);
    }

    /**
     * A named agent wins; otherwise a node whose own question is clear (a confident routing) gets its own agent, so
     * "what is X" inside a comparison-heavy group is still explained rather than tabulated; the rest take the
     * group's recommendation.
     */
    private static AgentId agentFor(AgentChoice choice, Routing routing, Group group) {
        if (choice.named().isPresent()) {
            return choice.named().get();
        }
        return routing.category() != Category.GENERAL ? routing.agent() : group.recommendedAgent();
    }

    /**
     * The canvas as stored, for what the plugin does not send (canvas groups, edges, yellow notes): grouping works with
     * what was sent when the canvas is not in the vault or cannot be read.
     */
    private Optional<Canvas> storedCanvas(String canvasPath) {
        try {
            return vault.canvasExists(canvasPath) ? Optional.of(vault.readCanvas(canvasPath)) : Optional.empty();
        } catch (VaultException e) {
            LOG.log(
                    System.Logger.Level.INFO,
                    "grouping " + canvasPath + " from the request's nodes alone: " + e.getMessage());
            return Optional.empty();
        }
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

    private static String describe(Set<String> colors) {
        Map<String, String> names =
                Map.of("1", "red", "2", "orange", "3", "yellow", "4", "green", "5", "cyan", "6", "purple");
        return colors.stream()
                .sorted()
                .map(c -> Optional.ofNullable(names.get(c))
                        .map(n -> c + " (" + n + ")")
                        .orElse(c))
                .collect(Collectors.joining(", "));
    }

    private static double round2(double value) {
        return Math.round(value * 100) / 100.0;
    }
}
