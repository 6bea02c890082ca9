package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

/** Every way a canvas can be unreadable gives a message for a person that names the file and the problem. */
class BadCanvasTest {

    private static final String PATH = "课程/坏的.canvas";
    private static final Clock CLOCK = Clock.systemUTC();

    @TempDir
    Path root;

    FileVault vault;

    @BeforeEach
    void openVault() throws IOException {
        Files.createDirectories(root.resolve("课程"));
        vault = new FileVault(root, VaultOptions.defaults().withMaxCanvasBytes(1024), Clock.systemUTC());
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void missingFileIsNotFound() {
        VaultException error = readFails();

        assertThat(error.reason()).isEqualTo(Reason.NOT_FOUND);
        assertThat(error.getMessage()).isEqualTo("The canvas '课程/坏的.canvas' does not exist in the vault.");
        assertThat(error.path()).isEqualTo(PATH);
    }

    @Test
    void aFolderIsNotACanvas() throws IOException {
        Files.createDirectories(root.resolve(PATH));

        VaultException error = readFails();

        assertThat(error.reason())
                .as("something is there: not the answer for a path that leads nowhere")
                .isEqualTo(Reason.NOT_A_FILE);
        assertThat(error.getMessage()).contains(PATH, "is a folder, not a canvas file");
    }

    @Test
    void aNodeIdLongerThanTheLimitMakesTheCanvasInvalidRatherThanBeingUsed() throws IOException {
        Files.writeString(
                root.resolve(PATH),
                "{\"nodes\": [{\"id\": \"" + "n".repeat(201) + "\", \"type\": \"text\", \"text\": \"什么是命题\"}]}");

        VaultException error = readFails();

        assertThat(error.reason()).isEqualTo(Reason.INVALID_CANVAS);
        assertThat(error.getMessage()).contains("a node id 201 characters long", "at most 200");
    }

    @Test
    void aFileThatIsNotACanvasIsRefused() throws IOException {
        Files.writeString(root.resolve("课程/笔记.md"), "{}");

        VaultException error = catchThrowableOfType(VaultException.class, () -> vault.readCanvas("课程/笔记.md"));

        assertThat(error.reason()).isEqualTo(Reason.INVALID_CANVAS);
        assertThat(error.getMessage()).contains("课程/笔记.md", "does not end in .canvas");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "empty file           | ``                                   | is empty",
                "blank file           | `  \n\t `                            | is empty",
                "invalid JSON         | `{\"nodes\": [\n  {\"id\": \"a\",,}]}` | is not valid JSON near line 2",
                "cut-off JSON         | `{\"nodes\": [`                       | is not valid JSON",
                "trailing garbage     | `{\"nodes\": []} x`                   | is not valid JSON",
                "array root           | `[1, 2]`                             | its top level is a list, not an object",
                "string root          | `\"canvas\"`                         | its top level is a string, not an object",
                "nodes not a list     | `{\"nodes\": {\"a\": 1}}`             | \"nodes\" is an object, not a list",
                "edges not a list     | `{\"nodes\": [], \"edges\": 3}`        | \"edges\" is a number, not a list",
                "node not an object   | `{\"nodes\": [\"a\"]}`                | has a node that is a string instead of an object (node #1)",
                "node without id      | `{\"nodes\": [{\"id\": \"a\"}, {\"type\": \"text\"}]}` | has a node without an id (node #2)",
                "node with blank id   | `{\"nodes\": [{\"id\": \" \"}]}`      | has a node without an id (node #1)",
                "duplicate node ids   | `{\"nodes\": [{\"id\": \"q1\"}, {\"id\": \"q1\"}]}` | has more than one node with the id 'q1'",
                "edge to missing node | `{\"nodes\": [{\"id\": \"a\"}], \"edges\": [{\"id\": \"e9\", \"fromNode\": \"a\", \"toNode\": \"gone\"}]}` | has an edge 'e9' to the node 'gone', which is not in the canvas",
                "edge without ends    | `{\"nodes\": [{\"id\": \"a\"}], \"edges\": [{\"id\": \"e9\", \"fromNode\": \"a\"}]}` | edge 'e9' that does not say which nodes it joins",
                "edge without id      | `{\"nodes\": [{\"id\": \"a\"}], \"edges\": [{\"fromNode\": \"a\", \"toNode\": \"a\"}]}` | has an edge without an id (edge #1)"
            })
    void invalidCanvasesAreRefusedWithAMessageNamingFileAndProblem(String name, String content, String problem)
            throws IOException {
        Files.writeString(root.resolve(PATH), content);

        VaultException error = readFails();

        assertThat(error.reason()).isEqualTo(Reason.INVALID_CANVAS);
        assertThat(error.getMessage()).contains("'" + PATH + "'", problem);
        assertThat(error.getMessage()).doesNotContain("Exception", "jakarta", "parsson", "token");
        assertThat(error.path()).isEqualTo(PATH);
    }

