package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ExcerptTest {

    private static final Map<String, Double> MITOCHONDRIA = Map.of("mitochondria", 3.0);

    @Test
    void aShortPassageIsQuotedWhole() {
        assertThat(Excerpt.of("Mitochondria make ATP.", MITOCHONDRIA)).isEqualTo("Mitochondria make ATP.");
    }

    @Test
    void theSentenceWithTheWordIsQuotedWithItsNeighboursWhileTheyFit() {
        String filler = "This sentence is about something else entirely and goes on for a while. ";
        String text = filler.repeat(4) + "Mitochondria make most of the cell's ATP. " + filler.repeat(4);

        String excerpt = Excerpt.of(text, MITOCHONDRIA);

        assertThat(excerpt)
                .contains("Mitochondria make most of the cell's ATP.")
                .startsWith(Excerpt.ELLIPSIS + "This sentence")
                .endsWith("a while." + Excerpt.ELLIPSIS);
        assertThat(excerpt.length()).isLessThanOrEqualTo(Excerpt.MAX_CHARS + 2);
    }

    @Test
    void aSentenceTooLongOnItsOwnIsCutAroundTheWordAtWordEdges() {
        String words = "one two three four five six seven eight nine ten ";
        String text = words.repeat(8) + "the mitochondria of the cell " + words.repeat(8);

        String excerpt = Excerpt.of(text, MITOCHONDRIA);

        assertThat(excerpt)
                .contains("mitochondria")
                .startsWith(Excerpt.ELLIPSIS)
                .endsWith(Excerpt.ELLIPSIS);
        String inner = excerpt.substring(1, excerpt.length() - 1);
        assertThat(text).contains(" " + inner + " ");
        assertThat(excerpt.length()).isLessThanOrEqualTo(Excerpt.MAX_CHARS + 2);
    }
}
