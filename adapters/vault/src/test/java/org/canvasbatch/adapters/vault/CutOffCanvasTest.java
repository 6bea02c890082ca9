package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A canvas cut off while it was being saved is refused with a place the learner can find: a line the file has and a
 * column within that line — not the parser's running count past the end ("line 3, column 39" for a line of 3
 * characters) — and the words that say the file ends too early. A mistake inside the file is still located as before.
 */
class CutOffCanvasTest {

    private static final String PATH = "课程/半存.canvas";
    private static final Pattern PLACE = Pattern.compile("line (\\d+), column (\\d+)");

    @TempDir
    Path root;

    FileVault vault;

    @BeforeEach
    void openVault() throws IOException {
        Files.createDirectories(root.resolve("课程"));
        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cutOff")
    void aCanvasCutOffNamesALineItHasAndAColumnWithinIt(String name, String content, int line, int column)
            throws IOException {
        Files.writeString(root.resolve(PATH), content);

        VaultException error = readFails();

        assertThat(error.reason()).isEqualTo(Reason.INVALID_CANVAS);
        String message = error.getMessage();
        assertThat(message).startsWith("The canvas '" + PATH + "' is not valid JSON: the file ends too early");
        Matcher place = PLACE.matcher(message);
        assertThat(place.find()).as(message).isTrue();
        int saidLine = Integer.parseInt(place.group(1));
        int saidColumn = Integer.parseInt(place.group(2));
        String[] lines = content.split("\n", -1);
        assertThat(saidLine).as("a line the file has: %s", message).isBetween(1, lines.length);
        String text = lines[saidLine - 1].replace("\r", "");
        assertThat(saidColumn)
                .as("a column within line %d (%d characters): %s", saidLine, text.length(), message)
                .isBetween(1, text.length());
        assertThat(new int[] {saidLine, saidColumn})
                .as("the file's last character that is not blank: %s", message)
                .containsExactly(line, column);
    }

    static Stream<Arguments> cutOff() {
        StringBuilder big = new StringBuilder("{\n\t\"nodes\":[\n");
        for (int i = 0; i < 158; i++) {
            big.append("\t\t{\"id\":\"n")
                    .append(i)
                    .append("\",\"type\":\"text\",\"text\":\"")
                    .append("长".repeat(3000))
                    .append("\",\"x\":0,\"y\":0,\"width\":400,\"height\":100},\n");
        }
        String halfSaved = big.append("\t\t{\"id\"").toString();
        return Stream.of(
                Arguments.of("after '['", "{\n  \"nodes\": [\n   ", 2, 12),
                Arguments.of("after '[' on one line", "{\"nodes\": [", 1, 11),
                Arguments.of("after a key", "{\n  \"nodes\"", 2, 9),
                Arguments.of("after a key and its colon", "{\n  \"nodes\":\n", 2, 10),
                Arguments.of("inside a string", "{\n  \"nodes\": [{\"text\": \"abc", 2, 25),
                Arguments.of("inside an escape", "{\n\"a\": \"\\u12", 2, 10),
                Arguments.of("inside a literal", "{\n\"a\": tru", 2, 8),
                Arguments.of("after a number", "{\n\"a\": 12", 2, 7),
                Arguments.of("with CRLF line ends", "{\r\n  \"nodes\": [\r\n   ", 2, 12),
                Arguments.of("after CRLF line ends inside a string", "{\r\n  \"nodes\": [\r\n {\"text\": \"ab", 3, 13),
                Arguments.of("inside Chinese text", "{\n \"nodes\": [{\"text\": \"什么是命题", 2, 26),
                Arguments.of("a half-saved canvas beyond the parser's buffer", halfSaved, 161, 7));
    }

    @Test
    void aMistakeInsideTheFileIsLocatedAsBefore() throws IOException {
        Files.writeString(root.resolve(PATH), "{\"nodes\": [\n  {\"id\": \"a\",,}]}");

        assertThat(readFails().getMessage())
                .isEqualTo("The canvas '" + PATH + "' is not valid JSON near line 2, column 14.");
    }

    @Test
    void somethingAfterTheCanvasIsLocatedAsBefore() throws IOException {
        Files.writeString(root.resolve(PATH), "{\"nodes\": [\n]} \n x");

        assertThat(readFails().getMessage())
                .isEqualTo("The canvas '" + PATH + "' is not valid JSON near line 3, column 2.");
    }

    @Test
    void aTooLongTextAtTheEndOfTheFileIsLocatedWithinTheFile() throws IOException {
        String content = "{\n\"nodes\": [],\n\"x\": \"" + "长".repeat(CanvasJson.MAX_STRING_CHARS + 1) + "\"";
        Files.writeString(root.resolve(PATH), content);

        String message = readFails().getMessage();

        assertThat(message)
                .contains("a text " + (CanvasJson.MAX_STRING_CHARS + 1) + " characters long near line 3, column ");
        Matcher place = PLACE.matcher(message);
        assertThat(place.find()).isTrue();
        assertThat(Integer.parseInt(place.group(2))).isBetween(1, content.split("\n")[2].length());
    }

    /** A tester's case: two of every three cuts inside Chinese text fall inside a character, read as "not UTF-8". */
    @Test
    void aCanvasCutOffInsideACharacterIsCutOffNotBadText() throws IOException {
        byte[] whole =
                "{\"nodes\": [\n  {\"id\": \"a\", \"text\": \"矩阵的秩\"".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        Files.write(root.resolve(PATH), java.util.Arrays.copyOf(whole, whole.length - 2));

        assertThat(readFails().getMessage())
                .isEqualTo("The canvas '" + PATH + "' is not valid JSON: the file ends too early, in the middle of a"
                        + " character on line 2 (was it cut off while being saved?).");
    }

    private VaultException readFails() {
        return catchThrowableOfType(VaultException.class, () -> vault.readCanvas(PATH));
    }
}
