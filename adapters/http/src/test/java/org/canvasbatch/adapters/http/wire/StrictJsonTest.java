package org.canvasbatch.adapters.http.wire;

import static org.assertj.core.api.Assertions.assertThat;
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
}
