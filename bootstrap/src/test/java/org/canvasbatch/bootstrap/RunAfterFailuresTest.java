package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer;
import org.canvasbatch.adapters.agents.fake.FakeLlmServer.Reply;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A batch ended with failures (a timeout, a 429, a refusal), and the learner runs the same command again, as the help
 * says to: the model is asked again for the questions that failed, and for nothing else — the notes already written and
 * linked are left as they are, byte for byte. What a changed canvas, a finished batch without failures, {@code --again}
 * and {@code --dry-run} do there is what the help and the README say.
 */
class RunAfterFailuresTest {

    private static final String REFUSED = "This request violates the content policy";
    private static final List<String> QUESTIONS = List.of(
            "What is osmosis?",
            "Why do cells divide?",
            "What does the Golgi apparatus do?",
            "How do enzymes lower activation energy?",
            "What is a codon?",
            "Why is ATP called the energy currency?");

    @TempDir
    Path temp;

    private Path vault;

    @Test
    void runningTheSameCommandAfterFailuresAsksAgainOnlyForTheFailedQuestionsAndLeavesTheWrittenNotesAlone()
            throws Exception {
        vault = vaultWith(QUESTIONS);
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            failing(llm, 1, 4);
            Result first = run(llm);
            assertThat(first.exit()).as(first.out()).isEqualTo(1);
            assertThat(first.out()).contains("4 succeeded, 2 failed, of 6");
            Map<String, String> notesBefore = notes();
            assertThat(notesBefore).hasSize(4);

            answering(llm, 1, 4);
            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(llm.calls() - first.callsAfter())
                    .as("the model is asked for the two failed questions only:%n%s", second.out())
                    .isEqualTo(2);
            for (int i = 0; i < QUESTIONS.size(); i++) {
                assertThat(llm.callsWithPrompt(question(QUESTIONS.get(i))))
                        .as(QUESTIONS.get(i))
                        .isEqualTo(i == 1 || i == 4 ? 2 : 1);
            }
            assertThat(second.out())
                    .containsPattern(
                            "2 question\\(s\\) failed in the batch of \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"
                                    + " [^;]*; asking again for those only, in that batch")
                    .contains("its 4 written note(s) are left as they are")
                    .as("the batch, whole, at the end")
                    .contains("6 succeeded, 0 failed, of 6");
            Map<String, String> notesAfter = notes();
            assertThat(notesAfter).hasSize(6);
            notesBefore.forEach((note, bytes) -> assertThat(notesAfter.get(note))
                    .as("%s is left as it was written", note)
                    .isEqualTo(bytes));
            assertThat(linkedNotes()).as("every note linked once").hasSize(6);
            assertThat(first.out() + second.out())
                    .as("links that are there are not said to be gone")
                    .doesNotContain("not linked in")
                    .doesNotContain("no link in the canvas");

            Result third = run(llm);

            assertThat(third.exit()).as(third.out()).isZero();
            assertThat(llm.calls()).as(third.out()).isEqualTo(second.callsAfter());
            assertThat(third.out())
                    .contains("Nothing to ask: the 6 question node(s) of q.canvas have their notes already");
            assertThat(notes()).isEqualTo(notesAfter);
        }
    }

    /**
     * A tester asked again with {@code --agent} and {@code --max-groups}: the failed questions went again in their
     * batch, by the agents it gave them, and nothing said the options were not used. Options that plan a batch make a
     * new batch of the failed questions, with them, and the run says so (the dry run too).
     */
    @Test
    void optionsThatPlanABatchAskTheFailedQuestionsInANewBatchWithThem() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 3));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            failing(llm, 1);
            Result first = run(llm);
            assertThat(first.exit()).as(first.out()).isEqualTo(1);
            Map<String, String> notesBefore = notes();

            answering(llm, 1);
            Result same = run(llm, "--agent", "auto", "--max-groups", "6", "--concurrency", "12", "--dry-run");
            assertThat(same.out())
                    .as("values as the batch has them make no other plan")
                    .contains("the real run asks again for the 1 question(s) that failed in the batch of")
                    .contains("in that batch with its first run's settings")
                    .doesNotContain("given: the");
            Result dry = run(llm, "--agent", "oral-explanation", "--max-groups", "2", "--dry-run");
            Result second = run(llm, "--agent", "oral-explanation", "--max-groups", "2");

            for (Result result : List.of(dry, second)) {
                assertThat(result.out())
                        .as("the dry run says it as the real run does")
                        // (the batch has one group: two at most is no other grouping)
                        .containsPattern("Note: --agent given: the 1 question\\(s\\) that failed in the batch of"
                                + " [^;]* are asked in this new batch with it; the notes that batch wrote are left as"
                                + " they are");
            }
            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(second.out()).doesNotContain("asking again for those only, in that batch");
            assertThat(llm.calls() - dry.callsAfter()).as(second.out()).isEqualTo(1);
            Map<String, String> notesAfter = notes();
            notesBefore.forEach((note, bytes) -> assertThat(notesAfter.get(note))
                    .as("%s is left as it was written", note)
                    .isEqualTo(bytes));
            assertThat(notesAfter.keySet())
                    .as("the failed question's note, by the agent given")
                    .anyMatch(name -> name.startsWith("Why do cells divide") && name.endsWith("(oral-explanation).md"));
        }
    }

    /**
     * A learner whose model is slower than the node timeout was told to run the same command again, which asked again
     * with the batch's own node timeout, failed the same way, and said the same thing: every call paid for again. The
     * summary says a longer {@code --node-timeout} is the way, and the run given one asks the failed questions with it.
     */
    @Test
    void questionsThatRanOutOfTheNodeTimeoutAreAskedAgainWithTheLongerOneGiven() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 3));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.whenPromptContains(
                    question(QUESTIONS.get(1)),
                    Reply.delayed(java.time.Duration.ofSeconds(3), Reply.note("# Cell division\n\nSlowly.")));
            Result first = run(llm, "--node-timeout", "1s");
            assertThat(first.exit()).as(first.out()).isEqualTo(1);
            assertThat(first.out())
                    .contains("2 succeeded, 1 failed, of 3")
                    .contains("Run the same command again to ask again for the 1 failed question(s), and only those.")
                    .contains("1 of them did not answer within the node timeout of 1 s: add --node-timeout with a"
                            + " longer time, and they are asked in a new batch with it.");
            Map<String, String> notesBefore = notes();

            Result second = run(llm, "--node-timeout", "10s");

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(second.out())
                    .contains("--node-timeout given: the 1 question(s) that failed in the batch of")
                    .contains("1 succeeded, 0 failed, of 1");
            assertThat(llm.calls() - first.callsAfter()).as(second.out()).isEqualTo(1);
            Map<String, String> notesAfter = notes();
            assertThat(notesAfter).hasSize(3);
            notesBefore.forEach((note, bytes) -> assertThat(notesAfter.get(note))
                    .as("%s is left as it was written", note)
                    .isEqualTo(bytes));
        }
    }

    /**
     * A learner who keeps the canvas as it is ({@code --no-write-back}) ran the same command again, and the model was
     * asked for every question again: no link said the notes were there, and a batch without failures is not kept. The
     * notes' own front matter says whose they are: a note there, edited or not, is not asked again; a deleted one is.
     */
    @Test
    void withoutWriteBackTheNotesInTheNotesFolderAreNotAskedForAgain() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 4));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            Result first = run(llm, "--no-write-back");
            assertThat(first.exit()).as(first.out()).isZero();
            String canvasBefore = Files.readString(vault.resolve("q.canvas"));
            assertThat(linkedNotes()).as("write-back is off").isEmpty();
            Path edited;
            try (Stream<Path> files = Files.list(vault.resolve("q-notes"))) {
                edited = files.filter(p -> p.getFileName().toString().startsWith("What is osmosis"))
                        .findFirst()
                        .orElseThrow();
            }
            Files.writeString(edited, Files.readString(edited) + "\nMy own words on osmosis.\n");
            Map<String, String> notesBefore = notes();
            assertThat(notesBefore).hasSize(4);

            Result second = run(llm, "--no-write-back");

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(llm.calls())
                    .as("no question is asked again:%n%s", second.out())
                    .isEqualTo(first.callsAfter());
            assertThat(second.out())
                    .contains("Nothing to ask: the 4 question node(s) of q.canvas have their notes already (in"
                            + " q-notes)");
            assertThat(notes()).isEqualTo(notesBefore);
            assertThat(Files.readString(vault.resolve("q.canvas"))).isEqualTo(canvasBefore);

            Path deleted;
            try (Stream<Path> files = Files.list(vault.resolve("q-notes"))) {
                deleted = files.filter(p -> p.getFileName().toString().startsWith("What is a codon")
                                || p.getFileName().toString().startsWith("How do enzymes"))
                        .findFirst()
                        .orElseThrow();
            }
            Files.delete(deleted);

            Result third = run(llm, "--no-write-back");

            assertThat(third.exit()).as(third.out()).isZero();
            assertThat(llm.calls() - second.callsAfter())
                    .as("the question whose note was deleted, alone:%n%s", third.out())
                    .isEqualTo(1);
            assertThat(notes()).hasSize(4);
            assertThat(Files.readString(edited)).as("the learner's edit").contains("My own words on osmosis.");
        }
    }

    /**
     * A tester's editor kept saving its own copy of the canvas while a run linked the notes: the run ended with "145
     * succeeded" and no word of the 40 links its saves had taken away, and the next run asked for those 40 again. Here
     * the editor's last save comes after the run's last write: the run says how many links are not in the canvas, and
     * the next run asks nothing for them and says so.
     */
    @Test
    void linksSavedOverByAnotherProgramAreSaidAndTheirQuestionsAreNotAskedAgain() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 4));
        Path canvas = vault.resolve("q.canvas");
        String editorsCopy = Files.readString(canvas);
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            java.io.OutputStream savingAtTheSummary = new java.io.OutputStream() {
                private boolean saved;

                @Override
                public void write(int b) {
                    write(new byte[] {(byte) b}, 0, 1);
                }

                @Override
                public void write(byte[] bytes, int offset, int length) {
                    out.write(bytes, offset, length);
                    // the summary comes after the vault's last write: the editor's save is the last one
                    if (!saved && out.toString(StandardCharsets.UTF_8).contains("4 succeeded")) {
                        saved = true;
                        try {
                            Files.writeString(canvas, editorsCopy);
                        } catch (java.io.IOException e) {
                            throw new java.io.UncheckedIOException(e);
                        }
                    }
                }
            };
            PrintStream print = new PrintStream(savingAtTheSummary, true, StandardCharsets.UTF_8);
            int exit = Main.run(arguments(llm), print, print);
            String first = out.toString(StandardCharsets.UTF_8);

            assertThat(exit).as(first).isZero();
            assertThat(linkedNotes()).isEmpty();
            assertThat(first)
                    .contains("4 note(s) written are not linked in 'q.canvas' now: another program saved the canvas"
                            + " over their links (an editor with it open?). The notes are in q-notes; delete one to"
                            + " have it asked and linked again.");

            int calls = llm.calls();
            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(llm.calls()).as(second.out()).isEqualTo(calls);
            assertThat(second.out())
                    .contains("Nothing to ask: the 4 question node(s) of q.canvas have their notes already")
                    .contains("Note: 4 question(s) have their notes in q-notes but no link in the canvas; they are"
                            + " not asked again: drag a note onto the canvas to link it yourself, or delete it to have"
                            + " it asked and linked again");
        }
    }

    /**
     * A reviewer removed one note's link before asking again for the failed questions: the run ended saying another
     * program had saved the canvas over a link it never wrote. The end counts only what this run linked; the note at
     * the start says what is known, not a cause.
     */
    @Test
    void aLinkRemovedBeforeTheRunIsSaidAtItsStartAndNotBlamedOnAnotherProgram() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 3));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            failing(llm, 1);
            Result first = run(llm);
            assertThat(first.exit()).as(first.out()).isEqualTo(1);
            removeTheLinksOf(0);

            answering(llm, 1);
            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(second.out())
                    .contains("asking again for those only, in that batch")
                    .contains("Note: 1 question(s) have their notes in q-notes but no link in the canvas; they are not"
                            + " asked again")
                    .doesNotContain("another program saved the canvas");
            assertThat(llm.calls() - first.callsAfter()).isEqualTo(1);
        }
    }

    @Test
    void aRunAfterABatchWithoutFailuresHasNothingToAskUntilAQuestionIsAdded() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 4));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            Result first = run(llm);
            assertThat(first.exit()).as(first.out()).isZero();
            Map<String, String> notesBefore = notes();
            String canvasBefore = Files.readString(vault.resolve("q.canvas"));

            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(llm.calls())
                    .as("no question is asked again:%n%s", second.out())
                    .isEqualTo(first.callsAfter());
            assertThat(second.out())
                    .contains("Nothing to ask: the 4 question node(s) of q.canvas have their notes already (in"
                            + " q-notes); run with --again to ask the model for them anew.");
            assertThat(notes()).isEqualTo(notesBefore);
            assertThat(Files.readString(vault.resolve("q.canvas"))).isEqualTo(canvasBefore);

            addQuestion("added-question-1", "What is a ribosome made of?", "1");
            Result third = run(llm);

            assertThat(third.exit()).as(third.out()).isZero();
            assertThat(llm.calls() - second.callsAfter()).as(third.out()).isEqualTo(1);
            assertThat(llm.callsWithPrompt(question("What is a ribosome made of?")))
                    .isEqualTo(1);
            assertThat(third.out())
                    .contains("q.canvas: 1 question node(s) in 1 group(s)")
                    .contains("Note: 4 question node(s) of the canvas have their notes already and are not asked again"
                            + " (--again asks them too)")
                    .contains("1 succeeded, 0 failed, of 1");
            Map<String, String> notesAfter = notes();
            assertThat(notesAfter).hasSize(5);
            notesBefore.forEach(
                    (note, bytes) -> assertThat(notesAfter.get(note)).as(note).isEqualTo(bytes));
        }
    }

    /**
     * A learner who reworded a question after its note was written ran the same command, and read "Nothing to ask":
     * the note answered the old words. A note records the question it answers: a reworded question is asked again, its
     * note rewritten (an edited one kept, the new note beside it); a card only re-wrapped or spaced otherwise is not.
     */
    @Test
    void aQuestionRewordedSinceItsNoteIsAskedAgainAndOneOnlyReWrappedIsNot() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 4));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            Result first = run(llm);
            assertThat(first.exit()).as(first.out()).isZero();
            Path osmosis = noteStartingWith("What is osmosis");
            Path enzymes = noteStartingWith("How do enzymes");
            Files.writeString(enzymes, Files.readString(enzymes) + "\nMy own words on enzymes.\n");
            String enzymesEdited = Files.readString(enzymes);
            editNode(
                    0,
                    node -> Json.createObjectBuilder(node)
                            .add("text", "What is reverse osmosis?")
                            .build());
            editNode(
                    1,
                    node -> Json.createObjectBuilder(node)
                            .add("text", "Why do  cells\ndivide? ")
                            .build());
            editNode(
                    3,
                    node -> Json.createObjectBuilder(node)
                            .add("text", "How do enzymes speed up reactions?")
                            .build());

            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(llm.calls() - first.callsAfter())
                    .as("the two reworded questions, alone:%n%s", second.out())
                    .isEqualTo(2);
            assertThat(llm.callsWithPrompt(question("What is reverse osmosis?")))
                    .isEqualTo(1);
            assertThat(llm.callsWithPrompt(question("How do enzymes speed up reactions?")))
                    .isEqualTo(1);
            assertThat(second.out())
                    .contains("Note: 2 question(s) were reworded since their notes were written and are asked again:"
                            + " a note you have not edited, by the agent that answers now, takes the new answer; any"
                            + " other stays as it is")
                    .contains("Note: 2 question node(s) of the canvas have their notes already and are not asked"
                            + " again")
                    .contains("2 succeeded, 0 failed, of 2");
            assertThat(Files.readString(osmosis)).contains("What is reverse osmosis?");
            assertThat(Files.readString(enzymes)).isEqualTo(enzymesEdited);
            Path enzymesCopy = Path.of(enzymes.toString().replace(").md", ") (regenerated).md"));
            assertThat(Files.readString(enzymesCopy)).contains("How do enzymes speed up reactions?");

            Result third = run(llm);

            assertThat(third.exit()).as(third.out()).isZero();
            assertThat(llm.calls()).as(third.out()).isEqualTo(second.callsAfter());
            assertThat(third.out()).contains("Nothing to ask: the 4 question node(s) of q.canvas have their notes");
        }
    }

    /**
     * A batch asked again in its own plan is not analysed: a notes folder made a symbolic link after its failures was
     * found only at the first note, with the failed questions asked of the model again. It is refused before.
     */
    @Test
    void askingAgainIntoANotesFolderThatBecameALinkIsRefusedBeforeTheModelIsAsked() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 4));
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            failing(llm, 1);
            Result first = run(llm);
            assertThat(first.out()).as(first.out()).contains("3 succeeded, 1 failed, of 4");
            Path notes = vault.resolve("q-notes");
            Path moved = Files.move(notes, temp.resolve("synced"));
            Files.createSymbolicLink(notes, moved);
            answering(llm, 1);

            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isEqualTo(2);
            assertThat(second.out())
                    .contains("The notes folder of 'q.canvas' cannot be written: 'q-notes' leads outside the vault");
            assertThat(llm.calls()).as(second.out()).isEqualTo(first.callsAfter());
        }
    }

    /**
     * A file node's words are its file's name, but its note answers what the file says: a reviewer renamed the file
     * and the run paid for the question again, saying it was reworded. A file node is never taken for reworded.
     */
    @Test
    void aFileQuestionWhoseFileWasRenamedIsNotAskedAgain() throws Exception {
        vault = vaultWith(QUESTIONS.subList(0, 1));
        Files.createDirectories(vault.resolve("docs"));
        Files.writeString(vault.resolve("docs/Krebs cycle.md"), "Why does the Krebs cycle need oxygen?\n");
        addFileQuestion("file-question-1", "docs/Krebs cycle.md");
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            Result first = run(llm);
            assertThat(first.out()).as(first.out()).contains("2 succeeded, 0 failed, of 2");
            Files.createDirectories(vault.resolve("bio"));
            Files.move(vault.resolve("docs/Krebs cycle.md"), vault.resolve("bio/Krebs cycle (TCA).md"));
            Path canvas = vault.resolve("q.canvas");
            Files.writeString(
                    canvas,
                    Files.readString(canvas).replace("\"docs/Krebs cycle.md\"", "\"bio/Krebs cycle (TCA).md\""));

            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(llm.calls()).as(second.out()).isEqualTo(first.callsAfter());
            assertThat(second.out())
                    .contains("Nothing to ask: the 2 question node(s) of q.canvas have their notes")
                    .doesNotContain("reworded");
        }
    }

    private void addFileQuestion(String id, String file) throws Exception {
        addNode(Json.createObjectBuilder()
                .add("id", id)
                .add("type", "file")
                .add("file", file)
                .add("color", "1"));
    }

    /** The note in the canvas's notes folder whose file name starts with {@code prefix}. */
    private Path noteStartingWith(String prefix) throws Exception {
        try (Stream<Path> files = Files.list(vault.resolve("q-notes"))) {
            return files.filter(p -> p.getFileName().toString().startsWith(prefix))
                    .findFirst()
                    .orElseThrow(() -> new AssertionError("no note named " + prefix + "…"));
        }
    }

    /**
     * A batch's questions are its nodes as they were analysed: a question added since, or a failed one reworded, cannot
     * go into it. Then the questions without a note go into a new batch: the failed ones as they read now, the added
     * ones, and not the failed ones the learner deleted or marked understood.
     */
    @Test
    void aCanvasChangedSinceTheFailuresGetsANewBatchOfItsQuestionsWithoutANote() throws Exception {
        vault = vaultWith(QUESTIONS);
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            failing(llm, 1, 3, 4);
            Result first = run(llm);
            assertThat(first.out()).contains("3 succeeded, 3 failed, of 6");
            Map<String, String> notesBefore = notes();
            // the learner rewords one failed question, deletes another, marks the third understood (green), adds one
            String reworded = "Why, and when, do cells divide?";
            editNode(
                    1,
                    node -> Json.createObjectBuilder(node).add("text", reworded).build());
            editNode(3, node -> Json.createObjectBuilder(node).add("color", "4").build());
            editNode(4, node -> null);
            addQuestion("added-question-1", "What is a ribosome made of?", "6");
            answering(llm, 1, 3, 4);

            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(llm.calls() - first.callsAfter()).as(second.out()).isEqualTo(2);
            assertThat(llm.callsWithPrompt(question(reworded))).isEqualTo(1);
            assertThat(llm.callsWithPrompt(question("What is a ribosome made of?")))
                    .isEqualTo(1);
            assertThat(llm.callsWithPrompt(question(QUESTIONS.get(3))))
                    .as("marked understood")
                    .isEqualTo(1);
            assertThat(llm.callsWithPrompt(question(QUESTIONS.get(4))))
                    .as("deleted")
                    .isEqualTo(1);
            assertThat(second.out())
                    .contains("q.canvas: 2 question node(s) in")
                    .contains("Note: 3 question node(s) of the canvas have their notes already and are not asked again")
                    .containsPattern(
                            "Note: the canvas, or the colours asked for, changed since the batch of \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d:\\d\\d"
                                    + " \\S+: 1 question\\(s\\) that failed in it are asked in this new batch, with the"
                                    + " others to ask \\(without a note\\)")
                    .contains("2 succeeded, 0 failed, of 2");
            Map<String, String> notesAfter = notes();
            notesBefore.forEach(
                    (note, bytes) -> assertThat(notesAfter.get(note)).as(note).isEqualTo(bytes));

            Result third = run(llm);

            assertThat(third.out())
                    .as("the batch replaced is not taken up again")
                    .contains("Nothing to ask: the 5 question node(s) of q.canvas have their notes already");
            assertThat(llm.calls()).isEqualTo(second.callsAfter());
        }
    }

    @Test
    void againAsksForEveryQuestionAnew() throws Exception {
        vault = vaultWith(QUESTIONS);
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            failing(llm, 2);
            Result first = run(llm);
            assertThat(first.out()).contains("5 succeeded, 1 failed, of 6");
            answering(llm, 2);

            Result again = run(llm, "--again");

            assertThat(again.exit()).as(again.out()).isZero();
            assertThat(llm.calls() - first.callsAfter()).as(again.out()).isEqualTo(QUESTIONS.size());
            assertThat(again.out())
                    .contains("q.canvas: 6 question node(s) in")
                    .doesNotContain("failed in the batch of")
                    .contains("6 succeeded, 0 failed, of 6");
            assertThat(notes()).as("the notes written again, none beside them").hasSize(6);
            assertThat(linkedNotes()).hasSize(6);

            Result after = run(llm);

            assertThat(after.out()).contains("Nothing to ask");
            assertThat(llm.calls()).isEqualTo(again.callsAfter());
        }
    }

    @Test
    void aDryRunAfterFailuresSaysTheRealRunAsksAgainForThoseOnlyAndChangesNothing() throws Exception {
        vault = vaultWith(QUESTIONS);
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            failing(llm, 0, 5);
            Result first = run(llm);
            assertThat(first.out()).contains("4 succeeded, 2 failed, of 6");
            answering(llm, 0, 5);
            Map<String, String> dataBefore = files(temp.resolve("data"));
            Map<String, String> vaultBefore = files(vault);

            Result dry = run(llm, "--dry-run");

            assertThat(dry.exit()).as(dry.out()).isZero();
            assertThat(llm.calls()).as("the dry run asks the model nothing").isEqualTo(first.callsAfter());
            assertThat(files(temp.resolve("data"))).isEqualTo(dataBefore);
            assertThat(files(vault)).isEqualTo(vaultBefore);
            assertThat(dry.out())
                    .contains("q.canvas: 2 question node(s) to ask again in")
                    .contains(QUESTIONS.get(0))
                    .contains(QUESTIONS.get(5))
                    .doesNotContain(QUESTIONS.get(1))
                    .containsPattern("Dry run: the real run asks again for the 2 question\\(s\\) that failed in the"
                            + " batch of [^,]*, in that batch with its first run's settings, and leaves its 4 written"
                            + " note\\(s\\) as they are; nothing was written.");

            Result real = run(llm);

            assertThat(real.exit()).as(real.out()).isZero();
            assertThat(llm.calls() - first.callsAfter())
                    .as("the real run did what the dry run said")
                    .isEqualTo(2);

            Result dryAfter = run(llm, "--dry-run");

            assertThat(dryAfter.out())
                    .contains("Nothing to ask: the 6 question node(s)")
                    .contains("Dry run: nothing was written.");
        }
    }

    /** Ctrl-C while the failed questions are asked again: the next run asks for those still to do, in the same batch. */
    @Test
    void aRunAskingAgainStoppedWithCtrlCIsFinishedByTheNextRun() throws Exception {
        vault = vaultWith(QUESTIONS);
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            failing(llm, 1, 4);
            Result first = run(llm);
            assertThat(first.out()).contains("4 succeeded, 2 failed, of 6");
            Map<String, String> notesBefore = notes();
            llm.whenPromptContains(question(QUESTIONS.get(1)), Reply.hang());
            llm.whenPromptContains(question(QUESTIONS.get(4)), Reply.hang());

            Path log = temp.resolve("stopped.log");
            Process child = new ProcessBuilder(MainProcess.command(arguments(llm)))
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            try {
                assertThat(llm.awaitCalls(first.callsAfter() + 2, java.time.Duration.ofSeconds(90)))
                        .as("the run asked again; its output:%n%s", Files.readString(log))
                        .isTrue();
                new ProcessBuilder("kill", "-INT", String.valueOf(child.pid()))
                        .start()
                        .waitFor();
                assertThat(child.waitFor(60, TimeUnit.SECONDS)).isTrue();
            } finally {
                child.destroyForcibly();
            }
            String stopped = Files.readString(log);
            assertThat(child.exitValue()).as(stopped).isEqualTo(130);
            assertThat(stopped)
                    .contains("2 question(s) failed in the batch of")
                    .contains("Interrupted: stopping the batch")
                    .contains("Interrupted in ");
            int callsAtTheStop = llm.calls();
            answering(llm, 1, 4);

            Result last = run(llm);

            assertThat(last.exit())
                    .as("%s%nthe stopped run:%n%s", last.out(), stopped)
                    .isZero();
            assertThat(llm.calls() - callsAtTheStop).as(last.out()).isEqualTo(2);
            assertThat(last.out())
                    .contains("2 question(s) failed in the batch of")
                    .contains("6 succeeded, 0 failed");
            Map<String, String> notesAfter = notes();
            assertThat(notesAfter).hasSize(6);
            notesBefore.forEach(
                    (note, bytes) -> assertThat(notesAfter.get(note)).as(note).isEqualTo(bytes));
        }
    }

    /**
     * A batch cut by its time limit ends with "The batch exceeded its timeout"; the run that asks again for its failed
     * questions has no batch time limit and answers them all: its summary must not repeat the first run's line, as if
     * questions had been stopped again.
     */
    @Test
    void askingAgainAfterTheBatchTimedOutDoesNotRepeatTheTimeoutOfTheFirstRun() throws Exception {
        vault = vaultWith(QUESTIONS);
        try (FakeLlmServer llm = FakeLlmServer.start()) {
            llm.whenPromptContains(question(QUESTIONS.get(2)), Reply.hang());
            Result first = run(llm, "--timeout", "1m", "--node-timeout", "5m");
            assertThat(first.exit()).as(first.out()).isEqualTo(1);
            assertThat(first.out()).contains("5 succeeded, 1 failed, of 6").contains("exceeded its timeout");

            answering(llm, 2);
            Result second = run(llm);

            assertThat(second.exit()).as(second.out()).isZero();
            assertThat(second.out())
                    .contains("1 question(s) failed in the batch of")
                    .contains("6 succeeded, 0 failed, of 6")
                    .doesNotContain("exceeded its timeout");
        }
    }

    // ------------------------------------------------------------------------------------------------------ helpers

    private record Result(int exit, String out, int callsAfter) {}

    private Result run(FakeLlmServer llm, String... more) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        PrintStream print = new PrintStream(out, true, StandardCharsets.UTF_8);
        int exit = Main.run(arguments(llm, more), print, print);
        return new Result(exit, out.toString(StandardCharsets.UTF_8), llm.calls());
    }

    private List<String> arguments(FakeLlmServer llm, String... more) {
        List<String> args = new ArrayList<>(List.of(
                "run",
                "q.canvas",
                "--vault",
                vault.toString(),
                "--data",
                temp.resolve("data").toString(),
                "--plain",
                "--model-provider",
                "openai",
                "--base-url",
                llm.openAiBaseUrl(),
                "--model",
                "fake-model"));
        args.addAll(List.of(more));
        return args;
    }

    private static String question(String text) {
        return "<question>\n" + text + "\n</question>";
    }

    /** The questions {@code which} are refused by the model, every time it is asked: a failure with no retry. */
    private static void failing(FakeLlmServer llm, int... which) {
        for (int i : which) {
            llm.whenPromptContains(question(QUESTIONS.get(i)), Reply.error(400, REFUSED));
        }
    }

    /** From now on the questions {@code which} are answered. */
    private static void answering(FakeLlmServer llm, int... which) {
        for (int i : which) {
            llm.whenPromptContains(question(QUESTIONS.get(i)), Reply.echo());
        }
    }

    private static String nodeJson(int i, String text) {
        return "{\"id\":\"" + String.format("%016x", 0x5eedL * 1000 + i) + "\",\"type\":\"text\",\"text\":\"" + text
                + "\",\"color\":\"1\",\"x\":" + (i * 420) + ",\"y\":0,\"width\":360,\"height\":80}";
    }

    /** A vault with one canvas, {@code q.canvas}, whose red question nodes are {@code questions}. */
    private Path vaultWith(List<String> questions) throws Exception {
        Path dir = Files.createDirectories(temp.resolve("vault").resolve(".obsidian"))
                .getParent();
        List<String> nodes = new ArrayList<>();
        for (int i = 0; i < questions.size(); i++) {
            nodes.add(nodeJson(i, questions.get(i)));
        }
        Files.writeString(
                dir.resolve("q.canvas"), "{\"nodes\":[\n" + String.join(",\n", nodes) + "\n],\"edges\":[]}\n");
        return dir;
    }

    /** Changes question {@code i}'s node as the learner would in Obsidian; an edit to null deletes it. */
    private void editNode(int i, java.util.function.UnaryOperator<JsonObject> edit) throws Exception {
        Path canvas = vault.resolve("q.canvas");
        JsonObject stored =
                Json.createReader(new StringReader(Files.readString(canvas))).readObject();
        String id = String.format("%016x", 0x5eedL * 1000 + i);
        var nodes = Json.createArrayBuilder();
        boolean found = false;
        for (JsonObject node : stored.getJsonArray("nodes").getValuesAs(JsonObject.class)) {
            if (node.getString("id").equals(id)) {
                found = true;
                JsonObject edited = edit.apply(node);
                if (edited != null) {
                    nodes.add(edited);
                }
            } else {
                nodes.add(node);
            }
        }
        assertThat(found).as("question %d is on the canvas", i).isTrue();
        Files.writeString(
                canvas,
                Json.createObjectBuilder(stored).add("nodes", nodes).build().toString());
    }

    /** Deletes the note nodes canvas-batch linked to question {@code i}, and their edges: the note files stay. */
    private void removeTheLinksOf(int i) throws Exception {
        Path canvas = vault.resolve("q.canvas");
        JsonObject stored =
                Json.createReader(new StringReader(Files.readString(canvas))).readObject();
        String question = String.format("%016x", 0x5eedL * 1000 + i);
        List<JsonObject> edges = stored.getJsonArray("edges").getValuesAs(JsonObject.class);
        java.util.Set<String> notes = edges.stream()
                .filter(e -> e.getString("fromNode").equals(question))
                .map(e -> e.getString("toNode"))
                .filter(id -> id.startsWith("cb-note-"))
                .collect(java.util.stream.Collectors.toSet());
        assertThat(notes).as("question %d has a linked note", i).isNotEmpty();
        var keptNodes = Json.createArrayBuilder();
        stored.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(n -> !notes.contains(n.getString("id")))
                .forEach(keptNodes::add);
        var keptEdges = Json.createArrayBuilder();
        edges.stream()
                .filter(e -> !notes.contains(e.getString("toNode")) && !notes.contains(e.getString("fromNode")))
                .forEach(keptEdges::add);
        Files.writeString(
                canvas,
                Json.createObjectBuilder(stored)
                        .add("nodes", keptNodes)
                        .add("edges", keptEdges)
                        .build()
                        .toString());
    }

    private void addQuestion(String id, String text, String color) throws Exception {
        addNode(Json.createObjectBuilder()
                .add("id", id)
                .add("type", "text")
                .add("text", text)
                .add("color", color));
    }

    /** Adds {@code node}, given a place clear of the others, to the canvas as the learner would in Obsidian. */
    private void addNode(jakarta.json.JsonObjectBuilder node) throws Exception {
        Path canvas = vault.resolve("q.canvas");
        JsonObject stored =
                Json.createReader(new StringReader(Files.readString(canvas))).readObject();
        var nodes = Json.createArrayBuilder(stored.getJsonArray("nodes"))
                .add(node.add("x", -2000).add("y", -2000).add("width", 360).add("height", 80));
        Files.writeString(
                canvas,
                Json.createObjectBuilder(stored).add("nodes", nodes).build().toString());
    }

    /** Every note in the canvas's notes folder with its bytes and its last change: a note written again shows. */
    private Map<String, String> notes() throws Exception {
        Map<String, String> notes = new TreeMap<>();
        Path folder = vault.resolve("q-notes");
        if (!Files.isDirectory(folder)) {
            return notes;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path note : files.filter(p -> p.getFileName().toString().endsWith(".md")
                            && !p.getFileName().toString().startsWith("."))
                    .toList()) {
                notes.put(
                        note.getFileName().toString(),
                        Files.readString(note) + "\n@"
                                + Files.getLastModifiedTime(note).toInstant());
            }
        }
        return notes;
    }

    /** The note files the canvas links. */
    private List<String> linkedNotes() throws Exception {
        JsonObject canvas = Json.createReader(new StringReader(Files.readString(vault.resolve("q.canvas"))))
                .readObject();
        return canvas.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .filter(n -> n.getString("id").startsWith("cb-note-"))
                .map(n -> n.getString("file"))
                .toList();
    }

    /** Every file under {@code folder} with a digest of its bytes. */
    private static Map<String, String> files(Path folder) throws Exception {
        Map<String, String> files = new TreeMap<>();
        if (!Files.isDirectory(folder)) {
            return files;
        }
        try (Stream<Path> paths = Files.walk(folder)) {
            for (Path path : paths.filter(Files::isRegularFile).toList()) {
                byte[] digest =
                        java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(path));
                files.put(
                        folder.relativize(path).toString(),
                        java.util.HexFormat.of().formatHex(digest));
            }
        }
        return files;
    }
}
