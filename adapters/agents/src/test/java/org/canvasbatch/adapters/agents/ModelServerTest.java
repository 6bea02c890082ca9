package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelServerTest {

    private final Instant now = Instant.parse("2026-11-26T12:00:00Z");
    private final ModelServer server = new ModelServer(
            HttpClient.newHttpClient(), "test server", "check the key", Clock.fixed(now, ZoneOffset.UTC));

    private Optional<Duration> retryAfter(String name, String value) {
        return server.retryAfter(HttpHeaders.of(Map.of(name, List.of(value)), (a, b) -> true));
    }

    @Test
    void retryAfterIsReadInEveryFormServersUse() {
        assertThat(retryAfter("Retry-After", "20")).contains(Duration.ofSeconds(20));
        assertThat(retryAfter("retry-after", " 1.5 ")).contains(Duration.ofMillis(1500));
        assertThat(retryAfter("Retry-After", "Thu, 26 Nov 2026 12:00:42 GMT")).contains(Duration.ofSeconds(42));
        assertThat(retryAfter("Retry-After", "Thu, 26 Nov 2026 11:59:00 GMT")).contains(Duration.ZERO);
        assertThat(retryAfter("retry-after-ms", "250")).contains(Duration.ofMillis(250));
        assertThat(retryAfter("Retry-After", "soon")).isEmpty();
        assertThat(retryAfter("Retry-After", "-3")).isEmpty();
        assertThat(server.retryAfter(HttpHeaders.of(Map.of(), (a, b) -> true))).isEmpty();
    }

    @Test
    void theServersOwnWordsAreFoundInEachErrorShape() {
        assertThat(ModelServer.errorDetail("{\"error\":{\"message\":\"Invalid API key\",\"type\":\"x\"}}"))
                .isEqualTo("Invalid API key");
        assertThat(ModelServer.errorDetail("{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
                        + "\"message\":\"Overloaded\"}}"))
                .isEqualTo("Overloaded");
        assertThat(ModelServer.errorDetail("{\"error\":\"model not found\"}")).isEqualTo("model not found");
        assertThat(ModelServer.errorDetail("{\"detail\":\"Not Found\"}")).isEqualTo("Not Found");
        assertThat(ModelServer.errorDetail("upstream   connect error\n")).isEqualTo("upstream connect error");
        assertThat(ModelServer.errorDetail("")).isEmpty();
        assertThat(ModelServer.errorDetail("x".repeat(1000))).hasSize(301).endsWith("…");
    }

    @Test
    void modelOutputIsTidiedIntoANoteBody() {
        assertThat(ModelOutput.noteBody("  # Title\n\nBody\n\n")).isEqualTo("# Title\n\nBody");
        assertThat(ModelOutput.noteBody("<think>plan</think>\n# Title")).isEqualTo("# Title");
        assertThat(ModelOutput.noteBody("```md\n# Title\n\n```java\nx();\n```\n```"))
                .isEqualTo("# Title\n\n```java\nx();\n```");
        assertThat(ModelOutput.noteBody("```java\nx();\n```")).isEqualTo("```java\nx();\n```");
        assertThat(ModelOutput.noteBody("<think>only thinking</think>")).isEmpty();
        // a terminal's escapes, NUL or BEL from a broken server are no part of a note; tabs and line breaks are
        assertThat(ModelOutput.noteBody("# Ti\u001b[2Jtle\u0000\n\tBody\u0007\r\nend\u009b"))
                .isEqualTo("# Ti[2Jtle\n\tBody\r\nend");
    }
}
