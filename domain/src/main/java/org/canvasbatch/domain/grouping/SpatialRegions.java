package org.canvasbatch.domain.grouping;

import java.util.Arrays;
import java.util.List;
import org.canvasbatch.domain.canvas.CanvasNode;

/**
 * Regions of a canvas that the learner set apart with empty space. Two questions are neighbours when the gap between
 * their rectangles is at most twice the typical gap between a question and its nearest neighbour; regions are the
 * connected sets of neighbours. A region counts only when it is clearly apart: the narrowest gap between two regions
 * must be at least twice the neighbour distance. A uniform grid therefore is one region (no signal), and questions
 * piled in three clusters with wide space between them are three.
 */
final class SpatialRegions {

    /** Beyond this many questions the pairwise gaps cost more than the signal is worth; no regions are found. */
    static final int MAX_QUESTIONS = 5_000;

    private SpatialRegions() {}

    /** Per question, its region (0, 1, …) or -1 when it has none; all -1 when the canvas shows no clear regions. */
    static int[] of(List<CanvasNode> questions) {
        int n = questions.size();
        int[] none = new int[n];
        Arrays.fill(none, -1);
        if (n < 4 || n > MAX_QUESTIONS || questions.stream().anyMatch(q -> !(q.width() > 0 && q.height() > 0))) {
            return none;
        }
        double[][] boxes = new double[n][];
        for (int i = 0; i < n; i++) {
            CanvasNode q = questions.get(i);
            boxes[i] = new double[] {q.x(), q.y(), q.x() + q.width(), q.y() + q.height()};
        }
        // Squared gaps throughout: the square root is monotonic, and taking it half a million times is what costs.
        double[] nearest = new double[n];
        Arrays.fill(nearest, Double.MAX_VALUE);
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                double gap = squaredGap(boxes[a], boxes[b]);
                nearest[a] = Math.min(nearest[a], gap);
                nearest[b] = Math.min(nearest[b], gap);
            }
        }
        double[] sorted = nearest.clone();
        Arrays.sort(sorted);
        double typical = Math.sqrt(sorted[n / 2]);
        double[] sides = questions.stream()
                .mapToDouble(q -> Math.min(q.width(), q.height()))
                .sorted()
                .toArray();
        // Nodes laid edge to edge have a typical gap of 0; a tenth of a node's short side still counts as touching.
        double threshold = Math.max(2 * typical, 0.1 * sides[n / 2]);
        double thresholdSquared = threshold * threshold;

        int[] parent = new int[n];
        Arrays.setAll(parent, i -> i);
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (squaredGap(boxes[a], boxes[b]) <= thresholdSquared) {
                    parent[find(parent, a)] = find(parent, b);
                }
            }
        }
        int[] size = new int[n];
        for (int i = 0; i < n; i++) {
            size[find(parent, i)]++;
        }
        int[] region = new int[n];
        Arrays.fill(region, -1);
        int[] idOfRoot = new int[n];
        Arrays.fill(idOfRoot, -1);
        int regions = 0;
        int inRegions = 0;
        for (int i = 0; i < n; i++) {
            int root = find(parent, i);
            if (size[root] < 2) {
                continue;
            }
            if (idOfRoot[root] < 0) {
                idOfRoot[root] = regions++;
            }
            region[i] = idOfRoot[root];
            inRegions++;
        }
        if (regions < 2 || inRegions * 2 < n) {
            return none;
        }
        double narrowest = Double.MAX_VALUE;
        for (int a = 0; a < n; a++) {
            for (int b = a + 1; b < n; b++) {
                if (region[a] >= 0 && region[b] >= 0 && region[a] != region[b]) {
                    narrowest = Math.min(narrowest, squaredGap(boxes[a], boxes[b]));
                }
            }
        }
        return narrowest >= 4 * thresholdSquared ? region : none;
    }

    /** The squared distance between two rectangles given as {left, top, right, bottom}; 0 when they overlap. */
    private static double squaredGap(double[] a, double[] b) {
        double dx = Math.max(0, Math.max(a[0] - b[2], b[0] - a[2]));
        double dy = Math.max(0, Math.max(a[1] - b[3], b[1] - a[3]));
        return dx * dx + dy * dy;
    }

    private static int find(int[] parent, int i) {
        while (parent[i] != i) {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        return i;
    }
}
