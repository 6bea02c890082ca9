package org.canvasbatch.domain.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TermExtractorTest {

    private static List<String> terms(String text) {
        return TermExtractor.extract(text).terms().stream()
                .filter(t -> t.kind() != TermExtractor.Kind.SCRIPT)
                .map(TermExtractor.Term::text)
                .toList();
    }

    /** A terminal's escape sequence pasted into a card (or planted in a shared canvas) names no group: "[2J" is no "2j". */
    @Test
    void terminalEscapeSequencesAreNoTerms() {
        assertThat(terms("\u001b[2J\u001b[31mStack\u001b[0m and queue \u001b]0;title\u0007"))
                .containsExactly("stack", "queue");
    }

    @Test
    void keepsEnglishTopicWordsAndDropsTheQuestionAroundThem() {
        assertThat(terms("What is the difference between a Stack and a Queue?")).containsExactly("stack", "queue");
    }

    @ParameterizedTest
    @CsvSource({
        "trees,tree",
        "queries,query",
        "hashes,hash",
        "boxes,box",
        "costs,cost",
        "connected,connection",
        "connecting,connections",
        "eigenvalues,eigenvalue",
        "running,runs",
        "relational,relate"
    })
    void foldsGrammaticalFormsOfOneWordOntoOneStem(String word, String sameWord) {
        assertThat(TermExtractor.stem(word)).isEqualTo(TermExtractor.stem(sameWord));
    }

    @Test
    void namesTheTermAsWrittenNotItsStem() {
        assertThat(TermExtractor.extract("How are eigenvalues computed?").terms())
                .filteredOn(t -> t.kind() == TermExtractor.Kind.LATIN_WORD)
                .extracting(TermExtractor.Term::display)
                .contains("eigenvalues");
    }

    @Test
    void cutsChineseIntoLexiconWordsAndDropsTheQuestionAroundThem() {
        List<String> terms = terms("什么是逆否命题");

        assertThat(terms).contains("逆否命题", "命题").doesNotContain("什么", "什么是", "是");
    }

    @Test
    void twoOrganellesShareTheirSubjectFieldThoughNotOneCharacter() {
        assertThat(fields("什么是核糖体")).contains("bio.cell").isEqualTo(fields("什么是线粒体"));
        assertThat(fields("What is a ribosome?")).contains("bio.cell");
        assertThat(fields("什么是官能团")).contains("chem.organic").doesNotContain("bio.cell");
    }

    @Test
    void matchesMultiWordTermsAfterStemming() {
        assertThat(terms("What do the laws of large numbers say?")).contains("law of larg number");
        assertThat(fields("Explain the Treaty of Versailles")).contains("hist.20c");
    }

    @Test
    void aSingleCharacterTermCountsOnlyWhenItStandsAlone() {
        assertThat(fields("苯的结构")).contains("chem.organic");
        assertThat(fields("权力的来源")).doesNotContain("phys.mechanics");
    }

    private static List<String> fields(String text) {
        return TermExtractor.extract(text).subjects().stream()
                .filter(t -> t.kind() == TermExtractor.Kind.FIELD)
                .map(t -> t.text().substring(1))
                .toList();
    }

    @Test
    void doesNotCutTopicWordsThatContainAStopPhrase() {
        assertThat(terms("怎么记住记忆化搜索")).contains("记忆化搜索").doesNotContain("化搜索");
        assertThat(terms("几何分布的无记忆性")).contains("无记忆性");
    }

    @Test
    void aLoneCharacterBetweenStopWordsIsAWordOfItsOwn() {
        assertThat(terms("如何理解矩阵的秩")).contains("矩阵", "秩");
        assertThat(TermExtractor.extract("我理解为").terms()).isEmpty();
    }

    @Test
    void readsFullWidthLettersAsAscii() {
        assertThat(TermExtractor.extract("ＨＡＳＨ　ｔａｂｌｅ").terms())
                .extracting(TermExtractor.Term::display)
                .contains("hash", "table", "hash table");
    }

    @Test
    void theTemplateWordsOfQuestionsNeverCount() {
        assertThat(TermExtractor.extract("什么是？如何理解？举例说明。为什么？简述其特点和原因").terms()).isEmpty();
        assertThat(TermExtractor.extract("What is it? How to understand it? Explain the difference between them.")
                        .terms())
                .isEmpty();
        assertThat(terms("举例说明线粒体的作用")).isEqualTo(terms("什么是线粒体"));
    }

    @Test
    void findsNoTopicInStopWordsAlone() {
        assertThat(TermExtractor.extract("What is it? 为什么？ 是什么").terms()).isEmpty();
        assertThat(TermExtractor.extract("").terms()).isEmpty();
        assertThat(TermExtractor.extract(null).terms()).isEmpty();
    }
}
