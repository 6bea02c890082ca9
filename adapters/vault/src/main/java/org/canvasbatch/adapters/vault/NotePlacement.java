package org.canvasbatch.adapters.vault;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Where a note's file node and its label go: together, as one card (the label right beside the note, so a label is
 * never far from its note), as close to the source node as a free place allows. Below the source node first, then
 * beside it or above it; a place whose edge from the source would pass through another node counts as much further
 * away, so a slightly longer edge that passes over nothing wins. A place is found by sliding the card away from the
 * source, past whatever it would touch. Every node is an obstacle, except that a group around the source node may also
 * hold the note or the label, as long as each lies wholly inside.
 */
final class NotePlacement {

    static final double NOTE_WIDTH = 400;
    static final double NOTE_HEIGHT = 120;
    /** Space between the source node and its note. */
    static final double GAP_BELOW_SOURCE = 40;
    /** Space kept free around a note. */
    static final double CLEARANCE = 20;
    /** A label: one line of text beside its note's file node. */
    static final double LABEL_WIDTH = 440;

    static final double LABEL_HEIGHT = 60;
    static final double GAP_BESIDE = 20;
    /** Space between a note and a label placed under it. */
    static final double GAP_UNDER = 10;
    /**
     * What an edge passing through another node costs, in pixels of edge length: a place that long further away whose
     * edge passes over nothing is preferred, one further still is not (the learner then sees the edge cross a node
     * rather than a note far from its question).
     */
    static final double CROSSING_COST = 1000;
    /** How far below a node a part of another node's card is taken for that node's own, and what that costs. */
    static final double UNDER_ANOTHER = 200;

    static final double UNDER_ANOTHER_COST = 150;

    /**
     * Where a card starts beside its source before it slides: lined up with the source (0), else its note's middle
     * this many half notes along from the source's middle, across the direction it slides.
     */
    private static final double[] SHIFTS = {0, 0, -1, 1, -2, 2};

    /**
     * How far around its source a note's place is looked for first. A large canvas has thousands of nodes, and each of
     * a card's starting places would look through all of them; the nodes that meet this square around the source are
     * enough to place it whenever the place found is well inside the square (the others could neither touch it nor its
     * edge, and any place beyond the square is further than the one found), else the whole canvas is searched.
     */
    static final double NEAR = 4000;

    /**
     * How much further than the exact tests a look-up in {@link #grid}, or a step's look along a lane, reaches: their
     * bounds are summed otherwise than the tests' sums, and a node a rounding error inside must not be left out.
     */
    private static final double SLACK = 1;

    private final double near;
    private final List<Box> nodes = new ArrayList<>();
    private final List<Boolean> groups = new ArrayList<>();
    /** Null when every look-up walks through every node, as the tests that compare the two ask. */
    private final NodeGrid grid;
    /** While {@link #placeNote} tries the nodes near the source first: only the nodes that meet this square count. */
    private Box within;

    NotePlacement() {
        this(NEAR);
    }

    /** With another reach for the first search: {@code Double.POSITIVE_INFINITY} always searches the whole canvas. */
    NotePlacement(double near) {
        this(near, true);
    }

    /** {@code indexed} false: every look-up walks through every node, the answer the grid must give faster. */
    NotePlacement(double near, boolean indexed) {
        this.near = near;
        this.grid = indexed ? new NodeGrid() : null;
    }

    void occupied(Box box, boolean group) {
        nodes.add(box);
        groups.add(group);
        if (grid != null) {
            grid.add(box);
        }
    }

