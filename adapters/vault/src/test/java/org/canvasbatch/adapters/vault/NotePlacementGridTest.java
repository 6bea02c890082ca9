package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Supplier;
import org.canvasbatch.adapters.vault.NotePlacement.Box;
import org.junit.jupiter.api.Test;

/**
 * The grid that finds the nodes near a place only spares placement the walk through every node: on random canvases,
 * every note and label gets exactly the place a walk through every node gives it, on canvases dense and sparse, with
 * groups, fractional coordinates, notes placed near and far from their question, and the numbers a hostile canvas
 * holds (nodes a trillion pixels out or as wide, a node 1e300 wide, NaN), which the grid must neither lose nor spread
 * over uncountable cells.
 */
class NotePlacementGridTest {

    @Test
    void onRandomCanvasesEveryNoteAndLabelGetsThePlaceAWalkThroughEveryNodeGives() {
        List<String> differences = new ArrayList<>();
        int placements = 0;
        int failures = 0;
        for (int seed = 0; seed < 80 && differences.size() < 10; seed++) {
            for (double near : new double[] {NotePlacement.NEAR, Double.POSITIVE_INFINITY, 1500}) {
                Random random = new Random(seed);
                NotePlacement indexed = new NotePlacement(near, true);
                NotePlacement everyNode = new NotePlacement(near, false);
                List<Box> questions = new ArrayList<>();
                int count = 20 + random.nextInt(seed < 12 ? 700 : 150);
                double spread = seed % 3 == 0 ? 30_000 : 4000;
                for (int i = 0; i < count; i++) {
                    Box box = randomBox(random, spread, seed % 5 == 0);
                    boolean group = random.nextInt(25) == 0;
                    Box placed = group ? new Box(box.x(), box.y(), box.width() * 5, box.height() * 7) : box;
                    indexed.occupied(placed, group);
                    everyNode.occupied(placed, group);
                    if (!group && random.nextInt(3) == 0 && box.width() <= 550 && box.height() <= 280) {
                        questions.add(box);
                    }
                }
                for (Box question : questions) {
                    boolean withLabel = random.nextBoolean();
                    String fast = outcome(() -> indexed.placeNote(question, withLabel));
                    String slow = outcome(() -> everyNode.placeNote(question, withLabel));
                    placements++;
                    failures += fast.startsWith("failed") ? 1 : 0;
                    if (!fast.equals(slow)) {
                        differences.add("seed " + seed + ", near " + near + ": " + question + " grid " + fast
                                + " every node " + slow);
                    }
                    if (random.nextInt(4) == 0) {
                        Box fileNode = new Box(question.x(), question.bottom() + 40, 400, 120);
                        String fastLabel = outcome(() -> indexed.placeBeside(fileNode, question));
                        String slowLabel = outcome(() -> everyNode.placeBeside(fileNode, question));
                        if (!fastLabel.equals(slowLabel)) {
                            differences.add("seed " + seed + ": label of " + fileNode + " grid " + fastLabel
                                    + " every node " + slowLabel);
                        }
                    }
                }
            }
        }
        assertThat(differences).isEmpty();
        // as a walk through every node does, placing fails beside a node whose numbers leave no place a finite cost
        // (1e300 wide, NaN); the write-back clamps such numbers first (CanvasMerge.coordinate), and the grid's answers
        // must still be compared on most placements
        assertThat(failures).as("failed of " + placements).isLessThan(placements / 10);
    }

    /** The place found, or how placing failed: a node as far out as 1e308 may leave no place a finite cost. */
    private static String outcome(Supplier<Object> placing) {
        try {
            return String.valueOf(placing.get());
        } catch (RuntimeException e) {
            // by its kind only: the message of a NullPointerException is the JVM's, and code the JIT has compiled may
            // throw one without it (a full run failed once on "…because best is null" against a bare one)
            return "failed: " + e.getClass().getName();
        }
    }

    /** Mostly ordinary nodes; now and then one of the sizes and places a hostile canvas gives placement. */
    private static Box randomBox(Random random, double spread, boolean wholePixels) {
        double x = random.nextDouble() * spread - spread / 2;
        double y = random.nextDouble() * spread - spread / 2;
        if (wholePixels) {
            x = Math.round(x);
            y = Math.round(y);
        }
        return switch (random.nextInt(80)) {
            case 0 -> new Box(x, y, 1e12, 1e12);
            case 1 -> new Box(-1e12, y, 2e12, 100);
            case 2 -> new Box(1e12, 1e12, 400, 100);
            case 3 -> new Box(x, y, 1e300, 1e300);
            case 4 -> new Box(-1e308, -1e308, 400, 100);
            case 5 -> new Box(Double.NaN, y, 400, 100);
            case 6 -> new Box(x, y, 400, Double.NaN);
            default -> new Box(x, y, 50 + random.nextDouble() * 500, 30 + random.nextDouble() * 250);
        };
    }
}
