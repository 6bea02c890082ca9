package org.canvasbatch.adapters.vault;

import static org.assertj.core.api.Assertions.assertThat;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.canvasbatch.application.port.out.Vault.NoteDraft;
import org.canvasbatch.application.port.out.Vault.WrittenNote;
import org.canvasbatch.domain.agent.AgentId;
import org.canvasbatch.testsupport.CapturedLogs;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the Obsidian plugin's summary announces ("added N blue explanation nodes and N document nodes"): beside each
 * note's file node a small blue text node saying which agent wrote it and when, in the learner's zone and language.
 */
class LabelNodesTest {

    private static final ZoneId LEARNER = ZoneId.of("Asia/Shanghai");
    private static final Clock CLOCK = Clock.fixed(Instant.parse("2026-11-26T13:00:00Z"), LEARNER);
    private static final Instant FIRST_RUN = Instant.parse("2026-11-26T12:00:00Z");
    private static final String Q1 = "01000c386bbc4"; // 什么是逆否命题
    private static final String HASH_TABLE = "030008b529b4a"; // What is a hash table?

    @TempDir
    Path root;

    FileVault vault;

    @BeforeEach
    void openVault() {
        Fixtures.copyVaultTo(root);
        vault = open(VaultOptions.defaults());
    }

    @AfterEach
    void closeVault() {
        vault.close();
    }

    @Test
    void eachNoteIsLabelledWithItsAgentAndTheTimeItWasWritten() {
        writeAndLink(Fixtures.DISCRETE_MATH, Q1, "什么是逆否命题", FIRST_RUN);

        JsonObject label = onlyLabel(Fixtures.DISCRETE_MATH);
        assertThat(label.getString("text")).isEqualTo("[oral-explanation] 生成于 2026-11-26 20:00");
        assertThat(label.getString("color")).isEqualTo("5");
        assertThat(label.getString("type")).isEqualTo("text");
    }

    @Test
    void anEnglishCanvasGetsEnglishLabels() {
        writeAndLink(Fixtures.DATA_STRUCTURES, HASH_TABLE, "What is a hash table?", FIRST_RUN);

        assertThat(onlyLabel(Fixtures.DATA_STRUCTURES).getString("text"))
                .isEqualTo("[oral-explanation] generated 2026-11-26 20:00");
    }

    @Test
    void reRunningANodeMovesItsLabelsTimeInsteadOfAddingASecondLabel() {
        writeAndLink(Fixtures.DISCRETE_MATH, Q1, "什么是逆否命题", FIRST_RUN);
        writeAndLink(Fixtures.DISCRETE_MATH, Q1, "什么是逆否命题", FIRST_RUN.plusSeconds(3 * 3600 + 17 * 60));

        assertThat(onlyLabel(Fixtures.DISCRETE_MATH).getString("text"))
                .isEqualTo("[oral-explanation] 生成于 2026-11-26 23:17");
        assertThat(canvas(Fixtures.DISCRETE_MATH).noteNodes()).hasSize(1);
    }

    /**
     * The hostile tester's reproduction, through the vault: the learner wrote their own summary into a label, the node
     * was run again (its note, unedited, overwritten), and the label was back to "[oral-explanation] generated …", the
     * summary lost, with "1 label(s) updated" as the only trace.
     */
    @Test
    void aLabelTheLearnerWroteInIsKeptWhenTheNodeRunsAgain() throws IOException {
        WrittenNote first = writeAndLink(Fixtures.DATA_STRUCTURES, HASH_TABLE, "What is a hash table?", FIRST_RUN);
        JsonObject label = onlyLabel(Fixtures.DATA_STRUCTURES);
        String theirs = label.getString("text") + "\nMY OWN SUMMARY: an array indexed by the key's hash";
        learnerSaves(
                Fixtures.DATA_STRUCTURES,
                Json.createObjectBuilder(label).add("text", theirs).build());

        WrittenNote again;
        try (CapturedLogs logs = CapturedLogs.of(CanvasWriteBack.class.getName())) {
            again = writeAndLink(
                    Fixtures.DATA_STRUCTURES, HASH_TABLE, "What is a hash table?", FIRST_RUN.plusSeconds(3600));

            List<LogRecord> linked = logs.visibleRecordsContaining("Linked {0} note(s)");
            assertThat(linked)
                    .hasSize(1)
                    .allSatisfy(r -> assertThat(r.getThrown()).isNull());
            assertThat(new SimpleFormatter().formatMessage(linked.getFirst()))
                    .isEqualTo("Linked 0 note(s) into 'CS/Data Structures.canvas',"
                            + " 1 label(s) the learner wrote in kept as they are, 1 already linked.");
        }

        assertThat(again.path())
                .as("the note itself was the server's, and is written again")
                .isEqualTo(first.path());
        assertThat(onlyLabel(Fixtures.DATA_STRUCTURES).getString("text")).isEqualTo(theirs);
        assertThat(canvas(Fixtures.DATA_STRUCTURES).notesPointingAt(first.path()))
                .hasSize(1);
    }

