package org.canvasbatch.adapters.http.text;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A node's failure reason as a Chinese learner reads it in the plugin's summary. */
class FailureReasonsTest {

    @Test
    void theCoresFixedSentencesAreTranslatedWholeWithTheirNumbers() {
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "interrupted",
                        "Interrupted by a server restart during its last attempt (3 of 3); it is not run again by"
                                + " itself, retry it to run it once more"))
                .isEqualTo("服务器重启，打断了这个节点的最后一次尝试（第 3 次，共 3 次）；它不会自动再运行，请点重试再运行一次");
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "timeout",
                        "The batch exceeded its timeout of 1800 s; 12 unfinished node(s) were stopped"))
                .isEqualTo("批处理超过了 1800 秒的时限；12 个未完成的节点已停止");
        assertThat(FailureReasons.in(
                        Language.ZH, "cancelled", "Not processed: the batch was cancelled before this node was done"))
                .isEqualTo("未处理：这个节点完成之前，批处理已被取消");
    }

    @Test
    void aReasonQuotingAFileOrTheModelServerKeepsItsDetailAfterAChineseLead() {
        assertThat(FailureReasons.in(Language.ZH, "vault_full", "could not write 笔记/命题.md: No space left on device"))
                .isEqualTo("笔记无法写入：磁盘已满：could not write 笔记/命题.md: No space left on device");
        assertThat(FailureReasons.in(Language.ZH, "http_503", "the model server answered 503: overloaded"))
                .isEqualTo("模型服务器出错：the model server answered 503: overloaded");
        assertThat(FailureReasons.in(Language.ZH, "rate_limited", "the model server answered 429"))
                .startsWith("模型服务器限制了请求频率：");
    }

    @Test
    void aNodeThatFailedOnABugOfTheServerSaysSoInChinese() {
        assertThat(FailureReasons.in(
                        Language.ZH, "internal", "Internal error: java.lang.IllegalStateException: no template"))
                .isEqualTo("服务器内部出错：Internal error: java.lang.IllegalStateException: no template");
    }

    @Test
    void anEnglishReaderAndAReasonOfAnUnknownKindReadTheCoresSentence() {
        assertThat(FailureReasons.in(Language.EN, "http_401", "the model server answered 401"))
                .isEqualTo("the model server answered 401");
        assertThat(FailureReasons.in(Language.ZH, "something_new", "a reason of a kind not catalogued"))
                .isEqualTo("a reason of a kind not catalogued");
        assertThat(FailureReasons.in(Language.ZH, null, "no kind at all")).isEqualTo("no kind at all");
    }
}
