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
        "analysis,analysis",
        "status,status",
        "class,class",
        "costs,cost"
    })
    void foldsPluralsOntoTheSingularButLeavesWordsThatOnlyEndInS(String word, String stem) {
        assertThat(TermExtractor.stem(word)).isEqualTo(stem);
    }

    @Test
    void cutsChineseAtQuestionWordsAndKeepsWordsBigramsAndCharacters() {
        List<String> terms = terms("什么是逆否命题");

        assertThat(terms).contains("逆否命题", "逆否", "否命", "命题", "逆").doesNotContain("什么", "什么是", "是");
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
        assertThat(terms("ＨＡＳＨ　ｔａｂｌｅ")).containsExactly("hash", "table");
    }

    @Test
    void findsNoTopicInStopWordsAlone() {
        assertThat(TermExtractor.extract("What is it? 为什么？ 是什么").terms()).isEmpty();
        assertThat(TermExtractor.extract("").terms()).isEmpty();
        assertThat(TermExtractor.extract(null).terms()).isEmpty();
    }
}