    /**
     * The numbers, in the canvas's order, of the nodes a search looks through that may meet the rectangle from (x0,
     * y0) to (x1, y1), edges included: every one that does. An infinite or NaN bound leaves that side open.
     */
    private int[] nodesNear(double x0, double y0, double x1, double y1) {
        int[] found;
        if (grid == null) {
            found = new int[nodes.size()];
            Arrays.setAll(found, i -> i);
        } else {
            double left = x0 - SLACK;
            double top = y0 - SLACK;
            double right = x1 + SLACK;
            double bottom = y1 + SLACK;
            if (within != null) {
                // a node that meets both the rectangle and the square meets their overlap too (boxes that meet two
                // by two have a point in common), so only the overlap is looked up, when there is one
                double l = Math.max(left, within.x());
                double t = Math.max(top, within.y());
                double r = Math.min(right, within.x() + within.width());
                double b = Math.min(bottom, within.bottom());
                if (l <= r && t <= b) {
                    left = l;
                    top = t;
                    right = r;
                    bottom = b;
                }
            }
            found = grid.near(left, top, right, bottom);
        }
        if (within == null) {
            return found;
        }
        int kept = 0;
        for (int node : found) {
            if (nodes.get(node).intersects(within, 0)) {
                found[kept++] = node;
            }
        }
        return Arrays.copyOf(found, kept);
    }

    /** A note's place, its label's (null when it has none) and the sides of the source and the note its edge joins. */
    record Spot(Box note, Box label, String fromSide, String toSide) {}

    /** The directions a card slides away from its source, each with the sides its edge joins and what it costs more. */
    private enum Direction {
        DOWN("bottom", "top", 0),
        RIGHT("right", "left", 60),
        LEFT("left", "right", 80),
        UP("top", "bottom", 120);

        final String fromSide;
        final String toSide;
        final double cost;

        Direction(String fromSide, String toSide, double cost) {
            this.fromSide = fromSide;
            this.toSide = toSide;
            this.cost = cost;
        }
    }

    /** A card: the note at (noteX, noteY) inside it, the label (if any) at (labelX, labelY). */
    private record Card(double width, double height, double noteX, double noteY, double labelX, double labelY) {

        static final Card NOTE_ONLY = new Card(NOTE_WIDTH, NOTE_HEIGHT, 0, 0, Double.NaN, Double.NaN);
        static final Card LABEL_RIGHT =
                new Card(NOTE_WIDTH + GAP_BESIDE + LABEL_WIDTH, NOTE_HEIGHT, 0, 0, NOTE_WIDTH + GAP_BESIDE, 0);
        static final Card LABEL_LEFT =
                new Card(NOTE_WIDTH + GAP_BESIDE + LABEL_WIDTH, NOTE_HEIGHT, LABEL_WIDTH + GAP_BESIDE, 0, 0, 0);
        static final Card LABEL_UNDER = new Card(
                Math.max(NOTE_WIDTH, LABEL_WIDTH),
                NOTE_HEIGHT + GAP_UNDER + LABEL_HEIGHT,
                0,
                0,
                0,
                NOTE_HEIGHT + GAP_UNDER);

        boolean labelled() {
            return !Double.isNaN(labelX);
        }

        Box note(double x, double y) {
            return new Box(x + noteX, y + noteY, NOTE_WIDTH, NOTE_HEIGHT);
        }

        Box label(double x, double y) {
            return labelled() ? new Box(x + labelX, y + labelY, LABEL_WIDTH, LABEL_HEIGHT) : null;
        }
    }

    /**
     * Finds the nearest free place for a note of {@code source} (and its label, when {@code withLabel}) and marks it
     * taken, so the next note of the same batch avoids it.
     */
    Spot placeNote(Box source, boolean withLabel) {
        Spot best = null;
        if (Double.isFinite(near)) {
            Box around = new Box(
                    source.x() - near, source.y() - near, source.width() + 2 * near, source.height() + 2 * near);
            within = around;
            Priced found = null;
            try {
                if (nodesNear(around.x(), around.y(), around.x() + around.width(), around.bottom()).length
                        < nodes.size()) {
                    found = search(source, withLabel);
                }
            } finally {
                within = null;
            }
            if (found != null && found.spot() != null && found.cost() <= near / 2 && wellInside(found.spot(), around)) {
                best = found.spot();
            }
        }
        if (best == null) {
            best = search(source, withLabel).spot();
        }
        occupied(best.note(), false);
        if (best.label() != null) {
            occupied(best.label(), false);
        }
        return best;
    }

