package org.canvasbatch.domain.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class SearchTermsTest {

    @Test
    void aChineseQuestionAndANoteMeetOnTheLexiconWordNotOnTheQuestionPhrase() {
        var question = SearchTerms.queryWeights("什么是线粒体");
        var note = SearchTerms.occurrences("线粒体是细胞进行有氧呼吸的主要场所，被称为细胞的动力工厂。");

        assertThat(question).containsEntry("线粒体", 1.5).doesNotContainKeys("什么", "什么是", "是");
        assertThat(note).containsEntry("线粒体", 1).containsEntry("细胞", 2);
    }

    @Test
    void englishWordsMeetWhateverTheirGrammaticalForm() {
        var question = SearchTerms.queryWeights("Why do cells store energy as ATP?");
        var note = SearchTerms.occurrences("A cell stores its energy in ATP; cells spend it everywhere.");

        assertThat(question).containsKeys("cell", "store", "energi", "atp").doesNotContainKeys("why", "do");
        assertThat(note).containsEntry("cell", 2).containsEntry("store", 1).containsEntry("atp", 1);
    }

    @Test
    void aSingleCharacterLexiconWordIsFoundInsideANotesSentence() {
        var question = SearchTerms.queryWeights("什么是秩");
        var note = SearchTerms.occurrences("矩阵的秩等于它的行阶梯形中非零行的个数。");

        assertThat(question).containsKey("秩");
        assertThat(note).containsKey("秩").containsKey("非零").doesNotContainKeys("零", "的");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "线粒体是细胞进行有氧呼吸的主要场所，被称为细胞的动力工厂。",
                "矩阵的秩等于它的行阶梯形中非零行的个数；欧拉回路是指经过图中每条边恰好一次的回路。",
                "The mitochondria produce ATP through oxidative phosphorylation, the law of large numbers aside.",
                "什么是 hash table 的负载因子？举例说明 open addressing 和 chaining 的区别",
                "秩 酶 苯 的 了 吗"
            })
    void aSearchReadsTheSameWordsAsGroupingDoes(String text) {
        Map<String, Integer> grouping = new HashMap<>();
        for (TermExtractor.Term term : TermExtractor.extract(text).terms()) {
            boolean word = term.kind() != TermExtractor.Kind.SCRIPT
                    && (term.kind() != TermExtractor.Kind.CJK_CHAR
                            || SubjectLexicon.shared().cjkFields(term.text()) != null);
            if (word) {
                grouping.merge(term.text(), 1, Integer::sum);
            }
        }

        assertThat(SearchTerms.occurrences(text)).isEqualTo(grouping);
    }

    @Test
    void neitherTheScriptMarkerNorSubjectFieldsAreSearchTerms() {
        assertThat(SearchTerms.occurrences("什么是核糖体 ribosome").keySet())
                .allSatisfy(term -> assertThat(term).doesNotStartWith("\u0000"));
    }
}
