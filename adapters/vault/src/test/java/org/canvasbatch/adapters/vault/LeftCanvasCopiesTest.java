package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Right before it renames a merged canvas over the learner's, the write-back keeps the canvas readable under a hidden
 * second name ({@code .canvas-batch-<16 hex>.prev}) and deletes that name right after. A process killed in between
 * leaves it behind: a second name of the canvas itself, or the only name of the version the rename replaced — which
 * holds, when the learner saved in that instant, the only copy of that save. The vault settles such copies when it
 * starts: it drops a name the canvas still has and a copy with nothing the canvas beside it lacks, and shows the learner
 * any other as a canvas of its own, never deleting what is only there.
 */
class LeftCanvasCopiesTest {

    private static final String CANVAS = "数学/离散数学.canvas";
    private static final String LEFT = "数学/.canvas-batch-0123456789abcdef.prev";

    @TempDir
    Path root;

    private FileVault vault;

    @BeforeEach
    void copyVault() throws IOException {
        Fixtures.copyVaultTo(root);
    }

    @AfterEach
    void closeVault() {
        if (vault != null) {
            vault.close();
        }
    }

    @Test
    void aSecondNameOfTheCanvasLeftByAKilledWriteIsDroppedAndTheCanvasKept() throws Exception {
        byte[] canvas = Files.readAllBytes(root.resolve(CANVAS));
        Files.createLink(root.resolve(LEFT), root.resolve(CANVAS));

        startVaultTenMinutesLater();

        assertThat(root.resolve(LEFT)).doesNotExist();
        assertThat(root.resolve(CANVAS)).hasBinaryContent(canvas);
        assertThat(otherCanvasesBeside()).isEmpty();
    }

    @Test
    void aReplacedVersionWhoseCardsAreAllStillInTheCanvasIsDropped() throws Exception {
        JsonObject before = canvasNow();
        // the version the killed write replaced: the learner's canvas before the write added its cards
        Files.writeString(root.resolve(LEFT), before.toString());
        JsonArrayBuilder merged = Json.createArrayBuilder(before.getJsonArray("nodes"));
        merged.add(Json.createObjectBuilder()
                .add("id", "cb-note-0123456789ab")
                .add("type", "file")
                .add("file", "数学/离散数学-notes/note.md")
                .add("x", 0)
                .add("y", 400)
                .add("width", 400)
                .add("height", 300));
        Files.writeString(
                root.resolve(CANVAS),
                withNodes(before, merged.build().stream().toList()).toString());
        byte[] canvas = Files.readAllBytes(root.resolve(CANVAS));

        startVaultTenMinutesLater();

        assertThat(root.resolve(LEFT)).doesNotExist();
        assertThat(root.resolve(CANVAS)).hasBinaryContent(canvas);
        assertThat(otherCanvasesBeside()).isEmpty();
    }

    @Test
    void aReplacedVersionHoldingASaveTheCanvasLacksIsShownBesideItNotDeleted() throws Exception {
        JsonObject now = canvasNow();
        JsonArrayBuilder nodes = Json.createArrayBuilder(now.getJsonArray("nodes"));
        nodes.add(Json.createObjectBuilder()
                .add("id", "saved-in-that-instant")
                .add("type", "text")
                .add("text", "我刚写下的想法")
                .add("x", 0)
                .add("y", 0)
                .add("width", 200)
                .add("height", 60));
        String save = withNodes(now, nodes.build()).toString();
        Files.writeString(root.resolve(LEFT), save);
        byte[] canvas = Files.readAllBytes(root.resolve(CANVAS));

        try (CapturedLogs logs = CapturedLogs.of(LeftCanvasCopies.class.getName())) {
            startVaultTenMinutesLater();

            assertThat(root.resolve(LEFT)).doesNotExist();
            assertThat(root.resolve(CANVAS)).hasBinaryContent(canvas);
            List<Path> shown = otherCanvasesBeside();
            assertThat(shown).hasSize(1);
            assertThat(shown.getFirst().getFileName().toString())
                    .matches("离散数学 \\(kept \\d{4}-\\d{2}-\\d{2} \\d{4}\\)\\.canvas");
            assertThat(shown.getFirst()).hasContent(save);
            assertThat(logs.visibleLines())
                    .anySatisfy(line -> assertThat(line)
                            .contains(CANVAS)
                            .contains(shown.getFirst().getFileName().toString()));
        }
    }