    /** Whether a place's parts, with all a search looks at around them, lie inside {@code around}. */
    private static boolean wellInside(Spot spot, Box around) {
        double reach = Math.max(CLEARANCE, UNDER_ANOTHER);
        for (Box part : spot.label() == null ? List.of(spot.note()) : List.of(spot.note(), spot.label())) {
            Box grown =
                    new Box(part.x() - reach, part.y() - reach, part.width() + 2 * reach, part.height() + 2 * reach);
            if (!around.contains(grown)) {
                return false;
            }
        }
        return true;
    }

    private record Priced(Spot spot, double cost) {}

    /** The nearest free place among the nodes a search looks through, not yet marked taken. */
    private Priced search(Box source, boolean withLabel) {
        List<Card> cards =
                withLabel ? List.of(Card.LABEL_RIGHT, Card.LABEL_LEFT, Card.LABEL_UNDER) : List.of(Card.NOTE_ONLY);
        Spot best = null;
        double bestCost = Double.POSITIVE_INFINITY;
        for (Direction direction : Direction.values()) {
            for (Card card : cards) {
                for (int shift = 0; shift < SHIFTS.length; shift++) {
                    Spot spot = slide(source, card, direction, shift, bestCost);
                    if (spot == null) {
                        continue;
                    }
                    double cost = cost(source, spot, direction, bestCost - (shift == 0 ? 0 : CLEARANCE))
                            + (shift == 0 ? 0 : CLEARANCE);
                    if (cost < bestCost) {
                        best = spot;
                        bestCost = cost;
                    }
                }
            }
        }
        return new Priced(best, bestCost);
    }

    /**
     * Finds a free place for a label beside its (existing) file node: right of it, else left of it, under it or above
     * it, else further down the column right of it; and marks it taken. A group around {@code source} may hold it, as
     * it may hold the note.
     */
    Box placeBeside(Box fileNode, Box source) {
        // in whole pixels, as they are written (see slide)
        List<Box> beside = List.of(
                label(fileNode.x() + fileNode.width() + GAP_BESIDE, fileNode.y()),
                label(fileNode.x() - GAP_BESIDE - LABEL_WIDTH, fileNode.y()),
                label(fileNode.x(), fileNode.bottom() + GAP_UNDER),
                label(fileNode.x(), fileNode.y() - GAP_UNDER - LABEL_HEIGHT));
        for (Box candidate : beside) {
            if (free(candidate, source)) {
                occupied(candidate, false);
                return candidate;
            }
        }
        Box first = beside.getFirst();
        Card label = new Card(LABEL_WIDTH, LABEL_HEIGHT, Double.NaN, Double.NaN, 0, 0);
        double[] at = slideFrom(first.x(), first.y(), label, Direction.DOWN, source, Double.POSITIVE_INFINITY, null);
        Box placed = label.label(at[0], at[1]);
        occupied(placed, false);
        return placed;
    }

    private static Box label(double x, double y) {
        return new Box(Math.round(x), Math.round(y), LABEL_WIDTH, LABEL_HEIGHT);
    }

    private boolean free(Box candidate, Box source) {
        for (int i : nodesNear(
                candidate.x() - CLEARANCE,
                candidate.y() - CLEARANCE,
                candidate.x() + candidate.width() + CLEARANCE,
                candidate.bottom() + CLEARANCE)) {
            if (conflict(candidate, nodes.get(i), groups.get(i) && nodes.get(i).contains(source))) {
                return false;
            }
        }
        return true;
    }

    /**
     * What a place pushed to just past a node may still overlap its clearance by, from rounding: with fractional
     * coordinates, {@code (a + 20 - offset) + offset} can fall a hair short of {@code a + 20}, and the card would be
     * pushed to the same place again and again.
     */
    private static final double ROUNDING = 1e-6;

    private static boolean conflict(Box candidate, Box node, boolean mayHold) {
        return mayHold
                ? candidate.intersects(node, 0) && !node.contains(candidate)
                : candidate.intersects(node, CLEARANCE - ROUNDING);
    }