    @Test
    void aLabelTheLearnerOnlyMovedAndRecolouredStillGetsTheNewTimeWhereTheyPutIt() throws IOException {
        writeAndLink(Fixtures.DATA_STRUCTURES, HASH_TABLE, "What is a hash table?", FIRST_RUN);
        JsonObject moved = Json.createObjectBuilder(onlyLabel(Fixtures.DATA_STRUCTURES))
                .add("x", -2000)
                .add("y", -2000)
                .add("color", "2")
                .build();
        learnerSaves(Fixtures.DATA_STRUCTURES, moved);

        writeAndLink(Fixtures.DATA_STRUCTURES, HASH_TABLE, "What is a hash table?", FIRST_RUN.plusSeconds(3600));

        JsonObject label = onlyLabel(Fixtures.DATA_STRUCTURES);
        assertThat(label.getString("text")).isEqualTo("[oral-explanation] generated 2026-11-26 21:00");
        assertThat(label.getInt("x")).isEqualTo(-2000);
        assertThat(label.getInt("y")).isEqualTo(-2000);
        assertThat(label.getString("color")).isEqualTo("2");
    }

    @Test
    void aRetryOrARestartNeverDuplicatesALabelNorChangesItsTime() throws IOException {
        WrittenNote note = writeAndLink(Fixtures.DISCRETE_MATH, Q1, "什么是逆否命题", FIRST_RUN);
        vault.close(); // which merges the links once more
        // the same link left waiting, as a run stopped before it knew the link was written leaves it
        Files.createDirectories(root.resolve(PendingLinks.FOLDER));
        Files.writeString(
                root.resolve(PendingLinks.FILE),
                "{\"canvas\":\"" + Fixtures.DISCRETE_MATH + "\",\"node\":\"" + Q1
                        + "\",\"agent\":\"oral-explanation\",\"note\":\"" + note.path() + "\"}\n");

        vault = open(VaultOptions.defaults());
        vault.close();

        assertThat(onlyLabel(Fixtures.DISCRETE_MATH).getString("text"))
                .isEqualTo("[oral-explanation] 生成于 2026-11-26 20:00");
    }

    @Test
    void labelsCanBeSwitchedOff() {
        vault.close();
        vault = open(VaultOptions.defaults().withLabelNodes(false));

        writeAndLink(Fixtures.DISCRETE_MATH, Q1, "什么是逆否命题", FIRST_RUN);

        assertThat(canvas(Fixtures.DISCRETE_MATH).labelNodes()).isEmpty();
        assertThat(canvas(Fixtures.DISCRETE_MATH).noteNodes()).hasSize(1);
    }

    private WrittenNote writeAndLink(String canvas, String nodeId, String text, Instant at) {
        WrittenNote note =
                vault.writeNote(new NoteDraft(canvas, nodeId, text, AgentId.ORAL_EXPLANATION, "# note", "offline", at));
        vault.flush(canvas);
        return note;
    }

    /** The learner changes one node in Obsidian, which saves the whole canvas in place. */
    private void learnerSaves(String canvas, JsonObject changed) throws IOException {
        JsonObject root = canvas(canvas).root();
        var nodes = Json.createArrayBuilder();
        root.getJsonArray("nodes").getValuesAs(JsonObject.class).stream()
                .map(n -> n.getString("id").equals(changed.getString("id")) ? changed : n)
                .forEach(nodes::add);
        Files.writeString(
                this.root.resolve(canvas),
                Json.createObjectBuilder(root).add("nodes", nodes).build().toString());
    }

    private JsonObject onlyLabel(String canvas) {
        return canvas(canvas).labelNodes().stream()
                .reduce((a, b) -> {
                    throw new AssertionError("more than one label: " + a + ", " + b);
                })
                .orElseThrow(() -> new AssertionError("no label"));
    }

    private CanvasOnDisk canvas(String path) {
        return CanvasOnDisk.read(root.resolve(path));
    }

    private FileVault open(VaultOptions options) {
        return new FileVault(root, options, CLOCK);
    }
}
