package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Which notes the vault takes as its own, and so may overwrite, is decided by these fields: a note whose front matter
 * is not read exactly as written must neither lose its owner nor gain one.
 */
class FrontMatterFieldsTest {

    @Test
    void aNoteWithWindowsLineBreaksIsReadLikeOneWithUnixOnes() {
        String unix = "---\nsource_node: \"q1\"\nagent: \"comparison-table\"\n---\n\nbody\n";

        assertThat(FrontMatter.fieldsOf(unix.replace("\n", "\r\n")))
                .isEqualTo(FrontMatter.fieldsOf(unix))
                .containsEntry("source_node", "q1")
                .containsEntry("agent", "comparison-table")
                .hasSize(2);
    }

    @Test
    void frontMatterThatNeverClosesGivesNoFields() {
        assertThat(FrontMatter.fieldsOf("---\nsource_node: q1\nagent: comparison-table\n"))
                .isEmpty();
        assertThat(FrontMatter.fieldsOf("---")).isEmpty();
        assertThat(FrontMatter.fieldsOf("")).isEmpty();
    }

    @Test
    void aClosingFenceBeyondTheFirstEightKibibytesIsNotLookedFor() {
        String padding = "note: " + "x".repeat(9 * 1024) + "\n";

        assertThat(FrontMatter.fieldsOf("---\nsource_node: q1\n" + padding + "---\nbody\n"))
                .isEmpty();
    }

    @Test
    void aFenceInTheBodyDoesNotMakeTheBodyFrontMatter() {
        String learnersNote = "# My own note\n---\nsource_node: q1\nagent: comparison-table\n---\n";

        assertThat(FrontMatter.fieldsOf(learnersNote)).isEmpty();
    }

    @Test
    void indentedLinesAndLinesWithoutAKeyAreNotFields() {
        String text = "---\n  source_node: q1\n: orphan\ntags:\n  - a\nagent: 'it''s'\n---\n";

        assertThat(FrontMatter.fieldsOf(text))
                .containsEntry("tags", "")
                .containsEntry("agent", "it's")
                .doesNotContainKey("source_node")
                .hasSize(2);
    }

    @Test
    void theFieldsEndAtTheFirstClosingFenceAndTheBodyAfterItIsNotRead() {
        String text = "---\r\nagent: \"a\"\r\n --- \r\nagent: b\nsource_node: q9\n---\n";

        assertThat(FrontMatter.fieldsOf(text)).containsExactlyEntriesOf(java.util.Map.of("agent", "a"));
    }

    @Test
    void anEscapeThatNamesNoCharacterIsKeptAsTextInsteadOfFailingTheRead() {
        // a learner's (or anyone's) note in the notes folder is read for its owner before every note is written there:
        // an escape beyond Unicode or with a sign must not throw, or every node of the batch fails "Internal error"
        String text = "---\nagent: \"\\U00110000\"\nsource_node: \"\\u-001\"\nsource_canvas: \"\\U7FFFFFFF\"\n---\n";

        assertThat(FrontMatter.fieldsOf(text))
                .containsEntry("agent", "U00110000")
                .containsEntry("source_node", "u-001")
                .containsEntry("source_canvas", "U7FFFFFFF");
    }
}
