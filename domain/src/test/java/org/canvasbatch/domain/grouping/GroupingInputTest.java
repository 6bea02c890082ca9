package org.canvasbatch.domain.grouping;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.junit.jupiter.api.Test;

/** Grouping reads the beginning of each question, so that a question at the 64 KiB limit costs what a short one does. */
class GroupingInputTest {

    @Test
    void eachTextIsCutToItsFirstCharactersAndShortOnesStayWhole() {
        String longQuestion = "What is a matrix? " + "rank ".repeat(13_000);
        GroupingInput input = GroupingInput.ofNodes(
                List.of(
                        CanvasNode.text("long", longQuestion, "1", 0, 0, 250, 60),
                        CanvasNode.text("short", "What is a graph?", "1", 0, 100, 250, 60)),
                Optional.empty());

        assertThat(input.texts().get(0))
                .hasSize(GroupingInput.MAX_TEXT_CHARS)
                .isEqualTo(longQuestion.substring(0, GroupingInput.MAX_TEXT_CHARS));
        assertThat(input.texts().get(1)).isEqualTo("What is a graph?");
        assertThat(GroupingInput.MAX_TEXT_CHARS).isEqualTo(2_000);
    }

    @Test
    void aCharacterOutsideTheBasicPlaneIsNeverCutInTwo() {
        char[] filler = new char[GroupingInput.MAX_TEXT_CHARS - 1];
        Arrays.fill(filler, 'x');
        String text = new String(filler) + "😀 and more";

        String cut = GroupingInput.ofTexts(List.of(text)).texts().get(0);

        assertThat(cut).isEqualTo(new String(filler));
        assertThat(cut.codePoints().allMatch(Character::isValidCodePoint)).isTrue();
        assertThat(Character.isHighSurrogate(cut.charAt(cut.length() - 1))).isFalse();
    }
}
