package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** What of a model's answer becomes the note's body. */
class ModelOutputTest {

    /**
     * A note may open with a rule, its title and the key points, and a rule under them: a Markdown heading reads as a
     * YAML comment and a list as a YAML list, so the block was taken for the model's own front matter and dropped,
     * and the learner's note lost its title and key points without a word.
     */
    @Test
    void aNoteThatOpensWithARuleAHeadingAndAListKeepsThem() {
        String chinese = "---\n# 三磷酸腺苷（ATP）\n- 细胞的能量货币\n- 由腺嘌呤、核糖和三个磷酸基团组成\n---\n\n## 详细解释\n\n水解释放能量。";
        String english = "---\n## Key points\n\n- LIFO: last in, first out\n- push and pop at the top\n---\n\nMore.";

        assertThat(ModelOutput.noteBody(chinese)).isEqualTo(chinese);
        assertThat(ModelOutput.noteBody(english)).isEqualTo(english);
    }

    @Test
    void aFrontMatterBlockOfTheModelsIsStillDropped() {
        assertThat(ModelOutput.noteBody("---\r\ntitle: Stacks\r\ntags:\r\n  - cs\r\n---\r\n# Stacks\r\n\r\nLIFO."))
                .isEqualTo("# Stacks\r\n\r\nLIFO.");
    }

    /**
     * A note about reasoning models may name their closing tag in code. Taken for the end of a chain of thought whose
     * opening tag the chat template wrote, it cut away everything the note said before it.
     */
    @Test
    void aClosingThinkTagQuotedAsCodeInTheNoteIsNotTakenForTheEndOfThinking() {
        String inline = "# Reasoning models\n\nThey think first, then write `</think>` and the answer.";
        String fenced =
                "# Reasoning models\n\nThe raw answer:\n\n```text\nLet me think.\n</think>\nHeaps sift up.\n```";

        assertThat(ModelOutput.noteBody(inline)).isEqualTo(inline);
        assertThat(ModelOutput.noteBody(fenced)).isEqualTo(fenced);
    }

    @Test
    void thinkingWhoseOpeningTagTheChatTemplateWroteIsStillLeftOut() {
        assertThat(ModelOutput.noteBody("Okay, `heap` means a tree.\n</think>\n\n# Heaps\n\nSift up."))
                .isEqualTo("# Heaps\n\nSift up.");
    }

    /**
     * A note that opens with a ```markdown example and ends with another code block was taken for one note in one
     * fence: the first fence's opening and the last one's closing were cut away, and the prose between showed as code.
     */
    @Test
    void aNoteThatOpensAndEndsWithTwoCodeBlocksIsNotUnwrapped() {
        String answer = "```markdown\n# A heading\n```\n\nThat is how a heading is written. In Python:\n\n"
                + "```python\nprint('# not a heading')\n```";

        assertThat(ModelOutput.noteBody(answer)).isEqualTo(answer);
    }

    @Test
    void aWholeNoteInAFenceIsUnwrappedAlsoWhenALongerFenceHoldsItsCodeBlocks() {
        assertThat(ModelOutput.noteBody("```markdown\n# Heaps\n\nSift up.\n```"))
                .isEqualTo("# Heaps\n\nSift up.");
        assertThat(ModelOutput.noteBody("````md\n# Heaps\n\n```java\nheap.add(1);\n```\n````"))
                .isEqualTo("# Heaps\n\n```java\nheap.add(1);\n```");
        // code blocks without a language inside the whole-note fence pair up: the note is still unwrapped
        assertThat(ModelOutput.noteBody(
                        "```markdown\n# Recursion\n\n```\ndef f(n): return f(n - 1)\n```\n\nThat is all.\n```"))
                .isEqualTo("# Recursion\n\n```\ndef f(n): return f(n - 1)\n```\n\nThat is all.");
        // a line that starts with a code span is no fence
        assertThat(ModelOutput.noteBody("```markdown\n# Fences\n\n```js``` marks a block of JavaScript.\n```"))
                .isEqualTo("# Fences\n\n```js``` marks a block of JavaScript.");
    }
}
