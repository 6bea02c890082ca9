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

    /**
     * The notice that notes are not linked into their canvas ("处理错误: …" in the plugin): the vault's fixed reasons
     * whole, with the canvas's path as it is; any other reason after the Chinese lead.
     */
    @Test
    void theNoticeThatNotesAreNotLinkedReadsInChinese() {
        String prefix = "Notes are written but not linked into the canvas: ";
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "note_not_linked",
                        prefix + "the canvas '数学/离散 $1.canvas' is no longer in the vault (renamed, moved or deleted"
                                + " since the batch began); the note is written but not linked: link it by hand in the"
                                + " canvas as it is now."))
                .isEqualTo("笔记已写入库中，但没有链接进Canvas：Canvas '数学/离散 $1.canvas' 已不在库中"
                        + "（批处理开始后被重命名、移动或删除）；请在现在的Canvas中手动链接这些笔记。");
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "note_not_linked",
                        prefix + "the question's card is no longer in the canvas 'a.canvas' (deleted since the batch"
                                + " began); the note is written but not linked."))
                .isEqualTo("笔记已写入库中，但没有链接进Canvas：问题的卡片已不在Canvas 'a.canvas' 中（批处理开始后被删除）。");
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "note_not_linked",
                        prefix + "the canvas 'a.canvas' has 9999 nodes, and linking the note would take it beyond"
                                + " 10000, the most a canvas may have for a batch to read it; the note is written but"
                                + " not linked: link it by hand, or make room in the canvas and run the node again."))
                .isEqualTo("笔记已写入库中，但没有链接进Canvas：Canvas 'a.canvas' 已有 9999 个节点，再链接笔记就会超过"
                        + " 10000 个，批处理读取Canvas的上限；请手动链接，或在Canvas中腾出位置后重新运行这个节点。");
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "note_not_linked",
                        prefix + "the canvas 'a.canvas' has 9997 nodes and 3 other note link(s) waiting to go into it;"
                                + " with them, linking the note would take it beyond 10000, the most a canvas may have"
                                + " for a batch to read it; the note is written but not linked: link it by hand, or"
                                + " make room in the canvas and run the node again."))
                .startsWith("笔记已写入库中，但没有链接进Canvas：Canvas 'a.canvas' 已有 9997 个节点，另有 3 条笔记链接等待写入");
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "note_not_linked",
                        prefix + "the canvas 'a.canvas' is read-only (no one may write it): the note is written, and"
                                + " linked into it once it can be written again"))
                .as("a tester read this one half in English")
                .isEqualTo("笔记已写入库中，但没有链接进Canvas：Canvas 'a.canvas' 是只读的（谁都不能写入）：笔记已写入，" + "等Canvas可以写入后再链接进去。");
        assertThat(FailureReasons.in(Language.ZH, "note_not_linked", prefix + "'a.canvas' is larger than 20 MiB."))
                .isEqualTo("笔记已写入库中，但没有链接进Canvas：'a.canvas' is larger than 20 MiB.");
        assertThat(FailureReasons.in(Language.EN, "note_not_linked", prefix + "the card is gone."))
                .isEqualTo(prefix + "the card is gone.");
    }

    @Test
    void anEnglishReaderAndAReasonOfAnUnknownKindReadTheCoresSentence() {
        assertThat(FailureReasons.in(Language.EN, "http_401", "the model server answered 401"))
                .isEqualTo("the model server answered 401");
        assertThat(FailureReasons.in(Language.ZH, "something_new", "a reason of a kind not catalogued"))
                .isEqualTo("a reason of a kind not catalogued");
        assertThat(FailureReasons.in(Language.ZH, null, "no kind at all")).isEqualTo("no kind at all");
    }

    /** The notice that the batch is paused (the plugin ignores {@code session_paused}), as a Chinese learner reads it. */
    @Test
    void theNoticeThatTheBatchIsPausedReadsInChinese() {
        assertThat(FailureReasons.in(Language.ZH, "session_paused", FailureReasons.PAUSED_ELSEWHERE))
                .isEqualTo("批处理已暂停（在仪表板上或由其他程序暂停）；在仪表板上点 Resume 后会接着处理。");
        assertThat(FailureReasons.in(Language.ZH, "session_paused", FailureReasons.PAUSED))
                .isEqualTo("批处理已暂停；在仪表板上点 Resume 后会接着处理。");
        // where the dashboard is: a window in Obsidian has no other way to learn it
        assertThat(FailureReasons.pausedElsewhere("http://127.0.0.1:8765/"))
                .isEqualTo("The batch is paused (on the dashboard or by another program); press Resume on the"
                        + " dashboard, http://127.0.0.1:8765/, and it goes on.");
        assertThat(FailureReasons.in(
                        Language.ZH, "session_paused", FailureReasons.pausedElsewhere("http://localhost:8765/")))
                .isEqualTo("批处理已暂停（在仪表板上或由其他程序暂停）；在仪表板（http://localhost:8765/）上点 Resume 后会接着处理。");
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "session_paused",
                        FailureReasons.paused("http://[::1]:8765/?token=<access-token>")))
                .isEqualTo("批处理已暂停；在仪表板（http://[::1]:8765/?token=<access-token>）上点 Resume 后会接着处理。");
        assertThat(FailureReasons.paused(null)).isEqualTo(FailureReasons.PAUSED);
        // a pause of the server's own says how it goes on, and never invites the dashboard's Resume it may exist
        // against
        String otherVault =
                FailureReasons.pausedBecause(org.canvasbatch.application.batch.CanvasBatchCore.NOT_IN_THIS_VAULT);
        assertThat(otherVault)
                .startsWith("The batch is paused: this vault has no canvas at its path")
                .doesNotContain("Press Resume");
        assertThat(FailureReasons.in(Language.ZH, "session_paused", otherVault))
                .startsWith("批处理已暂停：这个库里没有它的画布")
                .doesNotContain("Resume", "this vault");
        assertThat(FailureReasons.pausedBecause("stopped in the terminal (Ctrl-C); the run command finishes it."))
                .isEqualTo("The batch is paused: stopped in the terminal (Ctrl-C); the run command finishes it.");
        assertThat(FailureReasons.in(
                        Language.ZH,
                        "session_paused",
                        FailureReasons.pausedBecause("stopped in the terminal (Ctrl-C); the run command finishes it")))
                .isEqualTo("批处理已暂停：它在终端里被停止（Ctrl-C）；再运行同一个 canvas-batch run 命令会接着处理。");
        assertThat(FailureReasons.in(Language.ZH, "session_paused", FailureReasons.pausedBecause("disk full")))
                .isEqualTo("批处理已暂停：disk full。");
        assertThat(FailureReasons.in(Language.EN, "session_paused", FailureReasons.PAUSED))
                .isEqualTo(FailureReasons.PAUSED);
    }
}
