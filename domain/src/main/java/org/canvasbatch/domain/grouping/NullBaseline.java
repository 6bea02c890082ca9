package org.canvasbatch.domain.grouping;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * What the silhouette reaches on data with the same words but no topics. Every feature keeps its weights but they are
 * dealt to randomly chosen questions, which keeps how common each word is and how long each question is while
 * destroying which words go together. Short texts in a high-dimensional space give a K-Means silhouette above zero
 * even without any structure, and more so for larger K; only the part above this baseline is evidence of topics.
 */
final class NullBaseline {

    private NullBaseline() {}

    /** The points with every feature's values moved to random other points, renormalised. */
    static List<SparseVector> permuted(List<SparseVector> points, int dimensions, Random random) {
        int n = points.size();
        int[] columnSize = new int[dimensions];
        for (SparseVector point : points) {
            for (int id : point.ids) {
                columnSize[id]++;
            }
        }
        int[] columnStart = new int[dimensions + 1];
        for (int c = 0; c < dimensions; c++) {
            columnStart[c + 1] = columnStart[c] + columnSize[c];
        }
        double[] values = new double[columnStart[dimensions]];
        int[] filled = new int[dimensions];
        for (SparseVector point : points) {
            for (int p = 0; p < point.ids.length; p++) {
                int c = point.ids[p];
                values[columnStart[c] + filled[c]++] = point.weights[p];
            }
        }
        int[] rowOf = new int[values.length];
        int[] rowSize = new int[n];
        int[] order = new int[n];
        Arrays.setAll(order, i -> i);
        for (int c = 0; c < dimensions; c++) {
            int count = columnSize[c];
            // A partial Fisher-Yates shuffle picks count distinct rows; the swaps are undone so order stays 0..n-1.
            int[] swappedWith = new int[count];
            for (int k = 0; k < count; k++) {
                int j = k + random.nextInt(n - k);
                swappedWith[k] = j;
                int swap = order[k];
                order[k] = order[j];
                order[j] = swap;
                rowOf[columnStart[c] + k] = order[k];
                rowSize[order[k]]++;
            }
            for (int k = count - 1; k >= 0; k--) {
                int j = swappedWith[k];
                int swap = order[k];
                order[k] = order[j];
                order[j] = swap;
            }
        }
        int[][] ids = new int[n][];
        double[][] weights = new double[n][];
        for (int i = 0; i < n; i++) {
            ids[i] = new int[rowSize[i]];
            weights[i] = new double[rowSize[i]];
        }
        int[] at = new int[n];
        // Columns are visited in ascending order, so every row's ids come out sorted.
        for (int c = 0; c < dimensions; c++) {
            for (int v = columnStart[c]; v < columnStart[c + 1]; v++) {
                int row = rowOf[v];
                ids[row][at[row]] = c;
                weights[row][at[row]] = values[v];
                at[row]++;
            }
        }
        SparseVector[] result = new SparseVector[n];
        for (int i = 0; i < n; i++) {
            result[i] = new SparseVector(ids[i], weights[i]).normalised();
        }
        return List.of(result);
    }
}
