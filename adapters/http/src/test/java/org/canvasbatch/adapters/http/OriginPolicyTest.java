package org.canvasbatch.adapters.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class OriginPolicyTest {

    @Test
    void anyPortEntriesAllowTheBareOriginAndEveryPortButNothingLonger() {
        OriginPolicy policy = new OriginPolicy(List.of("http://localhost[:port]"));

        assertThat(policy.allows("http://localhost")).isTrue();
        assertThat(policy.allows("http://localhost:8000")).isTrue();
        assertThat(policy.allows("HTTP://LOCALHOST:8000")).isTrue();
        assertThat(policy.allows("http://localhost:")).isFalse();
        assertThat(policy.allows("http://localhost.example")).isFalse();
        assertThat(policy.allows("http://localhost:8000/path")).isFalse();
        assertThat(policy.allows("null")).isFalse();
        assertThat(policy.allows(null)).isFalse();
    }

    @Test
    void exactEntriesMatchExactlyAndStarAllowsEveryone() {
        assertThat(new OriginPolicy(List.of("app://obsidian.md")).allows("app://obsidian.md:1"))
                .isFalse();
        assertThat(new OriginPolicy(List.of("*")).allows("https://anything.example"))
                .isTrue();
    }

    @Test
    void anEntryThatIsNotAnOriginIsRefusedAtStartup() {
        assertThatThrownBy(() -> ServerSettings.DEFAULT.withAllowedOrigins(List.of("localhost")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("scheme://host");
    }

    @Test
    void pathsAreMadeCanonical() {
        assertThat(RequestPath.collapse("//canvas//intelligent-parallel/")).isEqualTo("/canvas/intelligent-parallel");
        assertThat(RequestPath.collapse("/")).isEqualTo("/");
        assertThat(RequestPath.collapse("//")).isEqualTo("/");
        assertThat(RequestPath.collapse("/a")).isEqualTo("/a");
    }
}
