package org.canvasbatch.adapters.vault;

import java.util.ArrayList;
import java.util.List;

/**
 * Where a note's file node goes: in the source node's column, below it, moved further down past whatever it would
 * touch; its label goes to the right of the file node, likewise. Every node is an obstacle, except that a group around
 * the source node may also hold the note or the label, as long as it lies wholly inside.
 */
final class NotePlacement {

    static final double NOTE_WIDTH = 400;
    static final double NOTE_HEIGHT = 120;
    /** Space between the source node and its first note. */
    static final double GAP_BELOW_SOURCE = 40;
    /** Space kept free around a note. */
    static final double CLEARANCE = 20;
    /** A label: one line of text beside its note's file node. */
    static final double LABEL_WIDTH = 440;

    static final double LABEL_HEIGHT = 60;
    static final double GAP_BESIDE = 20;

    private final List<Box> nodes = new ArrayList<>();
    private final List<Boolean> groups = new ArrayList<>();

    void occupied(Box box, boolean group) {
        nodes.add(box);
        groups.add(group);
    }

    /** Finds a free place below {@code source} and marks it taken, so the next note of the same batch avoids it. */
    Box placeBelow(Box source) {
        return place(source.x(), source.y() + source.height() + GAP_BELOW_SOURCE, NOTE_WIDTH, NOTE_HEIGHT, source);
    }

    /**
     * Finds a free place for a label to the right of its file node (further down the same column when that is taken)
     * and marks it taken. A group around {@code source} may hold it, as it may hold the note.
     */
    Box placeBeside(Box fileNode, Box source) {
        return place(fileNode.x() + fileNode.width() + GAP_BESIDE, fileNode.y(), LABEL_WIDTH, LABEL_HEIGHT, source);
    }

    private Box place(double x, double startY, double width, double height, Box source) {
        // The candidate only moves down its column, so only the nodes that share the column's width (with the
        // clearance) can ever be in its way: gathered once, not looked through again on every step down (a canvas of
        // thousands of nodes made every placement a look through all of them, round after round)
        List<Box> inColumn = new ArrayList<>();
        List<Boolean> mayHold = new ArrayList<>();
        for (int i = 0; i < nodes.size(); i++) {
            Box node = nodes.get(i);
            if (x - CLEARANCE < node.x() + node.width() && node.x() < x + width + CLEARANCE) {
                inColumn.add(node);
                mayHold.add(groups.get(i) && node.contains(source));
            }
        }
        double y = startY;
        for (int round = 0; round <= inColumn.size(); round++) {
            Box candidate = new Box(x, y, width, height);
            double pushTo = Double.NEGATIVE_INFINITY;
            for (int i = 0; i < inColumn.size(); i++) {
                Box node = inColumn.get(i);
                boolean conflict = mayHold.get(i)
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
