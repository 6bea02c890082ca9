package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class TerminalTextTest {

    @Test
    void chineseTakesTwoColumnsSoNamesLineUp() {
        assertThat(TerminalText.columns("关系、图")).isEqualTo(8);
        assertThat(TerminalText.columns(TerminalText.fit("关系、图、命题", 20))).isEqualTo(20);
        assertThat(TerminalText.columns(TerminalText.fit("tree, hash", 20))).isEqualTo(20);
    }

    @Test
    void longTextIsCutWithAnEllipsisWithinTheWidth() {
        String cut = TerminalText.fit("深入分析对角化的条件以及它和特征值的关系", 11);
        assertThat(cut).endsWith("…").startsWith("深入分析对");
        assertThat(TerminalText.columns(cut)).isEqualTo(11);
        assertThat(TerminalText.fit("a\nb   c", 6)).isEqualTo("a b c ");
    }
}
