package org.canvasbatch.domain.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.canvasbatch.domain.session.Priority;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PriorityRulesTest {

    @ParameterizedTest
    @ValueSource(
            strings = {
                "exam questions on matrices",
                "Exams next week: matrices",
                "Review: what is a matrix",
                "Reviewing the rank theorem",
                "考试会考矩阵的秩吗",
                "复习：什么是矩阵的秩",
                "矩阵的秩是重点",
                "期末范围",
                "常见考点"
            })
    void examsAndRevisionAreHigh(String text) {
        assertThat(PriorityRules.of(List.of(text, "matrix basics"), List.of(), 10))
                .isEqualTo(Priority.HIGH);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Common error in matrix inversion",
                "A bug in my proof",
                "Typical mistakes with limits",
                "矩阵求逆的常见错误",
                "极限的易错点",
                "关于导数的误区"
            })
    void mistakesAreUrgent(String text) {
        assertThat(PriorityRules.of(List.of(text, "matrix basics"), List.of(), 10))
                .isEqualTo(Priority.URGENT);
    }

    @Test
    void mistakesOutrankExams() {
        assertThat(PriorityRules.of(List.of("exam prep: matrices", "common mistakes in row reduction"), List.of(), 10))
                .isEqualTo(Priority.URGENT);
        assertThat(PriorityRules.of(List.of("期末复习：极限的易错点"), List.of(), 10)).isEqualTo(Priority.URGENT);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Give an example of a group",
                "Examine the proof",
                "Who was the reviewer of the paper?",
                "Errorless learning in children",
                "Debugging strategies",
                "The final keyword in Java"
            })
    void lookalikeWordsDoNotCount(String text) {
        assertThat(PriorityRules.of(List.of(text, "another question"), List.of(), 10))
                .isEqualTo(Priority.MEDIUM);
    }

    @Test
    void topTermsCountAsTheGroupsWords() {
        assertThat(PriorityRules.of(List.of("what is it", "how so"), List.of("exam"), 10))
                .isEqualTo(Priority.HIGH);
    }

    @Test
    void aLoneQuestionAmongManyIsLowUnlessItsWordsSayOtherwise() {
        assertThat(PriorityRules.of(List.of("What is a trie?"), List.of("trie"), 4))
                .isEqualTo(Priority.LOW);
        assertThat(PriorityRules.of(List.of("What is a trie?"), List.of("trie"), 3))
                .isEqualTo(Priority.MEDIUM);
        assertThat(PriorityRules.of(List.of("Trie exam question"), List.of("trie"), 40))
                .isEqualTo(Priority.HIGH);
        assertThat(PriorityRules.of(List.of("Trie bugs"), List.of("trie"), 40)).isEqualTo(Priority.URGENT);
    }
}
