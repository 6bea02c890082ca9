package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;

import org.canvasbatch.application.port.out.AgentRequest.RelatedQuestion;
import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.application.port.out.VaultPassage.Origin;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Test;

class VaultLinkTest {

    @Test
    void aNotesPassageLinksToItsHeadingAsObsidianWritesIt() {
        assertThat(VaultLink.to(
                        new VaultPassage("CS/Notes/Hashing.md", "Step 2: resolve a #collision", "…", Origin.NOTE)))
                .isEqualTo("[[CS/Notes/Hashing#Step 2 resolve a collision|Hashing › Step 2 resolve a collision]]");
        assertThat(VaultLink.to(new VaultPassage("notes/鸽巢原理.md", "", "…", Origin.NOTE)))
                .isEqualTo("[[notes/鸽巢原理|鸽巢原理]]");
    }

    @Test
    void aHeadingWithLinksAndEmphasisIsLinkedAsTheNoteWritesItAndShownAsItsWords() {
        VaultPassage passage = new VaultPassage(
                "notes/Cell.md",
                "Heading: with link and bold",
                "Heading: with [[Cell energy|link]] and **bold**",
                "…",
                Origin.NOTE);

        assertThat(VaultLink.to(passage))
                .isEqualTo(
                        "[[notes/Cell#Heading with Cell energy link and **bold**|Cell › Heading with link and bold]]");
    }

    @Test
    void aHeadingTheNoteRepeatsIsLinkedThroughTheHeadingsItIsUnder() {
        VaultPassage passage = new VaultPassage("notes/ds.md", "Example", "Stack: LIFO\nExample", "…", Origin.NOTE);

        assertThat(VaultLink.to(passage)).isEqualTo("[[notes/ds#Stack LIFO#Example|ds › Example]]");
    }

    @Test
    void aHeadingThatRepeatsTheNotesNameIsLeftOut() {
        assertThat(VaultLink.to(new VaultPassage("notes/Cell energy.md", "Cell energy", "…", Origin.NOTE)))
                .isEqualTo("[[notes/Cell energy|Cell energy]]");
    }

    @Test
    void aCanvasPassageLinksToTheCanvasWithItsExtension() {
        assertThat(VaultLink.to(new VaultPassage("数学/线性代数.canvas", "", "…", Origin.UNDERSTANDING)))
                .isEqualTo("[[数学/线性代数.canvas|线性代数]]");
    }

    @Test
    void aPathThatWouldBreakTheLinkIsNamedWithoutOne() {
        assertThat(VaultLink.to(new VaultPassage("CS/a|b]] [[x.md", "", "…", Origin.NOTE)))
                .isEqualTo("a b x");
        assertThat(VaultLink.to(new VaultPassage("CS/Queues [draft].md", "Intro", "…", Origin.NOTE)))
                .isEqualTo("Queues draft › Intro");
    }

    @Test
    void aQuoteStaysOnOneLine() {
        assertThat(VaultLink.quote(new VaultPassage("a.md", "", "first line\nsecond\r\n  third ", Origin.NOTE)))
                .isEqualTo("first line second third");
    }

    @Test
    void aRelatedQuestionLinksToTheNameTheVaultGaveItsNoteNotTheOneItsTextSuggests() {
        assertThat(NoteLink.to(
                        new RelatedQuestion("什么是等价关系", AgentId.MEMORY_ANCHOR, "什么是等价关系 ~d991b1bb (memory-anchor)")))
                .isEqualTo("[[什么是等价关系 ~d991b1bb (memory-anchor)|什么是等价关系]]");
        assertThat(NoteLink.to(new RelatedQuestion("什么是等价关系", AgentId.MEMORY_ANCHOR)))
                .as("a vault that cannot tell")
                .isEqualTo("[[什么是等价关系 (memory-anchor)|什么是等价关系]]");
    }

    @Test
    void aQuoteNeitherOpensAnObsidianCommentNorTagsTheNote() {
        assertThat(VaultLink.quote(new VaultPassage("a.md", "", "ATP %% is made #biology in C#", Origin.NOTE)))
                .isEqualTo("ATP \\%\\% is made \\#biology in C\\#");
    }
}
