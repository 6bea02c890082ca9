package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.canvasbatch.adapters.vault.NotePlacement.Box;
import org.junit.jupiter.api.Test;

/**
 * On a canvas much larger than the square a note's place is first looked for in, every note gets exactly the place a
 * search of the whole canvas gives it: the first search only leaves out what could not have changed the answer.
 */
class NotePlacementNearTest {

    @Test
    void onLargeCanvasesEveryNoteGetsThePlaceASearchOfTheWholeCanvasGives() {
        List<String> differences = new ArrayList<>();
        for (int seed = 0; seed < 60; seed++) {
            Random random = new Random(seed);
            NotePlacement near = new NotePlacement();
            NotePlacement whole = new NotePlacement(Double.POSITIVE_INFINITY);
            // dense patches and empty stretches over 30 000 px, so that some notes find a place near their question
            // and some slide far (and then fall back to the whole canvas)
            List<Box> questions = new ArrayList<>();
            int count = 200 + random.nextInt(600);
            for (int i = 0; i < count; i++) {
                double patch = random.nextInt(6) * 5000;
                Box box = new Box(
                        Math.round(patch + random.nextDouble() * 3000),
                        Math.round(random.nextDouble() * 30_000),
                        100 + random.nextInt(400),
                        50 + random.nextInt(200));
                boolean group = random.nextInt(40) == 0;
                Box placed = group ? new Box(box.x(), box.y(), box.width() * 6, box.height() * 8) : box;
                near.occupied(placed, group);
                whole.occupied(placed, group);
                if (!group && random.nextInt(4) == 0) {
                    questions.add(box);
                }
            }
            for (Box question : questions) {
                boolean withLabel = random.nextBoolean();
                NotePlacement.Spot fromNear = near.placeNote(question, withLabel);
                NotePlacement.Spot fromWhole = whole.placeNote(question, withLabel);
                if (!fromNear.equals(fromWhole)) {
                    differences.add("seed " + seed + ": " + question + " near " + fromNear + " whole " + fromWhole);
                }
            }
        }
        assertThat(differences).isEmpty();
    }
}
