package org.canvasbatch.adapters.http.wire;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;
import org.canvasbatch.domain.routing.Category;
import org.canvasbatch.domain.session.Priority;
import org.canvasbatch.domain.session.SessionProgress.GroupStatus;
import org.canvasbatch.domain.session.SessionState;

/**
 * How the contract spells the core's values: a session's state and the coarse status the plugin polls for, a group's
 * kind of question and its emoji. The core names its values; these words and signs belong to the wire.
 */
public final class WireNames {

    private WireNames() {}

    /** A group's priority as a client message names it, in any case: {@code urgent}, {@code high} … */
    public static Optional<Priority> priority(String name) {
        if (name == null) {
            return Optional.empty();
        }
        String spelled = name.strip();
        return Arrays.stream(Priority.values())
                .filter(priority -> priority.wireName().equalsIgnoreCase(spelled))
                .findFirst();
    }

    /** {@code pending}, {@code running}, {@code partial_failure} …: the precise state (CONTRACT §4). */
    public static String state(SessionState state) {
        return state.name().toLowerCase(Locale.ROOT);
    }

    /**
     * The coarse status the plugin polls: it stops polling only on {@code completed} or {@code failed}, so every
     * terminal state maps to one of those two. A finished batch with at least one success is {@code completed}.
     */
    public static String pluginStatus(SessionState state) {
        return switch (state) {
            case PENDING -> "pending";
            case RUNNING -> "running";
            case PAUSED -> "paused";
            case COMPLETED, PARTIAL_FAILURE -> "completed";
            case FAILED, CANCELLED -> "failed";
        };
    }

    /** The kind of a group's questions as the analyze answer names it, e.g. {@code deep-analysis}. */
    public static String category(Category category) {
        return switch (category) {
            case COMPARISON -> "comparison";
            case DEEP_ANALYSIS -> "deep-analysis";
            case MEMORY -> "memory";
            case EXAMPLE -> "example";
            case UNDERSTANDING -> "understanding";
            case DEFINITION -> "definition";
            case GENERAL -> "mixed";
        };
    }

    /** The sign the plugin shows beside a group of this kind. */
    public static String emoji(Category category) {
        return switch (category) {
            case COMPARISON -> "⚖️";
            case DEEP_ANALYSIS -> "🔬";
            case MEMORY -> "🧠";
            case EXAMPLE -> "💡";
            case UNDERSTANDING -> "🤔";
            case DEFINITION -> "📖";
            case GENERAL -> "🧩";
        };
    }

    /** How far a group is, as the plugin's progress display reads it. */
    public static String groupStatus(GroupStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }
}
