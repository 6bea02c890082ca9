package org.canvasbatch.adapters.http.text;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class LanguageTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            value = {
                "zh-CN,zh;q=0.9|ZH", // Chromium on a Chinese system: what the plugin sends there
                "zh-TW|ZH",
                "en-US,en;q=0.9|EN",
                "en-GB,en;q=0.9,zh-CN;q=0.8|EN",
                "fr-FR,fr;q=0.9,zh;q=0.5|ZH",
                "de-DE|EN",
                "en;q=0.5,zh;q=0.5|EN",
                "zh;q=0|EN",
                "*|EN",
                "zh;q=banana|EN",
                "ZH-cn|ZH"
            })
    void theHighestQualityLanguageThisServerSpeaksWins(String header, Language expected) {
        assertThat(Language.of(header)).isEqualTo(expected);
    }

    @Test
    void noHeaderMeansEnglish() {
        assertThat(Language.of(null)).isEqualTo(Language.EN);
        assertThat(Language.of("  ")).isEqualTo(Language.EN);
    }

    @Test
    void everyChineseSentenceIsChineseAndEverySentenceFillsAllItsPlaceholders() {
        Object[] arguments = {"a", "b", "c"};
        assertThat(Arrays.asList(Message.values())).allSatisfy(message -> {
            assertThat(message.in(Language.ZH, arguments))
                    .as(message.name())
                    .containsPattern("\\p{IsHan}")
                    .doesNotContainPattern("\\{\\d\\}");
            assertThat(message.in(Language.EN, arguments))
                    .as(message.name())
                    .doesNotContainPattern("\\{\\d\\}")
                    .doesNotContain("''");
        });
    }

    @Test
    void anApostropheIsWrittenOnceAndArgumentsGoWhereTheirNumberSays() {
        assertThat(Message.SESSION_NOT_FOUND.in(Language.EN, "s1")).isEqualTo("Session 's1' not found");
        assertThat(Message.SESSION_NOT_FOUND.in(Language.ZH, "s1")).isEqualTo("找不到批处理会话“s1”");
        assertThat(Message.CANVAS_NOT_IN_VAULT.in(Language.EN, "a/b.canvas", "/home/me/vault"))
                .startsWith("The canvas 'a/b.canvas' is not in this server's vault (/home/me/vault).");
    }
}
