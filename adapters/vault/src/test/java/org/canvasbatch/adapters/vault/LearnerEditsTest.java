package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.domain.agent.AgentId;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Learners fill in the notes canvas-batch writes: a re-run or a retry of a node never overwrites a note the learner
 * changed. Every run here is a vault of its own, opened, written and closed, as a new run of the server would be.
 */
class LearnerEditsTest {

    private static final String Q1 = "01000c386bbc4";
    private static final String Q1_TEXT = "什么是逆否命题";
    private static final String NOTES = "数学/离散数学-notes/";
    private static final String OWN = NOTES + "什么是逆否命题 (oral-explanation).md";
    private static final String COPY = NOTES + "什么是逆否命题 (oral-explanation) (regenerated).md";
    private static final String SECOND_COPY = NOTES + "什么是逆否命题 (oral-explanation) (regenerated 2).md";
    private static final Instant FIRST_RUN = Instant.parse("2026-11-26T12:00:00Z");

    @TempDir
    Path root;

    private FileVault vault;
    private int runs;

    @BeforeEach
    void copyVault() {
        Fixtures.copyVaultTo(root);
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
    }

    @Test
    void anEditedNoteSurvivesAReRunByteForByteAndTheNewNoteIsWrittenBesideItAndLinked() throws IOException {
        assertThat(run("first answer")).isEqualTo(OWN);
        byte[] edited = learnerAppends(OWN, "\n我的答案：原命题为真时，逆否命题也为真。\n");

        String written = run("second answer");

        assertThat(written).isEqualTo(COPY);
        assertThat(Files.readAllBytes(root.resolve(OWN))).isEqualTo(edited);
        assertThat(Files.readString(root.resolve(COPY))).endsWith("second answer\n");
        CanvasOnDisk canvas = CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH));
        assertThat(canvas.notesPointingAt(OWN))
                .as("the learner's note stays linked")
                .hasSize(1);
        assertThat(canvas.notesPointingAt(COPY))
                .singleElement()
                .satisfies(node -> assertThat(canvas.edgesBetween(Q1, node.getString("id")))
                        .singleElement()
                        .satisfies(edge -> assertThat(edge.getString("label")).isEqualTo("oral-explanation")));
    }

    /**
     * A hostile tester deleted the note they had edited, and the reruns wrote its name again: the unedited copy beside
     * it stayed, stale, with its own card, for ever — two unedited notes of one node and agent. The copy takes the
     * new note; the free name stays free.
     */
    @Test
    void afterTheLearnerDeletesTheirEditedNoteTheUneditedCopyTakesTheNewNote() throws IOException {
        run("first answer");
        learnerAppends(OWN, "\n我的答案。\n");
        assertThat(run("second answer")).isEqualTo(COPY);
        Files.delete(root.resolve(OWN));

        String written;
        try (org.canvasbatch.testsupport.CapturedLogs logs =
                org.canvasbatch.testsupport.CapturedLogs.of(NoteWriter.class.getName())) {
            written = run("third answer");

            assertThat(logs.visibleRecordsContaining("Kept the learner"))
                    .as("the note the copy stood beside is gone, not kept")
                    .isEmpty();
            assertThat(logs.visibleRecordsContaining("was deleted; the new note"))
                    .hasSize(1);
        }

        assertThat(written).isEqualTo(COPY);
        assertThat(root.resolve(OWN)).doesNotExist();
        assertThat(Files.readString(root.resolve(COPY))).endsWith("third answer\n");

        learnerAppends(COPY, "\n也是我的。\n");
        assertThat(run("fourth answer"))
                .as("the copy is the learner's now: no unedited note stands, and the free name takes it")
                .isEqualTo(OWN);
        learnerAppends(OWN, "\n又是我的。\n");
        assertThat(run("fifth answer")).isEqualTo(SECOND_COPY);
        Files.delete(root.resolve(COPY));

        assertThat(run("sixth answer"))
                .as("an edited copy deleted while a later, unedited one stands")
                .isEqualTo(SECOND_COPY);
        assertThat(root.resolve(COPY)).doesNotExist();
        assertThat(Files.readString(root.resolve(SECOND_COPY))).endsWith("sixth answer\n");
    }

    @Test
    void anUneditedNoteIsOverwrittenInPlaceOnEveryReRun() throws IOException {
        for (int i = 1; i <= 3; i++) {
            assertThat(run("answer " + i)).isEqualTo(OWN);
        }

        assertThat(notesFolder()).containsExactly("什么是逆否命题 (oral-explanation).md");
        assertThat(Files.readString(root.resolve(OWN))).endsWith("answer 3\n");
        assertThat(CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH)).noteNodes())
                .hasSize(1);
    }

    /**
     * Every note the learner edited is kept, and there is at most one note beside them that nobody edited: re-runs
     * overwrite that one; a new copy appears only once the learner edited every earlier one.
     */
    @Test
    void reRunsAfterAnEditKeepOneUneditedCopyBesideTheLearnersNotes() throws IOException {
        run("first answer");
        byte[] editedOwn = learnerAppends(OWN, "\nmy answer\n");

        for (int i = 2; i <= 4; i++) {
            assertThat(run("answer " + i)).isEqualTo(COPY);
        }
        assertThat(notesFolder())
                .containsExactlyInAnyOrder(
                        "什么是逆否命题 (oral-explanation).md", "什么是逆否命题 (oral-explanation) (regenerated).md");
        assertThat(Files.readString(root.resolve(COPY))).endsWith("answer 4\n");

        byte[] editedCopy = learnerAppends(COPY, "\nmy answer to the new note too\n");
        assertThat(run("answer 5")).isEqualTo(SECOND_COPY);
        assertThat(run("answer 6")).isEqualTo(SECOND_COPY);

        assertThat(notesFolder()).hasSize(3);
        assertThat(Files.readAllBytes(root.resolve(OWN))).isEqualTo(editedOwn);
        assertThat(Files.readAllBytes(root.resolve(COPY))).isEqualTo(editedCopy);
        assertThat(Files.readString(root.resolve(SECOND_COPY))).endsWith("answer 6\n");
        CanvasOnDisk canvas = CanvasOnDisk.read(root.resolve(Fixtures.DISCRETE_MATH));
        assertThat(canvas.noteNodes())
                .extracting(node -> node.getString("file"))
                .containsExactlyInAnyOrder(OWN, COPY, SECOND_COPY);
    }

    @Test
    void aChangedPropertyIsALearnersEditToo() throws IOException {
        run("first answer");
        String withTag = Files.readString(root.resolve(OWN)).replaceFirst("\n---\n", "\ntags: \"review\"\n---\n");
        Files.writeString(root.resolve(OWN), withTag);

        assertThat(run("second answer")).isEqualTo(COPY);
        assertThat(Files.readString(root.resolve(OWN))).isEqualTo(withTag);
    }

    @Test
    void aNoteWrittenBeforeDigestsIsKeptUnlessItIsWhatWouldBeWrittenNow() throws IOException {
        Path own = Files.createDirectories(root.resolve(NOTES)).resolve("什么是逆否命题 (oral-explanation).md");
        String asTheOldVersionWroteIt = """
                ---
                source_canvas: "数学/离散数学.canvas"
                source_node: "01000c386bbc4"
                agent: "oral-explanation"
                generated_at: "2026-11-26T12:00:00Z"
                model: "offline"
                ---

                answer
                """;
        Files.writeString(own, asTheOldVersionWroteIt);

        assertThat(runAt(FIRST_RUN, "answer"))
                .as("a retry of the very note it holds")
                .isEqualTo(OWN);
        assertThat(notesFolder()).hasSize(1);
        assertThat(Files.readString(own)).contains("\ncontent_sha256: \"").endsWith("\nanswer\n");

        String filledIn = asTheOldVersionWroteIt + "my answer\n";
        Files.writeString(own, filledIn);
        assertThat(run("a new answer")).isEqualTo(COPY);
        assertThat(Files.readString(own)).isEqualTo(filledIn);
    }

    @Test
    void theDigestIsTheSha256OfTheFileWithoutItsOwnLine() throws Exception {
        run("an answer");
        String text = Files.readString(root.resolve(OWN));
        String line = text.lines()
                .filter(l -> l.startsWith("content_sha256: "))
                .findFirst()
                .orElseThrow();
        String withoutIt = text.replace(line + "\n", "");

        byte[] sha = MessageDigest.getInstance("SHA-256").digest(withoutIt.getBytes(StandardCharsets.UTF_8));
        assertThat(line).isEqualTo("content_sha256: \"" + HexFormat.of().formatHex(sha) + "\"");
        assertThat(FrontMatter.fieldsOf(text))
                .containsEntry(FrontMatter.SOURCE_NODE, Q1)
                .containsEntry(FrontMatter.AGENT, "oral-explanation")
                .containsEntry(FrontMatter.CONTENT_SHA256, HexFormat.of().formatHex(sha));
    }

    @Test
    void thePassageIndexTakesTheKeptNoteAndTheCopyForGeneratedNotes() throws IOException {
        int before = passageIndex().update().generatedNotes();
        run("first answer");
        learnerAppends(OWN, "\nmy answer\n");
        run("second answer");

        assertThat(passageIndex().update().generatedNotes()).isEqualTo(before + 2);
    }

    /** One run of the server that writes the note of Q1: a vault of its own, closed after the note (links written). */
    @Test
    void aLearnersSaveBetweenTheLookAndTheRenameIsNotOverwritten() throws IOException {
        // a hostile tester: the note was judged unedited, then written to a temporary file (forced to the disk, which
        // takes milliseconds) and renamed over its name; a save the learner made in Obsidian meanwhile was replaced,
        // with no copy anywhere, though a note the learner edited is never to be overwritten
        assertThat(run("first answer")).isEqualTo(OWN);
        Path own = root.resolve(OWN);
        java.util.concurrent.atomic.AtomicReference<byte[]> saved = new java.util.concurrent.atomic.AtomicReference<>();
        vault = new FileVault(
                root,
                VaultOptions.defaults(),
                Clock.systemUTC(),
                canvas -> {},
                FileOpener.DEFAULT,
                CanvasWriteBack.RetryDelays.DEFAULT,
                nanos -> {},
                null,
                path -> {
                    if (path.equals(own) && saved.get() == null) {
                        try {
                            saved.set(learnerAppends(OWN, "\n我的答案：写在重新生成的同时。\n"));
                        } catch (IOException e) {
                            throw new UncheckedIOException(e);
                        }
                    }
                });
        String written;
        try {
            written = vault.writeNote(new NoteDraft(
                            Fixtures.DISCRETE_MATH,
                            Q1,
                            Q1_TEXT,
                            AgentId.ORAL_EXPLANATION,
                            "second answer",
                            "offline",
                            FIRST_RUN.plus(Duration.ofMinutes(5))))
                    .path();
        } finally {
            vault.close();
            vault = null;
        }

        assertThat(saved.get())
                .as("the learner saved while the note was being written")
                .isNotNull();
        assertThat(Files.readAllBytes(own)).as("the learner's save is kept").isEqualTo(saved.get());
        assertThat(written)
                .as("the new note goes beside it, as for an edit made before")
                .isEqualTo(COPY);
        assertThat(Files.readString(root.resolve(COPY))).endsWith("second answer\n");
    }

    private String run(String markdown) {
        return runAt(FIRST_RUN.plus(Duration.ofMinutes(runs)), markdown);
    }

    private String runAt(Instant at, String markdown) {
        runs++;
        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
        try {
            return vault.writeNote(new NoteDraft(
                            Fixtures.DISCRETE_MATH, Q1, Q1_TEXT, AgentId.ORAL_EXPLANATION, markdown, "offline", at))
                    .path();
        } finally {
            vault.close();
            vault = null;
        }
    }

    private byte[] learnerAppends(String note, String text) throws IOException {
        Files.writeString(root.resolve(note), Files.readString(root.resolve(note)) + text);
        return Files.readAllBytes(root.resolve(note));
    }

    private VaultPassageIndex passageIndex() {
        return new VaultPassageIndex(root, VaultOptions.DEFAULT_MAX_CANVAS_BYTES, Duration.ZERO, System::nanoTime);
    }

    private List<String> notesFolder() {
        try (Stream<Path> files = Files.list(root.resolve(NOTES))) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
