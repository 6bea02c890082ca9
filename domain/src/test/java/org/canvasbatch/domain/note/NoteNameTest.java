package org.canvasbatch.domain.note;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class NoteNameTest {

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "CJK stays as it is         | 什么是逆否命题                    | 什么是逆否命题",
                "spaces inside are kept     | Difference between BFS and DFS | Difference between BFS and DFS",
                "forbidden characters       | `a[b]c#d^e|f\\g/h:i*j?k\"l<m>n` | a b c d e f g h i j k l m n",
                "markdown heading and link  | `# What is [[Monoid]]?`        | What is Monoid",
                "line breaks and tabs       | `  第一行\n\n第二行\t结尾  `        | 第一行 第二行 结尾",
                "ideographic and nbsp space | `逆否命题\u3000和\u00a0否命题`       | 逆否命题 和 否命题",
                "control characters        | `a\u0007b\u007fc`               | a b c",
                "leading dots hide files    | `...hidden`                    | hidden",
                "trailing dots and spaces   | `what is x. . `                | what is x",
                "question mark at the end   | What is a trie and when to use it? | What is a trie and when to use it"
            })
    void sanitisesNodeTextIntoAPortableName(String name, String text, String expected) {
        assertThat(NoteName.baseName(text)).isEqualTo(expected);
    }

    /** Text a hostile canvas could hold: every name comes out visible, valid in a path, and NFC-normalised. */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "right-to-left override     | `invoice\u202Egpj.exe`             | invoicegpj.exe",
                "bidi isolates and embeds   | `a\u2066b\u2067c\u2068d\u2069e\u202Af\u202Bg\u202Ch\u202Di` | abcdefghi",
                "left-to-right marks        | `x\u200Ey\u200Fz\u061Cw`          | xyzw",
                "zero-width characters      | `spo\u200Bofed\u2060 na\uFEFFme`  | spoofed name",
                "joiner outside an emoji    | `pay\u200Dpal\u200C`              | paypal",
                "soft hyphen                | `in\u00ADvisible`                  | invisible",
                "tag characters             | `flag\uDB40\uDC67\uDB40\uDC62`  | flag",
                "lone high surrogate        | `before\uD800after`               | beforeafter",
                "lone low surrogate         | `before\uDC00after`               | beforeafter",
                "surrogates reversed        | `x\uDE00\uD83Dy`                  | xy",
                "C1 control characters      | `a\u0085b\u009Bc`                 | a b c",
                "decomposed accents to NFC  | `cafe\u0301 and Ame\u0301lie`     | caf\u00e9 and Am\u00e9lie",
                "only invisible characters  | `\u202E\u200B\uFEFF\uD800`      | note"
            })
    void removesWhatCouldHideOrFakeAName(String name, String text, String expected) {
        String base = NoteName.baseName(text);

        assertThat(base).isEqualTo(expected);
        assertThat(base)
                .as("nothing invisible, no control or format character, no lone surrogate")
                .matches(s -> s.codePoints()
                        .noneMatch(cp -> Character.getType(cp) == Character.FORMAT
                                || Character.getType(cp) == Character.CONTROL
                                || Character.getType(cp) == Character.SURROGATE));
        assertThat(java.text.Normalizer.isNormalized(base, java.text.Normalizer.Form.NFC))
                .isTrue();
    }

    @Test
    void aJoinerInsideAnEmojiSequenceIsPartOfThePictureAndStays() {
        assertThat(NoteName.baseName("coder 👩🏽\u200D💻")).isEqualTo("coder 👩🏽\u200D💻");
    }

    @Test
    void aNameOfOnlyInvisibleCharactersFallsBackToTheNodeId() {
        assertThat(NoteName.baseName("\u202E\u2066\u200B", "n\u202E1")).isEqualTo("n1");
    }

    @Test
    void theNotesFolderFollowsTheSameRuleButKeepsWhatIsLegalInAFileName() {
        assertThat(NoteName.notesFolder("离散数学")).isEqualTo("离散数学-notes");
        assertThat(NoteName.notesFolder("Cell Biology")).isEqualTo("Cell Biology-notes");
        assertThat(NoteName.notesFolder("C# basics [draft]"))
                .as("legal in file names on every system, and the folder earlier runs used")
                .isEqualTo("C# basics [draft]-notes");
        assertThat(NoteName.notesFolder("q\"\nx: y")).isEqualTo("q x y-notes");
        assertThat(NoteName.notesFolder("re\u202Eport\uD800")).isEqualTo("report-notes");
        assertThat(NoteName.notesFolder(".hidden")).isEqualTo("hidden-notes");
        assertThat(NoteName.notesFolder("\u202E")).isEqualTo("canvas-notes");
        String long_ = "长".repeat(80);
        assertThat(NoteName.notesFolder(long_))
                .as("whole, where the file system allows it")
                .isEqualTo(long_ + "-notes");
        assertThat(NoteName.notesFolder("长".repeat(200)).getBytes(StandardCharsets.UTF_8).length)
                .isLessThanOrEqualTo(255);
    }

    @Test
    void cutsAtSixtyCodePoints() {
        assertThat(NoteName.baseName("归".repeat(65))).isEqualTo("归".repeat(60));
        assertThat(NoteName.baseName("a".repeat(59) + " bcd")).isEqualTo("a".repeat(59));
    }

    /** "…outputs and regulat" reads as a typo: a name cut in a word ends at the word before, where there is one near. */
    @Test
    void aCutInAWordOfASpacedScriptEndsAtTheWordBefore() {
        assertThat(NoteName.fileName(
                        "Deep analysis of the Krebs cycle: inputs, outputs and regulation", AgentId.DEEP_DECOMPOSITION))
                .isEqualTo("Deep analysis of the Krebs cycle inputs, outputs and (deep-decomposition).md");
        assertThat(NoteName.baseName("Why do plants need light for photosynthesis and light-dependent reactions"))
                .isEqualTo("Why do plants need light for photosynthesis and light");
        // no space in the last 15 characters: cut as before
        assertThat(NoteName.baseName("a".repeat(40) + " " + "b".repeat(30)))
                .isEqualTo("a".repeat(40) + " " + "b".repeat(19));
        // a word that ends exactly at the cut stays whole
        assertThat(NoteName.baseName("a".repeat(55) + " bcde fgh")).isEqualTo("a".repeat(55) + " bcde");
        // Chinese and Japanese have no spaces to cut at: cut at 60 as before
        String chinese = "为什么 正交矩阵的行列式是正负一" + "归".repeat(60);
        assertThat(NoteName.baseName(chinese)).isEqualTo(chinese.substring(0, 60));
    }

    @Test
    void neverSplitsAnEmojiAndStaysWithinTheFileNameByteLimit() {
        String emoji = "😀".repeat(70);

        String base = NoteName.baseName(emoji);
        String file = NoteName.fileName(emoji, AgentId.FOUR_LEVEL_EXPLANATION);

        assertThat(base).isEqualTo("😀".repeat(60));
        assertThat(file).endsWith(" (four-level-explanation).md").startsWith("😀😀");
        assertThat(file.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(file.codePoints().allMatch(cp -> Character.getType(cp) != Character.SURROGATE))
                .isTrue();
    }

    @Test
    void aCutInsideAnEmojiSequenceDropsTheWholeSequenceRatherThanShowAnotherPicture() {
        String text = "x".repeat(58) + "👩\u200D👩\u200D👧";

        assertThat(NoteName.baseName(text)).isEqualTo("x".repeat(58));
    }

    @Test
    void aCutInsideAFlagDropsTheFlagRatherThanLeaveHalfOfItAsALetterInABox() {
        String germany = "\uD83C\uDDE9\uD83C\uDDEA";

        assertThat(NoteName.baseName("x".repeat(59) + germany)).isEqualTo("x".repeat(59));
        assertThat(NoteName.baseName("x".repeat(58) + germany)).isEqualTo("x".repeat(58) + germany);
    }

    @Test
    void aCutInsideAHindiSyllableDropsTheSyllableRatherThanLeaveADanglingHalfConsonant() {
        String namaste = "नमस्ते"; // न म स ् त े: the cut after 59 + 4 code points falls inside स्ते

        String base = NoteName.baseName("x".repeat(56) + namaste);

        assertThat(base).isEqualTo("x".repeat(56) + "नम");
    }

    @Test
    void theCutThatKeepsAFileNameWithin255BytesNeverSplitsAFlag() {
        String flags = "\uD83C\uDDE9\uD83C\uDDEA".repeat(40);

        String file = NoteName.fileNameFor(flags, "~1a2b", AgentId.MEMORY_ANCHOR);

        String base = file.substring(0, file.indexOf(" ~1a2b"));
        assertThat(file.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(base.codePointCount(0, base.length()) % 2)
                .as("whole flags only")
                .isZero();
    }

    @Test
    void aTextThatLeavesNothingFallsBackToTheNodeIdThenToNote() {
        assertThat(NoteName.baseName("", "a1b2c3")).isEqualTo("a1b2c3");
        assertThat(NoteName.baseName(null, "a1b2c3")).isEqualTo("a1b2c3");
        assertThat(NoteName.baseName(" [[]] ### ", "a1b2c3")).isEqualTo("a1b2c3");
        assertThat(NoteName.baseName("???", "|/|")).isEqualTo("note");
        assertThat(NoteName.baseName("???")).isEqualTo("note");
        assertThat(NoteName.baseName("what is X", "a1b2c3")).isEqualTo("what is X");
    }

    @Test
    void tellsWhetherTheTextAloneNamesTheNote() {
        assertThat(NoteName.textNamesTheNote("什么是逆否命题？")).isTrue();
        assertThat(NoteName.textNamesTheNote(" [[]] ### ")).isFalse();
        assertThat(NoteName.textNamesTheNote(null)).isFalse();
    }

    @Test
    void fileNameNamesTheAgent() {
        assertThat(NoteName.fileName("逆否命题和否命题的区别是什么？", AgentId.COMPARISON_TABLE))
                .as("full-width punctuation is legal in file names and kept")
                .isEqualTo("逆否命题和否命题的区别是什么？ (comparison-table).md");
        assertThat(NoteName.fileName("BFS vs DFS: [which]?", AgentId.COMPARISON_TABLE))
                .isEqualTo("BFS vs DFS which (comparison-table).md");
    }

    /**
     * Windows takes a device name followed by an extension for the device ("NUL.txt and NUL.tar.gz are both
     * equivalent to NUL"): Obsidian, git and every sync client on Windows 10 cannot create or open such a note.
     */
    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "AUX before a dot           | AUX.md vs README.md            | AUX md vs README.md (oral-explanation).md",
                "nul in lower case          | nul. What does it mean         | nul What does it mean (oral-explanation).md",
                "spaces before the dot      | `COM1 .ini settings`           | COM1 ini settings (oral-explanation).md",
                "superscript digit          | LPT\u00b9.txt                  | LPT\u00b9 txt (oral-explanation).md",
                "a longer word is no device | Console.log in Node            | Console.log in Node (oral-explanation).md",
                "a device without a dot     | CON                            | CON (oral-explanation).md"
            })
    void aNameWindowsTakesForADeviceIsNeverGiven(String name, String text, String expected) {
        assertThat(NoteName.fileName(text, AgentId.ORAL_EXPLANATION)).isEqualTo(expected);
        assertThat(NoteName.notesFolder("prn.old")).isEqualTo("prn old-notes");
    }

    @Test
    void aTagStandsBetweenTheBaseAndTheAgentAndTheWholeStillFits() {
        assertThat(NoteName.fileNameFor("what is X", "~1a2b3c4d", AgentId.MEMORY_ANCHOR))
                .isEqualTo("what is X ~1a2b3c4d (memory-anchor).md");
        assertThat(NoteName.fileNameFor("what is X", "", AgentId.MEMORY_ANCHOR))
                .isEqualTo(NoteName.fileName("what is X", AgentId.MEMORY_ANCHOR));

        String tagged = NoteName.fileNameFor("😀".repeat(60), "~" + "f".repeat(16), AgentId.FOUR_LEVEL_EXPLANATION);
        assertThat(tagged.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(255);
        assertThat(tagged)
                .endsWith(" ~ffffffffffffffff (four-level-explanation).md")
                .startsWith("😀");
    }

    @Test
    void aQuestionBeginningWithALongStackedLetterAfterASpaceStillNamesItsNote() {
        // "  Z̷̢…" as a learner pastes it: a space, then one letter carrying more marks than a name keeps
        String zalgo = " Z" + "\u0337\u0322\u0351".repeat(25) + " what is this?";

        assertThat(NoteName.textNamesTheNote(zalgo))
                .as("the text names the note")
                .isTrue();
        assertThat(NoteName.fileName(zalgo, AgentId.ORAL_EXPLANATION)).startsWith("Z");
    }
}
