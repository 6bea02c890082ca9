package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import jakarta.json.JsonArray;
import jakarta.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.adapters.http.wire.Timestamps;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.BatchLimits;
import org.canvasbatch.application.port.in.StartSessionUseCase;
import org.canvasbatch.application.port.in.StartSessionUseCase.PlannedGroup;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartPlannedBatchCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.StartSessionCommand;
import org.canvasbatch.application.port.in.StartSessionUseCase.Started;
import org.canvasbatch.domain.session.SessionSnapshot;

/**
 * {@code POST /canvas/intelligent-parallel/confirm}: the plugin's {@code {session_id}} starts an analysed session; the
 * older {@code {canvas_path, groups:[{group_id, agent_type, node_ids}]}} plans and starts a new one (CONTRACT §2.2).
 * Either way the batch runs in the background and the answer is immediate.
 */
final class ConfirmEndpoint implements Endpoint {

    private final StartSessionUseCase start;
    private final SocketUrls sockets;

    ConfirmEndpoint(StartSessionUseCase start, SocketUrls sockets) {
        this.start = start;
        this.sockets = sockets;
    }

    @Override
    public Reply answer(ApiCall call) {
        Fields body = new Fields(call.json());
        Optional<Integer> maxConcurrent = body.integer("max_concurrent");
        Optional<Duration> timeout = body.seconds("timeout");
        Started answer;
        if (body.has("session_id") || !body.has("groups")) {
            Optional<String> id = body.string("session_id");
            body.requireValid();
            answer = start.start(
                    new StartSessionCommand(SessionIds.parse("session_id", id.orElse(null)), maxConcurrent, timeout));
        } else {
            String canvasPath = body.string("canvas_path").orElse(null);
            List<PlannedGroup> groups =
                    body.array("groups").map(array -> groups(array, body)).orElse(List.of());
            body.requireValid();
            answer = start.startPlanned(new StartPlannedBatchCommand(canvasPath, groups, maxConcurrent, timeout));
        }
        SessionSnapshot started = answer.session();
        return Reply.accepted(BUILDERS.createObjectBuilder()
                .add("success", true)
                .add("session_id", started.id().value())
                // the batch was accepted and started; `state` says where it is already
                .add("status", "running")
                .add("state", WireNames.state(started.state()))
                .add(
                        "message",
                        "Processing of " + started.totalNodes() + " node(s) in "
                                + started.groups().size() + " group(s) started")
                .add("canvas_path", started.canvasPath())
                .add("total_groups", started.groups().size())
                .add("total_nodes", started.totalNodes())
                .add("max_concurrent", started.settings().maxConcurrent())
                .add("timeout_seconds", started.settings().batchTimeout().toSeconds())
                .add("created_at", Timestamps.json(started.createdAt()))
                .add("started_at", Timestamps.json(started.startedAt()))
                .add("estimated_completion", Timestamps.json(answer.estimatedCompletion()))
                .add("websocket_url", sockets.urlFor(call, started.id()))
                .add("last_seq", started.lastSeq())
                .build());
    }

    private static List<PlannedGroup> groups(JsonArray array, Fields body) {
        if (array.isEmpty()) {
            body.problem("groups", "must name at least one group");
        }
        List<PlannedGroup> groups = new ArrayList<>();
        for (int i = 0; i < array.size(); i++) {
            String field = "groups[" + i + "]";
            JsonValue item = array.get(i);
            if (item.getValueType() != JsonValue.ValueType.OBJECT) {
                body.problem(field, "must be an object {group_id, agent_type, node_ids}, not " + Fields.describe(item));
                continue;
            }
            Fields group = body.nested(item.asJsonObject(), field);
            String label = group.stringOrNumber("group_id").orElse(String.valueOf(i + 1));
            String agentField = group.has("agent_type") ? "agent_type" : "agent";
            Optional<String> agent = group.string(agentField);
            Optional<List<String>> nodeIds = group.strings("node_ids");
            if (nodeIds.isEmpty() && !group.has("node_ids")) {
                group.problem("node_ids", "is required: the ids of the group's canvas nodes");
            }
            nodeIds.ifPresent(ids -> {
                for (int n = 0; n < ids.size(); n++) {
                    BatchLimits.idLength("node_ids[" + n + "]", ids.get(n))
                            .ifPresent(tooLong -> group.problem(tooLong.field(), tooLong.message()));
                }
            });
            if (!body.valid()) {
                continue;
            }
            AgentChoice choice;
            try {
                choice = AgentChoice.parse(group.path(agentField), agent.orElse(null));
            } catch (org.canvasbatch.application.port.in.InvalidCommandException e) {
                e.errors().forEach(err -> body.problem(err.field(), err.message()));
                continue;
            }
            groups.add(new PlannedGroup(label, choice, nodeIds.orElse(List.of())));
        }
        return groups;
    }
}
