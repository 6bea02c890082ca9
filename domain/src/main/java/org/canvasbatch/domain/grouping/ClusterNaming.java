package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;

/**
 * Picks the words that name a group: a term scores its mean TF-IDF weight over the group's members times the
 * share of all texts containing it that fall in this group. The first factor favours what the group talks about
 * most, the second what sets it apart; a word spread evenly over every group ("矩阵" on a linear-algebra canvas)
 * therefore does not name them all alike. Only readable terms compete: Latin words, CJK words and bigrams.
 *
 * <p>A name is read by the learner, so a term must also be a word of the group's own questions that says what they
 * are about: never a CJK fragment straddling two words (在生 of 鸽巢原理在生日), never a verb of how a question is
 * asked ({@link StopWords#isLabelGeneric}), never a word found in the questions of most groups, and never the very
 * name of another group.
 */
final class ClusterNaming {

    static final int TERMS_PER_NAME = 3;
    /** A term this far behind the best one describes a stray member, not the group; the name is better shorter. */
    private static final double MINOR_TERM_SHARE = 0.3;
    /** From this many groups on, a word in the questions of more than half of them tells none of them apart. */
    private static final int GROUPS_FOR_MAJORITY = 3;

    private ClusterNaming() {}

    /** The name of every group, in the order given; two groups never get the same one while another word is left. */
    static List<List<String>> names(TfIdfCorpus corpus, List<List<Integer>> groups) {
        int[] groupsWith = groupsWith(corpus, groups);
        List<List<String>> names = new ArrayList<>(groups.size());
        for (List<Integer> group : groups) {
            List<String> name = topTerms(corpus, group, groupsWith, groups.size(), Set.of());
            // the later group of two alike names itself by what the earlier one's name does not say
            if (!name.isEmpty() && names.contains(name)) {
                List<String> other = topTerms(corpus, group, groupsWith, groups.size(), Set.copyOf(name));
                if (!other.isEmpty()) {
                    name = other;
                }
            }
            names.add(name);
        }
        return names;
    }

    /** Per term, in how many groups at least one question (not a note attached to it) has it. */
    private static int[] groupsWith(TfIdfCorpus corpus, List<List<Integer>> groups) {
        int[] groupsWith = new int[corpus.vocabularySize()];
        int[] lastGroup = new int[corpus.vocabularySize()];
        Arrays.fill(lastGroup, -1);
        for (int g = 0; g < groups.size(); g++) {
            for (int member : groups.get(g)) {
                for (int id : corpus.ownTerms.get(member)) {
                    if (lastGroup[id] != g) {
                        lastGroup[id] = g;
                        groupsWith[id]++;
                    }
                }
            }
        }
        return groupsWith;
    }

    private static List<String> topTerms(
            TfIdfCorpus corpus, List<Integer> members, int[] groupsWith, int groupCount, Set<String> taken) {
        int vocabulary = corpus.vocabularySize();
        double[] weightSum = new double[vocabulary];
        int[] membersWith = new int[vocabulary];
        boolean[] asked = new boolean[vocabulary];
        for (int member : members) {
            SparseVector vector = corpus.vectors.get(member);
            for (int p = 0; p < vector.ids.length; p++) {
                weightSum[vector.ids[p]] += vector.weights[p];
                membersWith[vector.ids[p]]++;
            }
            for (int id : corpus.ownTerms.get(member)) {
                asked[id] = true;
            }
        }
        double[] score = new double[vocabulary];
        List<Integer> candidates = new ArrayList<>();
        for (int id = 0; id < vocabulary; id++) {
            if (asked[id]
                    && corpus.readable[id]
                    && !StopWords.isLabelGeneric(corpus.terms.get(id))
                    && !(groupCount >= GROUPS_FOR_MAJORITY && groupsWith[id] * 2 > groupCount)) {
                score[id] = weightSum[id] / members.size() * membersWith[id] / corpus.documentFrequency[id];
                candidates.add(id);
            }
        }
        // Ties go to the term met first in the canvas, so that names never depend on hash order.
        candidates.sort(Comparator.<Integer>comparingDouble(id -> -score[id]).thenComparingInt(id -> id));
        List<String> chosen = new ArrayList<>(TERMS_PER_NAME);
        List<Integer> chosenMembers = new ArrayList<>(TERMS_PER_NAME);
        double best = -1;
        for (int id : candidates) {
            if (best >= 0 && score[id] < MINOR_TERM_SHARE * best) {
                break;
            }
            String term = nameWord(id, corpus, members);
            if (term == null || taken.contains(term) || StopWords.isLabelGeneric(term)) {
                continue;
            }
            if (best < 0) {
                best = score[id];
            }
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

    /** What a term shows as in the group's name, or null when it is no word of the group's questions. */
    private static String nameWord(int id, TfIdfCorpus corpus, List<Integer> members) {
        String term = corpus.display.get(id);
        if (!corpus.lexiconWord[id]) {
            return wholeWord(term, corpus, members);
        }
        // A lexicon word is a word wherever it stands (鸽巢原理 in 鸽巢原理在生日); one of two characters is still
        // widened, as it often heads a longer word the lexicon lacks (传递 of 传递闭包, 儒家 of 儒家思想).
        String widened = term.codePointCount(0, term.length()) == 2 ? wholeWord(term, corpus, members) : null;
        return widened == null ? term : widened;
    }

    /**
     * The word a CJK term that is no lexicon word stands for in the group, or null when it stands for none. Without a
     * segmenter a bigram often straddles two words (松分 of 泊松分布, 在生 of 鸽巢原理在生日) and reads as nonsense. A
     * word's edge is free: somewhere in the group it meets a question phrase, punctuation or the end of the text (its
     * piece's edge), or its neighbour on that side differs between two of its occurrences (accessor variety). A
     * fragment's edge is not: every occurrence has the same neighbour there. So the term is widened, one character at
     * a time, for as long as every occurrence agrees on the next character; the widened word is the term's word when
     * it stays short enough to read, and the term is no word at all when it does not (a fragment met once inside a long
     * run, 在生 of 鸽巢原理在生日), nor when the group's questions do not have it.
     */
    static String wholeWord(String term, TfIdfCorpus corpus, List<Integer> members) {
        if (!TermExtractor.containsCjk(term)) {
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
            return null;
        }
        int left = 0;
        while (sameCharAt(pieces, starts, -(left + 1))) {
            left++;
        }
        int right = 0;
        while (sameCharAt(pieces, starts, term.length() + right)) {
            right++;
        }
        if (term.codePointCount(0, term.length()) + left + right > LONGEST_NAME_WORD) {
            return null;
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
