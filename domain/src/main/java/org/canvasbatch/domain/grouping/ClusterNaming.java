package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Picks the words that name a group: a term scores its mean TF-IDF weight over the group's members times the
 * share of all texts containing it that fall in this group. The first factor favours what the group talks about
 * most, the second what sets it apart; a word spread evenly over every group ("矩阵" on a linear-algebra canvas)
 * therefore does not name them all alike. Only readable terms compete: Latin words, CJK words and bigrams.
 */
final class ClusterNaming {

    static final int TERMS_PER_NAME = 3;
    /** A term this far behind the best one describes a stray member, not the group; the name is better shorter. */
    private static final double MINOR_TERM_SHARE = 0.3;

    private ClusterNaming() {}

    static List<String> topTerms(TfIdfCorpus corpus, List<Integer> members) {
        int vocabulary = corpus.vocabularySize();
        double[] weightSum = new double[vocabulary];
        int[] membersWith = new int[vocabulary];
        for (int member : members) {
            SparseVector vector = corpus.vectors.get(member);
            for (int p = 0; p < vector.ids.length; p++) {
                weightSum[vector.ids[p]] += vector.weights[p];
                membersWith[vector.ids[p]]++;
            }
        }
        double[] score = new double[vocabulary];
        List<Integer> candidates = new ArrayList<>();
        for (int id = 0; id < vocabulary; id++) {
            if (membersWith[id] > 0 && corpus.readable[id]) {
                score[id] = weightSum[id] / members.size() * membersWith[id] / corpus.documentFrequency[id];
                candidates.add(id);
            }
        }
        // Ties go to the term met first in the canvas, so that names never depend on hash order.
        candidates.sort(Comparator.<Integer>comparingDouble(id -> -score[id]).thenComparingInt(id -> id));
        List<String> chosen = new ArrayList<>(TERMS_PER_NAME);
        List<Integer> chosenMembers = new ArrayList<>(TERMS_PER_NAME);
        for (int id : candidates) {
            if (!chosen.isEmpty() && score[id] < MINOR_TERM_SHARE * score[candidates.get(0)]) {
                break;
            }
            String term = wholeWord(corpus.display.get(id), corpus, members);
            // A fragment of a word already in the name adds nothing. A longer word around a chosen one ("hash table"
            // after "hash") takes its place when it is as common in the group, and is left out when it is rarer:
            // "bipartite graph" names one question of a group about graphs, not the group.
            if (chosen.stream().noneMatch(c -> c.contains(term))) {
                boolean narrower = false;
                int first = -1;
                for (int c = chosen.size() - 1; c >= 0; c--) {
                    if (term.contains(chosen.get(c))) {
                        if (membersWith[id] < chosenMembers.get(c)) {
                            narrower = true;
                        } else {
                            chosen.remove(c);
                            chosenMembers.remove(c);
                            first = c;
                        }
                    }
                }
                if (!narrower) {
                    int at = first < 0 ? chosen.size() : first;
                    chosen.add(at, term);
                    chosenMembers.add(at, membersWith[id]);
                }
            }
            if (chosen.size() == TERMS_PER_NAME) {
                break;
            }
        }
        return chosen;
    }

    /**
     * A CJK bigram often straddles two characters of a longer word (松分 of 泊松分布, 机变 of 随机变量) and reads as
     * nonsense. Wherever the bigram occurs in the group it is widened, one character at a time, for as long as every
     * occurrence agrees on the next character; the widened word is used when it stays short enough to read.
     */
    static String wholeWord(String term, TfIdfCorpus corpus, List<Integer> members) {
        if (term.codePointCount(0, term.length()) != 2 || !TermExtractor.containsCjk(term)) {
            return term;
        }
        List<String> pieces = new ArrayList<>();
        List<Integer> starts = new ArrayList<>();
        for (int member : members) {
            for (String piece : corpus.cjkPieces.get(member)) {
                for (int at = piece.indexOf(term); at >= 0; at = piece.indexOf(term, at + 1)) {
                    pieces.add(piece);
                    starts.add(at);
                }
            }
        }
        if (pieces.isEmpty()) {
            return term;
        }
        int left = 0;
        while (sameCharAt(pieces, starts, -(left + 1))) {
            left++;
        }
        int right = 0;
        while (sameCharAt(pieces, starts, term.length() + right)) {
            right++;
        }
        if (left + right == 0 || term.length() + left + right > LONGEST_NAME_WORD) {
            return term;
        }
        return pieces.get(0).substring(starts.get(0) - left, starts.get(0) + term.length() + right);
    }

    private static final int LONGEST_NAME_WORD = 6;

    private static boolean sameCharAt(List<String> pieces, List<Integer> starts, int offset) {
        char expected = 0;
        for (int p = 0; p < pieces.size(); p++) {
            int index = starts.get(p) + offset;
            if (index < 0 || index >= pieces.get(p).length()) {
                return false;
            }
            char c = pieces.get(p).charAt(index);
            if (p == 0) {
                expected = c;
            } else if (c != expected) {
                return false;
            }
        }
        return true;
    }

    /** Mean cosine similarity of the members to their normalised centroid; 0 for members without any term. */
    static double cohesion(TfIdfCorpus corpus, List<Integer> members) {
        double[] centroid = new double[corpus.vocabularySize()];
        for (int member : members) {
            corpus.vectors.get(member).addTo(centroid);
        }
        double norm = Math.sqrt(IntStream.range(0, centroid.length)
                .mapToDouble(i -> centroid[i] * centroid[i])
                .sum());
        if (norm == 0) {
            return 0.0;
        }
        double total = 0;
        for (int member : members) {
            total += corpus.vectors.get(member).dot(centroid) / norm;
        }
        return Math.max(0.0, Math.min(1.0, total / members.size()));
    }
}
