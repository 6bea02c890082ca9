package org.canvasbatch.domain.grouping;

import java.util.List;
import java.util.Objects;

/**
 * The groups found in a canvas's questions.
 *
 * @param clusters     ordered by their first member, so group ids 1..K follow the canvas order of first nodes
 * @param silhouette   how well separated the topic groups are, in [-1, 1]; 0 when there is a single group
 * @param recommendedK the number of topic groups the silhouette chose (a group of texts without any topic word,
 *                     when there is one, comes on top of it)
 * @param basis        what made the groups: the learner's own canvas groups, or the questions' topics
 */
public record GroupingResult(List<TopicCluster> clusters, double silhouette, int recommendedK, Basis basis) {

    /** What the groups follow; a plan that says "grouped by words" where the learner's groups decided is untrue. */
    public enum Basis {
        /** Topics found in the questions' words (or their embeddings) and how the canvas joins them. */
        TOPICS,
        /** The labelled groups the learner drew on the canvas; questions outside them joined the nearest. */
        LEARNER_GROUPS,
        /** The learner's labelled groups, and topic groups made of the questions outside them. */
        LEARNER_GROUPS_AND_TOPICS
    }

    public GroupingResult {
        clusters = List.copyOf(Objects.requireNonNull(clusters, "clusters"));
        if (Double.isNaN(silhouette) || silhouette < -1.0 || silhouette > 1.0) {
            throw new IllegalArgumentException("silhouette must be in [-1, 1], was " + silhouette);
        }
        Objects.requireNonNull(basis, "basis");
        if (recommendedK < 0) {
            throw new IllegalArgumentException("recommendedK must not be negative, was " + recommendedK);
        }
    }
}
