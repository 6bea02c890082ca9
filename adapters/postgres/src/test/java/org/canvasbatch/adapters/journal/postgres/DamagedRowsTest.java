package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.canvasbatch.adapters.journal.SampleEvents;
import org.canvasbatch.adapters.journal.SessionEventCodec;
import org.canvasbatch.application.port.out.EventLogConflict;
import org.canvasbatch.domain.session.SessionEvent;
import org.canvasbatch.domain.session.SessionId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Rows another server wrote are read as hostile: a newer server's event type, damaged bytes, a body that is another
 * event, a missing seq. The session they are in reads up to the damage and says so; it does not fail every read of it
 * as if the database were away, and every other session is untouched.
 */
@ExtendWith(LocalPostgres.class)
class DamagedRowsTest {

    private static final SessionId DAMAGED = new SessionId("damaged-session");
    private static final SessionId SOUND = new SessionId("sound-session");

    private final LocalPostgres.Server server;
    private final SessionEventCodec codec = new SessionEventCodec();
    private PostgresEventLog here;
    private PostgresEventLog writer;

    DamagedRowsTest(LocalPostgres.Server server) {
        this.server = server;
    }

    @BeforeEach
    void openTwoServers() {
        PostgresLocation location = server.newDatabase();
        writer = PostgresEventLog.open(location);
        here = PostgresEventLog.open(location);
        writer.append(SampleEvents.history(DAMAGED, 3));
        writer.append(SampleEvents.history(SOUND, 6));
    }

    @AfterEach
    void closeThem() {
        here.close();
        writer.close();
    }

    @Test
    void anEventTypeThisVersionDoesNotKnowIsDamageThatTheSessionIsReadUpTo() throws Exception {
        insert(DAMAGED, 4, "{\"type\": \"from_a_newer_server\"}".getBytes(StandardCharsets.UTF_8));
        insert(DAMAGED, 5, codec.encode(SampleEvents.event(DAMAGED, 5)));

        assertReadUpToTheDamage("event 4 cannot be read");
    }

    @Test
    void aRowHoldingAnotherSessionsEventIsDamage() throws Exception {
        insert(DAMAGED, 4, codec.encode(SampleEvents.event(SOUND, 4)));

        assertReadUpToTheDamage("the row of event 4 holds another event");
    }

    @Test
    void aMissingSeqIsDamageAndWhatFollowsItIsNotTakenForTheNextEvent() throws Exception {
        insert(DAMAGED, 5, codec.encode(SampleEvents.event(DAMAGED, 5)));

        assertReadUpToTheDamage("event 4 is missing");
    }

    private void assertReadUpToTheDamage(String problem) {
        List<SessionEvent> before = SampleEvents.history(DAMAGED, 3);
        assertThat(here.readAfter(DAMAGED, 0, 100)).containsExactlyElementsOf(before);
        assertThat(here.damage().get(DAMAGED))
                .as("the session says what is wrong with it, as a damaged journal file does")
                .contains(problem)
                .contains("up to event 3");
        assertThat(here.readAfter(SOUND, 0, 100)).containsExactlyElementsOf(SampleEvents.history(SOUND, 6));
        assertThat(here.damage()).doesNotContainKey(SOUND);

        List<SessionEvent> heard = new CopyOnWriteArrayList<>();
        here.subscribe(DAMAGED, 0, heard::add).close();
        assertThat(heard).as("a watcher hears the history up to the damage").containsExactlyElementsOf(before);

        assertThatThrownBy(() -> here.append(List.of(SampleEvents.event(DAMAGED, 4))))
                .isInstanceOf(EventLogConflict.class)
                .hasMessageContaining("damaged");
        here.append(List.of(SampleEvents.event(SOUND, 7)));
        assertThat(writer.readAfter(SOUND, 6, 10)).containsExactly(SampleEvents.event(SOUND, 7));
    }

    private void insert(SessionId id, long seq, byte[] body) throws SQLException {
        writer.database().withConnection(connection -> {
            try (PreparedStatement insert = connection.prepareStatement("insert into canvas_batch_events"
                    + " (session_id, seq, event_type, recorded_at, body) values (?, ?, 'Hostile', now(), ?)")) {
                insert.setString(1, id.value());
                insert.setLong(2, seq);
                insert.setBytes(3, body);
                return insert.executeUpdate();
            }
        });
    }
}
