package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.PreparedStatement;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Anyone who can connect to the database can notify the channels the servers listen to. A notification only says
 * where to look: whatever it says, a watcher hears the events stored in the table, each once and in order, and nothing
 * else.
 */
@ExtendWith(LocalPostgres.class)
class HostileNotificationsTest {

    private static final SessionId S = new SessionId("watched-session");

    private final LocalPostgres.Server server;
    private PostgresEventLog writer;
    private PostgresEventLog watcher;

    HostileNotificationsTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @BeforeEach
    void openTwoServers() {
        PostgresLocation location = server.newDatabase();
        writer = PostgresEventLog.open(location);
        watcher = PostgresEventLog.open(location);
    }

    @AfterEach
    void closeThem() {
        watcher.close();
        writer.close();
    }

    @Test
    void malformedFloodedAndLyingNotificationsDeliverNothingButTheStoredEvents() throws Exception {
        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        watcher.subscribe(S, 0, heard::add);
        List<String> hostile = new java.util.ArrayList<>(List.of(
                "",
                " ",
                "garbage",
                "watched-session",
                "watched-session not-a-seq",
                "watched-session -5",
                "watched-session 9223372036854775807",
                "../../etc/passwd 3",
                "other-session 1",
                "watched-session 1 2",
                "x".repeat(7_000) + " 1"));
        for (int i = 0; i < 500; i++) {
            hostile.add("watched-session " + (1_000_000 + i));
        }
        for (String channel : List.of(Notifications.CHANNEL, Notifications.PLACEMENTS)) {
            notifyAll(channel, hostile);
        }

        writer.append(SampleEvents.history(S, 3));

        SharedEventLogTest.waitUntil(() -> heard.size() >= 3);
        writer.append(List.of(SampleEvents.event(S, 4)));
        SharedEventLogTest.waitUntil(() -> heard.size() >= 4);
        assertThat(heard).containsExactlyElementsOf(SampleEvents.history(S, 4));
    }

    private void notifyAll(String channel, List<String> payloads) throws Exception {
        try (var connection = server.connect(writer.database().location().database());
                PreparedStatement notify = connection.prepareStatement("select pg_notify(?, ?)")) {
            for (String payload : payloads) {
                notify.setString(1, channel);
                notify.setString(2, payload);
                notify.execute();
            }
        }
    }
}
