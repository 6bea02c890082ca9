package org.canvasbatch.adapters.journal.postgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class PostgresLocationTest {

    @Test
    void userPasswordHostPortAndDatabaseAreRead() {
        PostgresLocation location = PostgresLocation.parse("postgresql://teacher:s%40cret@db.school.lan:5433/canvas");

        assertThat(location).isEqualTo(new PostgresLocation("teacher", "s@cret", "db.school.lan", 5433, "canvas"));
        assertThat(location.jdbcUrl()).isEqualTo("jdbc:postgresql://db.school.lan:5433/canvas");
        assertThat(location.connectionProperties()).containsEntry("password", "s@cret");
    }

    @Test
    void thePasswordIsOptionalAndNeverShown() {
        assertThat(PostgresLocation.parse("postgresql://teacher@127.0.0.1:5432/canvas")
                        .password())
                .isNull();
        assertThat(PostgresLocation.parse("postgresql://teacher:hunter2@h:5432/db")
                        .toString())
                .isEqualTo("postgresql://teacher:***@h:5432/db")
                .doesNotContain("hunter2");
    }

    /** A location that cannot be read is shown in its message without its password, whatever the password holds. */
    @Test
    void anUnreadableLocationIsShownWithoutItsPassword() {
        assertThat(PostgresLocation.masked("postgresql://teacher:pa/ss@h:5432/db"))
                .isEqualTo("postgresql://teacher:***@h:5432/db");
        assertThat(PostgresLocation.masked("postgres://teacher:p@s:s@h/db")).isEqualTo("postgres://teacher:***@h/db");
        assertThat(PostgresLocation.masked("postgresql://teacher@h:5432/db"))
                .isEqualTo("postgresql://teacher@h:5432/db");
    }

    @Test
    void theShortPostgresSchemeThatLibpqAlsoTakesNamesTheSameDatabase() {
        assertThat(PostgresLocation.isDatabase("postgres://teacher@db:5432/canvas"))
                .isTrue();
        assertThat(PostgresLocation.isDatabase("PostgreSQL://teacher@db:5432/canvas"))
                .isTrue();
        assertThat(PostgresLocation.parse("postgres://teacher:pw@db:5432/canvas"))
                .isEqualTo(new PostgresLocation("teacher", "pw", "db", 5432, "canvas"));
    }

    @Test
    void aLocationWithoutUserPortOrDatabaseIsRefusedWithWhatIsMissingAndWithoutThePassword() {
        assertThatThrownBy(() -> PostgresLocation.parse("postgresql://h:5432/db"))
                .hasMessageContaining("no user");
        assertThatThrownBy(() -> PostgresLocation.parse("postgresql://u:pw-secret@h/db"))
                .hasMessageContaining("no port")
                .hasMessageNotContaining("pw-secret");
        assertThatThrownBy(() -> PostgresLocation.parse("postgresql://u@h:5432/"))
                .hasMessageContaining("no database");
        assertThatThrownBy(() -> PostgresLocation.parse("postgresql://u@h:5432/db?sslmode=disable"))
                .hasMessageContaining("no '?'");
        assertThatThrownBy(() -> PostgresLocation.parse("postgresql://u@h:5432/db;drop"))
                .hasMessageContaining("no database");
    }
}
