package org.canvasbatch.application.batch;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.canvasbatch.application.port.in.InvalidCommandException;
import org.canvasbatch.application.port.in.StartSessionUseCase.PlannedGroup;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartPlannedBatchCommand;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.application.port.out.IdGenerator;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.routing.AgentRouter;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.routing.Routing;
import org.canvasbatch.domain.session.Group;
import org.canvasbatch.domain.session.PlannedTask;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionId;

/**
 * The older confirm form's plan: the caller names the groups and their nodes, the texts come from the canvas in the
 * vault, each node is routed to its agent, and a pending session is created for {@link StartingSession} to start.
 */
final class PlanningGivenGroups {

    private final SessionBook book;
    private final Vault vault;
    private final Clock clock;
    private final IdGenerator ids;
    private final CoreSettings settings;
    private final AgentRouter router = new AgentRouter();

    PlanningGivenGroups(SessionBook book, Vault vault, Clock clock, IdGenerator ids, CoreSettings settings) {
        this.book = book;
        this.vault = vault;
        this.clock = clock;
        this.ids = ids;
        this.settings = settings;
    }

    /** Creates the pending session of the groups the command names; returns its id. */
    SessionId plan(StartPlannedBatchCommand command) {
        Canvas canvas = StoredCanvas.read(vault, command.canvasPath());
        StoredCanvas.refuseUnwritableNotes(vault, command.canvasPath());
        Map<String, CanvasNode> byId =
                canvas.nodes().stream().collect(Collectors.toMap(CanvasNode::id, Function.identity(), (a, b) -> a));
        List<Group> groups = new ArrayList<>();
        List<PlannedTask> tasks = new ArrayList<>();
        Set<String> seen = new TreeSet<>();
        int groupId = 1;
        for (PlannedGroup planned : command.groups()) {
            List<String> nodeIds = new ArrayList<>();
            List<Routing> routings = new ArrayList<>();
            for (String nodeId : planned.nodeIds()) {
                CanvasNode node = byId.get(nodeId);
                if (node == null) {
                    throw InvalidCommandException.of(
                            "groups",
                            "node '" + nodeId + "' of group " + planned.label() + " is not in '" + command.canvasPath()
                                    + "'");
                }
                if (!seen.add(nodeId)) {
                    throw InvalidCommandException.of("groups", "node '" + nodeId + "' is named in two groups");
                }
                Routing routing = router.route(node.displayText());
                routings.add(routing);
                nodeIds.add(nodeId);
                AgentId agent = planned.agent().named().orElse(routing.agent());
                tasks.add(new PlannedTask(nodeId, groupId, node.displayText(), agent));
            }
            AgentId recommended = planned.agent().named().orElseGet(() -> router.recommendFor(routings));
            Category category = router.dominantCategory(routings);
            String name = planned.label() == null || planned.label().isBlank() ? "Group " + groupId : planned.label();
            groups.add(new Group(groupId, name, List.of(), category, recommended, Priority.MEDIUM, 1.0, nodeIds));
            groupId++;
        }
        SessionId id = ids.newSessionId();
        book.add(Session.create(
                id, command.canvasPath(), groups, tasks, settings.sessionDefaults(), 0, groups.size(), clock.now()));
        return id;
    }
}
