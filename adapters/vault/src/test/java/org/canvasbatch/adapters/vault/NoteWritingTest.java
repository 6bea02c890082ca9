package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.Stream;
import org.canvasbatch.application.port.out.Vault;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.application.port.out.VaultException;
import org.canvasbatch.application.port.out.VaultException.Reason;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.domain.note.NoteName;
import org.canvasbatch.domain.note.QuestionDigest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class NoteWritingTest {

    private static final Instant AT = Instant.parse("2026-11-26T12:00:00.123456Z");
    private static final String NOTES = "数学/离散数学-notes";

    @TempDir
    Path root;

    /** A folder outside the vault. */
    @TempDir
    Path elsewhere;

    FileVault vault;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
        vault = open();
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    /**
     * A learner who made a note readable by them alone keeps it so when a re-run writes the note again. (Bits the umask
     * takes from a new file, a group's write say, are not given back: docs/architecture.md says why.)
     */
    @ParameterizedTest
    @ValueSource(strings = {"rw-------", "rw-r-----"})
    void aNoteWrittenAgainKeepsThePermissionsItHad(String permissions) throws IOException {
        WrittenNote first = vault.writeNote(draft("01000c386bbc4", "什么是逆否命题", AgentId.ORAL_EXPLANATION, "# one"));
        Path file = root.resolve(first.path());
        var given = java.nio.file.attribute.PosixFilePermissions.fromString(permissions);
        Files.setPosixFilePermissions(file, given);

        WrittenNote again = vault.writeNote(draft("01000c386bbc4", "什么是逆否命题", AgentId.ORAL_EXPLANATION, "# two"));

        assertThat(again.path()).isEqualTo(first.path());
        assertThat(Files.readString(file)).contains("# two");
        assertThat(Files.getPosixFilePermissions(file)).isEqualTo(given);
    }

    @Test
    void writesTheNoteBesideTheCanvasWithFrontMatter() throws IOException {
        WrittenNote note = vault.writeNote(
                draft("01000c386bbc4", "什么是逆否命题", AgentId.ORAL_EXPLANATION, "## 逆否命题\n\n原命题与逆否命题同真同假。"));

        assertThat(note.path()).isEqualTo(NOTES + "/什么是逆否命题 (oral-explanation).md");
        Path file = root.resolve(note.path());
        assertThat(note.sizeBytes()).isEqualTo(Files.size(file));
        assertThat(Files.readString(file)).isEqualTo("""
                ---
                source_canvas: "数学/离散数学.canvas"
                source_node: "01000c386bbc4"
                agent: "oral-explanation"
                generated_at: "2026-11-26T12:00:00.123Z"
                model: "offline"
                question_sha256: "60e5412560f8a9af950647e63eb9db9cc3fabc30baf6d69223a26dbdb351ef04"
                content_sha256: "8d0dfb1c08e13652b60810c18e122f023e3a71d8e8ceb77e734e6b85b9da5ba5"
                ---

                ## 逆否命题

                原命题与逆否命题同真同假。
                """);
    }

    @Test
    void frontMatterValuesAreQuotedSafelyForYaml() throws IOException {
        NoteDraft tricky = new NoteDraft(
                "数学/离散数学.canvas",
                "id: \"x\"\\y",
                "what is x",
                AgentId.MEMORY_ANCHOR,
                "body",
                "openai: \"gpt-4o\"\n- mini # not a comment",
                AT);

        String text = Files.readString(root.resolve(vault.writeNote(tricky).path()));

        assertThat(text)
                .contains(
                        "\nsource_node: \"id: \\\"x\\\"\\\\y\"\n",
                        "\nmodel: \"openai: \\\"gpt-4o\\\"\\n- mini # not a comment\"\n");
        assertThat(FrontMatter.readFields(root.resolve(vault.writeNote(tricky).path())))
                .containsEntry("source_node", "id: \"x\"\\y")
                .containsEntry("model", "openai: \"gpt-4o\"\n- mini # not a comment");
    }

    @Test
    void aCanvasAtTheVaultRootGetsItsNotesFolderThere() throws IOException {
        Files.writeString(root.resolve("Inbox.canvas"), "{\"nodes\": []}");

        WrittenNote note = vault.writeNote(
                new NoteDraft("Inbox.canvas", "n1", "what is a ring", AgentId.EXAMPLE_TEACHING, "body", null, AT));

        assertThat(note.path()).isEqualTo("Inbox-notes/what is a ring (example-teaching).md");
        assertThat(Files.readString(root.resolve(note.path()))).contains("model: \"unknown\"");
    }

    @Test
    void aNoteIsWrittenUnderTheNameOtherNotesLinkTo() {
        List<String> texts = List.of(
                "逆否命题和否命题的区别是什么？",
                "# What is [[Monoid]]?\nAnd why?",
                "...a/b: c*d\"e<f>g|h#i^j",
                "归".repeat(70),
                "😀".repeat(70),
                "x".repeat(58) + "👩\u200D👩\u200D👧");
        for (int i = 0; i < texts.size(); i++) {
            WrittenNote note = vault.writeNote(draft("n" + i, texts.get(i), AgentId.COMPARISON_TABLE, "body"));

            assertThat(note.path()).isEqualTo(NOTES + "/" + NoteName.fileName(texts.get(i), AgentId.COMPARISON_TABLE));
        }
    }

    @Test
    void hostileNodeTextsBecomeVisibleNamesAndNeverFailTheNode() throws IOException {
        List<String> texts = List.of(
                "invoice\u202Egpj.exe",
                "before\uD800after",
                "x\uDE00\uD83Dy",
                "spo\u200Bofed na\uFEFFme",
                "cafe\u0301",
                "\u2066\u202E\u200B");
        for (int i = 0; i < texts.size(); i++) {
            WrittenNote note = vault.writeNote(draft("n" + i, texts.get(i), AgentId.ORAL_EXPLANATION, "body " + i));

            assertThat(Files.readString(root.resolve(note.path()))).endsWith("body " + i + "\n");
        }

        assertThat(notesFolder())
                .containsExactlyInAnyOrder(
                        "invoicegpj.exe (oral-explanation).md",
                        "beforeafter (oral-explanation).md",
                        "xy (oral-explanation).md",
                        "spoofed name (oral-explanation).md",
                        "caf\u00e9 (oral-explanation).md",
                        "n5 (oral-explanation).md");
    }

    @Test
    void theNotesFolderOfAHostileCanvasNameIsSanitisedByTheSameRule() throws IOException {
        String canvas = "Inbox/q\"\nx\u202E: y.canvas";

        WrittenNote note = vault.writeNote(
                new NoteDraft(canvas, "n1", "what is a ring", AgentId.EXAMPLE_TEACHING, "body", "offline", AT));

        assertThat(note.path()).isEqualTo("Inbox/q x y-notes/what is a ring (example-teaching).md");
        assertThat(Files.readString(root.resolve(note.path()))).endsWith("body\n");
    }

    @Test
    void aNodeWhoseTextLeavesNoNameIsNamedAfterItsId() {
        WrittenNote note = vault.writeNote(draft("a1b2c3", " [[]] ### ", AgentId.ORAL_EXPLANATION, "body"));

        assertThat(note.path()).isEqualTo(NOTES + "/a1b2c3 (oral-explanation).md");
    }

    @Test
    void reRunningTheSameNodeAndAgentOverwritesTheSameFile() throws IOException {
        WrittenNote first = vault.writeNote(draft("q1", "什么是等价关系", AgentId.ORAL_EXPLANATION, "first answer"));
        WrittenNote second = vault.writeNote(draft("q1", "什么是等价关系", AgentId.ORAL_EXPLANATION, "second answer"));

        assertThat(second.path()).isEqualTo(first.path());
        assertThat(Files.readString(root.resolve(second.path()))).endsWith("second answer\n");
        assertThat(notesFolder()).containsExactly("什么是等价关系 (oral-explanation).md");
    }

    @Test
    void anotherAgentOnTheSameNodeWritesAnotherNote() {
        vault.writeNote(draft("q1", "什么是等价关系", AgentId.ORAL_EXPLANATION, "a"));
        vault.writeNote(draft("q1", "什么是等价关系", AgentId.MEMORY_ANCHOR, "b"));

        assertThat(notesFolder())
                .containsExactlyInAnyOrder("什么是等价关系 (oral-explanation).md", "什么是等价关系 (memory-anchor).md");
    }

    @Test
    void aNodeWhoseTextChangedKeepsItsNoteFile() throws IOException {
        WrittenNote first = vault.writeNote(draft("q1", "什么是等价关系", AgentId.ORAL_EXPLANATION, "a"));
        vault.close();
        vault = open();

        WrittenNote second = vault.writeNote(draft("q1", "什么是等价关系？举例说明", AgentId.ORAL_EXPLANATION, "b"));

        assertThat(second.path()).isEqualTo(first.path());
        assertThat(notesFolder()).hasSize(1);
        assertThat(Files.readString(root.resolve(first.path()))).endsWith("b\n");
    }

    @Test
    void nodesWhoseNamesCollideGetTheirOwnFilesOnEveryRun() throws IOException {
        WrittenNote a = vault.writeNote(draft("node-a", "what is X?", AgentId.ORAL_EXPLANATION, "for a"));
        WrittenNote b = vault.writeNote(draft("node-b", "what is X", AgentId.ORAL_EXPLANATION, "for b"));

        assertThat(a.path()).isEqualTo(NOTES + "/what is X (oral-explanation).md");
        assertThat(b.path()).isEqualTo(NOTES + "/what is X ~" + ShortHash.of("node-b", 8) + " (oral-explanation).md");

        vault.close();
        vault = open();
        WrittenNote bAgain = vault.writeNote(draft("node-b", "what is X", AgentId.ORAL_EXPLANATION, "for b, again"));
        WrittenNote aAgain = vault.writeNote(draft("node-a", "what is X?", AgentId.ORAL_EXPLANATION, "for a, again"));

        assertThat(bAgain.path()).isEqualTo(b.path());
        assertThat(aAgain.path()).isEqualTo(a.path());
        assertThat(notesFolder()).hasSize(2);
        assertThat(Files.readString(root.resolve(a.path()))).endsWith("for a, again\n");
        assertThat(Files.readString(root.resolve(b.path()))).endsWith("for b, again\n");
    }

    /**
     * macOS, Windows, iOS and Android file systems do not tell case apart, and macOS does not tell accents typed
     * composed from accents typed decomposed: a vault written on Linux and synced or copied there (Obsidian Sync, git,
     * Syncthing, iCloud) can hold only one of two such notes, and the other node's note, with its link, is lost.
     */
    @Test
    void notesOfTwoNodesNeverDifferOnlyInCase() throws IOException {
        WrittenNote upper = vault.writeNote(draft("node-a", "What is ATP", AgentId.ORAL_EXPLANATION, "for a"));
        WrittenNote lower = vault.writeNote(draft("node-b", "what is atp", AgentId.ORAL_EXPLANATION, "for b"));

        assertThat(upper.path()).isEqualTo(NOTES + "/What is ATP (oral-explanation).md");
        assertThat(lower.path())
                .isEqualTo(NOTES + "/what is atp ~" + ShortHash.of("node-b", 8) + " (oral-explanation).md");

        vault.close();
        vault = open();
        assertThat(vault.writeNote(draft("node-b", "what is atp", AgentId.ORAL_EXPLANATION, "again"))
                        .path())
                .as("the same name on every run")
                .isEqualTo(lower.path());
        assertThat(notesFolder()).hasSize(2);
    }

    @Test
    void aLearnersFileThatDiffersOnlyInCaseOrAccentFormIsNeverTwinnedByANote() throws IOException {
        Path notes = Files.createDirectories(root.resolve(NOTES));
        Files.writeString(notes.resolve("what is atp (oral-explanation).md"), "my own notes on ATP");
        Files.writeString(notes.resolve("cafe\u0301 (memory-anchor).md"), "my own notes, saved on a Mac");

        WrittenNote atp = vault.writeNote(draft("q1", "What is ATP", AgentId.ORAL_EXPLANATION, "generated"));
        WrittenNote cafe = vault.writeNote(draft("q2", "caf\u00e9", AgentId.MEMORY_ANCHOR, "generated"));

        assertThat(atp.path()).contains(" ~");
        assertThat(cafe.path()).contains(" ~");
        assertThat(Files.readString(notes.resolve("what is atp (oral-explanation).md")))
                .isEqualTo("my own notes on ATP");
    }

    /** The folder's names are listed once; a file the learner adds in the middle of a batch is seen all the same. */
    @Test
    void aLearnersFileAddedDuringTheBatchUnderAnotherCaseIsNeverTwinnedByANote() throws IOException {
        Path notes = root.resolve(NOTES);
        vault.writeNote(draft("q1", "What is ADP", AgentId.ORAL_EXPLANATION, "generated"));
        Files.writeString(notes.resolve("what is atp (oral-explanation).md"), "my own notes on ATP");

        WrittenNote atp = vault.writeNote(draft("q2", "What is ATP", AgentId.ORAL_EXPLANATION, "generated"));

        assertThat(atp.path()).contains(" ~");
        assertThat(Files.readString(notes.resolve("what is atp (oral-explanation).md")))
                .isEqualTo("my own notes on ATP");
    }

    @Test
    void aFileTheUserWroteUnderTheSameNameIsNeverOverwritten() throws IOException {
        Path notes = Files.createDirectories(root.resolve(NOTES));
        Files.writeString(notes.resolve("什么是等价关系 (oral-explanation).md"), "my own notes");

        WrittenNote note = vault.writeNote(draft("q1", "什么是等价关系", AgentId.ORAL_EXPLANATION, "generated"));

        assertThat(note.path()).contains(" ~");
        assertThat(Files.readString(notes.resolve("什么是等价关系 (oral-explanation).md")))
                .isEqualTo("my own notes");
    }

    @Test
    void theNameAnotherNoteLinksToIsTheNameTheNoteIsWrittenUnderEvenWhenALearnersFileHeldTheFirstChoice()
            throws IOException {
        Path notes = Files.createDirectories(root.resolve(NOTES));
        Files.writeString(notes.resolve("什么是等价关系 (memory-anchor).md"), "my own notes");

        String named = vault.noteNameFor(Fixtures.DISCRETE_MATH, "q1", "什么是等价关系", AgentId.MEMORY_ANCHOR);
        WrittenNote note = vault.writeNote(draft("q1", "什么是等价关系", AgentId.MEMORY_ANCHOR, "generated"));

        assertThat(named).contains(" ~").endsWith("(memory-anchor)");
        assertThat(note.path()).isEqualTo(NOTES + "/" + named + ".md");
        assertThat(vault.noteNameFor(Fixtures.DISCRETE_MATH, "q2", "什么是幂集", AgentId.ORAL_EXPLANATION))
                .as("a name nobody holds")
                .isEqualTo("什么是幂集 (oral-explanation)");
    }

    /**
     * A note lists its group's other questions, linked by the names their notes will have, before those are written:
     * questions whose names differ only in case or in characters a file name drops must each be linked to their own
     * note, whichever is written first (the related-question links led to the note itself, or to no file).
     */
    @Test
    void questionsWhoseNamesCollideAreEachLinkedToTheirOwnNoteThoughNamedBeforeAnyIsWritten() {
        Map<String, String> questions = new LinkedHashMap<>();
        questions.put("a", "What is recursion?");
        questions.put("b", "what is recursion");
        questions.put("c", "What is recursion in a list / tree?");
        questions.put("d", "What is recursion in a list : tree");
        Map<String, String> linkedAs = new LinkedHashMap<>();
        questions.forEach((id, text) ->
                linkedAs.put(id, vault.noteNameFor(Fixtures.DISCRETE_MATH, id, text, AgentId.ORAL_EXPLANATION)));

        assertThat(linkedAs.values().stream().map(name -> name.toLowerCase(Locale.ROOT)))
                .as("one note per question, even where case does not count")
                .doesNotHaveDuplicates();
        List<String> writeOrder = List.of("d", "b", "c", "a");
        for (String id : writeOrder) {
            WrittenNote note =
                    vault.writeNote(draft(id, questions.get(id), AgentId.ORAL_EXPLANATION, "answer of " + id));
            assertThat(note.path()).as("the note of " + id).isEqualTo(NOTES + "/" + linkedAs.get(id) + ".md");
        }
    }

    @Test
    void collidingNodesFinishingTogetherDoNotOverwriteEachOther() throws Exception {
        int nodes = 12;
        CountDownLatch start = new CountDownLatch(1);
        List<Future<WrittenNote>> results = new ArrayList<>();
        try (ExecutorService threads = Executors.newFixedThreadPool(nodes)) {
            for (int i = 0; i < nodes; i++) {
                String id = "node-" + i;
                results.add(threads.submit(() -> {
                    start.await();
                    return vault.writeNote(draft(id, "什么是幂集", AgentId.ORAL_EXPLANATION, "answer for " + id));
                }));
            }
            start.countDown();
        }

        assertThat(notesFolder()).hasSize(nodes);
        for (int i = 0; i < nodes; i++) {
            assertThat(Files.readString(root.resolve(results.get(i).get().path())))
                    .endsWith("answer for node-" + i + "\n");
        }
    }

    @Test
    void aDiskProblemIsDescribedWithoutTheServersOwnPaths() throws IOException {
        Files.writeString(root.resolve(NOTES), "a file where the notes folder should be");

        VaultException error = catchThrowableOfType(
                VaultException.class, () -> vault.writeNote(draft("q1", "什么是幂集", AgentId.ORAL_EXPLANATION, "body")));

        assertThat(error.reason()).isEqualTo(Reason.IO);
        assertThat(error.getMessage())
                .isEqualTo("Cannot write the note '" + NOTES
                        + "/什么是幂集 (oral-explanation).md': a file is in the way where a folder should be.");
    }

    @Test
    void writesLeaveNoTemporaryFilesBehind() throws IOException {
        for (int i = 0; i < 20; i++) {
            vault.writeNote(draft("q" + (i % 5), "question " + (i % 5), AgentId.ORAL_EXPLANATION, "run " + i));
        }

        try (Stream<Path> files = Files.walk(root)) {
            assertThat(files.map(p -> p.getFileName().toString())).noneMatch(name -> name.endsWith(".tmp"));
        }
        assertThat(notesFolder()).hasSize(5).allMatch(name -> name.endsWith(" (oral-explanation).md"));
    }

    @Test
    void theSizeIsInBytesNotCharacters() {
        WrittenNote note = vault.writeNote(draft("q1", "幂集", AgentId.ORAL_EXPLANATION, "集合的所有子集"));

        assertThat(note.sizeBytes())
                .isGreaterThan(FrontMatter.render(draft("q1", "幂集", AgentId.ORAL_EXPLANATION, "集合的所有子集"))
                        .length());
        assertThat(note.sizeBytes())
                .isEqualTo(FrontMatter.render(draft("q1", "幂集", AgentId.ORAL_EXPLANATION, "集合的所有子集"))
                        .getBytes(StandardCharsets.UTF_8)
                        .length);
    }

    /**
     * What a later {@code run} need not ask again: the nodes whose notes are in the notes folder now, by the notes' front
     * matter — edited or not, whatever the agent — read from the folder, not from what this process wrote; never a file
     * that is a link, nor one without such front matter.
     */
    @Test
    void theNodesWithNotesAreThoseWhoseNotesAreInTheFolderNow() throws IOException {
        assertThat(vault.nodesWithNotes(Fixtures.DISCRETE_MATH).questionsByNode())
                .as("no notes folder yet")
                .isEmpty();
        WrittenNote kept = vault.writeNote(draft("q1", "什么是逆否命题", AgentId.ORAL_EXPLANATION, "# one"));
        WrittenNote edited = vault.writeNote(draft("q2", "幂集", AgentId.MEMORY_ANCHOR, "# two"));
        WrittenNote deleted = vault.writeNote(draft("q3", "鸽巢原理", AgentId.ORAL_EXPLANATION, "# three"));
        Path editedFile = root.resolve(edited.path());
        Files.writeString(editedFile, Files.readString(editedFile) + "\nMy own words.\n");
        Files.delete(root.resolve(deleted.path()));
        Path notes = root.resolve(NOTES);
        Files.writeString(notes.resolve("my own.md"), "# learner's file, no front matter\n");
        Path outside = elsewhere.resolve("elsewhere.md");
        Files.writeString(outside, "---\nsource_node: \"q9\"\nagent: \"oral-explanation\"\n---\n\nnot in the vault\n");
        Files.createSymbolicLink(notes.resolve("linked (oral-explanation).md"), outside);

        assertThat(vault.nodesWithNotes(Fixtures.DISCRETE_MATH).questionsByNode())
                .containsOnlyKeys("q1", "q2");
        assertThat(root.resolve(kept.path())).exists();
        assertThat(vault.nodesWithNotes("数学/没有这个.canvas").questionsByNode()).isEmpty();
    }

    /**
     * A note records the question it answers, so that a later {@code run} asks a question the learner reworded since:
     * other words are another question, a card re-wrapped is not, and a note from before notes recorded it (or one
     * whose line the learner deleted) stands for the question as it reads now.
     */
    @Test
    void aNoteTellsWhetherItsQuestionWasRewordedSince() throws IOException {
        WrittenNote written = vault.writeNote(draft("q1", "什么是逆否命题", AgentId.ORAL_EXPLANATION, "# one"));
        vault.writeNote(draft("q2", "What is a power set?", AgentId.MEMORY_ANCHOR, "# two"));
        Path old = root.resolve(NOTES).resolve("鸽巢原理 (oral-explanation).md");
        Files.writeString(
                old,
                "---\nsource_canvas: \"" + Fixtures.DISCRETE_MATH + "\"\nsource_node: \"q3\"\nagent:"
                        + " \"oral-explanation\"\n---\n\nwritten by an older version\n");

        assertThat(Files.readString(root.resolve(written.path())))
                .contains("question_sha256: \"" + QuestionDigest.of("什么是逆否命题") + "\"");
        Vault.NotedQuestions noted = vault.nodesWithNotes(Fixtures.DISCRETE_MATH);
        assertThat(noted.reworded("q1", "什么是逆否命题")).isFalse();
        assertThat(noted.reworded("q1", "逆否命题和原命题等价吗")).isTrue();
        assertThat(noted.reworded("q2", "What is a\npower  set? ")).isFalse();
        assertThat(noted.reworded("q3", "anything at all")).isFalse();
        assertThat(noted.reworded("q4", "no note")).isFalse();
        assertThat(noted.hasNote("q3")).isTrue();
    }

    /**
     * What a restart finds of a run it interrupted: the note that run wrote (at or after its start, as this program
     * wrote it), never an older run's note, one the learner edited since, or a file that merely claims to be the note.
     */
    @Test
    void theNoteAnInterruptedRunWroteIsFoundButNoOlderEditedOrForgedOne() throws IOException {
        String node = "01000c386bbc4";
        WrittenNote written = vault.writeNote(draft(node, "什么是逆否命题", AgentId.ORAL_EXPLANATION, "## 逆否命题\n\n同真同假。"));
        Instant startedBefore = AT.minusSeconds(3);

        var found = vault.noteWrittenSince(Fixtures.DISCRETE_MATH, node, AgentId.ORAL_EXPLANATION, startedBefore);
        assertThat(found).hasValueSatisfying(note -> {
            assertThat(note.path()).isEqualTo(written.path());
            assertThat(note.sizeBytes()).isEqualTo(written.sizeBytes());
            assertThat(note.markdown()).isEqualTo("## 逆否命题\n\n同真同假。\n");
            assertThat(note.model()).isEqualTo("offline");
            assertThat(note.generatedAt()).isEqualTo(AT.truncatedTo(java.time.temporal.ChronoUnit.MILLIS));
        });
        assertThat(vault.noteWrittenSince(Fixtures.DISCRETE_MATH, node, AgentId.ORAL_EXPLANATION, AT.plusSeconds(1)))
                .as("written before the run started: an older run's note")
                .isEmpty();
        assertThat(vault.noteWrittenSince(Fixtures.DISCRETE_MATH, node, AgentId.MEMORY_ANCHOR, startedBefore))
                .as("another agent's")
                .isEmpty();

        Path file = root.resolve(written.path());
        Files.writeString(file, Files.readString(file) + "\nMy own words.\n");
        vault.close();
        vault = open();
        assertThat(vault.noteWrittenSince(Fixtures.DISCRETE_MATH, node, AgentId.ORAL_EXPLANATION, startedBefore))
                .as("edited by the learner since: not as this program wrote it")
                .isEmpty();

        // a file that claims to be a later note of the node, without the digest this program writes
        Files.writeString(
                file,
                "---\nsource_node: \"" + node + "\"\nagent: \"oral-explanation\"\n"
                        + "generated_at: \"2099-01-01T00:00:00Z\"\n---\n\nforged\n");
        vault.close();
        vault = open();
        assertThat(vault.noteWrittenSince(Fixtures.DISCRETE_MATH, node, AgentId.ORAL_EXPLANATION, startedBefore))
                .isEmpty();
    }

    /**
     * A note is written beside an edited one as the first free of up to 100 copies; a restart must find it wherever the
     * writer put it, else the node is sent to the model again over a note that is in the vault (or failed as
     * interrupted on its last attempt).
     */
    @Test
    void theNoteAnInterruptedRunWroteBesideManyEditedCopiesIsFound() throws IOException {
        String node = "01000c386bbc4";
        WrittenNote written = null;
        for (int edited = 0; edited <= 21; edited++) {
            written = vault.writeNote(draft(node, "什么是逆否命题", AgentId.ORAL_EXPLANATION, "## 逆否命题\n\n旧的。"));
            Path file = root.resolve(written.path());
            Files.writeString(file, Files.readString(file) + "\nMy own words " + edited + ".\n");
        }
        WrittenNote last = vault.writeNote(draft(node, "什么是逆否命题", AgentId.ORAL_EXPLANATION, "## 逆否命题\n\n同真同假。"));
        assertThat(last.path()).endsWith("(regenerated 22).md");
        vault.close();
        vault = open();

        assertThat(vault.noteWrittenSince(Fixtures.DISCRETE_MATH, node, AgentId.ORAL_EXPLANATION, AT.minusSeconds(3)))
                .as("the note the interrupted run wrote, as its 22nd copy beside edited ones")
                .hasValueSatisfying(note -> assertThat(note.path()).isEqualTo(last.path()));
    }

    private FileVault open() {
        return new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
    }

    private static NoteDraft draft(String nodeId, String text, AgentId agent, String markdown) {
        return new NoteDraft(Fixtures.DISCRETE_MATH, nodeId, text, agent, markdown, "offline", AT);
    }

    private List<String> notesFolder() {
        try (Stream<Path> files = Files.list(root.resolve(NOTES))) {
            return files.map(p -> p.getFileName().toString()).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }
}