    /**
     * The learner deleted a card in the instant the write renamed its merge over the canvas (Obsidian writes the file in
     * place, so the deletion landed in the replaced version, now only under the hidden name): every card of that version
     * is in the canvas, but the canvas also holds the deleted card, which no write-back ever adds. Dropping the copy
     * brings the card back without a word and loses the deletion.
     */
    @Test
    void aReplacedVersionInWhichTheLearnerDeletedACardIsShownNotDropped() throws Exception {
        JsonObject before = canvasNow();
        String deleted = "01019815a47c5";
        List<jakarta.json.JsonValue> kept = before.getJsonArray("nodes").stream()
                .filter(node -> !deleted.equals(node.asJsonObject().getString("id")))
                .toList();
        String save = withNodes(before, kept).toString();
        // what the killed write renamed over the canvas: the version it read, with its note's card and edge added
        JsonArrayBuilder merged = Json.createArrayBuilder(before.getJsonArray("nodes"));
        merged.add(Json.createObjectBuilder()
                .add("id", "cb-note-0123456789ab")
                .add("type", "file")
                .add("file", "数学/离散数学-notes/note.md")
                .add("x", 0)
                .add("y", 400)
                .add("width", 400)
                .add("height", 300));
        JsonArrayBuilder edges = Json.createArrayBuilder(before.getJsonArray("edges"));
        edges.add(Json.createObjectBuilder()
                .add("id", "cb-edge-0123456789ab")
                .add("fromNode", deleted)
                .add("fromSide", "bottom")
                .add("toNode", "cb-note-0123456789ab")
                .add("toSide", "top"));
        Files.writeString(
                root.resolve(CANVAS),
                Json.createObjectBuilder(
                                withNodes(before, merged.build().stream().toList()))
                        .add("edges", edges)
                        .build()
                        .toString());
        Files.writeString(root.resolve(LEFT), save);

        startVaultTenMinutesLater();

        assertThat(otherCanvasesBeside())
                .as("the version without the card the learner deleted, shown beside the canvas")
                .singleElement()
                .satisfies(shown -> assertThat(shown).hasContent(save));
    }

    @Test
    void aCopyYoungEnoughToBeInTheHandsOfALiveWriteIsLeftAlone() throws Exception {
        Files.createLink(root.resolve(LEFT), root.resolve(CANVAS));

        vault = new FileVault(root, VaultOptions.defaults(), Clock.systemUTC());
        vault.litterSwept().get(30, TimeUnit.SECONDS);

        assertThat(root.resolve(LEFT)).exists();
    }

    @Test
    void aLinkOrAnUnreadableFileOfThatNameIsLeftAsItIs(@TempDir Path outside) throws Exception {
        Path learners = Files.writeString(outside.resolve("mine.canvas"), "{\"nodes\":[]}");
        Path link = Files.createSymbolicLink(root.resolve("数学/.canvas-batch-fedcba9876543210.prev"), learners);
        Path notJson = Files.writeString(root.resolve(LEFT), "{\"nodes\":[half");

        startVaultTenMinutesLater();

        assertThat(Files.isSymbolicLink(link)).isTrue();
        assertThat(learners).hasContent("{\"nodes\":[]}");
        assertThat(notJson).hasContent("{\"nodes\":[half");
        assertThat(otherCanvasesBeside()).isEmpty();
    }

    /** The vault started as if the copies had been left ten minutes before: no live write can still hold them. */
    private void startVaultTenMinutesLater() throws Exception {
        Instant later = Instant.now().plus(Duration.ofMinutes(10));
        vault = new FileVault(root, VaultOptions.defaults(), Clock.fixed(later, ZoneOffset.UTC));
        vault.litterSwept().get(30, TimeUnit.SECONDS);
    }

    private JsonObject canvasNow() throws IOException {
        try (var reader = Json.createReader(new StringReader(Files.readString(root.resolve(CANVAS))))) {
            return reader.readObject();
        }
    }

    private static JsonObject withNodes(JsonObject canvas, List<? extends jakarta.json.JsonValue> nodes) {
        JsonArrayBuilder array = Json.createArrayBuilder();
        nodes.forEach(array::add);
        return Json.createObjectBuilder(canvas).add("nodes", array).build();
    }

    private List<Path> otherCanvasesBeside() throws IOException {
        try (Stream<Path> files = Files.list(root.resolve("数学"))) {
            return files.filter(path -> Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS))
                    .filter(path -> path.getFileName().toString().endsWith(".canvas"))
                    .filter(path -> !List.of("离散数学.canvas", "线性代数.canvas", "mixed-node-types.canvas")
                            .contains(path.getFileName().toString()))
                    .toList();
        }
    }
}
