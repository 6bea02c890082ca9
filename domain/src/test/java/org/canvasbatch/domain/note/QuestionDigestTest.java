package org.canvasbatch.domain.note;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuestionDigestTest {

    @Test
    void aQuestionReWrappedOrSpacedOtherwiseIsTheSameQuestion() {
        assertThat(QuestionDigest.of("What is a\nconverse  of an implication? "))
                .isEqualTo(QuestionDigest.of("What is a converse of an implication?"));
    }

    @Test
    void composedAndDecomposedAccentsAreTheSameQuestion() {
        assertThat(QuestionDigest.of("Qu'est-ce qu'une r\u00e9currence ?"))
                .isEqualTo(QuestionDigest.of("Qu'est-ce qu'une re\u0301currence ?"));
    }

    @Test
    void otherWordsAreAnotherQuestion() {
        assertThat(QuestionDigest.of("什么是逆否命题")).isNotEqualTo(QuestionDigest.of("什么是否命题"));
        assertThat(QuestionDigest.of("What is a set?")).isNotEqualTo(QuestionDigest.of("What is a Set?"));
    }

    @Test
    void theDigestIsTheSha256OfTheWordsInHex() {
        assertThat(QuestionDigest.of(" abc "))
                .isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }
}
