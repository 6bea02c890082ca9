package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Groups a canvas's questions by topic: TF-IDF vectors over Latin words and CJK n-grams, spherical K-Means with
 * k-means++ seeding, and K chosen by the silhouette over 2..min(maxGroups, n/2, 10). Texts without any topic word
 * (empty, or nothing but "什么是" and "what is") cannot be placed by similarity, so they share a group of their own
 * instead of being dealt out arbitrarily among real topics.
 *
 * <p>Deterministic: every random choice comes from the seed, so the same texts give the same groups.
 */
public final class TopicGrouping {

    /** Upper bound on maxGroups accepted from callers (CONTRACT §2.1). */
    static final int MAX_GROUPS_LIMIT = 20;

    private static final long DEFAULT_SEED = 20_241_126L;
    /** More clusters than this stop helping anyone read a canvas, whatever the silhouette says. */
    private static final int MAX_TOPICS = 10;
    /**
     * With two or three questions the silhouette means little; they are split only when the two sides share
     * (almost) no terms, i.e. are plainly about different things.
     */
    private static final double TINY_SPLIT_MAX_SIMILARITY = 0.1;

    private final long seed;

    public TopicGrouping() {
        this(DEFAULT_SEED);
    }

    public TopicGrouping(long seed) {
        this.seed = seed;
    }

    /**
     * @param texts     texts in canvas order; a null text counts as empty
     * @param maxGroups upper bound on the number of groups, 1..20
     * @return never zero clusters when at least one text is given
     */
    public GroupingResult group(List<String> texts, int maxGroups) {
        Objects.requireNonNull(texts, "texts");
        if (maxGroups < 1 || maxGroups > MAX_GROUPS_LIMIT) {
            throw new IllegalArgumentException("maxGroups must be 1.." + MAX_GROUPS_LIMIT + ", was " + maxGroups);
        }
        int n = texts.size();
        if (n == 0) {
            return new GroupingResult(List.of(), 0.0, 0);
        }
        TfIdfCorpus corpus = TfIdfCorpus.of(texts);
        List<Integer> withTopic = new ArrayList<>();
        List<Integer> withoutTopic = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (corpus.vectors.get(i).isEmpty() ? withoutTopic : withTopic).add(i);
        }
        int cap = n == 1 ? 1 : n <= 3 ? Math.min(maxGroups, 2) : maxGroups;

        int[] labels = new int[n];
        Choice choice;
        if (cap == 1 || withTopic.isEmpty()) {
            choice = Choice.single(withTopic.size());
        } else {
            int topicCap = withoutTopic.isEmpty() ? cap : cap - 1;
            List<SparseVector> points =
                    withTopic.stream().map(corpus.vectors::get).toList();
            choice = choose(points, corpus.vocabularySize(), topicCap);
        }
        for (int p = 0; p < withTopic.size(); p++) {
            labels[withTopic.get(p)] = choice.labels[p];
        }
        // Texts without topic words join the topic groups when only one group is allowed, else form their own.
        int strayLabel = cap == 1 || withTopic.isEmpty() ? 0 : choice.k;
        for (int i : withoutTopic) {
            labels[i] = strayLabel;
        }
        return new GroupingResult(clusters(texts, corpus, labels), choice.silhouette, Math.max(1, choice.k));
    }

    private record Choice(int k, int[] labels, double silhouette) {
        static Choice single(int points) {
            return new Choice(1, new int[points], 0.0);
        }
    }

    private Choice choose(List<SparseVector> points, int dimensions, int cap) {
        int m = points.size();
        int distinct = distinctDirections(points, Math.min(cap, MAX_TOPICS));
        SphericalKMeans kMeans = new SphericalKMeans(points, dimensions);
        if (m <= 3) {
            return cap >= 2 && distinct >= 2 ? tinySplit(points, kMeans, dimensions) : Choice.single(m);
        }
        int kMax = Math.min(Math.min(cap, m / 2), Math.min(MAX_TOPICS, distinct));
        if (kMax < 2) {
            return Choice.single(m);
        }
        SilhouetteSample silhouette = new SilhouetteSample(points, dimensions, seed);
        // Restarts guard against a poor local optimum, which short texts with little overlap fall into easily;
        // they are cheap for a canvas of a few hundred questions and the first thing to give up for 10 000.
        int restarts = m <= 500 ? 8 : m <= 2_000 ? 4 : m <= 5_000 ? 2 : 1;
        Choice best = null;
        for (int k = 2; k <= kMax; k++) {
            SphericalKMeans.Fit fit = kMeans.fit(k, restarts, seed);
            if (fit == null) {
                continue;
            }
            double score = silhouette.score(fit.labels(), k);
            if (best == null || score > best.silhouette) {
                best = new Choice(k, fit.labels(), score);
            }
        }
        return best == null ? Choice.single(m) : best;
    }

    private Choice tinySplit(List<SparseVector> points, SphericalKMeans kMeans, int dimensions) {
        SphericalKMeans.Fit fit = kMeans.fit(2, 3, seed);
        if (fit == null) {
            return Choice.single(points.size());
        }
        int[] labels = fit.labels();
        for (int a = 0; a < points.size(); a++) {
            for (int b = a + 1; b < points.size(); b++) {
                if (labels[a] != labels[b] && points.get(a).dot(points.get(b)) > TINY_SPLIT_MAX_SIMILARITY) {
                    return Choice.single(points.size());
                }
            }
        }
        return new Choice(2, labels, new SilhouetteSample(points, dimensions, seed).score(labels, 2));
    }

    /** How many different vectors there are, counting no further than {@code enough}. */
    private static int distinctDirections(List<SparseVector> points, int enough) {
        Set<SparseVector> seen = new HashSet<>();
        for (SparseVector point : points) {
            if (seen.add(point) && seen.size() >= enough) {
                break;
            }
        }
        return seen.size();
    }

    private static List<TopicCluster> clusters(List<String> texts, TfIdfCorpus corpus, int[] labels) {
        // Renumber labels by first appearance so that group 1 holds the first node of the canvas, and so on.
        int[] order = new int[texts.size() + 1];
        Arrays.fill(order, -1);
        List<List<Integer>> members = new ArrayList<>();
        for (int i = 0; i < labels.length; i++) {
            if (order[labels[i]] < 0) {
                order[labels[i]] = members.size();
                members.add(new ArrayList<>());
            }
            members.get(order[labels[i]]).add(i);
        }
        List<TopicCluster> clusters = new ArrayList<>(members.size());
        for (List<Integer> group : members) {
            List<String> topTerms = ClusterNaming.topTerms(corpus, group);
            List<String> memberTexts = group.stream().map(texts::get).toList();
            clusters.add(new TopicCluster(
                    group,
                    topTerms,
                    ClusterNaming.cohesion(corpus, group),
                    PriorityRules.of(memberTexts, topTerms, texts.size())));
        }
        return clusters;
    }
}
