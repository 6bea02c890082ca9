package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import jakarta.json.JsonArrayBuilder;
import java.util.List;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.adapters.http.wire.EventMessages;
import org.canvasbatch.adapters.http.wire.LocalizedFailures;
import org.canvasbatch.adapters.http.wire.PluginCancels;
import org.canvasbatch.adapters.http.wire.PluginClient;
import org.canvasbatch.adapters.http.wire.PluginPolls;
import org.canvasbatch.adapters.http.wire.StatusJson;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.application.port.in.CancelSessionUseCase;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.domain.session.SessionState;

/** Reading and steering one session by its id: status (§2.3), cancel (§2.4), pause and resume, and the session list. */
final class SessionEndpoints {

    static final String SESSION_ID = "session_id";

    private final UseCases useCases;
    private final Clock clock;
    private final PluginCancels pluginCancels;
    private final PluginPolls pluginPolls;

    SessionEndpoints(UseCases useCases, Clock clock, PluginCancels pluginCancels, PluginPolls pluginPolls) {
        this.pluginPolls = pluginPolls;
        this.useCases = useCases;
        this.clock = clock;
        this.pluginCancels = pluginCancels;
    }

    /**
     * The status (§2.3). A session this server does not have is 404 for every caller but the Obsidian plugin, which
     * ignores every non-2xx answer of its poll and would poll for ever: it gets a terminal {@code failed} status that
     * says the session is lost ({@link StatusJson#lostSession}), which ends its window with that message.
     */
    Reply status(Endpoint.ApiCall call) {
        try {
            return knownStatus(call);
        } catch (SessionNotFoundException missing) {
            if (!PluginClient.isOrigin(call.origin())) {
                throw missing;
            }
            String message = missing.whyNotLoaded()
                    .map(why -> Message.SESSION_LOST_BECAUSE.in(call.language(), missing.sessionId(), why))
                    .orElseGet(() -> Message.SESSION_LOST.in(call.language(), missing.sessionId()));
            return Reply.ok(StatusJson.lostSession(missing.sessionId(), message));
        }
    }

    private Reply knownStatus(Endpoint.ApiCall call) {
        SessionId id = SessionIds.parse(SESSION_ID, call.pathParameter(SESSION_ID));
        SessionSnapshot snapshot = useCases.status().status(id);
        var status = StatusJson.of(snapshot, clock.now());
        if (snapshot.state() == SessionState.CANCELLED && PluginClient.isOrigin(call.origin())) {
            status = pluginCancels.contains(id)
                    ? StatusJson.forPluginWindowThatCancelled(status)
                    : StatusJson.forPluginCancelled(status, snapshot);
        }
        // (plugin) its summary lists each failed node's reason: in the learner's language
        status = LocalizedFailures.status(status, call.language());
        if (PluginClient.isOrigin(call.origin()) && !EdgeFilter.AskedWithHead.of(call.request())) {
            // (plugin) a poll's answer replaces the window's counts: its next socket goes on from here (a HEAD's,
            // without a body, shows nothing)
            pluginPolls.answered(
                    id, call.request().remotePeer().host(), call.origin().orElseThrow(), snapshot.lastSeq());
        }
        var damage = useCases.status().historyDamage(id);
        var storage = useCases.status().storageProblem(id);
        if (damage.isEmpty() && storage.isEmpty()) {
            return Reply.ok(status);
        }
        var answer = BUILDERS.createObjectBuilder(status);
        damage.ifPresent(text -> answer.add("history_damage", text));
        storage.ifPresent(problem -> answer.add("storage_problem", StatusJson.storageProblem(problem)));
        return Reply.ok(answer.build());
    }

    Reply list(Endpoint.ApiCall call) {
        List<SessionSnapshot> sessions = useCases.status().sessions();
        JsonArrayBuilder items = BUILDERS.createArrayBuilder();
        sessions.forEach(s -> items.add(StatusJson.summary(s, clock.now())));
        return Reply.ok(BUILDERS.createObjectBuilder()
                .add("sessions", items)
                .add("count", sessions.size())
                .build());
    }

    /**
     * The body is ignored: the plugin sends none (but a JSON content type). The session's sockets hear of the
     * cancellation only once this answer is written: (plugin) a {@code session_completed} that reaches the modal before
     * its cancel has been answered shows "✅ 全部处理完成" and a success summary for a cancelled batch. The plugin's own
     * cancel is recorded before it runs ({@link PluginCancels}), so that no socket or poll of that window can learn of
     * the cancellation without knowing who cancelled.
     */
    Reply cancel(Endpoint.ApiCall call) {
        SessionId id = SessionIds.parse(SESSION_ID, call.pathParameter(SESSION_ID));
        boolean byPlugin = PluginClient.isOrigin(call.origin());
        if (byPlugin) {
            pluginCancels.record(id);
        }
        CancelSessionUseCase.Cancellation cancellation;
        try {
            cancellation = useCases.cancel().cancelAnsweringFirst(id, "cancelled by request");
        } catch (SessionNotFoundException missing) {
            if (byPlugin) {
                pluginCancels.forget(id);
            }
            throw missing;
        }
        try {
            SessionSnapshot s = cancellation.snapshot();
            return Reply.ok(BUILDERS.createObjectBuilder()
                            .add("success", true)
                            .add(
                                    "message",
                                    "Session '" + id.value() + "' cancelled; " + s.succeeded() + " of " + s.totalNodes()
                                            + " node(s) had completed")
                            .add("session_id", id.value())
                            .add("completed_count", s.succeeded())
                            .add("failed_count", s.failed())
                            .add("cancelled_count", s.cancelled())
                            .add("state", WireNames.state(s.state()))
                            .add("status", WireNames.pluginStatus(s.state()))
                            .add("last_seq", s.lastSeq())
                            .build())
                    .then(cancellation::close);
        } catch (RuntimeException e) {
            cancellation.close();
            throw e;
        }
    }

    Reply pause(Endpoint.ApiCall call) {
        SessionId id = SessionIds.parse(SESSION_ID, call.pathParameter(SESSION_ID));
        return steered(useCases.pause().pause(id, EventMessages.PAUSED_BY_REQUEST), "paused");
    }

    Reply resume(Endpoint.ApiCall call) {
        SessionId id = SessionIds.parse(SESSION_ID, call.pathParameter(SESSION_ID));
        return steered(useCases.resume().resume(id, "resumed by request"), "resumed");
    }

    private static Reply steered(SessionSnapshot s, String what) {
        return Reply.ok(BUILDERS.createObjectBuilder()
                .add("success", true)
                .add("message", "Session '" + s.id().value() + "' " + what)
                .add("session_id", s.id().value())
                .add("state", WireNames.state(s.state()))
                .add("status", WireNames.pluginStatus(s.state()))
                .add("last_seq", s.lastSeq())
                .build());
    }
}
