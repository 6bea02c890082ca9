package org.canvasbatch.domain.grouping;

import java.util.List;
import java.util.Objects;
import org.canvasbatch.domain.session.Priority;

/**
 * One group of questions about the same topic.
 *
 * @param members  indices into the grouped texts, ascending
 * @param topTerms at most three terms that set this group apart from the others, best first
 * @param cohesion mean cosine similarity of the members to the group's centroid, in [0, 1]
 * @param priority how soon the group should be worked on
 * @param label    the learner's own name for the group (a canvas group's label), or null when it is named by its words
 */
public record TopicCluster(
        List<Integer> members, List<String> topTerms, double cohesion, Priority priority, String label) {

    /** What a group without a single topic word (empty or all-stop-word texts) is called. */
    static final String FALLBACK_NAME = "Group";

    /** The same, for a group whose questions are mostly written in Chinese (or Japanese). */
    static final String FALLBACK_NAME_CHINESE = "其他问题";

    public TopicCluster {
        members = List.copyOf(Objects.requireNonNull(members, "members"));
        topTerms = List.copyOf(Objects.requireNonNull(topTerms, "topTerms"));
        Objects.requireNonNull(priority, "priority");
        if (members.isEmpty()) {
            throw new IllegalArgumentException("a cluster has at least one member");
        }
        for (int i = 1; i < members.size(); i++) {
            if (members.get(i) <= members.get(i - 1)) {
                throw new IllegalArgumentException("members must be ascending and distinct: " + members);
            }
        }
        if (topTerms.size() > 3) {
            throw new IllegalArgumentException("at most three top terms, got " + topTerms);
        }
        if (Double.isNaN(cohesion) || cohesion < 0.0 || cohesion > 1.0) {
            throw new IllegalArgumentException("cohesion must be in [0, 1], was " + cohesion);
        }
        label = readableLabel(label);
    }

    /** A canvas group's label shows on one line in the plugin: whitespace folded, at most this many characters. */
    static final int LONGEST_LABEL = 80;

    /**
     * The label as one line of visible text: every kind of white space and line break (Unicode's line and paragraph
     * separators, NEL) folded into one space, control characters and text-direction marks, embeddings, overrides and
     * isolates left out. The plugin shows the name as it comes; an override cut by the length limit would reverse
     * the rest of its line.
     */
    private static String readableLabel(String label) {
        if (label == null) {
            return null;
        }
        StringBuilder visible = new StringBuilder(label.length());
        label.codePoints().forEach(cp -> {
            if (Character.isWhitespace(cp) || Character.isSpaceChar(cp) || cp == 0x85) {
                visible.append(' ');
            } else if (Character.getType(cp) != Character.CONTROL && !isTextDirection(cp)) {
                visible.appendCodePoint(cp);
            }
        });
        if (visible.isEmpty() || visible.toString().isBlank()) {
            return null;
        }
        String line = visible.toString().strip().replaceAll(" +", " ");
        return line.codePointCount(0, line.length()) <= LONGEST_LABEL
                ? line
                : line.substring(0, line.offsetByCodePoints(0, LONGEST_LABEL - 1)) + "…";
    }

    private static boolean isTextDirection(int cp) {
        return cp == 0x061C
                || cp == 0x200E
                || cp == 0x200F
                || (cp >= 0x202A && cp <= 0x202E)
                || (cp >= 0x2066 && cp <= 0x2069);
    }

    /** A group named by its words. */
    public TopicCluster(List<Integer> members, List<String> topTerms, double cohesion, Priority priority) {
        this(members, topTerms, cohesion, priority, null);
    }

    /**
     * The learner's label when there is one; else the top terms, joined with the Chinese enumeration comma when any is
     * CJK, else with ", ".
     */
    public String name() {
        if (label != null) {
            return label;
        }
        if (topTerms.isEmpty()) {
            return FALLBACK_NAME;
        }
        boolean cjk = topTerms.stream().anyMatch(TermExtractor::containsCjk);
        return String.join(cjk ? "、" : ", ", topTerms);
    }
}
