package org.canvasbatch.adapters.http.wire;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import org.junit.jupiter.api.Test;

/** What a caller reads when its body is not JSON: the place in words a person uses, not the parser's internals. */
class StrictJsonTest {

    private static String refusal(String body) {
        return catchThrowableOfType(StrictJson.Refused.class, () -> StrictJson.parse(body))
                .reason();
    }

    @Test
    void anUnexpectedCharacterIsQuotedWithItsLineAndColumn() {
        assertThat(refusal("{\"canvas_path\": c}"))
                .isEqualTo("is not valid JSON: unexpected character 'c' at line 1, column 17")
                .doesNotContain("char 99", "offset", "line no");
        assertThat(refusal("{\n  \"a\": 1,\n  \u0001}"))
                .startsWith("is not valid JSON: unexpected character U+0001 at line 3, column ");
    }

    @Test
    void aDocumentCutShortOrWithTheWrongTokenSaysWhereInTheSameWords() {
        assertThat(refusal("{\"canvas_path\": "))
                .startsWith("is not valid JSON")
                .doesNotContain("line no");
        assertThat(refusal("{\"a\": 1 \"b\": 2}"))
                .startsWith("is not valid JSON")
                .doesNotContain("line no", "offset");
    }

    /**
     * A hostile tester's case (found in the canvas reader, the same parser here): at the end of the text the parser's
     * column is a running count past it, "line 3, column 39" for a line of 3 characters. A body cut short names where
     * it stops.
     */
    @Test
    void aDocumentCutShortNamesItsLastCharacter() {
        assertThat(refusal("{\"canvas_path\": "))
                .isEqualTo("is not valid JSON: it ends too early, after line 1, column 15");
        assertThat(refusal("{\n  \"nodes\": [\n   "))
                .isEqualTo("is not valid JSON: it ends too early, after line 2, column 12");
        byte[] cutInsideACharacter =
                java.util.Arrays.copyOf("{\"a\": \"什么\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8), 9);
        assertThatThrownBy(() -> StrictJson.parse(cutInsideACharacter))
                .as("a tester's body cut inside a Chinese character read \"not valid UTF-8\"")
                .isInstanceOfSatisfying(
                        StrictJson.Refused.class,
                        refused -> assertThat(refused.reason())
                                .isEqualTo(
                                        "is not valid JSON: it ends too early, in the middle of a character (byte 7)"));
        assertThat(refusal("{\r\n  \"a\": \"什么是"))
                .isEqualTo("is not valid JSON: it ends too early, after line 2, column 11");
    }

    @Test
    void aNameGivenTwiceInOneObjectIsRefusedWhereItIsNotSilentlyTheLastOne() {
        assertThatThrownBy(() -> StrictJson.parse("{\"nodes\": [{\"id\": \"a\", \"text\": \"x\", \"id\": \"b\"}]}"))
                .isInstanceOfSatisfying(StrictJson.Refused.class, refused -> {
                    assertThat(refused.place()).isEqualTo("nodes[0].id");
                    assertThat(refused.reason()).isEqualTo("is given twice in one object; give each name once");
                });
        assertThat(StrictJson.parse("{\"a\": {\"id\": 1}, \"b\": {\"id\": 2}}").asJsonObject())
                .as("the same name in two objects is no repeat")
                .containsKeys("a", "b");
    }

    /**
     * The parser writes a character's code as a number of this machine's locale ("20,013"): it is read whole. Before,
     * '中' was told as "unexpected character U+0014,013" and '‮' as "U+0008,238".
     */
    @Test
    void aCharacterWithALargeCodeIsQuotedItself() {
        assertThat(refusal("{\"a\": 中}")).isEqualTo("is not valid JSON: unexpected character '中' at line 1, column 7");
    }

    /**
     * A character one cannot see, or half of one, is named by its code: a right-to-left override quoted raw turns the
     * rest of the message around where the learner reads it, and half an emoji is no text at all (it goes out as '?').
     */
    @Test
    void anInvisibleOrHalfCharacterIsNamedByItsCode() {
        assertThat(refusal("{\"a\": \u202E1}"))
                .startsWith("is not valid JSON: unexpected character U+202E at line 1, column ")
                .doesNotContain("\u202E");
        assertThat(refusal("{\"a\": \u200B1}")).contains("U+200B").doesNotContain("\u200B");
        String emoji = refusal("{\"a\": \uD83D\uDE00}");
        assertThat(emoji.chars().noneMatch(c -> Character.isSurrogate((char) c)))
                .as("no half character in " + emoji)
                .isTrue();
    }
}
