package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.canvasbatch.application.port.out.EventLogException;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.testsupport.ForwardingEventLog;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A page of history whose journal is found damaged while it is read (a bit flipped under a running server): it was
 * a 200 with the page's opening and no end, and a 34-frame stack trace in the log at every call.
 */
class DamagedHistoryPageTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    /** How many events may still be read before the journal reads as damaged; unlimited while negative. */
    private final AtomicLong readableEvents = new AtomicLong(-1);

    private final TestServer server = new TestServer(
            WsSettings.DEFAULT.withReplayPageSize(16), options -> {}, log -> new ForwardingEventLog(log) {
                @Override
                public List<SessionEvent> readAfter(SessionId sessionId, long afterSeq, int limit) {
                    if (readableEvents.get() == 0) {
                        throw damaged();
                    }
                    return super.readAfter(sessionId, afterSeq, limit);
                }

                @Override
                public EventReader read(SessionId sessionId, long afterSeq) {
                    EventReader reader = super.read(sessionId, afterSeq);
                    return new EventReader() {
                        @Override
                        public List<SessionEvent> next(int max) {
                            return readable(reader.next(max));
                        }

                        @Override
                        public void close() {
                            reader.close();
                        }
                    };
                }
            });

    /** The page's reader counts what it reads: the journal reads as damaged once that passes the readable events. */
    private List<SessionEvent> readable(List<SessionEvent> chunk) {
        if (readableEvents.get() >= 0 && readableEvents.addAndGet(-chunk.size()) < 0) {
            throw damaged();
        }
        return chunk;
    }

    private static EventLogException damaged() {
        return new EventLogException("the journal is damaged: impossible record length 1073741939 at byte 2576");
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private HttpResponse<String> page(SessionId id) throws IOException, InterruptedException {
        return HTTP.send(
                HttpRequest.newBuilder(server.http("/canvas/intelligent-parallel/" + id.value() + "/events?limit=1000"))
                        .GET()
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void aJournalFoundDamagedBeforeThePageIsUnderWayIsA503ThatSaysSo() throws Exception {
        SessionId id = server.analyze(3);
        server.runToEnd(id);
        readableEvents.set(0);

        HttpResponse<String> answer = page(id);

        assertThat(answer.statusCode()).isEqualTo(503);
        JsonObject body = Json.createReader(new StringReader(answer.body())).readObject();
        assertThat(body.getString("error")).isEqualTo("EventStoreUnavailableError");
        assertThat(body.getString("message")).contains("impossible record length");
    }

    @Test
    void aJournalFoundDamagedPartWayThroughALongPageCutsTheConnectionRatherThanEndTheAnswerEarly() {
        SessionId id = server.analyze(120);
        server.runToEnd(id);
        // 243 events, 185 KB, read 16 at a time: the first 64 KiB have gone out when the 150th is found damaged
        readableEvents.set(150);

        assertThatThrownBy(() -> page(id))
                .as("a page cut short must not reach the client as a whole answer")
                .isInstanceOf(IOException.class);
    }
}
