package org.canvasbatch.adapters.vault;

import java.util.Arrays;
import java.util.HashMap;
import java.util.Map;
import org.canvasbatch.adapters.vault.NotePlacement.Box;

/**
 * The nodes of a canvas by where they are, so that note placement looks only at the nodes near a place, a lane or an
 * edge instead of at every node of the canvas: a uniform grid of square cells, each holding the nodes that meet it.
 * Nodes are numbered in the order they are added, and a query answers their numbers in that order, so whoever walks
 * them meets them in the canvas's order, as a walk through every node would.
 *
 * <p>A canvas's coordinates are the learner's (or another tool's): a node may lie a trillion pixels out or be as wide.
 * Only cells that hold a node exist (a map, never an array sized by the canvas's extent), and a node that would meet
 * more than {@value #MOST_CELLS} cells, or that has no finite size, or that would take the cells past {@value #MOST_HELD}
 * places in all, is kept aside and answered to every query.
 */
final class NodeGrid {

    /** About a note's width: most nodes meet one to four cells, and a lane or an edge a handful. */
    static final double CELL = 512;
    /** Past this, a node (a group around a whole canvas, say) is cheaper answered to every query than kept in cells. */
    static final int MOST_CELLS = 256;
    /**
     * The most places in cells the nodes take together (about 100 bytes each): 10 000 nodes of 256 cells each, laid
     * apart, would take 2.56 million, some 300 MB for one merge. Past it a node is kept aside too.
     */
    static final int MOST_HELD = 1 << 18;
    /** Cell numbers are kept within ±2³⁰, so two fit in one long; beyond, cells merge, which only answers more nodes. */
    private static final long FARTHEST_CELL = 1L << 30;

    private final Map<Long, Cell> cells = new HashMap<>();

    private int[] spread = new int[4];
    private int spreadCount;
    private int count;
    /** The places in cells the nodes take: one per cell a node meets. */
    private int held;

    private double minX = Double.POSITIVE_INFINITY;
    private double minY = Double.POSITIVE_INFINITY;
    private double maxX = Double.NEGATIVE_INFINITY;
    private double maxY = Double.NEGATIVE_INFINITY;
    /** The query that last answered each node, so a node meeting several cells is answered once. */
    private int[] answeredBy = new int[16];

    private int queries;

    /** Adds the next node; its number is how many were added before it. */
    void add(Box box) {
        int node = count++;
        if (answeredBy.length < count) {
            answeredBy = Arrays.copyOf(answeredBy, 2 * count);
        }
        double right = box.x() + box.width();
        double bottom = box.y() + box.height();
        boolean ordinary = Double.isFinite(box.x())
                && Double.isFinite(box.y())
                && Double.isFinite(right)
                && Double.isFinite(bottom)
                && box.width() >= 0
                && box.height() >= 0;
        long left = cell(box.x());
        long top = cell(box.y());
        long last = cell(right);
        long lowest = cell(bottom);
        double meets = (double) (last - left + 1) * (lowest - top + 1);
        if (!ordinary || meets > MOST_CELLS || held + meets > MOST_HELD) {
            if (spreadCount == spread.length) {
                spread = Arrays.copyOf(spread, 2 * spreadCount);
            }
            spread[spreadCount++] = node;
            return;
        }
        held += (int) meets;
        minX = Math.min(minX, box.x());
        minY = Math.min(minY, box.y());
        maxX = Math.max(maxX, right);
        maxY = Math.max(maxY, bottom);
        for (long cx = left; cx <= last; cx++) {
            for (long cy = top; cy <= lowest; cy++) {
                cells.computeIfAbsent(key(cx, cy), k -> new Cell()).add(node);
            }
        }
    }

    /**
     * The numbers, in order, of the nodes that may meet the rectangle from (x0, y0) to (x1, y1), edges included: every
     * node that does, and some that do not. A bound that is infinite or NaN leaves that side open.
     */
    int[] near(double x0, double y0, double x1, double y1) {
        // no node held in cells lies beyond the extent: an open side ends there
        double left = x0 > minX ? x0 : minX;
        double top = y0 > minY ? y0 : minY;
        double right = x1 < maxX ? x1 : maxX;
        double bottom = y1 < maxY ? y1 : maxY;
        if (!(left <= right && top <= bottom)) {
            return Arrays.copyOf(spread, spreadCount);
        }
        long fromX = cell(left);
        long fromY = cell(top);
        long toX = cell(right);
        long toY = cell(bottom);
        if ((double) (toX - fromX + 1) * (toY - fromY + 1) > count) {
            // more cells than nodes: looking at every node is the cheaper way
            int[] every = new int[count];
            Arrays.setAll(every, i -> i);
            return every;
        }
        int query = ++queries;
        int[] found = new int[16];
        int size = 0;
        for (long cx = fromX; cx <= toX; cx++) {
            for (long cy = fromY; cy <= toY; cy++) {
                Cell held = cells.get(key(cx, cy));
                if (held == null) {
                    continue;
                }
                for (int i = 0; i < held.size; i++) {
                    int node = held.nodes[i];
                    if (answeredBy[node] != query) {
                        answeredBy[node] = query;
                        if (size == found.length) {
                            found = Arrays.copyOf(found, 2 * size);
                        }
                        found[size++] = node;
                    }
                }
            }
        }
        if (size + spreadCount > found.length) {
            found = Arrays.copyOf(found, size + spreadCount);
        }
        System.arraycopy(spread, 0, found, size, spreadCount);
        size += spreadCount;
        Arrays.sort(found, 0, size);
        return Arrays.copyOf(found, size);
    }

    private static long cell(double coordinate) {
        double cell = Math.floor(coordinate / CELL);
        return cell >= FARTHEST_CELL ? FARTHEST_CELL : cell <= -FARTHEST_CELL ? -FARTHEST_CELL : (long) cell;
    }

    /**
     * Both cell numbers in one long, mixed (a one-to-one mix, so keys stay distinct): Long's own hash folds the two
     * halves together, and the cells of a diagonal, or of a canvas near the origin, would all share a few buckets.
     */
    private static long key(long cx, long cy) {
        long key = (cx << 32) ^ (cy & 0xffff_ffffL);
        key = (key ^ (key >>> 33)) * 0xff51_afd7_ed55_8ccdL;
        key = (key ^ (key >>> 33)) * 0xc4ce_b9fe_1a85_ec53L;
        return key ^ (key >>> 33);
    }

    private static final class Cell {

        private int[] nodes = new int[4];
        private int size;

        void add(int node) {
            if (size == nodes.length) {
                nodes = Arrays.copyOf(nodes, 2 * size);
            }
            nodes[size++] = node;
        }
    }
}
