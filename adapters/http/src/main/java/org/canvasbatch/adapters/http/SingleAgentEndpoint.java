package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;
import static org.canvasbatch.adapters.http.wire.JsonValues.decimal;
import static org.canvasbatch.adapters.http.wire.JsonValues.string;

import java.util.Optional;
import org.canvasbatch.application.port.in.AgentChoice;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.RunSingleNodeCommand;
import org.canvasbatch.application.port.in.RunSingleNodeUseCase.SingleNodeResult;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.session.SessionId;

/**
 * {@code POST /canvas/single-agent}: the plugin's retry button. The plugin reads nothing but the status code, so a 200
 * means the note was really written; an agent failure is a 502 whose message says why (CONTRACT §2.5).
 */
final class SingleAgentEndpoint implements Endpoint {

    private final RunSingleNodeUseCase run;

    SingleAgentEndpoint(RunSingleNodeUseCase run) {
        this.run = run;
    }

    @Override
    public Reply answer(ApiCall call) {
        Fields body = new Fields(call.json());
        String canvasPath = body.string("canvas_path").orElse(null);
        String nodeId = body.stringOrNumber("node_id").orElse(null);
        String agentField = body.has("agent") ? "agent" : "agent_type";
        Optional<String> agentName = body.string(agentField);
        Optional<String> sessionId = body.string("session_id");
        body.requireValid();

        Optional<AgentId> agent =
                AgentChoice.parse(agentField, agentName.orElse(null)).named();
        Optional<SessionId> session = sessionId.map(id -> SessionIds.parse("session_id", id));
        SingleNodeResult result = run.run(new RunSingleNodeCommand(canvasPath, nodeId, agent, session));
        return Reply.ok(BUILDERS.createObjectBuilder()
                .add("success", true)
                .add("node_id", result.nodeId())
                .add("status", "success")
                .add("file_path", string(result.filePath()))
                .add("file_size", result.fileSize())
                .add("agent", result.agent().wireName())
                .add("agent_type", result.agent().wireName())
                .add("processing_time_seconds", decimal(result.durationMillis() / 1000.0, 3))
                .add(
                        "session_id",
                        string(result.recordedIn().map(SessionId::value).orElse(null)))
                .add("link_problem", string(result.linkProblem().orElse(null)))
                .build());
    }
}
