package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Random;
import java.util.Set;

/**
 * Groups a canvas's questions by topic.
 *
 * <ol>
 *   <li>The learner's own groups first: when at least half of the questions sit inside two or more canvas group nodes,
 *       those groups are the answer, named after their labels; questions outside them join the group they resemble,
 *       or form groups of their own.
 *   <li>Otherwise every question becomes one vector ({@link FeatureSpace}): words segmented and stemmed with question
 *       phrases dropped, the subject fields of its lexicon terms, an embedding when a model gave one, its edges, its
 *       spatial region. Spherical K-Means (k-means++ seeding, fixed seed) groups them.
 *   <li>K is the smallest number of groups whose silhouette rises above that of the same data with its topics
 *       destroyed ({@link NullBaseline}) nearly as far as the best K does, at most {@code maxGroups}; a canvas whose
 *       silhouette never rises clearly above that baseline has no topics to find and stays one group.
 * </ol>
 *
 * <p>Texts without anything to go by (empty, or nothing but "什么是" and "what is") share a group of their own instead
 * of being dealt out arbitrarily among real topics. Deterministic: every random choice comes from the seed.
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
    /**
     * How far the silhouette must rise above the topic-free baseline before any split is believed. One shuffle's
     * baseline silhouette varies by about 0.03 from the next on canvases of 30 to 70 questions, so the mean of three
     * is good to about 0.02; a gain of 0.05 is well outside that noise, while real topics measure 0.14 and more.
     */
    static final double MIN_GAIN = 0.05;
    /** A smaller K whose gain over the baseline is within this share of the best gain is preferred. */
    static final double FEWER_GROUPS_TOLERANCE = 0.15;
    /**
     * From this many questions on, a K whose best fit leaves a question alone in its group is not considered: one
     * question is an outlier of some topic, not a topic, and K-Means isolates outliers readily because it raises the
     * silhouette of everything else.
     */
    static final int SINGLETONS_ALLOWED_BELOW = 8;
    /** Above this many questions the topic-free baseline is measured on a sample of this many. */
    static final int BASELINE_SAMPLE = 400;
    /** K-Means rounds for the baseline: enough to settle near where shuffled data settles at all. */
    static final int BASELINE_ROUNDS = 15;

    /** An ungrouped question joins a learner's group only if it is at least this close to the group's centre. */
    private static final double JOIN_LEARNER_GROUP_SIMILARITY = 0.2;

    private final long seed;

    public TopicGrouping() {
        this(DEFAULT_SEED);
    }

    public TopicGrouping(long seed) {
        this.seed = seed;
    }

    /** Texts alone, as {@link #group(GroupingInput, int)} with {@link GroupingInput#ofTexts}. */
    public GroupingResult group(List<String> texts, int maxGroups) {
        Objects.requireNonNull(texts, "texts");
        return group(GroupingInput.ofTexts(texts), maxGroups);
    }

    /**
     * @param maxGroups upper bound on the number of groups, 1..20
     * @return never zero clusters when at least one text is given
     */
    public GroupingResult group(GroupingInput input, int maxGroups) {
        Objects.requireNonNull(input, "input");
        if (maxGroups < 1 || maxGroups > MAX_GROUPS_LIMIT) {
            throw new IllegalArgumentException("maxGroups must be 1.." + MAX_GROUPS_LIMIT + ", was " + maxGroups);
        }
        List<String> texts = input.texts();
        int n = texts.size();
        if (n == 0) {
            return new GroupingResult(List.of(), 0.0, 0, GroupingResult.Basis.TOPICS);
        }
        CanvasStructure structure = CanvasStructure.of(input);
        TfIdfCorpus corpus = TfIdfCorpus.of(texts, structure.attachedNotes);
        boolean learnerGroups = structure.groupLabels.size() >= 2 && structure.questionsInCanvasGroups() * 2 >= n;
        FeatureSpace space = FeatureSpace.of(corpus, structure, input, !learnerGroups);
        if (learnerGroups && maxGroups >= 2) {
            return byLearnerGroups(texts, corpus, structure, space, maxGroups);
        }
        List<Integer> placed = new ArrayList<>();
        List<Integer> unplaced = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            (space.placeable[i] ? placed : unplaced).add(i);
        }
        int cap = n == 1 ? 1 : n <= 3 ? Math.min(maxGroups, 2) : maxGroups;

        Choice choice;
        if (cap == 1 || placed.isEmpty()) {
            choice = Choice.single(placed.size());
        } else {
            int topicCap = unplaced.isEmpty() ? cap : cap - 1;
            choice = choose(select(space.points, placed), space.dimensions, topicCap);
        }
        int[] labels = new int[n];
        for (int p = 0; p < placed.size(); p++) {
            labels[placed.get(p)] = choice.labels[p];
        }
        // Texts without anything to go by join the topic groups when only one group is allowed, else form their own.
        int strayLabel = cap == 1 || placed.isEmpty() ? 0 : choice.k;
        for (int i : unplaced) {
            labels[i] = strayLabel;
        }
        return new GroupingResult(
                clusters(texts, corpus, labels, new String[0]),
                choice.silhouette,
                Math.max(1, choice.k),
                GroupingResult.Basis.TOPICS);
    }

    private record Choice(int k, int[] labels, double silhouette) {
        static Choice single(int points) {
            return new Choice(1, new int[points], 0.0);
        }
    }

    private static List<SparseVector> select(List<SparseVector> points, List<Integer> indices) {
        return indices.stream().map(points::get).toList();
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
        int[][] fits = new int[kMax + 1][];
        double[] scores = new double[kMax + 1];
        Arrays.fill(scores, Double.NaN);
        for (int k = 2; k <= kMax; k++) {
            SphericalKMeans.Fit fit = kMeans.fit(k, restarts, seed);
            if (fit != null && (m < SINGLETONS_ALLOWED_BELOW || smallestCluster(fit.labels(), k) >= 2)) {
                fits[k] = fit.labels();
                scores[k] = silhouette.score(fit.labels(), k);
            }
        }
        double[] baseline = baseline(points, dimensions, kMax, restarts);
        int best = -1;
        for (int k = 2; k <= kMax; k++) {
            if (!Double.isNaN(scores[k]) && (best < 0 || gain(scores, baseline, k) > gain(scores, baseline, best))) {
                best = k;
            }
        }
        if (best < 0 || gain(scores, baseline, best) < MIN_GAIN) {
            return Choice.single(m);
        }
        double enough = gain(scores, baseline, best) * (1 - FEWER_GROUPS_TOLERANCE);
        for (int k = 2; k < best; k++) {
            if (!Double.isNaN(scores[k]) && gain(scores, baseline, k) >= enough) {
                return new Choice(k, fits[k], scores[k]);
            }
        }
        return new Choice(best, fits[best], scores[best]);
    }

    private static int smallestCluster(int[] labels, int k) {
        int[] sizes = new int[k];
        for (int label : labels) {
            sizes[label]++;
        }
        return Arrays.stream(sizes).min().orElse(0);
    }

    private static double gain(double[] scores, double[] baseline, int k) {
        return scores[k] - baseline[k];
    }

    /**
     * The mean silhouette per K of the points with their topics destroyed, over a few independent shuffles. Shuffled
     * data has no structure to converge to, so K-Means on it runs to its iteration cap; a large canvas is therefore
     * measured on a fixed-seed sample of {@link #BASELINE_SAMPLE} questions with one start per K, and every baseline
     * fit stops after {@link #BASELINE_ROUNDS} rounds.
     * The baseline silhouette of structureless data depends on K and on how sparse the vectors are, hardly on how
     * many there are, so the sample stands in for the whole.
     */
    private double[] baseline(List<SparseVector> points, int dimensions, int kMax, int restarts) {
        int m = points.size();
        Random random = new Random(seed ^ 0x5DEECE66DL);
        boolean sampled = m > BASELINE_SAMPLE;
        List<SparseVector> base = sampled ? sample(points, BASELINE_SAMPLE, random) : points;
        int shuffles = sampled ? 2 : 3;
        int starts = sampled ? 1 : Math.min(2, restarts);
        int rounds = BASELINE_ROUNDS;
        double[] mean = new double[kMax + 1];
        for (int shuffle = 0; shuffle < shuffles; shuffle++) {
            List<SparseVector> nulled = NullBaseline.permuted(base, dimensions, random);
            SphericalKMeans kMeans = new SphericalKMeans(nulled, dimensions);
            SilhouetteSample silhouette = new SilhouetteSample(nulled, dimensions, seed);
            for (int k = 2; k <= kMax; k++) {
                SphericalKMeans.Fit fit = kMeans.fit(k, starts, seed + shuffle, rounds);
                mean[k] += fit == null ? 0.0 : silhouette.score(fit.labels(), k) / shuffles;
            }
        }
        return mean;
    }

    private static List<SparseVector> sample(List<SparseVector> points, int size, Random random) {
        List<SparseVector> shuffled = new ArrayList<>(points);
        java.util.Collections.shuffle(shuffled, random);
        return List.copyOf(shuffled.subList(0, size));
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

    /**
     * The learner's canvas groups are the groups. A question outside all of them joins the one whose centre it is
     * closest to, if close enough; the rest are grouped among themselves with what is left of {@code maxGroups}. When
     * the learner made more groups than allowed, the two most alike are merged until they fit.
     */
    private GroupingResult byLearnerGroups(
            List<String> texts, TfIdfCorpus corpus, CanvasStructure structure, FeatureSpace space, int maxGroups) {
        int n = texts.size();
        int[] labels = structure.canvasGroup.clone();
        List<String> names = new ArrayList<>(structure.groupLabels);
        List<List<String>> mergedNames = new ArrayList<>();
        names.forEach(name -> mergedNames.add(new ArrayList<>(List.of(name))));
        int groups = names.size();
        while (groups > maxGroups) {
            int[] pair = mostAlikePair(space, labels, groups);
            for (int i = 0; i < n; i++) {
                if (labels[i] == pair[1]) {
                    labels[i] = pair[0];
                } else if (labels[i] > pair[1]) {
                    labels[i]--;
                }
            }
            mergedNames.get(pair[0]).addAll(mergedNames.remove(pair[1]));
            groups--;
        }
        double[][] centres = centres(space, labels, groups);
        List<Integer> strays = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            if (labels[i] >= 0) {
                continue;
            }
            int nearest = nearestCentre(space.points.get(i), centres);
            double similarity = nearest < 0 ? 0 : space.points.get(i).dot(centres[nearest]);
            if (similarity >= JOIN_LEARNER_GROUP_SIMILARITY || groups >= maxGroups) {
                labels[i] = Math.max(0, nearest);
            } else {
                strays.add(i);
            }
        }
        if (!strays.isEmpty()) {
            List<SparseVector> strayPoints = select(space.points, strays);
            boolean anyPlaceable = strays.stream().anyMatch(i -> space.placeable[i]);
            Choice choice = anyPlaceable
                    ? choose(strayPoints, space.dimensions, maxGroups - groups)
                    : Choice.single(strays.size());
            int[] sizes = new int[choice.k];
            for (int label : choice.labels) {
                sizes[label]++;
            }
            // A group of one stray question is no topic of its own: it goes to the learner's group nearest to it.
            int[] renumbered = new int[choice.k];
            int added = 0;
            for (int c = 0; c < choice.k; c++) {
                renumbered[c] = sizes[c] >= 2 ? groups + added++ : -1;
            }
            for (int s = 0; s < strays.size(); s++) {
                int label = renumbered[choice.labels[s]];
                labels[strays.get(s)] =
                        label >= 0 ? label : Math.max(0, nearestCentre(space.points.get(strays.get(s)), centres));
            }
            groups += added;
        }
        String[] labelNames = new String[groups];
        for (int g = 0; g < mergedNames.size(); g++) {
            List<String> parts =
                    mergedNames.get(g).stream().filter(s -> !s.isBlank()).toList();
            boolean cjk = parts.stream().anyMatch(TermExtractor::containsCjk);
            labelNames[g] = String.join(cjk ? "、" : ", ", parts);
        }
        double silhouette =
                groups < 2 ? 0.0 : new SilhouetteSample(space.points, space.dimensions, seed).score(labels, groups);
        return new GroupingResult(
                clusters(texts, corpus, labels, labelNames),
                silhouette,
                groups,
                groups > mergedNames.size()
                        ? GroupingResult.Basis.LEARNER_GROUPS_AND_TOPICS
                        : GroupingResult.Basis.LEARNER_GROUPS);
    }

    private static int[] mostAlikePair(FeatureSpace space, int[] labels, int groups) {
        double[][] centres = centres(space, labels, groups);
        int[] best = {0, 1};
        double bestSimilarity = Double.NEGATIVE_INFINITY;
        for (int a = 0; a < groups; a++) {
            for (int b = a + 1; b < groups; b++) {
                double similarity = 0;
                for (int d = 0; d < space.dimensions; d++) {
                    similarity += centres[a][d] * centres[b][d];
                }
                if (similarity > bestSimilarity) {
                    bestSimilarity = similarity;
                    best = new int[] {a, b};
                }
            }
        }
        return best;
    }

    /** The normalised mean vector of each group's members. */
    private static double[][] centres(FeatureSpace space, int[] labels, int groups) {
        double[][] centres = new double[groups][space.dimensions];
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] >= 0 && labels[i] < groups) {
                space.points.get(i).addTo(centres[labels[i]]);
            }
        }
        for (double[] centre : centres) {
            double norm = 0;
            for (double v : centre) {
                norm += v * v;
            }
            if (norm > 0) {
                double scale = 1 / Math.sqrt(norm);
                for (int d = 0; d < centre.length; d++) {
                    centre[d] *= scale;
                }
            }
        }
        return centres;
    }

    private static int nearestCentre(SparseVector point, double[][] centres) {
        int nearest = centres.length == 0 ? -1 : 0;
        double best = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < centres.length; c++) {
            double similarity = point.dot(centres[c]);
            if (similarity > best) {
                best = similarity;
                nearest = c;
            }
        }
        return nearest;
    }

    /**
     * Clusters in canvas order of their first member: group 1 holds the first node of the canvas, and so on.
     *
     * @param labelNames per label, the learner's name for it (blank or missing: named by its words)
     */
    private static List<TopicCluster> clusters(
            List<String> texts, TfIdfCorpus corpus, int[] labels, String[] labelNames) {
        Map<Integer, List<Integer>> members = new LinkedHashMap<>();
        for (int i = 0; i < labels.length; i++) {
            members.computeIfAbsent(labels[i], l -> new ArrayList<>()).add(i);
        }
        List<TopicCluster> clusters = new ArrayList<>(members.size());
        List<List<String>> names = ClusterNaming.names(corpus, List.copyOf(members.values()));
        members.forEach((label, group) -> {
            List<String> topTerms = names.get(clusters.size());
            List<String> memberTexts = group.stream().map(texts::get).toList();
            String name = label < labelNames.length ? labelNames[label] : null;
            if ((name == null || name.isBlank()) && topTerms.isEmpty() && mostlyChinese(memberTexts)) {
                // (plugin) its preview shows the name among the Chinese names of the other groups
                name = TopicCluster.FALLBACK_NAME_CHINESE;
            }
            clusters.add(new TopicCluster(
                    group,
                    topTerms,
                    ClusterNaming.cohesion(corpus, group),
                    PriorityRules.of(memberTexts, topTerms, texts.size()),
                    name == null || name.isBlank() ? null : name));
        });
        return clusters;
    }

    private static boolean mostlyChinese(List<String> texts) {
        long written = texts.stream().filter(t -> t != null && !t.isBlank()).count();
        long chinese = texts.stream()
                .filter(t -> t != null && TermExtractor.containsCjk(t))
                .count();
        return written > 0 && chinese * 2 > written;
    }
}
