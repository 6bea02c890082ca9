package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ServerSettingsTest {

    @Test
    void theDefaultsAreWhatThePluginExpects() {
        assertThat(ServerSettings.DEFAULT.host()).isEqualTo("127.0.0.1");
        assertThat(ServerSettings.DEFAULT.port()).isEqualTo(8000);
        assertThat(ServerSettings.DEFAULT.maxBodyBytes()).isEqualTo(8L * 1024 * 1024);
        assertThat(ServerSettings.DEFAULT.allowedOrigins())
                .contains(
                        "app://obsidian.md",
                        "capacitor://localhost",
                        "http://localhost[:port]",
                        "http://127.0.0.1[:port]");
    }

    @Test
    void extensionsAreKeptInTheOrderTheyWereAdded() {
        ServerExtension first = ServerExtension.routes(r -> {});
        ServerExtension second = ServerExtension.server(s -> {});

        assertThat(ServerSettings.DEFAULT
                        .withExtension(first)
                        .withExtension(second)
                        .extensions())
                .containsExactly(first, second);
        assertThat(ServerSettings.DEFAULT.extensions()).isEmpty();
    }

    @Test
    void impossibleValuesAreRefused() {
        assertThatThrownBy(() -> ServerSettings.DEFAULT.withPort(70_000)).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ServerSettings.DEFAULT.withMaxBodyBytes(0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
