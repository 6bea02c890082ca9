package org.canvasbatch.adapters.vault;

import jakarta.json.JsonObject;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The canvas write-back's merge, reached from the benchmarks: {@link CanvasMerge} is package-private in the vault
 * adapter (nothing outside it has any business calling it), so this class sits in the same package, in the
 * benchmarks' own jar, rather than the adapter opening the class to everyone for one benchmark.
 */
public final class CanvasMergeEntry {

    private static final CanvasMerge.Settings LABELS =
            new CanvasMerge.Settings(true, ZoneOffset.UTC, Instant.parse("2026-12-06T12:00:00Z"));
    private static final Instant WRITTEN = Instant.parse("2026-12-06T11:00:00Z");

    private CanvasMergeEntry() {}

    /** Links one note (and its label) to each of the source nodes; the canvas to write. */
    public static JsonObject linkNotes(JsonObject canvas, List<String> sourceNodeIds) {
        List<CanvasMerge.Link> links = sourceNodeIds.stream()
                .map(id -> new CanvasMerge.Link(id, "notes/" + id + ".md", "oral-explanation", WRITTEN))
                .toList();
        CanvasMerge.Result result = CanvasMerge.merge(canvas, links, LABELS);
        if (result.linked().size() != links.size()) {
            throw new IllegalStateException("linked " + result.linked().size() + " of " + links.size());
        }
        return result.canvas();
    }
}
