package org.canvasbatch.application.port.in;

import java.util.List;
import java.util.Set;
import org.canvasbatch.application.port.in.AnalyzeCanvasUseCase.SkippedNode;

/**
 * An analysis that found no question to ask: no node of the wanted colours, or only nodes with nothing in them (an
 * empty text, a file node without a file …). A batch of nothing is never created.
 *
 * @see AnalyzeCanvasUseCase.SkippedNode
 */
public final class NothingToProcessException extends RuntimeException {

    private final String field;
    private final String source;
    private final Set<String> colors;
    private final List<SkippedNode> skipped;

    /**
     * @param field   the request field at fault: {@code nodes} when the caller sent them, else {@code target_colors}
     * @param source  where the nodes came from, for a person: "the request's nodes" or the canvas path in quotes
     * @param colors  the colours looked for
     * @param skipped the nodes that were there but empty; none when no node had a wanted colour
     */
    public NothingToProcessException(String field, String source, Set<String> colors, List<SkippedNode> skipped) {
        super(
                skipped.isEmpty()
                        ? "No nodes to process: " + source + " has no node of colour " + Colors.describe(colors)
                        : "No nodes to process: every one of the " + skipped.size() + " node(s) of " + source
                                + " is empty",
                null,
                false,
                false);
        this.field = field;
        this.source = source;
        this.colors = Set.copyOf(colors);
        this.skipped = List.copyOf(skipped);
    }

    public String field() {
        return field;
    }

    public String source() {
        return source;
    }

    public Set<String> colors() {
        return colors;
    }

    public List<SkippedNode> skipped() {
        return skipped;
    }

    /** Obsidian's preset colours by their number, for messages. */
    public static final class Colors {

        private static final java.util.Map<String, String> NAMES =
                java.util.Map.of("1", "red", "2", "orange", "3", "yellow", "4", "green", "5", "cyan", "6", "purple");

        private Colors() {}

        /** "1 (red), 6 (purple)". */
        public static String describe(Set<String> colors) {
            return colors.stream()
                    .sorted()
                    .map(c -> NAMES.containsKey(c) ? c + " (" + NAMES.get(c) + ")" : c)
                    .collect(java.util.stream.Collectors.joining(", "));
        }
    }
}
