package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.canvasbatch.adapters.vault.NotePassages.Passage;
import org.junit.jupiter.api.Test;

class NotePassagesTest {

    @Test
    void paragraphsListItemsAndTableRowsAreQuotedUnderTheirHeadings() {
        String note = """
                ---
                tags: [biology]
                ---
                Intro before any heading.

                # Organelles

                ## 线粒体
                线粒体是细胞进行有氧呼吸的主要场所，
                被称为细胞的动力工厂。

                - 有两层膜
                - [x] 内膜向内折叠形成**嵴**
                  增大了面积

                | 结构 | 功能 |
                | --- | --- |
                | 核糖体 | 合成蛋白质 |

                Ribosomes
                =========
                They read mRNA.
                """;

        assertThat(NotePassages.of(note))
                .containsExactly(
                        new Passage("", "Intro before any heading."),
                        new Passage("线粒体", "线粒体是细胞进行有氧呼吸的主要场所， 被称为细胞的动力工厂。"),
                        new Passage("线粒体", "有两层膜"),
                        new Passage("线粒体", "内膜向内折叠形成嵴 增大了面积"),
                        new Passage("线粒体", "结构 · 功能"),
                        new Passage("线粒体", "核糖体 · 合成蛋白质"),
                        new Passage("Ribosomes", "They read mRNA."));
    }

    @Test
    void codeMathAndCommentsAreNotProse() {
        String note = """
                # Hashing
                ```java
                int mitochondria = 1;
                ```
                $$
                E = mc^2
                $$
                %%
                a private remark
                %%
                <!-- hidden -->
                Hash tables trade memory for time.
                """;

        assertThat(NotePassages.of(note)).containsExactly(new Passage("Hashing", "Hash tables trade memory for time."));
    }

    @Test
    void anObsidianCommentHidesWhatItHoldsWhereverItOpensAndAnUnclosedOneHidesTheRestOfTheNote() {
        String note = """
                # Mitochondria
                They make ATP. %% my private doubt %% Two membranes.
                Inner folds %% a remark
                over two lines %% are cristae.

                Visible paragraph. %% left open: the learner hid
                everything from here

                # Secret
                nothing of this either.
                """;

        assertThat(NotePassages.of(note))
                .containsExactly(
                        new Passage("Mitochondria", "They make ATP. Two membranes. Inner folds are cristae."),
                        new Passage("Mitochondria", "Visible paragraph."));
    }

    @Test
    void aHeadingIsKeptAsWrittenForLinksAndAsItsWordsForReading() {
        assertThat(NotePassages.of("## Heading: with [[Cell energy|link]] and **bold** ##\nText.\n"))
                .containsExactly(new Passage(
                        "Heading: with link and bold", "Heading: with [[Cell energy|link]] and **bold**", "Text."));
    }

    /** A link to "Example" would open the first one, under Heap: a passage under the second names its way there. */
    @Test
    void aHeadingWhoseWordsTheNoteRepeatsIsKeptWithTheHeadingsAboveIt() {
        String note = """
                # Heap
                ## Example
                A heap pops its smallest item first.
                # Stack
                Last in, first out.
                ## Example
                Pushing 1, 2, 3 and popping returns 3 first.
                ### Why
                The top is the last one pushed.

                Queue
                =====
                ## example:
                Enqueue 1, 2, 3 and dequeue returns 1.
                """;

        assertThat(NotePassages.of(note))
                .containsExactly(
                        new Passage("Example", "Heap\nExample", "A heap pops its smallest item first."),
                        new Passage("Stack", "Stack", "Last in, first out."),
                        new Passage("Example", "Stack\nExample", "Pushing 1, 2, 3 and popping returns 3 first."),
                        new Passage("Why", "Why", "The top is the last one pushed."),
                        new Passage("example:", "Queue\nexample:", "Enqueue 1, 2, 3 and dequeue returns 1."));
    }

    @Test
    void onlyPairedEmphasisMarksAreTakenOutAndUnderscoresOfCodeStay() {
        assertThat(NotePassages.plain("2*3=6 and a*b, x == y, __init__, snake_case_name, C_1 and 1_000"))
                .isEqualTo("2*3=6 and a*b, x == y, __init__, snake_case_name, C_1 and 1_000");
        assertThat(NotePassages.plain("**bold *it* here**, _it_, __strong words__, ~~gone~~, ==marked==, `a*b`"))
                .isEqualTo("bold it here, it, strong words, gone, marked, a*b");
    }

    @Test
    void linksEmphasisAndHtmlReadAsTheirWords() {
        assertThat(
                        NotePassages.plain(
                                "See [[Biology/Cell#Membrane|the membrane]], [[Krebs cycle]] and [the docs](https://x.y) —"
                                        + " **bold**, ==marked==, `code`, <span style=\"color:red\">red</span>[^1] ![[fig.png]] ^block-1"))
                .isEqualTo("See the membrane, Krebs cycle and the docs — bold, marked, code, red");
    }

    @Test
    void calloutsAndQuotesAreTheLearnersWordsToo() {
        String note = """
                > [!tip] 记忆方法
                > 线粒体：能量工厂
                """;

        assertThat(NotePassages.of(note)).extracting(Passage::text).containsExactly("记忆方法", "线粒体：能量工厂");
    }

    @Test
    void aWallOfTextIsCutAtSentenceEnds() {
        String sentence = "线粒体是细胞进行有氧呼吸的主要场所，被称为细胞的动力工厂。";
        String wall = sentence.repeat(100);

        List<Passage> passages = NotePassages.of(wall);

        assertThat(passages).hasSizeGreaterThan(1).allSatisfy(passage -> {
            assertThat(passage.text()).hasSizeLessThanOrEqualTo(NotePassages.MAX_PASSAGE_CHARS);
            assertThat(passage.text()).endsWith("。");
        });
    }

    @Test
    void aNoteIsCanvasBatchsOwnWhenItsFrontMatterNamesTheSourceCanvasAndTheAgent() {
        assertThat(NotePassages.writtenByCanvasBatch(
                        "---\nsource_canvas: \"a.canvas\"\nsource_node: \"n\"\nagent: \"oral-explanation\"\n---\n# x"))
                .isTrue();
        assertThat(NotePassages.writtenByCanvasBatch("---\nsource_canvas: \"a.canvas\"\n---\n# x"))
                .as("a learner's own property of the same name alone")
                .isFalse();
        assertThat(NotePassages.writtenByCanvasBatch("# Notes\nagent: source_canvas"))
                .isFalse();
    }
}
