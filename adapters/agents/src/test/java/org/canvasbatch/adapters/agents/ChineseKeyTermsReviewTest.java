package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The offline agent's Chinese key terms, on questions whose terms read worse since they end at copulas. */
class ChineseKeyTermsReviewTest {

    /**
     * A word never cut (和平, 目的, 的确) that only looks like one across two words swallows the 和 or 的 that joins
     * them: 成本和平均成本 is 成本 和 平均成本, 项目的进度 is 项目 的 进度, 参数的确定 is 参数 的 确定. The first question is one of
     * the example vault's canvases.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '=',
            value = {
                "边际成本和平均成本的关系 = 边际成本 · 平均成本 · 关系",
                "收入和平均工资的关系 = 收入 · 平均工资 · 关系",
                "参数的确定方法 = 参数 · 确定方法",
                "题目的条件 = 题目 · 条件"
            })
    void aWordNeverCutDoesNotSwallowTheWordThatJoinsTwoTerms(String question, String terms) {
        assertThat(String.join(" · ", new QuestionText(question, Language.ZH).ownTerms()))
                .isEqualTo(terms);
    }

    /**
     * A question word or copula cut out of a longer one leaves half of it on the term: 有没有 leaves 矩阵有, 能不能
     * leaves 函数能, 不一定 leaves 对称矩阵不, and 大于等于 (no copula) leaves x大于.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '=',
            value = {
                "矩阵有没有逆 = 矩阵 · 逆",
                "函数能不能求导 = 函数 · 求导",
                "对称矩阵不一定可以对角化 = 对称矩阵 · 对角化",
                "x大于等于0时函数的单调性 = x大于等于0时函数 · 单调性"
            })
    void noTermKeepsHalfOfAQuestionWordOrACopula(String question, String terms) {
        assertThat(String.join(" · ", new QuestionText(question, Language.ZH).ownTerms()))
                .isEqualTo(terms);
    }
}