    /** The card slid from beside the source in this direction to its first free place; null once past {@code limit}. */
    private Spot slide(Box source, Card card, Direction direction, int shift, double limit) {
        double x;
        double y;
        switch (direction) {
            case DOWN, UP -> {
                x = shift == 0
                        ? source.x() - card.noteX()
                        : source.x()
                                + source.width() / 2
                                + SHIFTS[shift] * (NOTE_WIDTH + CLEARANCE) / 2
                                - NOTE_WIDTH / 2
                                - card.noteX();
                y = direction == Direction.DOWN
                        ? source.bottom() + GAP_BELOW_SOURCE - card.noteY()
                        : source.y() - GAP_BELOW_SOURCE - card.height();
            }
            case RIGHT, LEFT -> {
                x = direction == Direction.RIGHT
                        ? source.x() + source.width() + GAP_BELOW_SOURCE - card.noteX()
                        : source.x() - GAP_BELOW_SOURCE - card.width();
                y = shift == 0
                        ? source.y() - card.noteY()
                        : source.y()
                                + source.height() / 2
                                + SHIFTS[shift] * (NOTE_HEIGHT + CLEARANCE) / 2
                                - NOTE_HEIGHT / 2
                                - card.noteY();
            }
            default -> throw new IllegalArgumentException(direction.name());
        }
        // whole pixels, as the canvas stores them: a place found at a fraction and rounded when written could end
        // up a fraction of a pixel outside the group it was found inside (Obsidian then no longer counts it in)
        x = Math.round(x);
        y = Math.round(y);
        // sliding only takes the card further away: a start that is already no better than the best place found
        // is not slid at all (most notes find a place right below their source, and then no other start is tried)
        double[] from = source.side(direction.fromSide);
        double[] to = card.note(x, y).side(direction.toSide);
        if (Math.hypot(to[0] - from[0], to[1] - from[1]) + direction.cost + (shift == 0 ? 0 : CLEARANCE) >= limit) {
            return null;
        }
        double[] at = slideFrom(x, y, card, direction, source, limit, source);
        return at == null
                ? null
                : new Spot(card.note(at[0], at[1]), card.label(at[0], at[1]), direction.fromSide, direction.toSide);
    }