    @Test
    void aCanvasAboveTheSizeLimitIsTooLarge() throws IOException {
        Files.writeString(root.resolve(PATH), "{\"nodes\": [], \"pad\": \"" + "x".repeat(2000) + "\"}");

        VaultException error = readFails();

        assertThat(error.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(error.getMessage())
                .isEqualTo("The canvas '课程/坏的.canvas' is 2024 bytes, more than the limit of 1024 bytes.");
    }

    @Test
    void theDefaultLimitIsTwentyMebibytesAndSaysSo() throws IOException {
        vault.close();
        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
        byte[] big = new byte[21 * 1024 * 1024];
        java.util.Arrays.fill(big, (byte) ' ');
        big[0] = '{';
        big[big.length - 1] = '}';
        Files.write(root.resolve(PATH), big);

        VaultException error = readFails();

        assertThat(error.reason()).isEqualTo(Reason.TOO_LARGE);
        assertThat(error.getMessage()).contains("is 21.0 MiB, more than the limit of 20.0 MiB");
    }

    @Test
    void aCanvasThatIsNotUtf8IsRefusedAtItsFirstBadByteAndNeverRewritten() throws IOException {
        vault.close();
        vault = new FileVault(root, VaultOptions.defaults().withCoalesceInterval(java.time.Duration.ZERO), CLOCK);
        String valid = "{\"nodes\": [\n\t{\"id\": \"q\", \"type\": \"text\", \"text\": \"caf";
        byte[] head = valid.getBytes(StandardCharsets.UTF_8);
        byte[] tail = "\", \"x\": 0, \"y\": 0, \"width\": 400, \"height\": 100}\n]}\n".getBytes(StandardCharsets.UTF_8);
        byte[] bytes = new byte[head.length + 2 + tail.length];
        System.arraycopy(head, 0, bytes, 0, head.length);
        bytes[head.length] = (byte) 0xC3; // the start of a two-byte character ...
        bytes[head.length + 1] = (byte) 0x28; // ... followed by '(' instead of its second byte
        System.arraycopy(tail, 0, bytes, head.length + 2, tail.length);
        Files.write(root.resolve(PATH), bytes);

        VaultException error = readFails();

        assertThat(error.reason()).isEqualTo(Reason.INVALID_CANVAS);
        assertThat(error.getMessage())
                .isEqualTo("The canvas '课程/坏的.canvas' is not UTF-8 text: the byte at offset " + head.length
                        + " (line 2) does not start a valid character. It was left as it is.");

        vault.writeNote(
                new NoteDraft(PATH, "q", "café", AgentId.ORAL_EXPLANATION, "# note", "offline", CLOCK.instant()));
        vault.close();
        assertThat(Files.readAllBytes(root.resolve(PATH)))
                .as("the learner's bytes")
                .isEqualTo(bytes);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileJson")
    void hostileJsonIsRefusedWithAClearMessageNeverAnUnexpectedException(String name, String content, String problem)
            throws IOException {
        vault.close();
        vault = new FileVault(root, VaultOptions.defaults(), CLOCK);
        Files.writeString(root.resolve(PATH), content);

        Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> vault.readCanvas(PATH));

        assertThat(thrown).isInstanceOf(VaultException.class);
        VaultException error = (VaultException) thrown;
        assertThat(error.reason()).isIn(Reason.INVALID_CANVAS, Reason.TOO_LARGE);
        assertThat(error.getMessage()).startsWith("The canvas '" + PATH + "' ").contains(problem);
        assertThat(error.getMessage()).doesNotContain("Exception", "jakarta", "parsson");
        assertThat(error.getMessage().length())
                .as("a message, not an echo of the file")
                .isLessThan(300);
    }

    static Stream<Arguments> hostileJson() {
        String deep = "{\"nodes\": [], \"x\": " + "[".repeat(2000) + "]".repeat(2000) + "}";
        String justTooDeep = "{\"x\": " + "[".repeat(64) + "]".repeat(64) + "}";
        String longNumber = "{\"nodes\": [{\"id\": \"a\", \"x\": 1" + "0".repeat(1200) + "}]}";
        String longDecimal = "{\"nodes\": [{\"id\": \"a\", \"x\": 0." + "5".repeat(150) + "}]}";
        String giantString = "{\"nodes\": [{\"id\": \"a\", \"text\": \"" + "长".repeat(300_000) + "\"}]}";
        String giantKey = "{\"" + "k".repeat(300_000) + "\": 1}";
        return Stream.of(
                Arguments.of("2000 levels deep", deep, "nested more than 64 levels deep"),
                Arguments.of("65 levels deep", justTooDeep, "nested more than 64 levels deep"),
                Arguments.of("a number of 1201 digits", longNumber, "a number 1201 characters long"),
                Arguments.of("a decimal of 152 characters", longDecimal, "a number 152 characters long"),
                Arguments.of(
                        "an exponent of a hundred million",
                        "{\"nodes\": [{\"id\": \"a\", \"x\": 1e99999999}]}",
                        "a number out of range (its exponent is beyond ±1000)"),
                Arguments.of("a text of 300 000 characters", giantString, "a text 300000 characters long"),
                Arguments.of("a key of 300 000 characters", giantKey, "a text 300000 characters long"),
                Arguments.of("more than 10 000 nodes", nodes(10_001), "10001 nodes, more than the limit of 10000"));
    }

    @Test
    void tenThousandNodesAreStillACanvas() throws IOException {
        vault.close();
        vault = new FileVault(root, VaultOptions.defaults(), CLOCK);
        Files.writeString(root.resolve(PATH), nodes(10_000));

        assertThat(vault.readCanvas(PATH).nodes()).hasSize(10_000);
    }

    @Test
    void sixtyFourLevelsAreStillACanvas() throws IOException {
        Files.writeString(root.resolve(PATH), "{\"nodes\": [], \"x\": " + "[".repeat(63) + "]".repeat(63) + "}");

        assertThat(vault.readCanvas(PATH).nodes()).isEmpty();
    }

    private static String nodes(int count) {
        StringBuilder json = new StringBuilder("{\"nodes\": [");
        for (int i = 0; i < count; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\": \"n").append(i).append("\", \"type\": \"text\"}");
        }
        return json.append("]}").toString();
    }

    private VaultException readFails() {
        return catchThrowableOfType(VaultException.class, () -> vault.readCanvas(PATH));
    }
}
