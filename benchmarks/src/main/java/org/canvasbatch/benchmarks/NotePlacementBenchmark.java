package org.canvasbatch.benchmarks;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.canvasbatch.adapters.vault.CanvasMergeEntry;
import org.canvasbatch.domain.canvas.Canvas;
import org.canvasbatch.fixtures.FixtureVault;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The canvas write-back's merge, where each new note and its label are placed beside their question, avoiding every
 * node: one operation links one note to each question of the canvas, in memory (no disk, no lock). The canvases:
 * {@code exam}, the 170-question exam fixture; {@code room}, 9 000 text nodes 100 columns wide with a free row under
 * each, 170 of them questions; {@code packed}, the same 9 000 nodes packed 20 px apart across and 30 px down, so that every note must slide
 * far; {@code hostile}, 10 000 packed nodes of which 1 000 are questions.
 *
 * <pre>
 * java -cp "benchmarks/target/benchmarks-0.1.0-SNAPSHOT.jar:benchmarks/target/lib/*" \
 *      org.openjdk.jmh.Main NotePlacementBenchmark
 * </pre>
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@State(Scope.Benchmark)
@Fork(1)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class NotePlacementBenchmark {

    @Param({"exam", "room", "packed", "hostile"})
    String canvas;

    private JsonObject nodes;
    private List<String> questions;

    @Setup(Level.Trial)
    public void buildCanvas() {
        switch (canvas) {
            case "exam" -> exam();
            case "room" -> grid(9_000, 400, 52, 170);
            case "packed" -> grid(9_000, 100, 52, 170);
            case "hostile" -> grid(10_000, 100, 10, 1_000);
            default -> throw new IllegalArgumentException(canvas);
        }
    }

    @Benchmark
    public JsonObject linkEveryQuestion() {
        return CanvasMergeEntry.linkNotes(nodes, questions);
    }

    private void exam() {
        nodes = Json.createReader(new StringReader(FixtureVault.read(FixtureVault.EXAM_170)))
                .readObject();
        questions = new ArrayList<>();
        for (JsonObject node : nodes.getJsonArray("nodes").getValuesAs(JsonObject.class)) {
            if (!Canvas.UNDERSTANDING_COLOR.equals(node.getString("color", ""))) {
                questions.add(node.getString("id"));
            }
        }
        if (questions.size() != 170) {
            throw new IllegalStateException("expected 170 questions, found " + questions.size());
        }
    }

    /** Text nodes 320 × 70 in rows of 100, 340 px apart across and {@code rowPitch} down; every {@code every}th asks. */
    private void grid(int count, int rowPitch, int every, int asked) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        questions = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "n" + i;
            array.add(Json.createObjectBuilder()
                    .add("id", id)
                    .add("type", "text")
                    .add("text", "question " + i)
                    .add("x", (i % 100) * 340)
                    .add("y", (i / 100) * rowPitch)
                    .add("width", 320)
                    .add("height", 70));
            if (i % every == 0 && questions.size() < asked) {
                questions.add(id);
            }
        }
        nodes = Json.createObjectBuilder()
                .add("nodes", array)
                .add("edges", Json.createArrayBuilder())
                .build();
    }
}