    /**
     * Moves the card from (x, y) in the direction past whatever it would touch; its free place, or null once it is
     * further than {@code limit} from {@code from} (when given). Only the nodes in the card's lane (its width, or its
     * height, with the clearance) can ever be in its way: gathered once, not looked through again on every step. With
     * a limit, only the stretch of the lane the card may reach before it is too far: a part of the card whose gap to
     * {@code from} is at most the limit lies within the limit of it, and the card around it within its own size.
     */
    private double[] slideFrom(double x, double y, Card card, Direction direction, Box source, double limit, Box from) {
        boolean vertical = direction == Direction.DOWN || direction == Direction.UP;
        boolean bounded = from != null && limit < Double.POSITIVE_INFINITY;
        double reach = Math.max(card.width(), card.height()) + CLEARANCE;
        double along0 = bounded ? (vertical ? from.y() : from.x()) - limit - reach : Double.NEGATIVE_INFINITY;
        double along1 = bounded
                ? (vertical ? from.bottom() : from.x() + from.width()) + limit + reach
                : Double.POSITIVE_INFINITY;
        int[] near = vertical
                ? nodesNear(x - CLEARANCE, along0, x + card.width() + CLEARANCE, along1)
                : nodesNear(along0, y - CLEARANCE, along1, y + card.height() + CLEARANCE);
        List<LaneNode> lane = new ArrayList<>();
        for (int i : near) {
            Box node = nodes.get(i);
            boolean inLane = vertical
                    ? x - CLEARANCE < node.x() + node.width() && node.x() < x + card.width() + CLEARANCE
                    : y - CLEARANCE < node.y() + node.height() && node.y() < y + card.height() + CLEARANCE;
            if (inLane) {
                lane.add(new LaneNode(node, groups.get(i) && node.contains(source), ahead(node, direction)));
            }
        }
        // in the order the card reaches them: a step looks at the nodes from the first not left behind to the first
        // too far ahead to touch the card, not at the whole lane (a long column of nodes on every step)
        lane.sort(Comparator.comparingDouble(LaneNode::ahead));
        boolean[] leftBehind = new boolean[lane.size()];
        int first = 0;
        List<Box> parts = new ArrayList<>(2);
        // each step takes a part of the card past a node of the lane, for good: at most two steps a node
        int steps = 2 * lane.size() + 1;
        for (int round = 0; round <= steps; round++) {
            parts.clear();
            parts.add(card.labelled() && Double.isNaN(card.noteX()) ? card.label(x, y) : card.note(x, y));
            if (card.labelled() && !Double.isNaN(card.noteX())) {
                parts.add(card.label(x, y));
            }
            if (from != null && parts.getFirst().gap(from) > limit) {
                return null;
            }
            double tooFar = tooFarAhead(x, y, card, direction);
            double pushTo = Double.NaN;
            for (int i = first; i < lane.size() && !(lane.get(i).ahead() > tooFar); i++) {
                if (leftBehind[i]) {
                    continue;
                }
                LaneNode entry = lane.get(i);
                Box node = entry.node();
                if (behind(node, x, y, card, direction)) {
                    leftBehind[i] = true; // the card only moves away from it: never in the way again
                    if (i == first) {
                        first++;
                    }
                    continue;
                }
                for (Box part : parts) {
                    if (conflict(part, node, entry.mayHold())) {
                        double offset = vertical ? part.y() - y : part.x() - x;
                        double to = switch (direction) {
                            case DOWN -> node.bottom() + CLEARANCE - offset;
                            case UP -> node.y() - CLEARANCE - part.height() - offset;
                            case RIGHT -> node.x() + node.width() + CLEARANCE - offset;
                            case LEFT -> node.x() - CLEARANCE - part.width() - offset;
                        };
                        boolean further = direction == Direction.DOWN || direction == Direction.RIGHT
                                ? !(to <= pushTo)
                                : !(to >= pushTo);
                        if (Double.isNaN(pushTo) || further) {
                            pushTo = to;
                        }
                    }
                }
            }
            while (first < leftBehind.length && leftBehind[first]) {
                first++;
            }
            if (Double.isNaN(pushTo)) {
                return new double[] {x, y};
            }
            // to the next whole pixel further on (see slide)
            pushTo = direction == Direction.DOWN || direction == Direction.RIGHT
                    ? Math.ceil(pushTo)
                    : Math.floor(pushTo);
            if (vertical) {
                y = pushTo;
            } else {
                x = pushTo;
            }
        }
        throw new IllegalStateException("a place past every node is always free");
    }

    /** A node of a card's lane, whether a group may hold the card, and how far along the slide its near side is. */
    private record LaneNode(Box node, boolean mayHold, double ahead) {}

    /** How far along the slide the node's side the card meets first is: what orders a lane. */
    private static double ahead(Box node, Direction direction) {
        return switch (direction) {
            case DOWN -> node.y();
            case UP -> -node.bottom();
            case RIGHT -> node.x();
            case LEFT -> -(node.x() + node.width());
        };
    }

    /**
     * Past this (in {@link #ahead}'s terms) no node can touch the card at (x, y): its parts and their clearance end
     * there, with a pixel to spare for sums rounded otherwise than {@link #conflict}'s.
     */
    private static double tooFarAhead(double x, double y, Card card, Direction direction) {
        double end = switch (direction) {
            case DOWN -> y + card.height() + CLEARANCE;
            case UP -> -(y - CLEARANCE);
            case RIGHT -> x + card.width() + CLEARANCE;
            case LEFT -> -(x - CLEARANCE);
        };
        return end + SLACK + Math.abs(end) * 1e-9;
    }

    /** Whether the card at (x, y), sliding in the direction, has left the node behind for good. */
    private static boolean behind(Box node, double x, double y, Card card, Direction direction) {
        return switch (direction) {
            case DOWN -> node.bottom() + CLEARANCE <= y;
            case UP -> node.y() - CLEARANCE >= y + card.height();
            case RIGHT -> node.x() + node.width() + CLEARANCE <= x;
            case LEFT -> node.x() - CLEARANCE >= x + card.width();
        };
    }

