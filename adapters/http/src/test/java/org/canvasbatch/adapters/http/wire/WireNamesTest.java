package org.canvasbatch.adapters.http.wire;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.SessionState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class WireNamesTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        "PENDING, pending, pending",
        "RUNNING, running, running",
        "PAUSED, paused, paused",
        "COMPLETED, completed, completed",
        "PARTIAL_FAILURE, completed, partial_failure",
        "FAILED, failed, failed",
        "CANCELLED, failed, cancelled",
    })
    void thePluginSeesOnlyCompletedOrFailedOnceABatchIsOver(SessionState state, String pluginStatus, String wireName) {
        assertThat(WireNames.pluginStatus(state)).isEqualTo(pluginStatus);
        assertThat(WireNames.state(state)).isEqualTo(wireName);
    }

    @Test
    void categoriesHaveTheirWireNamesAndOneEmojiEach() {
        assertThat(Arrays.stream(Category.values()).map(WireNames::category))
                .containsExactly(
                        "comparison", "deep-analysis", "memory", "example", "understanding", "definition", "mixed");
        assertThat(Arrays.stream(Category.values()).map(WireNames::emoji))
                .doesNotContainNull()
                .doesNotHaveDuplicates()
                .allSatisfy(emoji -> assertThat(emoji).isNotBlank());
    }
}
