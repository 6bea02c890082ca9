package org.canvasbatch.adapters.http.ws;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * A pause notice names the dashboard at the address the plugin reached the server by (its upgrade's {@code Host}),
 * the one address the learner knows works from this machine. The edge lets only the server's own host names through;
 * the notice still repeats nothing but a plain host and port, since its sentence is parsed back into Chinese.
 */
class DashboardAddressTest {

    @Test
    void theAddressIsTheHostThePluginReachedTheServerBy() {
        assertThat(SocketListener.dashboardAt("127.0.0.1:8765", false)).isEqualTo("http://127.0.0.1:8765/");
        assertThat(SocketListener.dashboardAt("localhost:8765", false)).isEqualTo("http://localhost:8765/");
        assertThat(SocketListener.dashboardAt("[::1]:8765", false)).isEqualTo("http://[::1]:8765/");
        assertThat(SocketListener.dashboardAt("study-pc.local", false)).isEqualTo("http://study-pc.local/");
    }

    /** The page is served to anyone, but its buttons need the token in the page's address. */
    @Test
    void aTokenServersAddressSaysWhereTheTokenGoes() {
        assertThat(SocketListener.dashboardAt("127.0.0.1:8765", true))
                .isEqualTo("http://127.0.0.1:8765/?token=<access-token>");
    }

    @Test
    void aHostThatIsNotAPlainNameAndPortNamesNoAddress() {
        assertThat(SocketListener.dashboardAt(null, false)).isNull();
        assertThat(SocketListener.dashboardAt("", false)).isNull();
        assertThat(SocketListener.dashboardAt("evil.example/phish?x=", false)).isNull();
        assertThat(SocketListener.dashboardAt("a b", false)).isNull();
        assertThat(SocketListener.dashboardAt("a,b:1", false)).isNull();
        assertThat(SocketListener.dashboardAt("user@127.0.0.1:8765", false)).isNull();
        assertThat(SocketListener.dashboardAt("-x:1", false)).isNull();
        assertThat(SocketListener.dashboardAt("x".repeat(300), false)).isNull();
    }
}
