package org.canvasbatch.adapters.http;

import static org.canvasbatch.adapters.http.wire.JsonValues.BUILDERS;

import jakarta.json.JsonArrayBuilder;
import java.util.List;
import java.util.Set;
import org.canvasbatch.adapters.http.text.Message;
import org.canvasbatch.adapters.http.wire.StatusJson;
import org.canvasbatch.adapters.http.wire.WireNames;
import org.canvasbatch.application.port.in.SessionNotFoundException;
import org.canvasbatch.application.port.in.UseCases;
import org.canvasbatch.application.port.out.Clock;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSnapshot;

/** Reading and steering one session by its id: status (§2.3), cancel (§2.4), pause and resume, and the session list. */
final class SessionEndpoints {

    static final String SESSION_ID = "session_id";

    /** Where the Obsidian plugin calls from: the desktop renderer and the mobile app. */
    static final Set<String> OBSIDIAN_ORIGINS = Set.of("app://obsidian.md", "capacitor://localhost");

    private final UseCases useCases;
    private final Clock clock;

    SessionEndpoints(UseCases useCases, Clock clock) {
        this.useCases = useCases;
        this.clock = clock;
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
            if (call.origin().filter(OBSIDIAN_ORIGINS::contains).isEmpty()) {
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
        var status = StatusJson.of(useCases.status().status(id), clock.now());
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

    /** The body is ignored: the plugin sends none (but a JSON content type). */
    Reply cancel(Endpoint.ApiCall call) {
        SessionId id = SessionIds.parse(SESSION_ID, call.pathParameter(SESSION_ID));
        SessionSnapshot s = useCases.cancel().cancel(id, "cancelled by request");
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
                .build());
    }

    Reply pause(Endpoint.ApiCall call) {
        SessionId id = SessionIds.parse(SESSION_ID, call.pathParameter(SESSION_ID));
        return steered(useCases.pause().pause(id, "paused by request"), "paused");
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