    /** The edge's length, what its direction costs more, and what its passing through other nodes costs. */
    private double cost(Box source, Spot spot, Direction direction, double limit) {
        double[] from = source.side(direction.fromSide);
        double[] to = spot.note().side(direction.toSide);
        double cost = Math.hypot(to[0] - from[0], to[1] - from[1]) + direction.cost;
        if (cost >= limit) {
            return cost; // what follows only adds: no better than the best place found, without looking at every node
        }
        for (int i : nodesNear(
                Math.min(from[0], to[0]),
                Math.min(from[1], to[1]),
                Math.max(from[0], to[0]),
                Math.max(from[1], to[1]))) {
            Box node = nodes.get(i);
            // the geometry first: comparing a box with the source is the slower test, and true of one node only
            if (!groups.get(i) && node.crossedBy(from, to) && !node.equals(source)) {
                cost += CROSSING_COST;
                if (cost >= limit) {
                    return cost;
                }
            }
        }
        if (spot.label() != null && spot.label().crossedBy(from, to)) {
            cost += CROSSING_COST;
        }
        cost += UNDER_ANOTHER_COST * (underAnother(spot.note(), source) + underAnother(spot.label(), source));
        return cost;
    }

    /**
     * How many nodes other than the source lie right above this part of a card (within {@link #UNDER_ANOTHER}): a
     * learner reads a note or label just below a question as that question's, so such a place is left to the nodes
     * above it when another is as good.
     */
    private int underAnother(Box part, Box source) {
        if (part == null) {
            return 0;
        }
        int count = 0;
        for (int i : nodesNear(part.x(), part.y() - UNDER_ANOTHER, part.x() + part.width(), part.y())) {
            Box node = nodes.get(i);
            if (!groups.get(i)
                    && node.x() < part.x() + part.width()
                    && part.x() < node.x() + node.width()
                    && node.bottom() <= part.y()
                    && node.bottom() > part.y() - UNDER_ANOTHER
                    && !node.equals(source)) {
                count++;
            }
        }
        return count;
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

        /** The distance between the two boxes, 0 when they touch or overlap. */
        double gap(Box other) {
            double dx = Math.max(0, Math.max(other.x - (x + width), x - (other.x + other.width)));
            double dy = Math.max(0, Math.max(other.y - (y + height), y - (other.y + other.height)));
            return Math.hypot(dx, dy);
        }

        /** The middle of one of its sides, where Obsidian joins an edge: "top", "bottom", "left" or "right". */
        double[] side(String side) {
            return switch (side) {
                case "top" -> new double[] {x + width / 2, y};
                case "bottom" -> new double[] {x + width / 2, y + height};
                case "left" -> new double[] {x, y + height / 2};
                default -> new double[] {x + width, y + height / 2};
            };
        }

        /** Whether the straight segment between the two points passes through the inside of this box. */
        boolean crossedBy(double[] from, double[] to) {
            // most nodes of a large canvas are nowhere near the segment: told apart without the arithmetic below
            if (Math.max(from[0], to[0]) <= x
                    || Math.min(from[0], to[0]) >= x + width
                    || Math.max(from[1], to[1]) <= y
                    || Math.min(from[1], to[1]) >= y + height) {
                return false;
            }
            double dx = to[0] - from[0];
            double dy = to[1] - from[1];
            double enter = 0;
            double leave = 1;
            double[][] sides = {
                {-dx, from[0] - x}, {dx, x + width - from[0]}, {-dy, from[1] - y}, {dy, y + height - from[1]}
            };
            for (double[] side : sides) {
                if (side[0] == 0) {
                    if (side[1] <= 0) {
                        return false;
                    }
                } else {
                    double t = side[1] / side[0];
                    if (side[0] < 0) {
                        enter = Math.max(enter, t);
                    } else {
                        leave = Math.min(leave, t);
                    }
                }
            }
            return enter < leave - 1e-9;
        }
    }
}
