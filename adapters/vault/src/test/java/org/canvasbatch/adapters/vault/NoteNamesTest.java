package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoteNamesTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', quoteCharacter = '`', value = {
            "CJK stays as it is         | 什么是逆否命题                    | 什么是逆否命题",
            "spaces inside are kept     | Difference between BFS and DFS | Difference between BFS and DFS",
            "forbidden characters       | `a[b]c#d^e|f\\g/h:i*j?k\"l<m>n` | a b c d e f g h i j k l m n",
            "markdown heading and link  | `# What is [[Monoid]]?`        | What is Monoid",
            "line breaks and tabs       | `  第一行\n\n第二行\t结尾  `        | 第一行 第二行 结尾",
            "ideographic and nbsp space | `逆否命题\u3000和\u00a0否命题`       | 逆否命题 和 否命题",
            "control characters        | `a\u0007b\u007fc`               | a b c",
            "leading dots hide files    | `...hidden`                    | hidden",
            "trailing dots and spaces   | `what is x. . `                | what is x"})
    void sanitisesNodeTextIntoAPortableName(String name, String text, String expected) {
        assertThat(NoteNames.base(text, "node-1")).isEqualTo(expected);
    }

    @Test
    void cutsAtSixtyCodePoints() {
        String sixtyFive = "归".repeat(65);

        assertThat(NoteNames.base(sixtyFive, "n")).isEqualTo("归".repeat(60));
        assertThat(NoteNames.base("a".repeat(59) + " bcd", "n")).isEqualTo("a".repeat(59));
    }

    @Test
    void neverSplitsAnEmojiAndStaysWithinTheFileNameByteLimit() {
        String emoji = "😀".repeat(70);

        String base = NoteNames.base(emoji, "n");
        String file = NoteNames.fileName(base, AgentId.FOUR_LEVEL_EXPLANATION);

        assertThat(base.codePointCount(0, base.length())).isEqualTo(60);
        assertThat(base).isEqualTo("😀".repeat(60));
        assertThat(file).endsWith(" (four-level-explanation).md");
        assertThat(file.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(file.codePoints().allMatch(cp -> Character.getType(cp) != Character.SURROGATE)).isTrue();
        assertThat(file).startsWith("😀😀");
    }

    @Test
    void aCutInsideAnEmojiSequenceLeavesNoDanglingJoiner() {
        String text = "x".repeat(58) + "👩\u200D👩\u200D👧";

        assertThat(NoteNames.base(text, "n")).isEqualTo("x".repeat(58) + "👩");
    }

    @Test
    void fallsBackToTheNodeIdWhenTheTextLeavesNothing() {
        assertThat(NoteNames.base("", "a1b2c3")).isEqualTo("a1b2c3");
        assertThat(NoteNames.base(null, "a1b2c3")).isEqualTo("a1b2c3");
        assertThat(NoteNames.base(" [[]] ### ", "a1b2c3")).isEqualTo("a1b2c3");
        assertThat(NoteNames.base("???", "|/|")).isEqualTo("note");
    }

    @Test
    void fileNameNamesTheAgent() {
        assertThat(NoteNames.fileName("什么是逆否命题", AgentId.ORAL_EXPLANATION))
                .isEqualTo("什么是逆否命题 (oral-explanation).md");
    }

    @Test
    void theDisambiguatedNameDependsOnlyOnTheNodeId() {
        String first = NoteNames.disambiguatedFileName("what is X", "node-1", AgentId.MEMORY_ANCHOR, 8);

        assertThat(first).matches("what is X ~[0-9a-f]{8} \\(memory-anchor\\)\\.md");
        assertThat(NoteNames.disambiguatedFileName("what is X", "node-1", AgentId.MEMORY_ANCHOR, 8)).isEqualTo(first);
        assertThat(NoteNames.disambiguatedFileName("what is X", "node-2", AgentId.MEMORY_ANCHOR, 8))
                .isNotEqualTo(first);
    }
}
