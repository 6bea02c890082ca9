package org.canvasbatch.bootstrap;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.canvasbatch.domain.canvas.CanvasNode;
import org.canvasbatch.domain.session.Session;
import org.canvasbatch.domain.session.SessionId;
import org.canvasbatch.domain.session.SessionSettings;
import org.canvasbatch.domain.session.SessionSnapshot;
import org.canvasbatch.testsupport.OneGroupSession;
import org.junit.jupiter.api.Test;

/**
 * What a resumed {@code run} says of the canvas it does not follow: the batch asks the questions it was started with, as
 * they were. A hostile tester found the first counts false: empty cards counted as added, a batch of other colours than
 * those given now, and reworded questions that were running at the stop left out.
 */
class ResumedCanvasChangesTest {

    private static final Instant NOW = Instant.parse("2026-12-07T10:00:00Z");
    private static final Set<String> RED_AND_PURPLE = Set.of("1", "6");

    /** A batch of a, b, c, d: a done, b running at the stop, c and d still queued. */
    private static SessionSnapshot stoppedBatch() {
        Session session = OneGroupSession.created(
                        new SessionId("stopped"), SessionSettings.DEFAULT, NOW, "a", "b", "c", "d")
                .session();
        session.start(null, NOW);
        session.startTask("a", NOW);
        session.recordSuccess("a", 1, "notes/a.md", 10, 5, "# a", "m", NOW);
        session.startTask("b", NOW);
        return session.snapshot();
    }

    private static CanvasNode card(String id, String text, String color) {
        return CanvasNode.text(id, text, color, 0, 0, 100, 50);
    }

    /** The batch's four questions, as the batch has their texts ("question x"), in {@code color}. */
    private static List<CanvasNode> batchCards(String color) {
        List<CanvasNode> cards = new ArrayList<>();
        for (String id : List.of("a", "b", "c", "d")) {
            cards.add(card(id, "question " + id, color));
        }
        return cards;
    }

    /**
     * A hostile tester's case: a card still to do deleted after the stop and another recoloured green (understood) were
     * both asked when the run went on, without a word before it.
     */
    @Test
    void questionsStillToDoThatWereDeletedOrRecolouredAreCountedNotTheDoneOnes() {
        List<CanvasNode> canvas = new ArrayList<>(batchCards("1"));
        canvas.remove(3); // d, queued: deleted
        canvas.set(2, card("c", "question c", "4")); // queued: recoloured green
        canvas.set(0, card("a", "question a", "4")); // done: recoloured once understood, nothing left to say

        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), canvas, RED_AND_PURPLE))
                .hasValue("1 question(s) still to do are no longer on the canvas; their notes are written all the same,"
                        + " and cannot be linked; 1 question(s) still to do are no longer in the colours asked for; they"
                        + " are asked all the same.");
    }

    /** A reviewer's case: a canvas that cannot be read now (half-saved) made every question still to do "gone". */
    @Test
    void aCanvasThatCannotBeReadNowIsNotComparedWith() {
        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), java.util.Optional.empty(), RED_AND_PURPLE))
                .hasValue("the canvas cannot be read now, so what changed on it since the batch began is not known;"
                        + " the notes' links wait until it can be read.");
    }

    @Test
    void anUnchangedCanvasSaysNothing() {
        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), batchCards("1"), RED_AND_PURPLE))
                .isEmpty();
    }

    @Test
    void emptyCardsTheBatchLeftOutAreNotQuestionsAdded() {
        List<CanvasNode> canvas = new ArrayList<>(batchCards("1"));
        canvas.add(card("empty", "  ", "1"));
        canvas.add(new CanvasNode("no-file", "file", null, "", null, null, "6", 0, 0, 10, 10));

        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), canvas, RED_AND_PURPLE))
                .isEmpty();
    }

    @Test
    void aQuestionAddedSinceIsCountedAndRewordedOnesStillToDoIncludingTheOneRunningAtTheStop() {
        List<CanvasNode> canvas = new ArrayList<>(batchCards("1"));
        canvas.set(0, card("a", "question a, reworded after its note", "1")); // done: its note is written
        canvas.set(1, card("b", "question b, reworded", "1")); // running at the stop
        canvas.set(3, card("d", "question d, reworded", "1")); // queued
        canvas.add(card("new", "what is new?", "6"));
        canvas.add(card("mine", "my own yellow note", "3"));

        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), canvas, RED_AND_PURPLE))
                .hasValueSatisfying(note -> assertThat(note)
                        .startsWith("1 question node(s) of the canvas are not in this batch")
                        .contains("; 2 question(s) still to do changed their text since"));
    }

    @Test
    void theBatchsOwnColoursDecideWhatIsAddedNotThoseGivenNow() {
        List<CanvasNode> canvas = new ArrayList<>(batchCards("3"));
        canvas.add(card("red", "a red question the batch never asked for", "1"));

        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), canvas, RED_AND_PURPLE))
                .as("a batch analysed for yellow, resumed with the default colours")
                .isEmpty();
        List<CanvasNode> redBatchCanvas = new ArrayList<>(batchCards("1"));
        redBatchCanvas.add(card("new-red", "a red question added since", "1"));
        redBatchCanvas.add(card("yellow", "a yellow card, never a question of this batch", "3"));
        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), redBatchCanvas, Set.of("3")))
                .as("a red batch resumed with --colors 3: the red card added counts, the yellow one does not")
                .hasValueSatisfying(note -> assertThat(note).startsWith("1 question node(s) of the canvas"));
        List<CanvasNode> namedRed = new ArrayList<>(batchCards("red"));
        namedRed.add(card("new-red", "a red question added since", "1"));
        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), namedRed, Set.of("3")))
                .as("'red' and '1' are one colour")
                .hasValueSatisfying(note -> assertThat(note).startsWith("1 question node(s) of the canvas"));
    }

    @Test
    void aQuestionColouredGreenSinceDoesNotMakeEveryGreenCardAQuestion() {
        List<CanvasNode> canvas = new ArrayList<>(batchCards("1"));
        canvas.set(2, card("c", "question c", "4")); // understood meanwhile
        canvas.add(card("green", "something the learner knows", "4"));

        assertThat(RunCommand.canvasChangedSince(stoppedBatch(), canvas, RED_AND_PURPLE))
                .as("the green card is not a question added; the one recoloured is told as it is")
                .hasValue("1 question(s) still to do are no longer in the colours asked for; they are asked all the"
                        + " same.");
    }
}
