package org.canvasbatch.domain.note;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class QuestionDigestTest {

    @Test
    void aQuestionReWrappedOrSpacedOtherwiseIsTheSameQuestion() {
        assertThat(QuestionDigest.of("What is a\nconverse  of an implication? "))
                .isEqualTo(QuestionDigest.of("What is a converse of an implication?"));
    }

    /** A full-width space, a no-break space, a line separator: spacing as ASCII's is, inside the words too. */
    @Test
    void unicodeSpacingIsNoRewording() {
        assertThat(QuestionDigest.of("什么是\u3000逆否命题")).isEqualTo(QuestionDigest.of("什么是 逆否命题"));
        assertThat(QuestionDigest.of("What is\u00a0osmosis?")).isEqualTo(QuestionDigest.of("What is osmosis?"));
        assertThat(QuestionDigest.of("What is\u2028osmosis?")).isEqualTo(QuestionDigest.of("What is osmosis?"));
        assertThat(QuestionDigest.of("什么是逆否命题")).isNotEqualTo(QuestionDigest.of("什么是 逆否命题"));
    }

    @Test
    void composedAndDecomposedAccentsAreTheSameQuestion() {
        assertThat(QuestionDigest.of("Qu'est-ce qu'une r\u00e9currence ?"))
                .isEqualTo(QuestionDigest.of("Qu'est-ce qu'une re\u0301currence ?"));
    }

    @Test
    void invisibleCharactersAPasteLeavesAreNoRewording() {
        assertThat(QuestionDigest.of("\uFEFF什么是\u200B逆否命题\u200E")).isEqualTo(QuestionDigest.of("什么是逆否命题"));
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
