package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Each question as one unit vector that joins every signal grouping has, block by block: its words (TF-IDF), the
 * subject fields of its lexicon terms, its semantic embedding when a model gave one, the questions and notes it is
 * joined to by edges, its spatial region, and (when they are not taken as the groups themselves) its canvas group.
 * Each block is normalised on its own and then weighted, so that a question with many words does not drown out its
 * edges, and the learner's own structure weighs more than a shared word.
 */
final class FeatureSpace {

    static final double LEXICAL = 1.0;
    static final double SUBJECT = 0.8;
    /** With an embedding the words still break ties between near neighbours, and subjects add little. */
    static final double LEXICAL_BESIDE_EMBEDDING = 0.35;

    static final double SUBJECT_BESIDE_EMBEDDING = 0.2;
    static final double EMBEDDING = 1.0;
    static final double LINKS = 1.2;
    static final double REGION = 0.6;
    static final double CANVAS_GROUP = 1.5;

    final List<SparseVector> points;
    final int dimensions;
    /** Whether a question has anything to be grouped by besides an embedding: a topic word, a field, an edge … */
    final boolean[] placeable;

    private FeatureSpace(List<SparseVector> points, int dimensions, boolean[] placeable) {
        this.points = points;
        this.dimensions = dimensions;
        this.placeable = placeable;
    }

    /**
     * @param canvasGroupsAsFeature whether canvas-group membership is a feature here (when the groups are not taken
     *                              as the answer outright)
     */
    static FeatureSpace of(
            TfIdfCorpus corpus, CanvasStructure structure, GroupingInput input, boolean canvasGroupsAsFeature) {
        int n = input.texts().size();
        boolean embedded = input.hasUsableEmbeddings();
        List<SparseVector> links = oneHotSets(structure.anchors);
        List<SparseVector> regions = oneHot(structure.region);
        List<SparseVector> groups = canvasGroupsAsFeature ? oneHot(structure.canvasGroup) : emptyBlocks(n);
        int embeddingSize = embedded ? input.embeddings().get(0).length : 0;

        int[] offsets = new int[6];
        offsets[0] = 0;
        offsets[1] = offsets[0] + embeddingSize;
        offsets[2] = offsets[1] + corpus.vocabularySize();
        offsets[3] = offsets[2] + corpus.subjectVocabularySize();
        offsets[4] = offsets[3] + width(links);
        offsets[5] = offsets[4] + width(regions);
        int dimensions = offsets[5] + width(groups);
        double[] scales = {
            EMBEDDING,
            embedded ? LEXICAL_BESIDE_EMBEDDING : LEXICAL,
            embedded ? SUBJECT_BESIDE_EMBEDDING : SUBJECT,
            LINKS,
            REGION,
            CANVAS_GROUP
        };
        List<SparseVector> points = new ArrayList<>(n);
        boolean[] placeable = new boolean[n];
        for (int i = 0; i < n; i++) {
            SparseVector[] blocks = {
                embedded ? SparseVector.dense(input.embeddings().get(i)) : SparseVector.EMPTY,
                corpus.vectors.get(i),
                corpus.subjects.get(i),
                links.get(i),
                regions.get(i),
                groups.get(i)
            };
            placeable[i] = false;
            for (int b = 1; b < blocks.length; b++) {
                placeable[i] |= !blocks[b].isEmpty();
            }
            points.add(placeable[i] ? SparseVector.concatenated(blocks, offsets, scales) : SparseVector.EMPTY);
        }
        return new FeatureSpace(List.copyOf(points), dimensions, placeable);
    }

    private static int width(List<SparseVector> block) {
        int max = -1;
        for (SparseVector vector : block) {
            for (int id : vector.ids) {
                max = Math.max(max, id);
            }
        }
        return max + 1;
    }

    private static List<SparseVector> emptyBlocks(int n) {
        List<SparseVector> blocks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            blocks.add(SparseVector.EMPTY);
        }
        return blocks;
    }

    private static List<SparseVector> oneHot(int[] classes) {
        List<SparseVector> blocks = new ArrayList<>(classes.length);
        for (int c : classes) {
            blocks.add(c < 0 ? SparseVector.EMPTY : new SparseVector(new int[] {c}, new double[] {1.0}));
        }
        return blocks;
    }

    private static List<SparseVector> oneHotSets(List<List<String>> sets) {
        Map<String, Integer> ids = new HashMap<>();
        List<SparseVector> blocks = new ArrayList<>(sets.size());
        for (List<String> set : sets) {
            if (set.isEmpty()) {
                blocks.add(SparseVector.EMPTY);
                continue;
            }
            int[] members = set.stream()
                    .mapToInt(key -> ids.computeIfAbsent(key, k -> ids.size()))
                    .distinct()
                    .sorted()
                    .toArray();
            double[] weights = new double[members.length];
            java.util.Arrays.fill(weights, 1.0);
            blocks.add(new SparseVector(members, weights).normalised());
        }
        return blocks;
    }
}
