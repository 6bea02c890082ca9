package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.stream.Stream;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Nothing outside the vault root is ever read or written, whatever path a caller or a canvas gives. */
class SandboxTest {

    @TempDir
    Path temp;

    Path root;
    Path outside;
    FileVault vault;

    @BeforeEach
    void openVault() throws IOException {
        root = Files.createDirectories(temp.resolve("vault"));
        outside = Files.createDirectories(temp.resolve("elsewhere"));
        Fixtures.copyVaultTo(root);
        Files.writeString(outside.resolve("secret.canvas"), "{\"nodes\": [{\"id\": \"s\", \"type\": \"text\"}]}");
        Files.writeString(outside.resolve("secret.md"), "the neighbour's diary");
        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "../elsewhere/secret.canvas",
                "数学/../../elsewhere/secret.canvas",
                "数学/..",
                "..",
                "/etc/passwd.canvas",
                "C:/Users/x.canvas",
                "c:x.canvas",
                "..\\elsewhere\\secret.canvas",
                "数学\\..\\..\\x.canvas",
                "数学/a\u0000.canvas",
                "",
                "  ",
                "/",
                "./."
            })
    void refusesPathsThatLeaveTheVaultOrAreNoPathAtAll(String path) {
        for (ThrowingCallable use : List.<ThrowingCallable>of(
                () -> vault.readCanvas(path),
                () -> vault.canvasExists(path),
                () -> vault.writeNote(draft(path, "q1")))) {
            assertOutside(use);
        }
        if (!path.isBlank()) { // a file node without a file is NOT_FOUND: "names no file"
            assertOutside(() -> vault.contentOf(Fixtures.MIXED, fileNode(path)));
        }
        assertThat(outside)
                .isDirectoryNotContaining(p -> !List.of("secret.canvas", "secret.md")
                        .contains(p.getFileName().toString()));
    }

    @Test
    void messagesSayWhatIsWrongWithThePath() {
        assertThat(outsideMessage(() -> vault.readCanvas("../x.canvas"))).contains("'../x.canvas'", "'..'");
        assertThat(outsideMessage(() -> vault.readCanvas("/x.canvas"))).contains("absolute");
        assertThat(outsideMessage(() -> vault.readCanvas("a\\x.canvas"))).contains("backslash");
        assertThat(outsideMessage(() -> vault.readCanvas("a\u0000x.canvas"))).contains("NUL");
    }

    @Test
    void aSymlinkedFolderPointingOutsideIsRefusedForReadingAndWriting() throws IOException {
        Files.createSymbolicLink(root.resolve("shortcut"), outside);

        assertThat(outsideMessage(() -> vault.readCanvas("shortcut/secret.canvas")))
                .contains("'shortcut/secret.canvas'", "symbolic link");
        assertOutside(() -> vault.canvasExists("shortcut/secret.canvas"));
        assertOutside(() -> vault.contentOf(Fixtures.MIXED, fileNode("shortcut/secret.md")));
        assertOutside(() -> vault.writeNote(draft("shortcut/secret.canvas", "s")));
        assertOutside(() -> vault.writeNote(draft("shortcut/new/deeper.canvas", "s")));

        vault.close();
        assertThat(filesUnder(outside)).containsExactlyInAnyOrder("secret.canvas", "secret.md");
        assertThat(Files.readString(outside.resolve("secret.md"))).isEqualTo("the neighbour's diary");
    }

    @Test
    void aNotesFolderSymlinkedOutsideIsNotWrittenThrough() throws IOException {
        Files.createSymbolicLink(root.resolve("数学/离散数学-notes"), outside);

        assertOutside(() -> vault.writeNote(draft(Fixtures.DISCRETE_MATH, "01000c386bbc4")));
        assertThat(filesUnder(outside)).containsExactlyInAnyOrder("secret.canvas", "secret.md");
    }

    @Test
    void aSymlinkedFileOrABrokenLinkIsRefused() throws IOException {
        Files.createSymbolicLink(root.resolve("数学/leak.canvas"), outside.resolve("secret.canvas"));
        Files.createSymbolicLink(root.resolve("notes/leak.md"), outside.resolve("secret.md"));
        Files.createSymbolicLink(root.resolve("notes/broken.md"), temp.resolve("nowhere.md"));

        assertOutside(() -> vault.readCanvas("数学/leak.canvas"));
        assertOutside(() -> vault.contentOf(Fixtures.MIXED, fileNode("notes/leak.md")));
        assertThat(outsideMessage(() -> vault.contentOf(Fixtures.MIXED, fileNode("notes/broken.md"))))
                .contains("broken symbolic link");
    }

    /**
     * A hostile tester's reproduction: {@code ln -s selfloop VAULT/selfloop}, then {@code selfloop/x.canvas} asked for.
     * The system answers ELOOP ("Too many levels of symbolic links"), which was taken for a disk that failed: an IO
     * VaultException, so a 503 VaultUnavailableError with a 76-line stack trace for the analyze route and a 502 for a
     * single node's run. The path leads nowhere, as through a broken link: the caller's problem, said in words.
     */
    @Test
    void aPathThroughALoopOfSymbolicLinksLeadsNowhereAndIsRefusedInWords() throws IOException {
        Files.createSymbolicLink(root.resolve("selfloop"), Path.of("selfloop"));
        Files.createSymbolicLink(root.resolve("数学/ping.canvas"), Path.of("pong.canvas"));
        Files.createSymbolicLink(root.resolve("数学/pong.canvas"), Path.of("ping.canvas"));
        Files.createSymbolicLink(root.resolve("deeper"), Path.of("deeper/x"));

        for (ThrowingCallable use : List.<ThrowingCallable>of(
                () -> vault.canvasExists("selfloop/x.canvas"),
                () -> vault.readCanvas("selfloop/x.canvas"),
                () -> vault.writeNote(draft("selfloop/x.canvas", "q1")),
                () -> vault.contentOf(Fixtures.MIXED, fileNode("selfloop/notes.md")))) {
            VaultException refused = catchThrowableOfType(VaultException.class, use);
            assertThat(refused).as("refused").isNotNull();
            assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
            assertThat(refused.getMessage()).contains("loop of symbolic links", "'selfloop'");
            assertThat(refused.getCause())
                    .as("the path's problem, not the disk's")
                    .isNull();
        }
        assertThat(outsideMessage(() -> vault.readCanvas("数学/ping.canvas")))
                .isEqualTo("'数学/ping.canvas' goes through a loop of symbolic links: '数学/ping.canvas' leads back to"
                        + " itself, never to a file or folder.");
        assertThat(outsideMessage(() -> vault.readCanvas("deeper/y.canvas")))
                .contains("loop of symbolic links", "'deeper'");
    }

    @Test
    void aNoteNameTakenByASymlinkIsRefusedAndNotWrittenThrough() throws IOException {
        Path notes = Files.createDirectories(root.resolve("数学/离散数学-notes"));
        Files.createSymbolicLink(notes.resolve("什么是逆否命题 (oral-explanation).md"), outside.resolve("secret.md"));

        assertThat(outsideMessage(() -> vault.writeNote(draft(Fixtures.DISCRETE_MATH, "01000c386bbc4"))))
                .isEqualTo("Cannot write the note '数学/离散数学-notes/什么是逆否命题 (oral-explanation).md': a symbolic"
                        + " link is in its place; notes replace only regular files.");
        assertThat(Files.readString(outside.resolve("secret.md"))).isEqualTo("the neighbour's diary");
        assertThat(Files.isSymbolicLink(notes.resolve("什么是逆否命题 (oral-explanation).md")))
                .isTrue();
    }

    @Test
    void aNotesFolderSymlinkedInsideTheVaultIsNotWrittenThroughEither() throws IOException {
        Path elsewhere = Files.createDirectories(root.resolve("notes/elsewhere"));
        Files.createSymbolicLink(root.resolve("数学/离散数学-notes"), elsewhere);

        assertThat(outsideMessage(() -> vault.writeNote(draft(Fixtures.DISCRETE_MATH, "01000c386bbc4"))))
                .isEqualTo("The notes folder '数学/离散数学-notes' is a symbolic link; notes are never written through"
                        + " one. Replace it with a real folder.");
        assertThat(filesUnder(elsewhere)).isEmpty();
    }

    @Test
    void aCanvasThatIsASymlinkInsideTheVaultIsWrittenThroughNotReplaced() throws IOException {
        Path shortcut = root.resolve("数学/shortcut.canvas");
        Files.createSymbolicLink(shortcut, Path.of("离散数学.canvas"));

        String note =
                vault.writeNote(draft("数学/shortcut.canvas", "01000c386bbc4")).path();
        vault.flush("数学/shortcut.canvas");

        assertThat(Files.isSymbolicLink(shortcut))
                .as("still the learner's link")
                .isTrue();
        assertThat(Files.readSymbolicLink(shortcut)).isEqualTo(Path.of("离散数学.canvas"));
        CanvasOnDisk target = CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH));
        assertThat(target.notesPointingAt(note)).hasSize(1);
        try (Stream<Path> left = Files.list(root.resolve("数学"))) {
            assertThat(left.map(p -> p.getFileName().toString())).noneMatch(name -> name.startsWith(".canvas-batch"));
        }
    }

    @Test
    void aCanvasThatIsASymlinkLeadingOutsideIsNeitherReadNorWritten() throws IOException {
        Files.createSymbolicLink(root.resolve("数学/leak.canvas"), outside.resolve("secret.canvas"));
        String secret = Files.readString(outside.resolve("secret.canvas"));

        assertOutside(() -> vault.readCanvas("数学/leak.canvas"));
        assertOutside(() -> vault.writeNote(draft("数学/leak.canvas", "s")));
        vault.close();

        assertThat(Files.readString(outside.resolve("secret.canvas"))).isEqualTo(secret);
        assertThat(Files.isSymbolicLink(root.resolve("数学/leak.canvas"))).isTrue();
        assertThat(filesUnder(outside)).containsExactlyInAnyOrder("secret.canvas", "secret.md");
    }

    @Test
    void symlinksThatStayInsideTheVaultAreFollowed() throws IOException {
        Files.createSymbolicLink(root.resolve("maths"), root.resolve("数学"));

        assertThat(vault.readCanvas("maths/离散数学.canvas").nodes()).hasSize(26);
        assertThat(vault.contentOf("maths/mixed-node-types.canvas", fileNode("notes/鸽巢原理.md")))
                .contains("鸽巢原理");
    }

    @Test
    void aFolderSymlinkedToObsidiansOwnFolderIsRefusedForCanvasesAndNotes() throws IOException {
        Path obsidian = Files.createDirectories(root.resolve(".obsidian"));
        Files.writeString(
                obsidian.resolve("x.canvas"),
                "{\"nodes\": [{\"id\": \"n1\", \"type\": \"text\", \"text\": \"what is x\", \"x\": 0, \"y\": 0,"
                        + " \"width\": 10, \"height\": 10}]}");
        Files.createSymbolicLink(root.resolve("Inbox2"), Path.of(".obsidian"));

        assertThat(outsideMessage(() -> vault.readCanvas("Inbox2/x.canvas")))
                .isEqualTo("'Inbox2/x.canvas' leads into the hidden folder '.obsidian' through a symbolic link;"
                        + " canvases and notes are never read or written there.");
        assertOutside(() -> vault.writeNote(draft("Inbox2/x.canvas", "n1")));
        vault.close();

        assertThat(filesUnder(obsidian)).containsExactly("x.canvas");
    }

    /**
     * A canvas someone shared holds a red file node pointing at Obsidian's own settings, where plugins keep their API
     * keys: its content would be quoted in the note and sent to the model. Hidden folders are never read, for file
     * nodes as for canvases and notes, also through a link such as {@code Inbox -> .obsidian}.
     */
    @Test
    void aFileNodePointingIntoAHiddenFolderIsNotRead() throws IOException {
        Path plugin = Files.createDirectories(root.resolve(".obsidian/plugins/copilot"));
        Files.writeString(plugin.resolve("data.json"), "{\"openAIApiKey\": \"sk-the-learners-key\"}");
        Files.createDirectories(root.resolve(".trash"));
        Files.writeString(root.resolve(".trash/deleted diary.md"), "what the learner threw away");
        Files.createSymbolicLink(root.resolve("Inbox3"), Path.of(".obsidian"));

        for (String file : List.of(
                ".obsidian/plugins/copilot/data.json", ".trash/deleted diary.md", "Inbox3/plugins/copilot/data.json")) {
            VaultException refused =
                    catchThrowableOfType(VaultException.class, () -> vault.contentOf(Fixtures.MIXED, fileNode(file)));
            assertThat(refused).as("'%s' is refused, not read", file).isNotNull();
            assertThat(refused.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
            assertThat(refused.getMessage()).contains("hidden folder");
        }
    }

    @Test
    void aPlantedLedgerLineNamingACanvasInsideObsidiansFolderIsNeverWritten() throws IOException {
        Path obsidian = Files.createDirectories(root.resolve(".obsidian"));
        String canvas = "{\"nodes\": [{\"id\": \"n1\", \"type\": \"text\", \"text\": \"x\", \"x\": 0, \"y\": 0,"
                + " \"width\": 10, \"height\": 10}]}";
        Files.writeString(obsidian.resolve("y.canvas"), canvas);
        Files.createDirectories(root.resolve("Inbox"));
        Files.writeString(
                root.resolve("Inbox/b.md"),
                "---\nsource_canvas: \".obsidian/y.canvas\"\nsource_node: \"n1\"\nagent: \"oral-explanation\"\n---\nx\n");
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        Files.writeString(
                root.resolve(PendingLinks.FILE),
                "{\"canvas\":\".obsidian/y.canvas\",\"node\":\"n1\",\"agent\":\"oral-explanation\",\"note\":"
                        + "\"Inbox/b.md\"}\n");
        vault.close();

        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
        vault.close();

        assertThat(Files.readString(obsidian.resolve("y.canvas"))).isEqualTo(canvas);
    }

    @Test
    void theRootMustBeAFolder() {
        assertThatThrownBy(() -> new FileVault(temp.resolve("missing"), VaultOptions.defaults(), Clock.systemUTC()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("is not a folder");
    }

    private static NoteDraft draft(String canvasPath, String nodeId) {
        return new NoteDraft(
                canvasPath,
                nodeId,
                "什么是逆否命题",
                AgentId.ORAL_EXPLANATION,
                "# note",
                "offline",
                Instant.parse("2026-11-26T12:00:00Z"));
    }

    private static CanvasNode fileNode(String file) {
        return new CanvasNode("f", "file", null, file, null, null, "1", 0, 0, 400, 300);
    }

    private static void assertOutside(ThrowingCallable use) {
        VaultException error = catchThrowableOfType(VaultException.class, use);
        assertThat(error).as("refused").isNotNull();
        assertThat(error.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
    }

    private static String outsideMessage(ThrowingCallable use) {
        VaultException error = catchThrowableOfType(VaultException.class, use);
        assertThat(error.reason()).isEqualTo(Reason.OUTSIDE_VAULT);
        return error.getMessage();
    }

    private static List<String> filesUnder(Path dir) throws IOException {
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile)
                    .map(p -> dir.relativize(p).toString())
                    .toList();
        }
    }
}
