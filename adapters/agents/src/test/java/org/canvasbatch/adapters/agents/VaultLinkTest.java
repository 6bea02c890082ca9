package org.canvasbatch.adapters.agents;

import static org.assertj.core.api.Assertions.assertThat;

import org.canvasbatch.application.port.out.VaultPassage;
import org.canvasbatch.application.port.out.VaultPassage.Origin;
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
}
