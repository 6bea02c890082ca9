package org.canvasbatch.application.port.in;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.canvasbatch.application.port.in.InvalidCommandException.FieldError;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The canvas path rules every caller goes through: the HTTP API's three endpoints and {@code canvas-batch run}. */
class CanvasPathsTest {

    private static String problems(String path) {
        List<FieldError> errors = CanvasPaths.problems("canvas_path", path);
        assertThat(errors).allSatisfy(e -> assertThat(e.field()).isEqualTo("canvas_path"));
        return errors.stream().map(FieldError::message).reduce("", (a, b) -> a + b + "; ");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "数学/离散数学.canvas",
                "Exam Prep/review.canvas",
                "a.canvas",
                "notes/v1.2/map.canvas",
                "Biology/Cell Biology.canvas",
                "emoji 🙂/map.canvas",
                "العربية/خريطة.canvas"
            })
    void ordinaryPathsAreFine(String path) {
        assertThat(CanvasPaths.problems("canvas_path", path)).isEmpty();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                ".obsidian/x.canvas",
                ".obsidian/plugins/evil/x.canvas",
                ".OBSIDIAN/x.canvas",
                ".obsidian2/x.canvas",
                "Inbox/.trash/x.canvas",
                ".hidden.canvas",
                "a/./b.canvas",
                "a\\.obsidian\\b.canvas"
            })
    void hiddenFoldersAndFilesAboveAllObsidiansOwnAreRefused(String path) {
        assertThat(problems(path)).contains("hidden folder or file such as .obsidian");
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "Inbox/q\"\nx: y.canvas",
                "Inbox/q\rx.canvas",
                "tab\there.canvas",
                "bell\u0007.canvas",
                "del\u007f.canvas",
                "c1\u0085.canvas",
                "gpj.\u202Eexe.canvas",
                "rtl\u202B.canvas",
                "isolate\u2066x\u2069.canvas",
                "mark\u200F.canvas",
                "alm\u061C.canvas"
            })
    void controlAndTextDirectionCharactersAreRefusedByCodePoint(String path) {
        assertThat(problems(path))
                .contains("must not contain control or text-direction characters")
                .containsPattern("U\\+[0-9A-F]{4} at position \\d+");
    }

    @Test
    void aLoneSurrogateIsRefused() {
        assertThat(problems("bad\uD800name.canvas")).contains("lone surrogate at position 3");
    }

    @Test
    void theEarlierRulesStand() {
        assertThat(problems("../x.canvas")).contains("'..' segment");
        assertThat(problems("/etc/x.canvas"))
                .contains("relative to the vault")
                .as("one reason, the true one: the path has no '//'")
                .doesNotContain("empty segment");
        assertThat(problems("a.md")).contains("must end with .canvas");
        assertThat(problems("a\u0000b.canvas")).contains("NUL");
    }

    @Test
    void anEmptySegmentIsRefused() {
        assertThat(problems("CS//Data Structures.canvas")).contains("empty segment");
        assertThat(problems("CS/Data Structures.canvas")).isEmpty();
    }
}
