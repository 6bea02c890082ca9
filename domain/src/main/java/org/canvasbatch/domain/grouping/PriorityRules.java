package org.canvasbatch.domain.grouping;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Set;
import org.canvasbatch.domain.session.Priority;

/**
 * A group's priority from its words. Mistakes come first (a misconception left alone keeps costing marks), then
 * anything about exams and revision; a lone question among many is treated as a side note. Latin cues are matched
 * as whole words from an explicit list of forms, so "example" is not "exam" and a "reviewer" is not a review.
 */
final class PriorityRules {

    private static final Set<String> URGENT_WORDS = Set.of(
            "error",
            "errors",
            "erroneous",
            "bug",
            "bugs",
            "buggy",
            "mistake",
            "mistakes",
            "mistaken",
            "pitfall",
            "pitfalls",
            "misconception",
            "misconceptions");
    private static final List<String> URGENT_CJK = List.of("错误", "易错", "误区", "错题", "出错");

    private static final Set<String> HIGH_WORDS = Set.of(
            "exam",
            "exams",
            "examination",
            "examinations",
            "midterm",
            "midterms",
            "finals",
            "review",
            "reviews",
            "reviewed",
            "reviewing",
            "revision",
            "revise",
            "revising");
    private static final List<String> HIGH_CJK = List.of("考试", "复习", "重点", "期末", "考点", "期中", "真题");

    /** Below this many texts a single-member group is normal, not a stray. */
    private static final int SMALL_GROUP_MIN_INPUT = 4;

    private PriorityRules() {}

    static Priority of(Collection<String> memberTexts, Collection<String> topTerms, int totalTexts) {
        List<String> all = new ArrayList<>(memberTexts);
        all.addAll(topTerms);
        if (mentions(all, URGENT_WORDS, URGENT_CJK)) {
            return Priority.URGENT;
        }
        if (mentions(all, HIGH_WORDS, HIGH_CJK)) {
            return Priority.HIGH;
        }
        if (memberTexts.size() == 1 && totalTexts >= SMALL_GROUP_MIN_INPUT) {
            return Priority.LOW;
        }
        return Priority.MEDIUM;
    }

    private static boolean mentions(List<String> texts, Set<String> words, List<String> cjk) {
        for (String text : texts) {
            if (text == null) {
                continue;
            }
            for (String phrase : cjk) {
                if (text.contains(phrase)) {
                    return true;
                }
            }
            for (String word : TermExtractor.rawWords(text)) {
                if (words.contains(word)) {
                    return true;
                }
            }
        }
        return false;
    }
}
