package org.canvasbatch.adapters.vault;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a note's file node goes: in the source node's column, below it, moved further down past whatever it would
 * touch. Every node is an obstacle, except that a group around the source node may also hold the note, as long as the
 * note lies wholly inside it.
 */
final class NotePlacement {

    static final double NOTE_WIDTH = 400;
    static final double NOTE_HEIGHT = 120;
    /** Space between the source node and its first note. */
    static final double GAP_BELOW_SOURCE = 40;
    /** Space kept free around a note. */
    static final double CLEARANCE = 20;

    private final List<Box> nodes = new ArrayList<>();
    private final List<Boolean> groups = new ArrayList<>();

    void occupied(Box box, boolean group) {
        nodes.add(box);
        groups.add(group);
    }

    /** Finds a free place below {@code source} and marks it taken, so the next note of the same batch avoids it. */
    Box placeBelow(Box source) {
        double y = source.y() + source.height() + GAP_BELOW_SOURCE;
        for (int round = 0; round <= nodes.size(); round++) {
            Box candidate = new Box(source.x(), y, NOTE_WIDTH, NOTE_HEIGHT);
            double pushTo = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < nodes.size(); i++) {
                Box node = nodes.get(i);
                boolean mayHoldNote = groups.get(i) && node.contains(source);
                boolean conflict = mayHoldNote
                        ? candidate.intersects(node, 0) && !node.contains(candidate)
                        : candidate.intersects(node, CLEARANCE);
                if (conflict) {
                    pushTo = Math.max(pushTo, node.bottom() + CLEARANCE);
                }
            }
            if (pushTo == Double.NEGATIVE_INFINITY) {
                occupied(candidate, false);
                return candidate;
            }
            y = pushTo;
        }
        throw new IllegalStateException("a place below every node is always free");
    }

    record Box(double x, double y, double width, double height) {

        double bottom() {
            return y + height;
        }

        /** Whether the two overlap once this box is grown by {@code margin} on every side; touching is not overlap. */
        boolean intersects(Box other, double margin) {
            return x - margin < other.x + other.width
                    && other.x < x + width + margin
                    && y - margin < other.y + other.height
                    && other.y < y + height + margin;
        }

        boolean contains(Box other) {
            return other.x >= x
                    && other.y >= y
                    && other.x + other.width <= x + width
                    && other.y + other.height <= y + height;
        }
    }
}
